"""What the editor draws: elided wide layers, the image grid, the strongest weights, captions."""
import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.ui.editor.canvas import NetworkCanvas
from nnlab.ui.editor.layout_model import MAX_CONNECTIONS, PLACEHOLDER, columns_for, layout, strongest

MNIST_LAYERS = [LayerSpec(512, "relu", dropout=0.2), LayerSpec(64, "relu", frozen=True), LayerSpec(10, "softmax")]


@pytest.fixture
def canvas(qtbot):
    widget = NetworkCanvas()
    qtbot.addWidget(widget)
    widget.resize(900, 520)
    return widget


def show(canvas, network, image_shape=None, classes=None):
    canvas.set_columns(columns_for(network.sizes, network.layers, classes, image_shape), network.sizes)
    assert canvas.set_snapshot(network)


def test_wide_layers_are_elided_and_an_image_input_is_its_pixel_grid(canvas):
    network = Network(784, MNIST_LAYERS, seed=1)
    show(canvas, network, (28, 28), [str(d) for d in range(10)])
    inputs, wide, frozen, output = canvas.columns
    assert inputs.image_shape == (28, 28) and len(inputs.neurons) == 784 and inputs.more == 0
    assert inputs.title == "input · 28×28 pixels"
    assert wide.neurons == (*range(8), *range(504, 512)) and wide.more_text == "… 496 more"
    assert wide.title == "hidden 1 · 512 · relu" and wide.notes == "dropout 0.2"
    assert frozen.frozen and frozen.notes == "❄ frozen" and frozen.more_text == "… 48 more"
    assert output.names == tuple(str(d) for d in range(10)) and output.more == 0
    geometry = layout(canvas.columns, 900, 520, 2, 16.0)
    assert geometry.pixel > 0 and len(geometry.ys[0]) == 784
    assert np.all(np.diff(geometry.ys[0].reshape(28, 28)[:, 0]) > 0)   # row-major, top to bottom


def test_only_the_strongest_connections_are_drawn_with_their_exact_weights(canvas):
    network = Network(784, MNIST_LAYERS, seed=1)
    show(canvas, network, (28, 28))
    shown = canvas.visible_connections()
    assert 0 < len(shown) <= MAX_CONNECTIONS
    for layer, source, target, weight in shown:
        assert weight == float(network.weights[layer][target, source])
        assert source in canvas.columns[layer].neurons and target in canvas.columns[layer + 1].neurons
    first = [abs(w) for layer, _, target, w in shown if layer == 0]
    block = np.abs(network.weights[0][list(canvas.columns[1].neurons)])
    assert first == sorted(first, reverse=True) and first[0] == pytest.approx(block.max())


def test_strongest_shares_the_budget_fairly():
    rng = np.random.default_rng(3)
    big, small = rng.normal(size=(16, 16)), np.array([[0.1, -0.2, 0.3]])
    big_pick, small_pick = strongest([big, small], budget=10)
    assert len(small_pick) == 3 and len(big_pick) == 7
    assert set(big_pick) == set(np.argsort(-np.abs(big).ravel())[:7])
    assert strongest([big], budget=0)[0].size == 0


def test_a_single_sigmoid_output_names_both_classes():
    columns = columns_for([2, 4, 1], [LayerSpec(4, "tanh"), LayerSpec(1, "sigmoid")], ["no", "yes"])
    assert columns[-1].names == ("yes (else no)",) and columns[0].title == "input · 2"


@pytest.mark.parametrize("size", [(900, 520), (120, 80), (1, 1)])
def test_paints_at_any_size_and_shows_the_placeholder_without_a_network(canvas, size):
    assert canvas.visible_connections() == []
    assert PLACEHOLDER.startswith("No network yet")
    canvas.resize(*size)
    assert not canvas.grab().isNull()
    show(canvas, Network(784, MNIST_LAYERS), (28, 28))
    canvas.set_activations([np.linspace(-1, 2, n) for n in (784, 512, 64, 10)])
    assert not canvas.grab().isNull()


