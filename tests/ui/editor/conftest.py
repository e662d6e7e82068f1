"""The editor's tests drive the shared window (tests/ui/conftest.py) through the editor's own actions and controls."""
import numpy as np
import pytest

TIMEOUT = 20_000


@pytest.fixture
def window_size():
    return (1400, 860)


@pytest.fixture
def window(window):
    """xor with hidden layers 8, 8 (the panel's suggestion for points), as a learner finds it."""
    assert window.session.network.sizes == [2, 8, 8, 1] or window.session.network.sizes == [2, 8, 8, 2]
    window.session.network.params[...] = np.random.default_rng(7).normal(size=window.session.network.params.size)
    window.selection.set_snapshot(window.session.network.copy())  # as after a run: "trained" weights
    return window


def params_of(win) -> np.ndarray:
    return win.session.network.params.copy()
