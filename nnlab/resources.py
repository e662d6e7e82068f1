"""Where the shipped files (datasets, icons, lessons) are, from source or installed.

The repository keeps them in a top-level ``resources/`` folder; the wheel and the
frozen bundle carry the same folder as ``nnlab/resources``. Every reader goes
through :func:`resource_path` so the same code works in all three.
"""
from __future__ import annotations

from importlib import resources as _importlib_resources
from pathlib import Path


def resources_root() -> Path:
    packaged = Path(str(_importlib_resources.files("nnlab"))) / "resources"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a shipped file, e.g. ``resource_path("datasets", "digits.npz")``."""
    return resources_root().joinpath(*parts)
