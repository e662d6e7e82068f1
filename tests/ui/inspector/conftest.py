"""The shared window (tests/ui/conftest.py) with the inspector dock in front, and no dataset yet."""
import pytest


@pytest.fixture
def window_dataset():
    return None


@pytest.fixture
def window(window):
    window.docks["inspector"].raise_()
    return window


@pytest.fixture
def lesson(window):
    """Open a shipped lesson by key; returns the inspector dock."""
    def open_(key: str):
        inspector = window.inspector
        assert inspector.open_lesson(inspector.lessons.lesson(key))
        return inspector
    return open_
