"""A whole CNN gives PyTorch's numbers: forward, loss and every gradient (float64, 1e-6).

Runs where PyTorch is installed; NN Lab itself never needs it. The PyTorch model is built from our
layer list the way docs/weight-file-format.md's recipe builds one from a weight file.
"""
import numpy as np
import pytest

from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network

torch = pytest.importorskip("torch", reason="PyTorch is not installed; the comparison with it is skipped")
nn = torch.nn
TOLERANCE = 1e-6
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}


def torch_twin(net: Network) -> nn.Sequential:
    modules = []
    for spec, shape, weight, bias in zip(net.layers, net.shapes, net.weights, net.biases):
        if spec.kind == "conv2d":
            layer = nn.Conv2d(shape.input_shape[0], spec.filters, spec.kernel, stride=spec.stride,
                              padding=spec.kernel // 2 if spec.padding == "same" else 0, dtype=torch.float64)
        elif spec.kind == "dense":
            layer = nn.Linear(*weight.shape[::-1], dtype=torch.float64)
        elif spec.kind == "flatten":
            modules.append(nn.Flatten())
            continue
        else:
            modules.append((nn.MaxPool2d if spec.kind == "maxpool2d" else nn.AvgPool2d)(spec.size))
            continue
        with torch.no_grad():
            layer.weight.copy_(torch.tensor(weight))
            layer.bias.copy_(torch.tensor(bias))
        modules.append(layer)
        if spec.activation in ACTIVATIONS:
            modules.append(ACTIVATIONS[spec.activation]())
    return nn.Sequential(*modules)


@pytest.mark.parametrize("activation", ["relu", "tanh"])
@pytest.mark.parametrize("stride", [1, 2])
def test_a_whole_cnn_matches_torch(activation, stride):
    layers = [ConvSpec(4, 5, activation=activation), PoolSpec(2), ConvSpec(6, 3, stride, "valid", activation),
              PoolSpec(2, "avgpool2d"), LayerSpec(16, activation), LayerSpec(10, "softmax")]
    net = Network((28, 28), layers, dtype=np.float64, seed=3)
    for bias in net.biases:
        bias[...] = np.linspace(-0.2, 0.3, bias.size)
    rng = np.random.default_rng(4)
    x = rng.random((6, 784))
    labels = rng.integers(0, 10, 6)
    model = torch_twin(net)
    logits = model(torch.tensor(x.reshape(6, 1, 28, 28)))
    np.testing.assert_allclose(net.forward(x), torch.softmax(logits, 1).detach().numpy(), rtol=TOLERANCE,
                               atol=TOLERANCE)
    loss = nn.functional.cross_entropy(logits, torch.tensor(labels))  # the mean over the batch, as ours
    loss.backward()
    ours = net.gradients(x, np.eye(10)[labels], "cross_entropy")
    assert ours.loss == pytest.approx(loss.item(), rel=1e-12)
    theirs = [m for m in model if isinstance(m, (nn.Conv2d, nn.Linear))]
    ours_with_parameters = [i for i, spec in enumerate(net.layers) if spec.has_parameters]
    for module, i in zip(theirs, ours_with_parameters, strict=True):
        np.testing.assert_allclose(ours.weights[i], module.weight.grad.numpy(), rtol=TOLERANCE, atol=TOLERANCE)
        np.testing.assert_allclose(ours.biases[i], module.bias.grad.numpy(), rtol=TOLERANCE, atol=TOLERANCE)
