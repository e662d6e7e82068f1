"""The seed texts' hand calculations, with the texts' own weights, reproduced by the engine in float64.

Where a text's arithmetic slips, the test asserts the true number and names the printed one.
"""
import numpy as np
import pytest

from nnlab.engine.activations import sigmoid, softmax
from nnlab.engine.losses import loss_value
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.optimizers import SGD

DOG_CAT_INPUT = [0.9, 0.2, 0.8, 0.3]


def make_network(input_size, layers, weights, biases):
    net = Network(input_size, [LayerSpec(units, act) for units, act in layers], dtype=np.float64)
    for i, (w, b) in enumerate(zip(weights, biases)):
        net.weights[i][...] = w
        net.biases[i][...] = b
    return net


@pytest.fixture
def dog_cat():
    return make_network(
        4, [(3, "relu"), (2, "softmax")],
        weights=[[[0.6, 0.4, 0.5, 0.3], [0.2, 0.7, 0.3, 0.6], [0.3, 0.5, 0.2, 0.8]],
                 [[0.8, 0.6, 0.3], [0.3, 0.7, 0.9]]],
        biases=[[-0.4, -0.3, -0.5], [-0.2, -0.3]],
    )


def test_dog_cat_forward(dog_cat):
    trace = dog_cat.forward_trace(DOG_CAT_INPUT)
    np.testing.assert_allclose(trace.activations[1][0], [0.71, 0.44, 0.27], atol=1e-12)
    np.testing.assert_allclose(trace.pre_activations[1][0], [0.713, 0.464], atol=1e-12)
    assert round(trace.output[0, 0], 3) == 0.562
    assert trace.output[0].sum() == pytest.approx(1.0)


def test_dog_cat_mse_loss(dog_cat):
    z, a = dog_cat.forward_with_logits(DOG_CAT_INPUT)
    assert round(loss_value("mse", z, a, np.array([[1.0, 0.0]]), "softmax"), 3) == 0.192


def test_dog_cat_backprop_and_one_sgd_step(dog_cat):
    grads = dog_cat.gradients(DOG_CAT_INPUT, [[1.0, 0.0]], "cross_entropy")
    assert round(grads.deltas[1][0, 0], 3) == -0.438
    assert round(grads.weights[1][0, 0], 3) == -0.311
    dog_cat.grads[...] = 0
    dog_cat.grad_weights[1][...] = grads.weights[1]
    dog_cat.grad_biases[1][...] = grads.biases[1]
    SGD(0.01).step(dog_cat.params, dog_cat.grads)
    # w = 0.8 − 0.01 × (−0.311…) = 0.80311
    assert round(dog_cat.weights[1][0, 0], 5) == 0.80311


def test_three_pixel_network():
    """Seed 000: sum1 = 7.2, sum2 = 1.5, output_sum = 6.0."""
    net = make_network(3, [(2, "relu"), (1, "linear")],
                       weights=[[[0.4, 0.6, -0.3], [-0.5, 0.3, 0.8]], [[1.0, 1.2]]],
                       biases=[[1, 0], [-3]])
    trace = net.forward_trace([5, 8, 2])
    np.testing.assert_allclose(trace.activations[1][0], [7.2, 1.5], atol=1e-12)
    assert trace.output[0, 0] == pytest.approx(6.0, abs=1e-12)


def test_three_two_one_prediction():
    """Seed 000: h1 = 4, h2 = 3, y = 3.5."""
    net = make_network(3, [(2, "relu"), (1, "linear")],
                       weights=[[[2, -1, 0.5], [0.5, 2, -1]], [[1.5, -1]]],
                       biases=[[1, 0], [0.5]])
    trace = net.forward_trace([2, 3, 4])
    np.testing.assert_allclose(trace.activations[1][0], [4, 3], atol=1e-12)
    assert trace.output[0, 0] == pytest.approx(3.5, abs=1e-12)


def test_single_neuron():
    """Seed 001: z = 0.4 + 0.21 + 0.1 − 0.3 = 0.41, ReLU(0.41) = 0.41."""
    net = make_network(3, [(1, "relu")], weights=[[[0.5, 0.7, 0.2]]], biases=[[-0.3]])
    assert net.forward([0.8, 0.3, 0.5])[0, 0] == pytest.approx(0.41, abs=1e-12)


def test_digit_one_with_the_texts_weights_gives_064_053_083_and_0674():
    """Seed 001's 16-4-3-2: the text prints z₂..z₄ = 0.11, 0.19, 0.26 and P("1") = 0.657; both slip."""
    net = make_network(
        16, [(4, "relu"), (3, "relu"), (2, "softmax")],
        weights=[[[0.5, 0.8, 0.1, 0.0, 0.3, 0.9, 0.2, 0.0, 0.4, 0.7, 0.1, 0.1, 0.2, 0.8, 0.0, 0.0],
                  [0.1, 0.2, 0.3, 0.1, 0.2, 0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.1, 0.2, 0.3, 0.1, 0.1],
                  [0.2, 0.1, 0.4, 0.2, 0.1, 0.2, 0.3, 0.1, 0.2, 0.1, 0.3, 0.2, 0.1, 0.2, 0.2, 0.1],
                  [0.1, 0.3, 0.2, 0.1, 0.1, 0.2, 0.1, 0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.3, 0.1, 0.1]],
                 [[0.6, 0.3, 0.2, 0.1], [0.2, 0.5, 0.4, 0.3], [0.1, 0.4, 0.3, 0.5]],
                 [[0.8, 0.4, 0.2], [0.1, 0.3, 0.5]]],
        biases=[[-0.5, -0.2, -0.3, -0.1], [-0.2, -0.1, -0.15], [-0.3, -0.2]])
    trace = net.forward_trace([0.1, 0.7, 0.2, 0.1, 0.2, 0.8, 0.2, 0.1, 0.1, 0.6, 0.3, 0.2, 0.1, 0.7, 0.1, 0.1])
    np.testing.assert_allclose(trace.pre_activations[0][0], [2.04, 0.64, 0.53, 0.83], atol=1e-12)
    np.testing.assert_allclose(trace.pre_activations[1][0], [1.405, 1.089, 0.884], atol=1e-12)
    np.testing.assert_allclose(trace.pre_activations[2][0], [1.4364, 0.7092], atol=1e-12)
    assert round(trace.output[0, 0], 3) == 0.674  # the text: 0.657


def test_softmax_and_sigmoid_values():
    np.testing.assert_allclose(np.round(softmax(np.array([2.0, 1.0, 0.1])), 3), [0.659, 0.242, 0.099])
    # Seed 001's dog/cat softmax of [2.3, 0.8] prints 0.817 and 0.183 (9.97 / 12.2): the true numbers round up.
    np.testing.assert_allclose(np.round(softmax(np.array([2.3, 0.8])), 3), [0.818, 0.182])
    assert round(float(sigmoid(np.array(2.0))), 2) == 0.88
    assert float(sigmoid(np.array(-1000.0))) == 0.0 and float(sigmoid(np.array(1000.0))) == 1.0
