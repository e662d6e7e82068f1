"""The forward pass written out: the seed texts' numbers, and sums that add up."""
import numpy as np
import pytest

from nnlab.engine.activations import get_activation
from nnlab.engine.explain import (activation_curve, activation_derivative, neuron_lines, softmax_written,
                                  weighted_sum)
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.neuron_stats import dead_units, layer_activations, top_samples
from nnlab.engine.numbers import format_full, format_number, format_places, places_to_show

DOG_CAT_INPUT = [0.9, 0.2, 0.8, 0.3]


@pytest.mark.parametrize("value, text", [(0.71, "0.71"), (0.7130000001, "0.713"), (-0.4380, "−0.438"),
                                         (0.56217, "0.562"), (1234.5, "1230"), (0.0, "0"),
                                         (-3.1e-7, "−3.1e−7"), (2.0, "2"), (float("nan"), "nan")])
def test_format_number(value, text):
    assert format_number(value) == text


def test_full_precision_reads_back_exactly():
    value = 0.1 + 0.2
    assert float(format_full(value)) == value and format_number(value) == "0.3"
    assert format_number(-value, None) == "−0.30000000000000004"


def test_places_show_the_change_of_a_small_step():
    assert places_to_show(-0.00311) == 5
    assert format_places(0.8031100000000001, 5) == "0.80311"


def test_dog_cat_hidden_neuron_written_out(dog_cat):
    trace = dog_cat.forward_trace(DOG_CAT_INPUT)
    lines = neuron_lines(dog_cat, trace, 1, 0)
    assert lines == ["z₁ = (0.6 × 0.9) + (0.4 × 0.2) + (0.5 × 0.8) + (0.3 × 0.3) − 0.4 = 0.71",
                     "a₁ = ReLU(0.71) = 0.71"]


def test_dog_cat_softmax_written_out(dog_cat):
    trace = dog_cat.forward_trace(DOG_CAT_INPUT)
    text = "\n".join(neuron_lines(dog_cat, trace, 2, 0, ["dog", "cat"]))
    assert "= 0.713" in text and "P(dog) = 2.04 / 3.63 = 0.562" in text
    written = softmax_written(trace.pre_activations[1][0])
    np.testing.assert_allclose(written.exponentials / written.total, written.probabilities, rtol=1e-14)


def test_large_fan_in_shows_the_largest_terms_and_sums_the_rest():
    rng = np.random.default_rng(1)
    net = Network(784, [LayerSpec(5, "relu"), LayerSpec(2, "softmax")], dtype=np.float64, seed=2)
    x = rng.random(784)
    ws = weighted_sum(net, net.forward_trace(x), 1, 3)
    products = np.abs(ws.products)
    assert len(ws.shown) == 8 and ws.hidden_count == 776
    assert products[ws.shown].min() >= np.delete(products, ws.shown).max()
    assert ws.products[ws.shown].sum() + ws.hidden_sum + ws.bias == pytest.approx(ws.z, abs=1e-12)
    assert "[776 smaller terms = " in ws.text()


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "sigmoid", "tanh", "linear"])
def test_activation_derivative_matches_a_difference_quotient(name):
    for z in (-1.3, 0.4, 2.2):
        z_axis, _ = activation_curve(name, z)
        act = get_activation(name)
        h = 1e-6
        numeric = (act.forward(np.array([[z + h]]))[0, 0] - act.forward(np.array([[z - h]]))[0, 0]) / (2 * h)
        assert activation_derivative(name, z) == pytest.approx(numeric, rel=1e-6, abs=1e-9)
        assert z_axis.min() < z < z_axis.max()


def test_top_samples_and_dead_units():
    net = Network(3, [LayerSpec(2, "relu"), LayerSpec(2, "softmax")], dtype=np.float64)
    net.weights[0][...] = [[1, 0, 0], [-1, -1, -1]]
    net.biases[0][...] = [0, -0.1]
    x = np.random.default_rng(0).random((50, 3))
    acts = layer_activations(net, x, 1, chunk_size=7)
    np.testing.assert_allclose(acts, net.forward_trace(x).activations[1])
    assert list(top_samples(acts[:, 0], 9)) == list(np.argsort(-x[:, 0])[:9])
    assert list(dead_units(acts)) == [False, True]
