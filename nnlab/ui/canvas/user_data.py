"""Where the learner's own samples live: the app's data folder, or one a test or smoke run names."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from nnlab.data.user_samples import UserSampleStore

from ..settings import SETTINGS_ENV

USER_DATA_ENV = "NNLAB_USER_DATA"  # a folder path


def user_data_folder() -> Path:
    """NNLAB_USER_DATA; else, when settings are redirected (tests, --smoke), a folder beside that
    settings file, so such runs never touch the user's drawings; else QStandardPaths.AppDataLocation."""
    if os.environ.get(USER_DATA_ENV):
        return Path(os.environ[USER_DATA_ENV])
    if os.environ.get(SETTINGS_ENV):
        settings = Path(os.environ[SETTINGS_ENV])
        return settings.parent / f"{settings.stem}-user-data"
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    if not location:
        location = str(Path.home() / ".nnlab")
    return Path(location)


def default_store() -> UserSampleStore:
    return UserSampleStore(user_data_folder())
