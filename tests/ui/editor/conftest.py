"""A lab window on a dataset, driven through the editor's own actions and controls."""
import numpy as np
import pytest

from nnlab.ui.main_window import MainWindow

TIMEOUT = 20_000


@pytest.fixture
def errors():
    return []


@pytest.fixture
def make_window(qtbot, errors, monkeypatch):
    windows = []

    def make(dataset: str = "xor") -> MainWindow:
        win = MainWindow(load_last_dataset=False)
        monkeypatch.setattr(win, "_show_error", lambda title, error: errors.append((title, str(error))))
        monkeypatch.setattr(win, "_ask_save_changes", lambda: "discard")
        qtbot.addWidget(win)
        win.resize(1400, 860)
        win.show()
        assert win.choose_dataset(dataset)
        windows.append(win)
        return win

    yield make
    for win in windows:
        win.stop_training()
        win.session.set_dirty(False)
        win.close()


@pytest.fixture
def window(make_window):
    """xor with hidden layers 8, 8 (the panel's suggestion for points), as a learner finds it."""
    win = make_window("xor")
    assert win.session.network.sizes == [2, 8, 8, 1] or win.session.network.sizes == [2, 8, 8, 2]
    win.session.network.params[...] = np.random.default_rng(7).normal(size=win.session.network.params.size)
    win.selection.set_snapshot(win.session.network.copy())  # as after a run: "trained" weights
    return win


def params_of(win) -> np.ndarray:
    return win.session.network.params.copy()
