"""One forward loop: every forward path — forward, forward_with_logits, predict_one, forward_trace and the
neuron statistics — runs through ``Network.forward_layers``, and they all give a hand-written pass's numbers."""
import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.neuron_stats import layer_activations

# Written here from the formulas, not taken from the engine, so the engine is checked against something else.
REFERENCE = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "linear": lambda z: z,
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "softmax": lambda z: np.exp(z - z.max(axis=1, keepdims=True)) / np.exp(z - z.max(axis=1, keepdims=True)).sum(
        axis=1, keepdims=True),
}

ARCHITECTURES = [
    [LayerSpec(7, "relu"), LayerSpec(5, "tanh"), LayerSpec(4, "softmax")],
    [LayerSpec(6, "leaky_relu"), LayerSpec(1, "sigmoid")],
    [LayerSpec(3, "linear")],
]


def reference_pass(net: Network, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Every layer's z and a in float64, from the (out, in) weights."""
    a, zs, activations = np.asarray(x, np.float64), [], []
    for weight, bias, spec in zip(net.weights, net.biases, net.layers):
        z = a @ np.asarray(weight, np.float64).T + np.asarray(bias, np.float64)
        a = REFERENCE[spec.activation](z)
        zs.append(z)
        activations.append(a)
    return zs, activations


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("layers", ARCHITECTURES)
def test_every_forward_path_gives_the_hand_written_numbers(layers, dtype):
    net = Network(3, layers, dtype=dtype, init="xavier", seed=4)
    for bias in net.biases:
        bias[...] = np.linspace(-0.3, 0.4, bias.size)
    x = np.random.default_rng(1).normal(size=(9, 3)).astype(dtype)
    zs, activations = reference_pass(net, x)
    tolerance = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-14}

    np.testing.assert_allclose(net.forward(x), activations[-1], **tolerance)
    np.testing.assert_allclose(net.forward(x, chunk_size=4), activations[-1], **tolerance)
    z, a = net.forward_with_logits(x)
    np.testing.assert_allclose(z, zs[-1], **tolerance)
    np.testing.assert_allclose(a, activations[-1], **tolerance)
    for i, row in enumerate(x):
        one = net.predict_one(row)
        assert one.shape == (net.n_outputs,) and one.dtype == dtype
        np.testing.assert_allclose(one, activations[-1][i], **tolerance)
    trace = net.forward_trace(x)
    np.testing.assert_array_equal(trace.activations[0], x)
    for layer in range(len(layers)):
        np.testing.assert_allclose(trace.pre_activations[layer], zs[layer], **tolerance)
        np.testing.assert_allclose(trace.activations[layer + 1], activations[layer], **tolerance)
        np.testing.assert_allclose(layer_activations(net, x, layer + 1, chunk_size=4), activations[layer],
                                   **tolerance)


def test_forward_layers_keeps_z_apart_only_where_asked():
    """z and a share memory (a is written over z) except for the layers in ``keep`` — what lets the fast
    paths allocate one array per layer and the trace keep both."""
    net = Network(3, [LayerSpec(4, "relu"), LayerSpec(2, "softmax")], dtype=np.float64, seed=2)
    x = np.random.default_rng(0).normal(size=(5, 3))
    overwritten = [(index, z is a) for index, z, a in net.forward_layers(x)]
    assert overwritten == [(0, True), (1, True)]
    kept = [(index, np.shares_memory(z, a)) for index, z, a in net.forward_layers(x, keep=(1,))]
    assert kept == [(0, True), (1, False)]
    zs = [z for _, z, _ in net.forward_layers(x, keep=range(2))]
    np.testing.assert_array_equal(zs[1], net.forward_trace(x).pre_activations[1])


def test_every_path_goes_through_the_one_loop(monkeypatch):
    """Change what a layer computes in the one place that says it, and every forward path follows:
    the layers of other kinds (convolution, pooling) will join the same way."""
    net = Network(2, [LayerSpec(3, "linear"), LayerSpec(2, "linear")], dtype=np.float64, seed=5)
    x = np.array([[0.5, -1.0], [2.0, 0.25]])
    plain = net.forward(x).copy()
    original = Network._pre_activation
    calls = []

    def doubled(self, index, a):
        calls.append(index)
        return 2.0 * original(self, index, a)

    monkeypatch.setattr(Network, "_pre_activation", doubled)
    # two linear layers, each z doubled: W2·2(W1·x + b1)·2 + 2·b2 = 4·(W2·(W1·x + b1)) + 2·b2
    w2_part = plain - net.biases[1]
    expected = 4.0 * w2_part + 2.0 * net.biases[1]
    np.testing.assert_allclose(net.forward(x), expected)
    np.testing.assert_allclose(net.forward_with_logits(x)[1], expected)
    np.testing.assert_allclose(net.predict_one(x[1]), expected[1])
    np.testing.assert_allclose(net.forward_trace(x).output, expected)
    np.testing.assert_allclose(layer_activations(net, x, 2), expected)
    np.testing.assert_allclose(layer_activations(net, x, 1), 2.0 * (x @ net.weights[0].T + net.biases[0]))


def test_the_neuron_statistics_stop_at_the_layer_they_need(monkeypatch):
    """Hidden layer 1 of a 3-layer network on 10 samples in chunks of 4: three chunks, one layer each."""
    net = Network(3, [LayerSpec(4), LayerSpec(4), LayerSpec(2, "softmax")], seed=1)
    computed = []
    original = Network._pre_activation
    monkeypatch.setattr(Network, "_pre_activation",
                        lambda self, index, a: computed.append(index) or original(self, index, a))
    x = np.random.default_rng(3).random((10, 3), dtype=np.float32)
    layer_activations(net, x, 1, chunk_size=4)
    assert computed == [0, 0, 0]
