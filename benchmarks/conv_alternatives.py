"""The ways of computing LeNet's convolutions and poolings in NumPy that were measured, side by side.

    python benchmarks/conv_alternatives.py [--rounds 20]

Batch 64, float32, one BLAS thread. Each line is the median over interleaved rounds of the CPU time
of one call (CPU time, not wall time: on a shared machine other processes stretch the wall clock of
every variant alike, but not this process's own CPU time). The engine's choices are marked ←; the
figures behind the constants and docstrings of nnlab/engine/conv_lanes.py and pooling.py.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

import nnlab.engine.conv_lanes as lanes  # noqa: E402
from nnlab.engine.conv_geometry import ConvGeometry  # noqa: E402
from nnlab.engine.pooling import MaxPool2D  # noqa: E402

N = 64


def median_cpu_ms(variants: dict, rounds: int, calls: int = 3) -> dict:
    for run in variants.values():
        run()
    times = {name: [] for name in variants}
    for _ in range(rounds):
        for name, run in variants.items():
            started = time.process_time()
            for _ in range(calls):
                run()
            times[name].append((time.process_time() - started) / calls * 1e3)
    return {name: statistics.median(values) for name, values in times.items()}


def show(title: str, results: dict, *chosen: str) -> None:
    print(title)
    for name, ms in results.items():
        print(f"  {name:<72} {ms:7.3f} ms{'  ←' if name in chosen else ''}")


def conv_problem(channels, filters, size=14, kernel=5, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, channels, size, size), dtype=np.float32)
    weight = rng.standard_normal((filters, channels, kernel, kernel), dtype=np.float32)
    bias = rng.standard_normal(filters, dtype=np.float32)
    return x, weight, bias


def forward_variants(channels, filters, size):
    """y (N, F, H, W) of a 5×5 'same' convolution, each way."""
    x, weight, bias = conv_problem(channels, filters, size)
    k, p, f = 5, 2, filters
    rows = weight.reshape(f, -1)
    padded_nchw = np.zeros((N, channels, size + 2 * p, size + 2 * p), np.float32)
    cols_nchw = np.empty((N, channels, k, k, size, size), np.float32)
    out_nchw = np.empty((N, f, size * size), np.float32)

    def swv_nchw():
        padded_nchw[:, :, p:-p, p:-p] = x
        np.copyto(cols_nchw, sliding_window_view(padded_nchw, (k, k), axis=(2, 3)).transpose(0, 1, 4, 5, 2, 3))
        np.matmul(rows, cols_nchw.reshape(N, -1, size * size), out=out_nchw)
        np.add(out_nchw, bias[:, None], out=out_nchw)

    padded_cnhw = np.zeros((channels, N, size + 2 * p, size + 2 * p), np.float32)
    cols_cnhw = np.empty((channels, k, k, N, size, size), np.float32)
    out_cnhw = np.empty((f, N * size * size), np.float32)
    y = np.empty((N, f, size, size), np.float32)

    def swv_cnhw():
        padded_cnhw[:, :, p:-p, p:-p] = x.transpose(1, 0, 2, 3)
        np.copyto(cols_cnhw, sliding_window_view(padded_cnhw, (k, k), axis=(2, 3)).transpose(0, 4, 5, 1, 2, 3))
        np.matmul(rows, cols_cnhw.reshape(channels * k * k, -1), out=out_cnhw)
        np.add(out_cnhw.reshape(f, N, size, size).transpose(1, 0, 2, 3), bias[:, None, None], out=y)

    taps = [np.ascontiguousarray(weight[:, :, i, j]) for i in range(k) for j in range(k)]
    total, part = np.empty((f, N * size * size), np.float32), np.empty((f, N * size * size), np.float32)
    shifted = np.empty((channels, N, size, size), np.float32)

    def shifted_products():
        padded_cnhw[:, :, p:-p, p:-p] = x.transpose(1, 0, 2, 3)
        for index, tap in enumerate(taps):
            i, j = divmod(index, k)
            np.copyto(shifted, padded_cnhw[:, :, i:i + size, j:j + size])
            np.matmul(tap, shifted.reshape(channels, -1), out=part if index else total)
            if index:
                np.add(total, part, out=total)

    geometry = ConvGeometry(channels, size, size, filters, k)
    full = lanes.StridedLane(geometry, np.float32)  # the full im2col path; at stride 1 it runs too
    row = lanes.RowLane(geometry, np.float32)
    return {
        "full im2col, sliding_window_view on (N, C, H, W), per-sample products": swv_nchw,
        "full im2col, sliding_window_view on (C, N, H, W), one product": swv_cnhw,
        "K² shifted products of (F, C) slices": shifted_products,
        "full im2col from shared-padding planes, chunked": lambda: full.forward(x, weight, bias),
        "row im2col (C·K rows) + K shifted products, chunked": lambda: row.forward(x, weight, bias),
    }


def backward_variants(channels, filters, size, input_grad=True):
    x, weight, bias = conv_problem(channels, filters, size)
    delta = np.random.default_rng(1).standard_normal((N, filters, size, size), dtype=np.float32)
    geometry = ConvGeometry(channels, size, size, filters, 5)
    full, row = lanes.StridedLane(geometry, np.float32), lanes.RowLane(geometry, np.float32)
    full.forward(x, weight, bias)
    row.forward(x, weight, bias)
    transposed_full = lanes.StridedLane(geometry.transposed(), np.float32)
    flipped = np.ascontiguousarray(weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
    grad = np.empty_like(weight)
    variants = {
        "∂W: full im2col, cols·δᵀ per chunk": lambda: full.weight_gradient(delta, grad),
        "∂W: row im2col, K products per chunk": lambda: row.weight_gradient(delta, grad),
    }
    if input_grad:
        variants.update({
            "∂x: col2im of Wᵀ·δ (K² shifted adds)": lambda: full.input_gradient(delta, weight),
            "∂x: full im2col of the flipped convolution": lambda: transposed_full.forward(delta, flipped, None),
            "∂x: row im2col of the flipped convolution": lambda: row.input_gradient(delta, weight),
        })
    return variants


def product_orientation():
    rng = np.random.default_rng(0)
    cols = rng.standard_normal((200, 5 * 196), dtype=np.float32)
    delta = rng.standard_normal((16, 5 * 196), dtype=np.float32)
    out, out_t = np.empty((16, 200), np.float32), np.empty((200, 16), np.float32)
    return {"∂W = δ·colsᵀ (16, 200)": lambda: np.matmul(delta, cols.T, out=out),
            "∂Wᵀ = cols·δᵀ (200, 16)": lambda: np.matmul(cols, delta.T, out=out_t)}


def chunk_variants():
    x, weight, bias = conv_problem(8, 16, 14)
    delta = np.random.default_rng(1).standard_normal((N, 16, 14, 14), dtype=np.float32)
    grad = np.empty_like(weight)
    variants, saved = {}, lanes.STACKED_CHUNK_BYTES  # conv 8→16 stacks its K products (F ≤ C·K)
    for kib in (128, 256, 384, 512, 768, 4096):
        lanes.STACKED_CHUNK_BYTES = kib * 1024
        lane = lanes.RowLane(ConvGeometry(8, 14, 14, 16, 5), np.float32)
        lane.forward(x, weight, bias)
        samples = lane.workspace(N).chunk

        def run(lane=lane):
            lane.forward(x, weight, bias)
            lane.weight_gradient(delta, grad)
            lane.input_gradient(delta, weight)
        variants[f"{kib:>5} KiB of rows and stacked products per chunk ({samples} samples)"] = run
    lanes.STACKED_CHUNK_BYTES = saved
    return variants


def pooling_variants():
    x = np.maximum(np.random.default_rng(0).standard_normal((N, 8, 28, 28), dtype=np.float32), 0)
    y = np.empty((N, 8, 14, 14), np.float32)
    winners = np.empty((N, 8, 14, 14), np.uint8)
    larger = np.empty((N, 8, 14, 14), bool)
    slices = [x[:, :, i::2, j::2] for i in (0, 1) for j in (0, 1)]

    def four_slices():
        np.maximum(slices[0], slices[1], out=y)
        np.maximum(y, slices[2], out=y)
        np.maximum(y, slices[3], out=y)

    def four_slices_winners():
        np.copyto(y, slices[0])
        winners.fill(0)
        for position, candidate in enumerate(slices[1:], start=1):
            np.greater(candidate, y, out=larger)
            np.maximum(y, candidate, out=y)
            np.copyto(winners, position, where=larger)

    pool = MaxPool2D(2)
    return {"reshape(…, 2, …, 2).max(axis=(3, 5)), no winners":
            lambda: x.reshape(N, 8, 14, 2, 14, 2).max(axis=(3, 5)),
            "max of the four strided slices, no winners": four_slices,
            "four strided slices, with winners": four_slices_winners,
            "rows then columns, with winners": lambda: pool.forward(x)}


def relu_sizes():
    full = np.random.default_rng(0).standard_normal((N, 8, 28, 28), dtype=np.float32)
    pooled = np.ascontiguousarray(full[:, :, ::2, ::2])
    out_full, out_pooled = np.empty_like(full), np.empty_like(pooled)
    return {"ReLU before 2×2 max-pooling (64×8×28×28)": lambda: np.maximum(full, 0.0, out=out_full),
            "ReLU after it (64×8×14×14): the same numbers": lambda: np.maximum(pooled, 0.0, out=out_pooled)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    rounds = parser.parse_args().rounds
    print(f"batch {N}, float32, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; median CPU ms per call "
          f"over {rounds} interleaved rounds; 1-min load average {os.getloadavg()[0]:.1f}")
    chosen = "row im2col (C·K rows) + K shifted products, chunked"
    show("conv 1→8, 5×5 same, 28×28: forward", median_cpu_ms(forward_variants(1, 8, 28), rounds), chosen)
    show("conv 8→16, 5×5 same, 14×14: forward", median_cpu_ms(forward_variants(8, 16, 14), rounds), chosen)
    show("conv 1→8: backward (the first layer needs no ∂x)",
         median_cpu_ms(backward_variants(1, 8, 28, input_grad=False), rounds),
         "∂W: row im2col, K products per chunk")
    show("conv 8→16: backward pieces", median_cpu_ms(backward_variants(8, 16, 14), rounds),
         "∂x: row im2col of the flipped convolution", "∂W: row im2col, K products per chunk")
    show("the ∂W product, one chunk of 5 samples", median_cpu_ms(product_orientation(), rounds * 5),
         "∂Wᵀ = cols·δᵀ (200, 16)")
    show("conv 8→16: forward + ∂W + ∂x by chunk size", median_cpu_ms(chunk_variants(), rounds),
         f"{lanes.STACKED_CHUNK_BYTES // 1024:>5} KiB of rows and stacked products per chunk (4 samples)")
    show("2×2 max-pooling of 64×8×28×28", median_cpu_ms(pooling_variants(), rounds),
         "rows then columns, with winners")
    show("ReLU next to max-pooling", median_cpu_ms(relu_sizes(), rounds))


if __name__ == "__main__":
    main()
