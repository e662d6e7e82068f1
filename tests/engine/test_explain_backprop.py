"""The step-debugger's chain rule against the engine's backward pass and against finite differences."""
import numpy as np
import pytest

from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.optimizer_steps import apply_one_step, explain_update
from nnlab.engine.optimizers import make_optimizer

DOG_CAT_INPUT = [0.9, 0.2, 0.8, 0.3]


def test_dog_cat_backward_written_out(new_dog_cat):
    walk = BackpropWalk(new_dog_cat(), DOG_CAT_INPUT, [1.0, 0.0], "cross_entropy")
    assert walk.delta_lines(2, 0)[-1] == "δ₁ = 0.562 − 1 = −0.438"
    assert walk.delta_check_line(2, 0).endswith("h = 1e−6: −0.438")
    assert walk.weight_gradient_lines(1, 0, 0)[0] == "∂L/∂w = δ · a_prev = −0.438 × 0.71 = −0.311"
    update = explain_update("sgd", 0.01, 0.8, walk.weight_gradient(1, 0, 0))
    assert update.lines[-1] == "w = 0.8 − 0.01 × (−0.311) = 0.80311"
    mse = BackpropWalk(new_dog_cat(), DOG_CAT_INPUT, [1.0, 0.0], "mse")
    assert mse.loss_lines()[-1] == "L = 0.192"


CASES = [  # (hidden activations, output activation, loss)
    (("relu", "tanh"), "softmax", "cross_entropy"),
    (("sigmoid", "leaky_relu"), "sigmoid", "binary_cross_entropy"),
    (("tanh", "linear"), "linear", "mse"),
    (("relu", "sigmoid"), "softmax", "mse"),
]


@pytest.mark.parametrize("hidden, output, loss", CASES)
@pytest.mark.parametrize("l2", [0.0, 0.01])
def test_every_gradient_equals_the_engine_and_finite_differences(hidden, output, loss, l2):
    rng = np.random.default_rng(7)
    layers = [LayerSpec(4, hidden[0]), LayerSpec(3, hidden[1]), LayerSpec(3 if output != "sigmoid" else 2, output)]
    net = Network(5, layers, dtype=np.float64, init="xavier", seed=3)
    net.biases[0][...] = rng.normal(0, 0.3, 4)
    x = rng.normal(size=5)
    target = np.eye(net.n_outputs)[1] if loss != "mse" or output == "softmax" else rng.normal(size=net.n_outputs)
    walk = BackpropWalk(net, x, target, loss, l2=l2)
    engine = net.gradients(x, target[None, :], loss, l2=l2)
    assert walk.loss_value() == pytest.approx(engine.loss, rel=1e-12)
    for i, (mine, theirs) in enumerate(zip(walk.weight_gradients(), engine.weights)):
        np.testing.assert_allclose(mine, theirs, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(walk.bias_gradients()[i], engine.biases[i], rtol=1e-10, atol=1e-14)
        for target_unit, source in np.ndindex(mine.shape):
            one = walk.weight_gradient(i, source, target_unit)
            assert one == pytest.approx(theirs[target_unit, source], rel=1e-10, abs=1e-14)
            assert walk.finite_difference(i, source, target_unit) == pytest.approx(one, rel=1e-5, abs=1e-8)
        for unit in range(len(walk.deltas[i])):  # δ (the bias gradient) measured by nudging the bias
            assert walk.bias_finite_difference(i + 1, unit) == pytest.approx(walk.delta(i + 1, unit), rel=1e-5,
                                                                           abs=1e-8)


@pytest.mark.parametrize("name", ["sgd", "momentum", "adam"])
def test_written_update_is_what_the_optimizer_does(name, new_dog_cat):
    net = new_dog_cat()
    walk = BackpropWalk(net, DOG_CAT_INPUT, [1.0, 0.0], "cross_entropy")
    stepped = apply_one_step(net, walk.weight_gradients(), walk.bias_gradients(), name, 0.01)
    for layer, source, target in [(1, 0, 0), (0, 2, 1), (0, 3, 2)]:
        written = explain_update(name, 0.01, net.weights[layer][target, source],
                                 walk.weight_gradient(layer, source, target))
        assert written.new == pytest.approx(stepped.weights[layer][target, source], rel=1e-12, abs=1e-15)
    # exactly one step of the real optimizer, and the original is untouched
    reference = net.copy()
    reference.grads[...] = 0
    for g, w in zip(reference.grad_weights, walk.weight_gradients()):
        g[...] = w
    for g, b in zip(reference.grad_biases, walk.bias_gradients()):
        g[...] = b
    make_optimizer(name, 0.01).step(reference.params, reference.grads)
    np.testing.assert_array_equal(stepped.params, reference.params)
    np.testing.assert_array_equal(net.params, new_dog_cat().params)


def test_frozen_layers_do_not_move(new_dog_cat):
    net = new_dog_cat()
    net.layers[0] = LayerSpec(3, "relu", frozen=True)
    walk = BackpropWalk(net, DOG_CAT_INPUT, [1.0, 0.0], "cross_entropy")
    stepped = apply_one_step(net, walk.weight_gradients(), walk.bias_gradients(), "sgd", 0.1)
    np.testing.assert_array_equal(stepped.weights[0], net.weights[0])
    assert not np.array_equal(stepped.weights[1], net.weights[1])


def test_a_wrong_target_is_refused(new_dog_cat):
    with pytest.raises(ValueError, match="target needs 2 values"):
        BackpropWalk(new_dog_cat(), DOG_CAT_INPUT, [1.0, 0.0, 0.0], "cross_entropy")
