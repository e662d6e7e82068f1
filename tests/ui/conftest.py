"""The lab window as the UI tests use it: made, shown, answered and closed in one place.

``window`` is a shown window on xor; a test module changes what it is made with by overriding
``window_dataset`` (None: no dataset), ``window_size`` (e.g. parametrised over screen sizes) or
``window_settings`` (e.g. a first launch's), and refines it by taking ``window`` itself
(``def window(window): …``).
``make_window`` makes more (or other) windows. No question ever opens a dialog: every error shown is
collected in ``errors`` as (title, sentence), and "Save the weights first?" is counted in
``questions`` and answered with ``questions["answer"]`` ("discard" unless a test says otherwise).
"""
import pytest
from PySide6.QtWidgets import QApplication

from nnlab.ui.main_window import MainWindow
from nnlab.ui.settings import Settings


@pytest.fixture
def errors() -> list[tuple[str, str]]:
    return []


@pytest.fixture
def questions() -> dict:
    return {"asked": 0, "answer": "discard"}


def answer_questions(window: MainWindow, errors: list, questions: dict) -> None:
    """The window's questions answered by the test, never by a dialog."""
    def ask() -> str:
        questions["asked"] += 1
        return questions["answer"]

    window.questions.ask_save_changes = ask
    window.questions.show_error = lambda title, error: errors.append((title, str(error)))


@pytest.fixture
def make_window(qtbot, errors, questions):
    windows = []

    def make(dataset: str | None = "xor", size: tuple[int, int] | None = None, *,
             settings: Settings | None = None) -> MainWindow:
        """A shown, active window (``size``, else the default) on ``dataset``; ``settings``: the app's
        (by default a fresh file in which the first-launch start page has been seen)."""
        if settings is None:
            settings = Settings()
            settings.set("start_page_seen", True)  # the first-launch start page has its own tests
        window = MainWindow(settings=settings, load_last_dataset=False)
        answer_questions(window, errors, questions)
        qtbot.addWidget(window)
        if size is not None:
            window.resize(*size)
        window.show()
        window.activateWindow()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        if dataset is not None:
            assert window.choose_dataset(dataset), errors
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.training.stop()
        window.session.set_dirty(False)
        window.close()


@pytest.fixture
def window_dataset() -> str | None:
    return "xor"


@pytest.fixture
def window_size() -> tuple[int, int] | None:
    return None


@pytest.fixture
def window_settings() -> Settings | None:
    """None: a fresh settings file in which the first-launch start page has been seen."""
    return None


@pytest.fixture
def window(make_window, window_dataset, window_size, window_settings) -> MainWindow:
    return make_window(window_dataset, window_size, settings=window_settings)


@pytest.fixture
def lenet_window(make_window, window_size) -> MainWindow:
    """A window on digits with the editor's "LeNet-style digits" template, inspecting a validation digit."""
    window = make_window("digits", window_size)
    assert window.editor.apply_template("LeNet-style digits")
    window.inspector.inspect_sample()
    return window
