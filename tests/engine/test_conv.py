"""Convolution kernels: central-difference gradients, sizes, dtypes, buffers, bad input, the inspector's sums."""
import numpy as np
import pytest

from nnlab.engine.conv import Conv2D, ConvGeometry, conv2d, conv2d_gradients
from nnlab.engine.conv_geometry import conv_output_size
from nnlab.engine.conv_record import pixel_sum, record_conv2d

EPS = 1e-6


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def numeric_gradient(loss, array: np.ndarray) -> np.ndarray:
    """∂loss/∂array by central differences, perturbing ``array`` in place one element at a time."""
    grad = np.zeros_like(array)
    flat, grad_flat = array.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        saved = flat[i]
        flat[i] = saved + EPS
        plus = loss()
        flat[i] = saved - EPS
        minus = loss()
        flat[i] = saved
        grad_flat[i] = (plus - minus) / (2 * EPS)
    return grad


def problem(n, channels, size, filters, kernel, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 1, (n, channels, size, size + 1))  # not square: rows and columns kept apart
    weight = rng.normal(0, 0.5, (filters, channels, kernel, kernel))
    bias = rng.normal(0, 0.5, filters)
    return x, weight, bias


@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("channels,filters,kernel", [(1, 2, 3), (3, 2, 3), (2, 4, 5), (3, 1, 1)])
def test_gradients_match_central_differences(padding, stride, channels, filters, kernel):
    x, weight, bias = problem(2, channels, 7, filters, kernel, seed=channels + kernel)
    geometry = ConvGeometry.of(x.shape, weight.shape, stride, padding)
    upstream = np.random.default_rng(1).normal(0, 1, (2, *geometry.output_shape))
    conv = Conv2D(geometry, np.float64)

    def loss() -> float:  # L = Σ y·u, so ∂L/∂y = u
        return float(np.sum(conv.forward(x, weight, bias) * upstream))

    conv.forward(x, weight, bias)
    grad_weight, grad_bias = np.empty_like(weight), np.empty_like(bias)
    dx = conv.backward(upstream, weight, grad_weight, grad_bias).copy()
    assert relative_error(grad_weight, numeric_gradient(loss, weight)) < 1e-7
    assert relative_error(grad_bias, numeric_gradient(loss, bias)) < 1e-7
    assert relative_error(dx, numeric_gradient(loss, x)) < 1e-7


@pytest.mark.parametrize("stride", [1, 2])
def test_first_layer_skips_the_input_gradient_and_a_frozen_layer_its_weights(stride):
    x, weight, bias = problem(3, 1, 8, 4, 3)
    conv = Conv2D(ConvGeometry.of(x.shape, weight.shape, stride), np.float64)
    y = conv.forward(x, weight, bias)
    delta = np.random.default_rng(2).normal(0, 1, y.shape)
    expected_dx, expected_weight, expected_bias = conv2d_gradients(x, weight, delta, stride)
    grad_weight, grad_bias = np.full_like(weight, np.nan), np.full_like(bias, np.nan)
    assert conv.backward(delta, weight, grad_weight, grad_bias, input_grad=False) is None
    np.testing.assert_allclose(grad_weight, expected_weight, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_bias, expected_bias, rtol=1e-12, atol=1e-12)
    dx = conv.backward(delta, weight, None, None, input_grad=True)  # frozen: only δ flows on
    np.testing.assert_allclose(dx, expected_dx, rtol=1e-12, atol=1e-12)
    assert conv.backward(delta, weight, None, None, input_grad=False) is None


