"""The lab window with the Draw dock in front, on a dataset the test names."""
import pytest
from PySide6.QtCore import QPoint


@pytest.fixture
def open_window(make_window):
    """The shared window (tests/ui/conftest.py) on ``dataset``, its Draw dock raised."""
    def make(dataset: str = "digits"):
        window = make_window(dataset)
        window.docks["canvas"].raise_()
        return window

    return make


@pytest.fixture(autouse=True)
def no_error_shown(errors):
    """Drawing never shows an error (a test that expects one reads ``errors`` and empties it)."""
    yield
    assert errors == []


@pytest.fixture
def at():
    def point(surface, x: float, y: float) -> QPoint:
        """The widget point showing paper position (x, y) in 0…1."""
        rect = surface.paper_rect()
        return QPoint(round(rect.left() + x * rect.width()), round(rect.top() + y * rect.height()))

    return point
