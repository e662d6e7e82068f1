"""What NN Lab remembers between runs: defaults plus QSettings, at a path tests can redirect."""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

MAX_RECENT_FILES = 8
DEFAULTS = {
    "last_dataset": "digits",
    "recent_files": [],
    "geometry": QByteArray(),
    "window_state": QByteArray(),
    "start_page_seen": False,  # the Lessons start page shows once, on first launch
}
SETTINGS_ENV = "NNLAB_SETTINGS"  # a file path: tests and the smoke run keep the user's settings untouched


class Settings:
    def __init__(self, path: str | os.PathLike | None = None) -> None:
        path = path or os.environ.get(SETTINGS_ENV)
        if path:
            self._store = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self._store = QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, "NN Lab", "nnlab")

    @property
    def path(self) -> str:
        return self._store.fileName()

    def get(self, key: str):
        default = DEFAULTS[key]
        value = self._store.value(key, default)
        if isinstance(default, list):
            if value in (None, ""):
                return []
            return [value] if isinstance(value, str) else list(value)
        return value

    def set(self, key: str, value) -> None:
        if key not in DEFAULTS:
            raise KeyError(f"unknown setting {key!r}")
        self._store.setValue(key, value)

    def add_recent_file(self, path: str | os.PathLike) -> list[str]:
        path = str(Path(path).resolve())
        recent = [path, *(p for p in self.get("recent_files") if p != path)][:MAX_RECENT_FILES]
        self.set("recent_files", recent)
        return recent

    def sync(self) -> None:
        self._store.sync()