@pytest.mark.parametrize("stride,padding", [(1, "same"), (2, "same"), (1, "valid"), (2, "valid")])
def test_two_threads_give_the_numbers_of_one(stride, padding):
    x, weight, bias = problem(9, 3, 9, 4, 3)
    geometry = ConvGeometry.of(x.shape, weight.shape, stride, padding)
    one, two = Conv2D(geometry, np.float64), Conv2D(geometry, np.float64, threads=2)
    delta = np.random.default_rng(3).normal(0, 1, (9, *geometry.output_shape))
    results = []
    for conv in (one, two):
        y = conv.forward(x, weight, bias).copy()
        grad_weight, grad_bias = np.empty_like(weight), np.empty_like(bias)
        dx = conv.backward(delta, weight, grad_weight, grad_bias).copy()
        results.append((y, dx, grad_weight, grad_bias))
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("size,kernel,stride,padding,expected", [
    (28, 5, 1, "same", 28), (28, 5, 2, "same", 14), (27, 5, 2, "same", 14), (28, 5, 1, "valid", 24),
    (28, 5, 2, "valid", 12), (7, 3, 2, "same", 4), (7, 3, 2, "valid", 3), (5, 5, 1, "valid", 1),
])
def test_output_sizes(size, kernel, stride, padding, expected):
    assert conv_output_size(size, kernel, stride, padding) == expected
    x = np.zeros((2, 1, size, size + 3), np.float32)
    y = conv2d(x, np.zeros((3, 1, kernel, kernel), np.float32), np.zeros(3, np.float32), stride, padding)
    assert y.shape == (2, 3, expected, conv_output_size(size + 3, kernel, stride, padding))


@pytest.mark.parametrize("stride", [1, 2])
def test_float32_stays_float32_and_agrees_with_float64(stride):
    x, weight, bias = problem(4, 3, 10, 5, 5)
    y64 = conv2d(x, weight, bias, stride)
    delta = np.random.default_rng(4).normal(0, 1, y64.shape)
    grads64 = conv2d_gradients(x, weight, delta, stride)
    as32 = [a.astype(np.float32) for a in (x, weight, bias, delta)]
    y32 = conv2d(*as32[:3], stride)
    grads32 = conv2d_gradients(as32[0], as32[1], as32[3], stride)
    assert y32.dtype == np.float32 and all(g.dtype == np.float32 for g in grads32)
    assert relative_error(y32, y64) < 1e-6
    for ours, exact in zip(grads32, grads64):
        assert relative_error(ours, exact) < 1e-6


def test_buffers_are_reused_per_batch_size_and_each_size_gets_its_own():
    x, weight, bias = problem(4, 2, 8, 3, 3)
    x, weight, bias = x.astype(np.float32), weight.astype(np.float32), bias.astype(np.float32)
    conv = Conv2D(ConvGeometry.of(x.shape, weight.shape), np.float32)
    first = conv.forward(x, weight, bias)
    expected = first.copy()
    small = conv.forward(x[:1], weight, bias)
    assert small is not first and small.shape[0] == 1
    np.testing.assert_array_equal(first, expected)  # the other batch size's result is untouched
    assert conv.forward(x, weight, bias) is first


def test_the_kernel_is_not_flipped_one_tap_moves_the_image():
    """PyTorch's Conv2d is a correlation: a single 1 at tap (0, 0) of a 3×3 kernel reads the pixel
    up and to the left, so the output is the image shifted down and right by one."""
    image = np.arange(1.0, 17.0).reshape(1, 1, 4, 4)
    weight = np.zeros((1, 1, 3, 3))
    weight[0, 0, 0, 0] = 1.0
    y = conv2d(image, weight, np.zeros(1))
    expected = np.zeros((4, 4))
    expected[1:, 1:] = image[0, 0, :3, :3]
    np.testing.assert_array_equal(y[0, 0], expected)


