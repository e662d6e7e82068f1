"""A convolution's K shifted products are one stacked NumPy call per chunk where its products are no bigger than
its rows: each NumPy call hands Python's lock to the other half batch's thread (conv_lanes.py)."""
import numpy as np
import pytest

from nnlab.engine import conv_lanes
from nnlab.engine.conv_geometry import ConvGeometry


def _count_products(monkeypatch) -> list:
    calls = []
    matmul = np.matmul

    def counted(*args, **kwargs):
        calls.append(args[0].ndim)
        return matmul(*args, **kwargs)

    monkeypatch.setattr(np, "matmul", counted)
    return calls


def _problem(channels, filters, size, n=32, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, channels, size, size), dtype=np.float32)
    weight = rng.standard_normal((filters, channels, 5, 5), dtype=np.float32)
    delta = rng.standard_normal((n, filters, size, size), dtype=np.float32)
    return x, weight, rng.standard_normal(filters, dtype=np.float32), delta


def test_lenets_second_convolution_makes_one_product_per_chunk_forward_and_for_its_weight_gradient(monkeypatch):
    lane = conv_lanes.RowLane(ConvGeometry(8, 14, 14, 16, 5), np.float32)
    x, weight, bias, delta = _problem(8, 16, 14)
    ws = lane.workspace(32)
    chunks = len(ws.chunks)
    calls = _count_products(monkeypatch)
    lane.forward(x, weight, bias)
    assert len(calls) == chunks
    calls.clear()
    lane.weight_gradient(delta, np.empty_like(weight))
    assert len(calls) == chunks
    rows_and_products = (8 * 5 + 5 * 16) * ws.chunk * ws.plane * 4  # a chunk's, in L2 with room to spare
    assert rows_and_products <= conv_lanes.STACKED_CHUNK_BYTES


def test_a_first_layer_whose_products_outgrow_its_rows_adds_them_one_by_one(monkeypatch):
    lane = conv_lanes.RowLane(ConvGeometry(1, 28, 28, 8, 5), np.float32)  # F = 8 > C·K = 5
    x, weight, bias, _ = _problem(1, 8, 28)
    ws = lane.workspace(32)
    calls = _count_products(monkeypatch)
    lane.forward(x, weight, bias)
    assert len(calls) == 5 * len(ws.chunks)


@pytest.mark.parametrize("channels, filters, size", [(8, 16, 14), (1, 8, 28), (16, 8, 14)])
def test_stacked_or_one_by_one_the_numbers_are_the_sums_over_the_kernel(channels, filters, size):
    x, weight, bias, delta = _problem(channels, filters, size, n=7, seed=1)
    lane = conv_lanes.RowLane(ConvGeometry(channels, size, size, filters, 5), np.float64)
    x, weight, bias, delta = (a.astype(np.float64) for a in (x, weight, bias, delta))
    y = lane.forward(x, weight, bias).copy()
    grad = np.empty_like(weight)
    lane.weight_gradient(delta, grad)
    padded = np.pad(x, ((0, 0), (0, 0), (2, 2), (2, 2)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (5, 5), axis=(2, 3))  # (n, C, H, W, 5, 5)
    np.testing.assert_allclose(y, np.einsum("nchwij,fcij->nfhw", windows, weight) + bias[:, None, None],
                               rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(grad, np.einsum("nchwij,nfhw->fcij", windows, delta), rtol=1e-12, atol=1e-10)
