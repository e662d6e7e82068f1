"""The network diagram's drawing model: which neurons and weights it shows, and its captions."""
from __future__ import annotations

import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.ui.widgets import network_diagram
from nnlab.ui.widgets.network_diagram import MAX_CONNECTIONS, PLACEHOLDER, NetworkDiagram, strongest

XOR_LAYERS = [LayerSpec(4, "tanh"), LayerSpec(1, "sigmoid")]
W_HIDDEN = np.array([[0.5, -2.0], [1.5, 0.1], [-0.7, 3.0], [0.05, -0.3]])   # (out 4, in 2)
W_OUTPUT = np.array([[-1.0, 0.2, 2.5, -0.4]])                              # (out 1, in 4)
MNIST_SIZES = [784, 128, 64, 10]
MNIST_LAYERS = [LayerSpec(128, "relu", dropout=0.2), LayerSpec(64, "relu", frozen=True),
                LayerSpec(10, "softmax")]


@pytest.fixture
def diagram(qtbot):
    widget = NetworkDiagram()
    qtbot.addWidget(widget)
    widget.resize(640, 420)
    return widget


def xor_diagram(widget: NetworkDiagram) -> NetworkDiagram:
    widget.set_network([2, 4, 1], XOR_LAYERS, ["0", "1"])
    widget.set_weights([W_HIDDEN.copy(), W_OUTPUT.copy()])
    return widget


def expected_connections(weights) -> set[tuple[int, int, int, float]]:
    return {(layer, int(src), int(dst), float(w[dst, src]))
            for layer, w in enumerate(weights) for dst, src in np.ndindex(w.shape)}


def test_empty_diagram_shows_the_placeholder_until_a_network_arrives_and_after_clear(diagram):
    assert diagram.placeholder() == PLACEHOLDER == "No network yet — choose a dataset and press Start"
    assert not diagram.grab().isNull()
    xor_diagram(diagram)
    assert diagram.placeholder() == ""
    diagram.clear()
    assert diagram.placeholder() == PLACEHOLDER
    assert diagram.visible_connections() == []


def test_small_network_shows_every_neuron_and_every_weight(diagram):
    xor_diagram(diagram)
    assert [diagram.visible_neurons(i) for i in range(3)] == [[0, 1], [0, 1, 2, 3], [0]]
    assert all(diagram.column(i).more == 0 and diagram.column(i).more_text == "" for i in range(3))
    assert set(diagram.visible_connections()) == expected_connections([W_HIDDEN, W_OUTPUT])


def test_connections_are_listed_strongest_first_within_each_layer(diagram):
    xor_diagram(diagram)
    connections = diagram.visible_connections()
    for layer in (0, 1):
        magnitudes = [abs(w) for lay, _, _, w in connections if lay == layer]
        assert magnitudes == sorted(magnitudes, reverse=True)


def test_a_connection_budget_keeps_the_largest_magnitudes_of_each_layer(qtbot):
    widget = NetworkDiagram(max_connections=4)
    qtbot.addWidget(widget)
    xor_diagram(widget)
    shown = widget.visible_connections()
    assert len(shown) == 4
    hidden = sorted(w for layer, _, _, w in shown if layer == 0)
    output = sorted(w for layer, _, _, w in shown if layer == 1)
    assert hidden == [-2.0, 3.0]     # |3.0| and |-2.0| beat 1.5, 0.7, 0.5 ...
    assert output == [-1.0, 2.5]


def test_strongest_picks_the_top_magnitudes_and_shares_the_budget_fairly():
    rng = np.random.default_rng(3)
    big = rng.normal(size=(16, 16))
    small = np.array([[0.1, -0.2, 0.3]])
    big_pick, small_pick = strongest([big, small], budget=10)
    assert len(small_pick) == 3                       # a small layer's unused share passes on
    assert len(big_pick) == 7
    assert set(big_pick) == set(np.argsort(-np.abs(big).ravel())[:7])
    assert strongest([big], budget=0)[0].size == 0


def test_wide_layers_collapse_around_a_count_of_the_hidden_neurons(diagram):
    diagram.set_network(MNIST_SIZES, MNIST_LAYERS)
    inputs = diagram.column(0)
    assert diagram.visible_neurons(0) == [*range(8), *range(776, 784)]
    assert inputs.more == 768 and inputs.more_text == "… 768 more"
    assert diagram.column(1).more_text == "… 112 more"
    assert diagram.column(2).more_text == "… 48 more"
    assert diagram.column(3).more_text == "" and diagram.visible_neurons(3) == list(range(10))


def test_a_large_network_draws_at_most_the_connection_budget(diagram):
    network = Network(784, MNIST_LAYERS, seed=1)
    diagram.set_from_network(network)
    shown = diagram.visible_connections()
    assert 0 < len(shown) <= MAX_CONNECTIONS
    for layer, src, dst, weight in shown:
        assert weight == pytest.approx(float(network.weights[layer][dst, src]))
        assert src in diagram.visible_neurons(layer) and dst in diagram.visible_neurons(layer + 1)


