"""Max- and average-pooling: central-difference gradients, flooring, winners, dtypes, bad input."""
import numpy as np
import pytest

from nnlab.engine.conv_record import record_avg_pool, record_max_pool
from nnlab.engine.pooling import AvgPool2D, MaxPool2D, winner_positions

EPS = 1e-6


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def numeric_gradient(loss, array: np.ndarray) -> np.ndarray:
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


@pytest.mark.parametrize("kind", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("height,width,pool", [(6, 8, 2), (7, 9, 2), (9, 7, 3), (5, 5, 1)])
def test_gradients_match_central_differences(kind, height, width, pool):
    rng = np.random.default_rng(height * width + pool)
    # distinct values at least 1e-3 apart: no window's maximum moves under a 1e-6 nudge
    x = rng.permutation(2 * 3 * height * width).reshape(2, 3, height, width) * 1e-3
    layer = kind(pool, np.float64)
    upstream = rng.normal(0, 1, (2, 3, height // pool, width // pool))

    def loss() -> float:
        return float(np.sum(layer.forward(x) * upstream))

    layer.forward(x)
    dx = layer.backward(upstream).copy()
    assert relative_error(dx, numeric_gradient(loss, x)) < 1e-7


@pytest.mark.parametrize("kind", [MaxPool2D, AvgPool2D])
def test_sizes_are_floored_and_the_cut_edge_gets_no_gradient(kind):
    x = np.random.default_rng(0).normal(0, 1, (2, 3, 7, 9))
    layer = kind(2, np.float64)
    y = layer.forward(x)
    assert y.shape == (2, 3, 3, 4)
    dx = layer.backward(np.ones_like(y))
    assert dx.shape == x.shape
    assert not dx[:, :, 6, :].any() and not dx[:, :, :, 8].any()
    assert dx[:, :, :6, :8].sum() == pytest.approx(y.size)  # each window passes its δ of 1 on whole


def test_max_pool_numbers_and_winners_by_hand():
    x = np.array([[[[1, 5, 2, 2, 9],
                    [3, 4, 2, 2, 9],
                    [0, 0, 7, 1, 9],
                    [0, 0, 1, 8, 9]]]], dtype=np.float64)
    layer = MaxPool2D(2, np.float64)
    np.testing.assert_array_equal(layer.forward(x)[0, 0], [[5, 2], [0, 8]])
    # 5 is top-right (1); the tied 2s and the tied 0s go to the first, top-left (0); 8 is bottom-right (3)
    winners = layer.winners()
    np.testing.assert_array_equal(winners[0, 0], [[1, 0], [0, 3]])
    rows, cols = winner_positions(winners[0, 0], 2)
    np.testing.assert_array_equal(rows, [[0, 0], [2, 3]])
    np.testing.assert_array_equal(cols, [[1, 2], [0, 3]])
    dx = layer.backward(np.array([[[[10.0, 20.0], [30.0, 40.0]]]]))
    expected = np.zeros_like(x)
    expected[0, 0, 0, 1], expected[0, 0, 0, 2], expected[0, 0, 2, 0], expected[0, 0, 3, 3] = 10, 20, 30, 40
    np.testing.assert_array_equal(dx, expected)


@pytest.mark.parametrize("pool", [2, 3])
def test_winners_point_at_the_maximum_and_ties_go_to_the_first(pool):
    rng = np.random.default_rng(pool)
    x = rng.integers(0, 3, (2, 2, 3 * pool, 2 * pool)).astype(np.float32)  # many ties
    layer = MaxPool2D(pool, np.float32)
    y = layer.forward(x)
    winners = layer.winners()
    rows, cols = winner_positions(winners, pool)
    picked = np.take_along_axis(x.reshape(2, 2, -1), (rows * x.shape[3] + cols).reshape(2, 2, -1), axis=2)
    np.testing.assert_array_equal(picked.reshape(y.shape), y)
    for i in range(y.shape[2]):
        for j in range(y.shape[3]):
            window = x[:, :, i * pool:(i + 1) * pool, j * pool:(j + 1) * pool].reshape(2, 2, -1)
            np.testing.assert_array_equal(winners[:, :, i, j], window.argmax(axis=2))  # argmax: first max


@pytest.mark.parametrize("kind", [MaxPool2D, AvgPool2D])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(kind, dtype):
    x = np.random.default_rng(0).normal(0, 1, (3, 2, 8, 8)).astype(dtype)
    layer = kind(2, dtype)
    y = layer.forward(x)
    assert y.dtype == dtype and layer.backward(np.ones_like(y)).dtype == dtype


def test_average_pool_by_hand():
    x = np.arange(16.0).reshape(1, 1, 4, 4)
    layer = AvgPool2D(2, np.float64)
    np.testing.assert_allclose(layer.forward(x)[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    dx = layer.backward(np.array([[[[4.0, 8.0], [0.0, -4.0]]]]))
    np.testing.assert_allclose(dx[0, 0], [[1, 1, 2, 2], [1, 1, 2, 2], [0, 0, -1, -1], [0, 0, -1, -1]])


def test_one_sample_recorded_for_the_inspector():
    sample = np.random.default_rng(5).normal(0, 1, (3, 6, 6))
    pooled, winners = record_max_pool(sample, 2)
    rows, cols = winner_positions(winners, 2)
    np.testing.assert_array_equal(pooled, np.take_along_axis(
        sample.reshape(3, -1), (rows * 6 + cols).reshape(3, -1), axis=1).reshape(3, 3, 3))
    np.testing.assert_allclose(record_avg_pool(sample, 3), sample.reshape(3, 2, 3, 2, 3).mean(axis=(2, 4)))


@pytest.mark.parametrize("make,message", [
    (lambda: MaxPool2D(0), "whole number of at least 1"),
    (lambda: AvgPool2D(2, np.int64), "float32 or float64"),
    (lambda: MaxPool2D(3, np.float64).forward(np.zeros((1, 1, 2, 5))), r"needs an input of at least that size"),
    (lambda: MaxPool2D(2, np.float64).forward(np.zeros((1, 4, 4))), r"it takes \(batch, channels"),
    (lambda: MaxPool2D(2).forward(np.zeros((1, 1, 4, 4))), "is float64; this layer computes in float32"),
    (lambda: MaxPool2D(2, np.float64).backward(np.zeros((1, 1, 2, 2))),
     r"needs a forward pass of the same batch size \(1\)"),
])
def test_bad_input_is_refused_in_words(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_backward_refuses_a_delta_of_another_shape():
    layer = MaxPool2D(2, np.float64)
    layer.forward(np.zeros((2, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"δ has shape \(2, 1, 3, 3\); it takes \(2, 1, 2, 2\)"):
        layer.backward(np.zeros((2, 1, 3, 3)))


@pytest.mark.parametrize("kind", [MaxPool2D, AvgPool2D])
def test_a_forward_of_another_batch_size_between_does_not_disturb_backward(kind):
    """Like the convolution, pooling remembers each batch size's forward pass: a one-drawing forward
    (a prediction) between a batch's forward and backward leaves that batch's gradient right."""
    rng = np.random.default_rng(6)
    batch, drawing = rng.normal(0, 1, (4, 2, 6, 6)), rng.normal(0, 1, (1, 2, 6, 6))
    delta = rng.normal(0, 1, (4, 2, 3, 3))
    reference = kind(2, np.float64)
    reference.forward(batch)
    expected = reference.backward(delta).copy()
    layer = kind(2, np.float64)
    layer.forward(batch)
    layer.forward(drawing)
    np.testing.assert_array_equal(layer.backward(delta), expected)
