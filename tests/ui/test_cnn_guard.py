"""The window does not draw convolutional networks yet: opening a CNN's weight file there says so in one sentence
and changes nothing (the CLI reads the same file)."""
import pytest

from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network
from nnlab.lab.reading import window_refusal
from nnlab.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, monkeypatch):
    win = MainWindow(load_last_dataset=False)
    win.errors = []
    monkeypatch.setattr(win, "_show_error", lambda title, error: win.errors.append((title, str(error))))
    monkeypatch.setattr(win, "_ask_save_changes", lambda: "discard")
    qtbot.addWidget(win)
    win.show()
    assert win.choose_dataset("digits")
    yield win
    win.session.set_dirty(False)
    win.close()


def test_opening_a_cnn_weight_file_is_one_sentence_and_changes_nothing(window, tmp_path):
    cnn = Network((28, 28), [ConvSpec(4, 5), PoolSpec(2), LayerSpec(10, "softmax")])
    path = tmp_path / "lenet.npz"
    save_model(path, SavedModel(cnn, "cross_entropy", [str(d) for d in range(10)], (28, 28), "mnist"))
    network, params, dataset = window.session.network, window.session.network.params.copy(), window.session.dataset
    assert not window.open_path(path, ask=False)
    ((title, message),) = window.errors
    assert message == ("lenet.npz holds a network with convolutional layers; the window shows them in a later "
                       "version — use nnlab info, nnlab evaluate and nnlab predict on it, or nnlab train --resume "
                       "for a session")
    assert window.session.network is network and window.session.network.params.tobytes() == params.tobytes()
    assert window.session.dataset is dataset and window.session.path is None


def test_a_dense_network_is_not_refused():
    assert window_refusal(Network(4, [LayerSpec(2, "softmax")]), "x.npz") == ""
    assert window_refusal(None, "x.npz") == ""