@pytest.mark.parametrize("make,message", [
    (lambda: ConvGeometry(1, 28, 28, 8, 4, padding="same"), "odd kernel"),
    (lambda: ConvGeometry(1, 4, 4, 8, 5, padding="valid"), "does not fit"),
    (lambda: ConvGeometry(1, 28, 28, 8, 5, padding="circular"), "unknown padding"),
    (lambda: ConvGeometry(1, 28, 28, 0, 5), "filters must be"),
    (lambda: ConvGeometry(1, 28, 28, 8, 5, stride=0), "stride must be"),
    (lambda: Conv2D(ConvGeometry(1, 8, 8, 2, 3), np.int32), "float32 or float64"),
    (lambda: Conv2D(ConvGeometry(1, 8, 8, 2, 3), threads=4), "1 or 2 threads"),
])
def test_impossible_layers_are_refused_in_words(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_wrong_arrays_are_refused_in_words():
    conv = Conv2D(ConvGeometry(2, 8, 8, 3, 3), np.float32)
    x = np.zeros((4, 2, 8, 8), np.float32)
    weight, bias = np.zeros((3, 2, 3, 3), np.float32), np.zeros(3, np.float32)
    with pytest.raises(ValueError, match=r"input has shape \(4, 1, 8, 8\); it takes \(N, 2, 8, 8\)"):
        conv.forward(np.zeros((4, 1, 8, 8), np.float32), weight, bias)
    with pytest.raises(ValueError, match="input is float64; this layer computes in float32"):
        conv.forward(x.astype(np.float64), weight, bias)
    with pytest.raises(ValueError, match="weight must be a contiguous float32 array of shape"):
        conv.forward(x, np.zeros((3, 2, 5, 5), np.float32), bias)
    with pytest.raises(ValueError, match="backward needs a forward pass of the same batch size"):
        conv.backward(np.zeros((4, 3, 8, 8), np.float32), weight)
    conv.forward(x, weight, bias)
    with pytest.raises(ValueError, match="backward needs a forward pass of the same batch size \\(5\\)"):
        conv.backward(np.zeros((5, 3, 8, 8), np.float32), weight)


@pytest.mark.parametrize("stride,padding", [(1, "same"), (2, "same"), (1, "valid")])
def test_a_pixel_written_out_sums_to_the_layers_z(stride, padding):
    x, weight, bias = problem(1, 2, 7, 3, 5)
    maps = record_conv2d(x[0], weight, bias, "relu", stride, padding)
    np.testing.assert_array_equal(maps.a, np.maximum(maps.z, 0))
    filters, rows, cols = maps.z.shape
    for f in range(filters):
        for r in range(rows):
            for c in range(cols):
                assert pixel_sum(x[0], weight, bias, f, r, c, stride, padding).z == pytest.approx(
                    maps.z[f, r, c], abs=1e-12)


def test_a_corner_pixel_reads_the_padding_as_zeros():
    image = np.arange(1.0, 26.0).reshape(1, 5, 5)
    weight = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    terms = pixel_sum(image, weight, np.array([0.5]), 0, 0, 0)
    assert (terms.top, terms.left) == (-1, -1)
    np.testing.assert_array_equal(terms.inside, [[False, False, False], [False, True, True], [False, True, True]])
    np.testing.assert_array_equal(terms.inputs[0], [[0, 0, 0], [0, 1, 2], [0, 6, 7]])
    assert terms.z == 5 * 1 + 6 * 2 + 8 * 6 + 9 * 7 + 0.5  # the four taps on the image, plus b
    np.testing.assert_array_equal(terms.channel_sums, [5 + 12 + 48 + 63])


@pytest.mark.parametrize("stride", [1, 2])
def test_a_forward_of_another_batch_size_between_does_not_disturb_backward(stride):
    x, weight, bias = problem(4, 2, 8, 3, 3)
    conv = Conv2D(ConvGeometry.of(x.shape, weight.shape, stride), np.float64)
    delta = np.random.default_rng(5).normal(0, 1, (4, *conv.geometry.output_shape))
    expected = conv2d_gradients(x, weight, delta, stride)
    conv.forward(x, weight, bias)
    conv.forward(x[:1] * 2.0, weight, bias)  # one drawing predicted in between
    grad_weight, grad_bias = np.empty_like(weight), np.empty_like(bias)
    dx = conv.backward(delta, weight, grad_weight, grad_bias)
    for ours, theirs in zip((dx, grad_weight, grad_bias), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)


def test_chunks_of_samples_are_as_even_as_can_be():
    from nnlab.engine.conv_lanes import even_chunks

    assert even_chunks(32, 6) == [(0, 5), (5, 5), (10, 6), (16, 5), (21, 5), (26, 6)]
    assert even_chunks(64, 14) == [(0, 12), (12, 13), (25, 13), (38, 13), (51, 13)]
    assert even_chunks(5, 8) == [(0, 5)] and even_chunks(1, 1) == [(0, 1)]