def test_relu_activations_are_scaled_by_the_largest_value_and_negatives_keep_their_sign(canvas):
    network = Network(2, [LayerSpec(4, "tanh"), LayerSpec(1, "sigmoid")])
    show(canvas, network)
    canvas.set_activations([np.array([0.5, -0.5]), np.array([4.0, 2.0, -1.0, 0.0]), np.array([0.3])])
    np.testing.assert_allclose(canvas.shade(1), [1.0, 0.5, -0.25, 0.0])
    np.testing.assert_allclose(canvas.shade(0), [0.5, -0.5])


def drawn(network, layers, size, palette=None, font=None, image_shape=(28, 28)):
    """What a new canvas draws for ``network`` with ``layers``' captions: nothing kept from before."""
    canvas = NetworkCanvas()
    if palette is not None:
        canvas.setPalette(palette)
    if font is not None:
        canvas.setFont(font)
    canvas.resize(*size)
    canvas.set_columns(columns_for(network.sizes, layers, None, image_shape), network.sizes)
    assert canvas.set_snapshot(network)
    return canvas.grab().toImage()


def test_a_kept_picture_is_shown_again_only_while_the_network_size_and_palette_are_the_same(canvas, qtbot):
    from PySide6.QtGui import QColor, QFont, QPalette
    canvas.show()  # a hidden widget's grab() sends it a resize event, which would empty its kept pictures
    qtbot.waitExposed(canvas)
    network = Network(784, MNIST_LAYERS, seed=1)
    show(canvas, network, (28, 28))
    first = canvas.grab().toImage()
    assert first == drawn(network, MNIST_LAYERS, (900, 520))
    # An edit that keeps every weight (here the activation: the captions change, no line does)
    edited = [LayerSpec(512, "tanh", dropout=0.2), *MNIST_LAYERS[1:]]
    canvas.set_columns(columns_for(network.sizes, edited, None, (28, 28)), network.sizes)
    assert canvas.set_snapshot(network.copy())
    assert canvas.grab().toImage() == drawn(network, edited, (900, 520)) != first
    canvas.resize(700, 400)
    assert canvas.grab().toImage() == drawn(network, edited, (700, 400))
    dark = QPalette(canvas.palette())
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.Text, "#e0e0e0"), (QPalette.ColorRole.WindowText, "#e0e0e0")):
        dark.setColor(role, QColor(colour))
    light = canvas.palette()
    canvas.setPalette(dark)
    assert canvas.grab().toImage() == drawn(network, edited, (700, 400), dark)
    large = QFont(canvas.font())
    large.setPointSizeF(large.pointSizeF() * 1.6)  # the captions break into other lines
    canvas.setFont(large)
    assert canvas.grab().toImage() == drawn(network, edited, (700, 400), dark, large)
    canvas.setFont(QFont())
    canvas.setPalette(light)
    canvas.resize(900, 520)
    show(canvas, network, (28, 28))
    assert canvas.grab().toImage() == first


def test_kept_pictures_stay_within_their_budget_least_recently_used_first_out():
    from PySide6.QtGui import QPixmap

    from nnlab.ui.editor.picture_cache import PictureCache, picture_bytes
    pictures = [QPixmap(100, 50) for _ in range(4)]
    size = picture_bytes(pictures[0])
    assert size == 100 * 50 * pictures[0].depth() // 8
    cache = PictureCache(budget_bytes=3 * size)
    for key in "abc":
        cache.put(key, pictures["abc".index(key)])
    assert cache.get("a") is pictures[0]  # "a" is now the most recently used, "b" the least
    cache.put("d", pictures[3])
    assert cache.get("b") is None and [cache.get(key) is not None for key in "acd"] == [True, True, True]
    assert len(cache) == 3 and cache.nbytes == 3 * size
    cache.put("huge", QPixmap(400, 400))  # larger than the whole budget: not kept, nothing dropped for it
    assert cache.get("huge") is None and len(cache) == 3
    cache.clear()
    assert len(cache) == 0 and cache.nbytes == 0
