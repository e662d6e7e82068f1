"""Another dataset with a CNN open: a dataset of the same images and classes keeps it, weights and all (the
status line names its layers, not its 784 → 6272 → … sizes); one it cannot read replaces it, and the status
line says why, first (it said nothing)."""
import pytest

from nnlab.engine.layers import layer_word


@pytest.fixture
def window_dataset():
    return "digits"


@pytest.fixture
def lenet(window):
    window.editor.toolbar.template_actions["LeNet-style digits"].trigger()
    assert not window.session.network.is_dense
    return window.session.network


def pick(window, source: str) -> None:
    """As a learner picks it in the Training panel's list."""
    combo = window.panel.dataset
    combo.setCurrentIndex(combo.findData(source))
    combo.activated.emit(combo.currentIndex())
    assert window.session.dataset_source == source


def test_mnist_keeps_the_lenet_network_and_says_so_in_its_layers(window, lenet, questions, errors):
    params = lenet.params.copy()
    pick(window, "mnist")
    assert window.session.network is lenet and (lenet.params == params).all()
    assert [layer_word(spec) for spec in lenet.layers][0] == "conv8x5"
    assert window.editor.pictures.currentWidget() is window.editor.conv_canvas
    assert window.statusBar().currentMessage() == (
        "mnist fits the open network: it keeps its weights, the curves start again — File → New for fresh ones "
        "(28×28 → conv8x5 → maxpool2 → conv16x5 → maxpool2 → 64 → 10)")
    assert questions["asked"] == 0 and errors == []


def test_faces_cannot_be_read_by_it_and_the_status_line_says_why(window, lenet, errors):
    pick(window, "faces")
    network = window.session.network
    assert network is not lenet and network.is_dense and network.sizes == [625, 128, 64, 2]
    assert window.statusBar().currentMessage() == (
        "faces holds 25×25 images; the open network reads 28×28 images — a new network for faces: 625 → 128 → 64 → 2")
    assert errors == []
