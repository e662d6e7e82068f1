"""Our convolution and pooling give PyTorch's numbers (float64, forward and gradients, to 1e-6).

Runs where PyTorch is installed (``pip install torch``: the CPU build is enough); PyTorch is never
needed by NN Lab itself.
"""
import numpy as np
import pytest

from nnlab.engine.conv import Conv2D, ConvGeometry
from nnlab.engine.pooling import AvgPool2D, MaxPool2D, winner_positions

torch = pytest.importorskip("torch", reason="PyTorch is not installed; the comparison with it is skipped")
TOLERANCE = 1e-6


def close(ours: np.ndarray, theirs) -> None:
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=TOLERANCE, atol=TOLERANCE)


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("channels,filters,kernel,size", [(1, 8, 5, 28), (8, 16, 5, 14), (3, 4, 3, 9), (2, 3, 1, 6)])
def test_conv2d_matches_torch(padding, stride, channels, filters, kernel, size):
    rng = np.random.default_rng(channels * 7 + kernel)
    x = rng.normal(0, 1, (5, channels, size, size - 1))
    torch.manual_seed(kernel)
    layer = torch.nn.Conv2d(channels, filters, kernel, stride=stride, padding=kernel // 2 if padding == "same" else 0,
                            dtype=torch.float64)
    weight, bias = layer.weight.detach().numpy().copy(), layer.bias.detach().numpy().copy()
    conv = Conv2D(ConvGeometry.of(x.shape, weight.shape, stride, padding), np.float64)
    y = conv.forward(x, weight, bias)
    x_t = torch.tensor(x, requires_grad=True)
    y_t = layer(x_t)
    close(y, y_t)
    delta = rng.normal(0, 1, y.shape)
    y_t.backward(torch.tensor(delta))
    grad_weight, grad_bias = np.empty_like(weight), np.empty_like(bias)
    dx = conv.backward(delta, weight, grad_weight, grad_bias)
    close(dx, x_t.grad)
    close(grad_weight, layer.weight.grad)
    close(grad_bias, layer.bias.grad)


@pytest.mark.parametrize("pool,height,width", [(2, 28, 28), (2, 7, 9), (3, 10, 8)])
def test_max_pool_matches_torch_with_its_indices(pool, height, width):
    rng = np.random.default_rng(pool + height)
    x = rng.normal(0, 1, (4, 3, height, width))
    x[0, 0] = 0.0  # a blank map: every window tied, as after ReLU
    layer = MaxPool2D(pool, np.float64)
    y = layer.forward(x)
    x_t = torch.tensor(x, requires_grad=True)
    y_t, indices = torch.nn.functional.max_pool2d(x_t, pool, return_indices=True)
    close(y, y_t)
    rows, cols = winner_positions(layer.winners(), pool)
    np.testing.assert_array_equal(rows * width + cols, indices.numpy())
    delta = rng.normal(0, 1, y.shape)
    y_t.backward(torch.tensor(delta))
    close(layer.backward(delta), x_t.grad)


@pytest.mark.parametrize("pool,height,width", [(2, 28, 28), (2, 7, 9), (3, 10, 8)])
def test_average_pool_matches_torch(pool, height, width):
    rng = np.random.default_rng(pool * height)
    x = rng.normal(0, 1, (4, 3, height, width))
    layer = AvgPool2D(pool, np.float64)
    x_t = torch.tensor(x, requires_grad=True)
    y_t = torch.nn.functional.avg_pool2d(x_t, pool)
    close(layer.forward(x), y_t)
    delta = rng.normal(0, 1, y_t.shape)
    y_t.backward(torch.tensor(delta))
    close(layer.backward(delta), x_t.grad)


def test_lenet_stack_and_flatten_order_match_torch():
    """conv8x5 → ReLU → maxpool2 → conv16x5 → ReLU → maxpool2 → nn.Flatten → linear: the (C, H, W)
    order of a plain reshape is PyTorch's, so a dense layer's weights carry over unchanged."""
    torch.manual_seed(0)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(8, 16, 5, padding=2),
                          nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(784, 10)).double()
    x = np.random.default_rng(0).random((6, 1, 28, 28))
    x_t = torch.tensor(x, requires_grad=True)
    out_t = model(x_t)
    out_t.sum().backward()
    p = {name: t.detach().numpy().copy() for name, t in model.named_parameters()}
    conv1, conv2 = Conv2D(ConvGeometry(1, 28, 28, 8, 5), np.float64), Conv2D(ConvGeometry(8, 14, 14, 16, 5), np.float64)
    pool1, pool2 = MaxPool2D(2, np.float64), MaxPool2D(2, np.float64)
    z1 = conv1.forward(x, p["0.weight"], p["0.bias"]).copy()
    a1 = pool1.forward(np.maximum(z1, 0))
    z2 = conv2.forward(a1, p["3.weight"], p["3.bias"]).copy()
    flat = pool2.forward(np.maximum(z2, 0)).reshape(6, -1)
    close(flat @ p["7.weight"].T + p["7.bias"], out_t)
    delta = np.ones((6, 10)) @ p["7.weight"]
    delta = pool2.backward(delta.reshape(6, 16, 7, 7)) * (z2 > 0)
    grads = {name: np.empty_like(value) for name, value in p.items()}
    delta = conv2.backward(delta, p["3.weight"], grads["3.weight"], grads["3.bias"])
    delta = pool1.backward(delta) * (z1 > 0)
    dx = conv1.backward(delta, p["0.weight"], grads["0.weight"], grads["0.bias"])
    for name in ("0.weight", "0.bias", "3.weight", "3.bias"):
        close(grads[name], dict(model.named_parameters())[name].grad)
    close(dx, x_t.grad)
