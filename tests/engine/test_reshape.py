"""Architecture edits keep every weight whose shape survives and reset exactly the rest."""
import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.reshape import (MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS, insert_layer, remove_layer, set_hidden_widths,
                                  set_layer_options, set_output, set_width)


@pytest.fixture
def net():
    network = Network(6, [LayerSpec(5, "relu"), LayerSpec(4, "tanh", dropout=0.2), LayerSpec(3, "softmax")], seed=3)
    rng = np.random.default_rng(0)
    network.params[...] = rng.normal(size=network.params.size)  # "trained": unlike any fresh draw
    return network


def same(a: Network, i: int, b: Network, j: int) -> bool:
    return np.array_equal(a.weights[i], b.weights[j]) and np.array_equal(a.biases[i], b.biases[j])


def test_width_change_resets_only_the_incoming_and_outgoing_layers(net):
    before = net.params.copy()
    out = set_width(net, 0, 7, seed=1)
    assert out.reset == (0, 1) and out.network.sizes == [6, 7, 4, 3]
    assert same(out.network, 2, net, 2)
    assert np.array_equal(net.params, before), "the edit must not touch the old network"
    fresh = Network(6, out.network.layers, seed=1)
    assert same(out.network, 0, fresh, 0) and same(out.network, 1, fresh, 1)
    assert not out.network.biases[0].any()


def test_insert_resets_the_new_layer_and_its_successor_and_keeps_settings(net):
    out = insert_layer(net, 1, LayerSpec(9, "sigmoid"))
    assert out.network.sizes == [6, 5, 9, 4, 3] and out.reset == (1, 2)
    assert same(out.network, 0, net, 0) and same(out.network, 3, net, 2)
    assert out.network.layers[2] == net.layers[1]
    same_width = insert_layer(net, 0, LayerSpec(6, "relu"))  # 6 → 6: the next layer's shape survives
    assert same_width.reset == (0,) and same(same_width.network, 1, net, 0)


def test_remove_resets_the_layer_that_now_reads_a_different_width(net):
    out = remove_layer(net, 0)
    assert out.network.sizes == [6, 4, 3] and out.reset == (0,)
    assert same(out.network, 1, net, 2)
    last = remove_layer(net, 1)
    assert last.reset == (1,) and same(last.network, 0, net, 0)


def test_options_keep_every_weight(net):
    out = set_layer_options(net, 1, activation="relu", dropout=0.5, frozen=True)
    assert out.reset == () and np.array_equal(out.network.params, net.params)
    assert out.network.layers[1] == LayerSpec(4, "relu", 0.5, True)


def test_output_pair_resets_the_output_only_when_its_width_changes(net):
    mse = set_output(net, "mse", "linear", n_classes=3)
    assert mse.reset == () and mse.network.layers[-1].activation == "linear"
    assert np.array_equal(mse.network.params, net.params)
    two = Network(2, [LayerSpec(4, "tanh"), LayerSpec(2, "softmax")])
    binary = set_output(two, "binary_cross_entropy", "sigmoid", n_classes=2)
    assert binary.network.sizes == [2, 4, 1] and binary.reset == (1,)


def test_panel_widths_keep_layers_by_position(net):
    out = set_hidden_widths(net, [5, 4, 8], LayerSpec(1, "tanh", 0.1))
    assert out.network.sizes == [6, 5, 4, 8, 3] and out.reset == (2, 3)
    assert out.network.layers[2] == LayerSpec(8, "tanh", 0.1)
    assert same(out.network, 0, net, 0) and same(out.network, 1, net, 1)


@pytest.mark.parametrize("edit, message", [
    (lambda n: remove_layer(n, 2), "cannot remove the output layer"),
    (lambda n: set_width(n, 2, 5), "cannot resize the output layer"),
    (lambda n: set_width(n, 0, MAX_HIDDEN_UNITS + 1), "between 1 and 2,048 units"),
    (lambda n: set_width(n, 0, 0), "between 1 and 2,048 units"),
    (lambda n: set_layer_options(n, 2, activation="relu"), "chosen together with the loss"),
    (lambda n: set_layer_options(n, 0, activation="softmax"), "output-only activation"),
    (lambda n: set_layer_options(n, 2, dropout=0.3), "output layer cannot use dropout"),
    (lambda n: set_output(n, "cross_entropy", "sigmoid", 3), "one of softmax"),
])
def test_invalid_edits_are_refused_with_their_reason(net, edit, message):
    with pytest.raises(ValueError, match=message):
        edit(net)


def test_at_most_ten_hidden_layers():
    network = Network(2, [LayerSpec(3, "relu")] * MAX_HIDDEN_LAYERS + [LayerSpec(1, "sigmoid")])
    with pytest.raises(ValueError, match="at most 10 hidden layers"):
        insert_layer(network, 0, LayerSpec(3, "relu"))
    with pytest.raises(ValueError, match="limit is 10"):
        set_hidden_widths(network, [3] * 11, LayerSpec(3))
