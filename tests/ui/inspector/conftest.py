"""A lab window with the inspector dock in front; errors are collected, never shown as dialogs."""
import pytest

from nnlab.ui.main_window import MainWindow
from nnlab.ui.settings import Settings


@pytest.fixture
def errors():
    return []


@pytest.fixture
def window(qtbot, errors, monkeypatch):
    settings = Settings()
    settings.set("start_page_seen", True)  # the first-launch start page has its own test
    win = MainWindow(settings=settings, load_last_dataset=False)
    monkeypatch.setattr(win, "_show_error", lambda title, error: errors.append((title, str(error))))
    monkeypatch.setattr(win, "_ask_save_changes", lambda: "discard")
    qtbot.addWidget(win)
    win.show()
    win.docks["inspector"].raise_()
    yield win
    win.training.stop()
    win.session.set_dirty(False)
    win.close()


@pytest.fixture
def lesson(window):
    """Open a shipped lesson by key; returns the inspector dock."""
    def open_(key: str):
        inspector = window.inspector
        assert inspector.open_lesson(inspector.lessons.lesson(key))
        return inspector
    return open_
