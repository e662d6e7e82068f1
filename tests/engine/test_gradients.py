"""Backprop checked against central differences, for every activation × loss pair."""
import copy

import numpy as np
import pytest

from nnlab.engine.activations import ACTIVATIONS
from nnlab.engine.losses import LOSSES
from nnlab.engine.network import LayerSpec, Network, targets_for
from nnlab.engine.trainer import TrainConfig, Trainer

HIDDEN = [name for name, act in ACTIVATIONS.items() if act.hidden_allowed]
PAIRS = [(loss, out) for loss, spec in LOSSES.items() for out in spec.output_activations]
EPS = 1e-6


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def numeric_gradient(loss_of_params, params: np.ndarray) -> np.ndarray:
    grad = np.zeros_like(params)
    for i in range(params.size):
        saved = params[i]
        params[i] = saved + EPS
        plus = loss_of_params()
        params[i] = saved - EPS
        minus = loss_of_params()
        params[i] = saved
        grad[i] = (plus - minus) / (2 * EPS)
    return grad


def as_flat(net: Network, grads) -> np.ndarray:
    """Per-layer gradients laid out like ``net.params``, whatever its memory layout."""
    holder = net.copy()
    for i, (w, b) in enumerate(zip(grads.weights, grads.biases)):
        holder.weights[i][...] = w
        holder.biases[i][...] = b
    return holder.params.copy()


def small_problem(hidden, output_activation, seed=0):
    rng = np.random.default_rng(seed)
    n_out = 1 if output_activation == "sigmoid" and seed % 2 else 3
    net = Network(3, [LayerSpec(4, hidden), LayerSpec(3, hidden), LayerSpec(n_out, output_activation)],
                  dtype=np.float64, seed=seed)
    for bias in net.biases:  # non-zero biases so that every gradient path is exercised
        bias[...] = rng.normal(0, 0.3, bias.shape)
    x = rng.normal(0, 1, (5, 3))
    labels = rng.integers(0, max(n_out, 2), 5)
    return net, x, targets_for(labels, n_out, np.float64), labels


@pytest.mark.parametrize("loss,output_activation", PAIRS)
@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("l1,l2", [(0.0, 0.0), (0.01, 0.02)])
def test_backprop_matches_central_differences(hidden, loss, output_activation, l1, l2):
    for seed in (1, 2):
        net, x, targets, _ = small_problem(hidden, output_activation, seed)
        analytic = net.gradients(x, targets, loss, l1=l1, l2=l2)
        flat = as_flat(net, analytic)
        numeric = numeric_gradient(lambda: net.gradients(x, targets, loss, l1=l1, l2=l2).loss, net.params)
        assert relative_error(flat, numeric) < 1e-6, (hidden, loss, output_activation, seed)


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("loss,output_activation", PAIRS)
def test_training_fast_path_computes_the_same_gradients(hidden, loss, output_activation):
    net, x, _, labels = small_problem(hidden, output_activation, seed=1)
    trainer = Trainer(net, x, labels, TrainConfig(loss=loss, batch_size=5, l1=0.01, l2=0.02),
                      n_classes=max(net.n_outputs, 2))
    value, _ = trainer._step(np.arange(5))
    targets = targets_for(labels, net.n_outputs, np.float64)
    reference = net.gradients(x, targets, loss, l1=0.01, l2=0.02)
    # The reported loss is the data loss (comparable with validation); the penalty only steers.
    assert value == pytest.approx(net.gradients(x, targets, loss).loss, rel=1e-12)
    for i in range(len(net.layers)):
        np.testing.assert_allclose(net.grad_weights[i], reference.weights[i], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(net.grad_biases[i], reference.biases[i], rtol=1e-10, atol=1e-14)


def test_dropout_gradient_matches_central_differences_with_the_same_mask():
    rng = np.random.default_rng(3)
    net = Network(3, [LayerSpec(6, "tanh", dropout=0.5), LayerSpec(3, "softmax")], dtype=np.float64)
    x, labels = rng.normal(size=(8, 3)), rng.integers(0, 3, 8)
    trainer = Trainer(net, x, labels, TrainConfig(batch_size=8), n_classes=3)
    state = copy.deepcopy(trainer.rng.bit_generator.state)

    def loss_with_same_mask():
        trainer.rng.bit_generator.state = copy.deepcopy(state)
        return trainer._step(np.arange(8))[0]

    loss_with_same_mask()
    analytic = net.grads.copy()
    undropped = net.gradients(x, targets_for(labels, 3, np.float64), "cross_entropy")
    undropped_flat = as_flat(net, undropped)
    assert relative_error(analytic, undropped_flat) > 1e-2, "dropout changed nothing"
    assert relative_error(analytic, numeric_gradient(loss_with_same_mask, net.params)) < 1e-6


def test_frozen_layer_gets_zero_update_and_stays_bit_identical():
    rng = np.random.default_rng(0)
    x, labels = rng.normal(size=(64, 4)), rng.integers(0, 3, 64)
    net = Network(4, [LayerSpec(8, "relu", frozen=True), LayerSpec(8, "relu"), LayerSpec(3, "softmax")])
    frozen_before = net.weights[0].copy(), net.biases[0].copy()
    trained_before = net.weights[1].copy()
    for optimizer in ("sgd", "momentum", "adam"):
        trainer = Trainer(net, x, labels, TrainConfig(optimizer=optimizer, learning_rate=0.05, batch_size=16,
                                                      epochs=3, l1=0.01, l2=0.01), n_classes=3)
        list(trainer.run())
        assert not net.grad_weights[0].any() and not net.grad_biases[0].any()
    assert np.array_equal(net.weights[0], frozen_before[0]) and np.array_equal(net.biases[0], frozen_before[1])
    assert not np.array_equal(net.weights[1], trained_before)


def test_frozen_middle_layer_keeps_earlier_layers_training():
    rng = np.random.default_rng(1)
    x, labels = rng.normal(size=(32, 4)), rng.integers(0, 2, 32)
    net = Network(4, [LayerSpec(5), LayerSpec(5, frozen=True), LayerSpec(2, "softmax")])
    first, middle = net.weights[0].copy(), net.weights[1].copy()
    list(Trainer(net, x, labels, TrainConfig(batch_size=8, epochs=2, learning_rate=0.01), n_classes=2).run())
    assert np.array_equal(net.weights[1], middle)
    assert not np.array_equal(net.weights[0], first)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_same_seed_gives_identical_weights_bit_for_bit(dtype):
    rng = np.random.default_rng(5)
    x, labels = rng.normal(size=(200, 6)).astype(dtype), rng.integers(0, 3, 200)

    def run(seed):
        net = Network(6, [LayerSpec(16, dropout=0.2), LayerSpec(3, "softmax")], dtype=dtype, seed=seed)
        list(Trainer(net, x, labels, TrainConfig(batch_size=32, epochs=3, seed=seed), n_classes=3).run())
        return net.params.copy()

    first, second = run(7), run(7)
    assert first.tobytes() == second.tobytes()
    assert first.tobytes() != run(8).tobytes()
