"""A lab window with the Draw dock in front, on a dataset the test names."""
import pytest
from PySide6.QtCore import QPoint

from nnlab.ui.main_window import MainWindow


@pytest.fixture
def open_window(qtbot):
    windows = []

    def make(dataset: str = "digits") -> MainWindow:
        window = MainWindow(load_last_dataset=False)
        window._ask_save_changes = lambda: "discard"  # closing after training must not ask
        qtbot.addWidget(window)
        assert window.choose_dataset(dataset)
        window.show()
        window.docks["canvas"].raise_()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.training.stop()


@pytest.fixture
def at():
    def point(surface, x: float, y: float) -> QPoint:
        """The widget point showing paper position (x, y) in 0…1."""
        rect = surface.paper_rect()
        return QPoint(round(rect.left() + x * rect.width()), round(rect.top() + y * rect.height()))

    return point