def test_captions_name_each_layer_and_flag_a_frozen_one(diagram):
    diagram.set_network(MNIST_SIZES, MNIST_LAYERS, [str(digit) for digit in range(10)])
    titles = [diagram.column(i).title for i in range(4)]
    assert titles == ["input 784", "hidden 1 · 128 · relu", "hidden 2 · 64 · relu", "output 10 · softmax"]
    assert [diagram.column(i).frozen for i in range(4)] == [False, False, True, False]
    assert "frozen" in diagram.column(2).notes
    assert diagram.column(1).notes == "dropout 0.2"
    assert diagram.column(3).names == tuple(str(digit) for digit in range(10))
    assert not diagram.grab().isNull()


def test_a_single_sigmoid_output_names_both_classes(diagram):
    diagram.set_network([2, 4, 1], XOR_LAYERS, ["no", "yes"])
    assert diagram.column(2).names == ("yes (else no)",)


def test_architecture_mistakes_are_refused(diagram):
    with pytest.raises(ValueError):
        diagram.set_network([2, 5, 1], XOR_LAYERS)
    with pytest.raises(ValueError):
        diagram.set_network([2, 4, 1], XOR_LAYERS[:1])
    with pytest.raises(ValueError):
        diagram.set_network(MNIST_SIZES, MNIST_LAYERS, ["a", "b", "c"])


def test_a_new_snapshot_changes_the_drawn_weights(diagram):
    xor_diagram(diagram)
    new_hidden, new_output = -3 * W_HIDDEN, W_OUTPUT[:, ::-1].copy()
    diagram.set_weights([new_hidden, new_output])
    assert set(diagram.visible_connections()) == expected_connections([new_hidden, new_output])


def test_the_callers_arrays_are_never_kept(diagram):
    hidden, output = W_HIDDEN.copy(), W_OUTPUT.copy()
    diagram.set_network([2, 4, 1], XOR_LAYERS)
    diagram.set_weights([hidden, output])
    before = diagram.visible_connections()
    hidden[...] = 99.0
    output *= -1
    assert diagram.visible_connections() == before


def test_live_network_views_are_copied_too(diagram):
    network = Network(784, MNIST_LAYERS, seed=2)
    diagram.set_from_network(network)    # network.weights are F-ordered (out, in) views
    before = diagram.visible_connections()
    network.params[...] = 0.0
    assert diagram.visible_connections() == before


def test_a_stale_snapshot_of_another_shape_is_ignored(diagram):
    xor_diagram(diagram)
    before = diagram.visible_connections()
    diagram.set_weights([np.ones((3, 2)), np.ones((1, 3))])
    diagram.set_weights([W_HIDDEN])
    assert diagram.visible_connections() == before


def test_the_strongest_connections_are_chosen_once_per_snapshot(diagram, monkeypatch):
    calls = []
    real = network_diagram.strongest
    monkeypatch.setattr(network_diagram, "strongest", lambda *args: calls.append(1) or real(*args))
    xor_diagram(diagram)
    diagram.grab()
    diagram.grab()
    diagram.visible_connections()
    assert len(calls) == 1
    diagram.set_weights([W_HIDDEN * 2, W_OUTPUT])
    diagram.visible_connections()
    assert len(calls) == 2


def test_same_sized_architecture_keeps_weights_but_a_new_size_drops_them(diagram):
    xor_diagram(diagram)
    frozen = [LayerSpec(4, "tanh", frozen=True), LayerSpec(1, "sigmoid")]
    diagram.set_network([2, 4, 1], frozen)            # e.g. the student froze a layer
    assert diagram.column(1).frozen
    assert set(diagram.visible_connections()) == expected_connections([W_HIDDEN, W_OUTPUT])
    diagram.set_network([2, 3, 1], [LayerSpec(3, "tanh"), LayerSpec(1, "sigmoid")])
    assert diagram.visible_connections() == []


def test_activations_shade_neurons_from_zero_to_one(diagram):
    xor_diagram(diagram)
    hidden = np.array([0.0, 0.5, 1.0, -0.5])
    diagram.set_activations([np.array([1.0, 0.0]), hidden, np.array([[0.25]])])
    np.testing.assert_allclose(diagram.neuron_brightness(1), [0.0, 0.5, 1.0, 0.0])
    np.testing.assert_allclose(diagram.neuron_brightness(2), [0.25])
    hidden[...] = 1.0
    np.testing.assert_allclose(diagram.neuron_brightness(1), [0.0, 0.5, 1.0, 0.0])
    assert not diagram.grab().isNull()


def test_relu_activations_are_scaled_by_the_largest_drawn_value(diagram):
    diagram.set_network(MNIST_SIZES, MNIST_LAYERS)
    relu = np.zeros(128)
    relu[0], relu[127] = 4.0, 2.0
    diagram.set_activations([None, relu, None, None])
    shades = diagram.neuron_brightness(1)
    assert shades[0] == 1.0 and shades[-1] == 0.5 and diagram.neuron_brightness(0) is None


@pytest.mark.parametrize("size", [(640, 420), (120, 80), (1, 1)])
def test_paints_at_any_size_with_and_without_weights(diagram, size):
    diagram.resize(*size)
    diagram.set_network(MNIST_SIZES, MNIST_LAYERS, [str(digit) for digit in range(10)])
    assert not diagram.grab().isNull()
    diagram.set_weights([np.ascontiguousarray(w) for w in Network(784, MNIST_LAYERS).weights])
    assert not diagram.grab().isNull()
