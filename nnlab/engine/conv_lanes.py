"""The arithmetic of a convolution over one run of samples, with that run's buffers (per batch size).

Shared padding: the input is copied once into a flat buffer of zero-padded planes, channel by
channel (C, N, plane), in which a row's right padding is also the next row's left padding and a
plane's bottom padding the next plane's top (rows W + p wide, planes H + p rows high). Input pixel
(h + ki − p, w + kj − p), read by output pixel (h, w) through kernel tap (ki, kj), is then the fixed
offset ki·(W + p) + kj away from (h, w): no bounds, no special cases, and every copy a long
contiguous run instead of 14-value rows (NumPy's cost per row, not per value, dominated those).

``RowLane`` (stride 1) builds a *row* im2col: the K column shifts of every input channel, C·K rows
over a chunk of samples; the K row shifts are then free (column offsets ki·(W + p) of that matrix),
so y = Σ_ki W[:, :, ki, :] · rows[:, shifted by ki rows] is K BLAS products with no further copy — one
stacked ``matmul`` over a strided view of the K shifts, summed by one ``add.reduce``, where the K products
are no bigger than the rows (F ≤ C·K: LeNet's conv2 and its ∂x), else K products added one by one (conv1).
Fewer NumPy calls matter when two half batches train side by side: each call hands Python's lock over.
It computes each output plane over the whole padded plane and drops the padding's outputs (for a
5×5 kernel on 14×14: 256 positions for 196, 31 % more multiply-adds), which is what lets one product
span a whole chunk of samples. ∂W is the same K products against δ; ∂x is a forward pass of the
"transposed" convolution: δ correlated with the flipped kernel (C and F swapped).
``StridedLane`` (stride > 1) builds the full im2col (C·K² rows) as one strided copy per chunk,
with ∂x by col2im.

Measured, LeNet-style layers, batch 64, float32, one BLAS thread, CPU ms per call (medians of 15
interleaved rounds; benchmarks/conv_alternatives.py prints them again):

    conv 8→16, 5×5 on 14×14, forward: full im2col with sliding_window_view on (N, C, H, W) 2.2,
        the same on (C, N, H, W) 3.0, K² products of (F, C) weight slices 3.0, full im2col from
        shared-padding planes 2.2, row im2col (this) 1.6
    its ∂x: col2im of Wᵀ·δ (K² shifted adds) 6.9, full im2col of the flipped convolution 3.1,
        row im2col of the flipped convolution (this) 1.6; its ∂W: full im2col 2.5, row im2col 1.3
    conv 1→8 on 28×28, forward: 0.8–0.9 whichever way (the product is tiny; this is not the best
        by a margin the noise can tell)

Chunks: a chunk's row im2col is ≤ ``CHUNK_BYTES`` (stacked: rows and products ≤ ``STACKED_CHUNK_BYTES``)
so that its copy and its products run in L2, and a
batch's chunks are as even as can be (``even_chunks``): the trainer's half batches of 32 samples cost
~5 % more CPU in chunks of 6, 6, 6, 6, 6, 2 than in 6, 6, 5, 5, 5, 5 (interleaved epochs, one thread).
Every in-place operation uses arrays of the layer's dtype and Python-float scalars, so float32 stays
float32.
"""
from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import as_strided

from .conv_geometry import ConvGeometry

# Row im2col bytes per chunk. LeNet's conv2, forward + ∂W + ∂x, batch 64, one BLAS thread: 256 KiB
# (6 samples) 4.5 ms, 128 KiB (3) 4.8, 64 KiB (1) 6.0, 512 KiB (12) 6.2, the whole batch 6.5. The whole
# LeNet step on the trainer's half batches, CPU ms a batch: 64 KiB 11.8, 128 KiB 10.5, 256 KiB 10.0,
# 512 KiB 11.1, 1 MiB 14.4 (interleaved epochs, medians of 9).
CHUNK_BYTES = 256 * 1024
# Row im2col and stacked products (K, F, samples·plane) bytes per chunk, where the products are stacked (F ≤ C·K).
# One half batch (32 samples), one BLAS thread, CPU ms, forward + ∂W of conv 8→16 on 14×14 (interleaved, medians
# of 40): rows ≤ 256 KiB (6 samples), K products one by one 1.87, stacked 1.83; rows ≤ 128 KiB (3), one by one
# 1.74, stacked 1.74; the ∂x's 16→8 convolution, 3 samples: stacked 1.64 against one by one 1.75, 1 sample 1.98;
# conv 1→8 on 28×28 (F > C·K): one by one, 11 samples 0.78, stacked at 7 samples 0.85. The budget, stacked
# (another session, two runs): 256 KiB (2 samples) 1.38 / ∂x 0.69, 384 KiB (3) 1.33 / 0.67, 512 KiB (4) 1.30 / 0.66,
# 768 KiB (6) 1.42 / 0.71 — and 8 chunks a half at 512 KiB: 4 NumPy calls each instead of 11 one by one.
STACKED_CHUNK_BYTES = 512 * 1024


def even_chunks(n: int, most: int) -> list[tuple[int, int]]:
    """(first sample, samples) of the fewest chunks of at most ``most`` samples that cover ``n``, as even as
    can be: 32 samples in chunks of at most 6 are 6, 6, 5, 5, 5, 5 rather than 6, 6, 6, 6, 6, 2 (a 2-sample
    chunk pays a whole chunk's calls for a third of its work)."""
    count = -(-n // most)
    bounds = [n * i // count for i in range(count + 1)]
    return [(first, stop - first) for first, stop in zip(bounds, bounds[1:])]


class _Planes:
    """The zero-padded input planes of ``n`` samples, shared padding; ``values`` is their (n, C, H, W) view."""

    def __init__(self, g: ConvGeometry, n: int, dtype: np.dtype, reach: int):
        """``reach``: elements read past the start of the last plane (the geometry's farthest tap)."""
        p = g.pad
        self.row = g.width + p
        self.plane = (g.height + p) * self.row
        self.lead = p * self.row + p  # the first plane's top and left padding
        planes = g.in_channels * n
        self.flat = np.zeros(max(self.lead + planes * self.plane, (planes - 1) * self.plane + reach + 1), dtype)
        self.values = (self.flat[self.lead:self.lead + planes * self.plane]
                       .reshape(g.in_channels, n, g.height + p, self.row)[:, :, :g.height, :g.width]
                       .transpose(1, 0, 2, 3))


class _Lane:
    """What both lanes share: workspaces per batch size and the shape checks of backward."""

    def __init__(self, geometry: ConvGeometry, dtype: np.dtype):
        self.geometry, self.dtype = geometry, np.dtype(dtype)
        self._workspaces: dict = {}

    def workspace(self, n: int):
        ws = self._workspaces.get(n)
        if ws is None:
            ws = self._workspaces[n] = self._new_workspace(n)
        return ws

    def remembered(self, n: int):
        ws = self._workspaces.get(n)
        if ws is None or not ws.has_input:
            raise ValueError(f"backward needs a forward pass of the same batch size ({n}) first")
        return ws


class _RowChunk:
    """One chunk of a row workspace: its samples and every view its products read and write, made once —
    each view made per call is Python work under the lock the other half's thread waits for."""

    __slots__ = ("first", "count", "source", "target", "rows", "shifted", "row_shifts", "total", "products",
                 "part", "valid", "y", "spread_values", "spread_t")

    def __init__(self, ws: "_RowWorkspace", g: ConvGeometry, n: int, first: int, count: int):
        k, row, plane, item = g.kernel, ws.row, ws.plane, ws.rows.itemsize
        width = count * plane
        length = width + (k - 1) * row
        self.first, self.count = first, count
        self.source = as_strided(ws.input.flat[first * plane:], (g.in_channels, k, length),
                                 (n * plane * item, item, item), writeable=False)
        self.target = ws.rows[:, :, :length]
        self.rows = self.target.reshape(g.in_channels * k, length)
        # [ki] = rows shifted by ki padded rows: the K products as one stacked matmul, one NumPy call
        self.shifted = as_strided(self.rows, (k, self.rows.shape[0], width), (row * item, *self.rows.strides),
                                  writeable=False)
        self.row_shifts = [self.rows[:, ki * row:ki * row + width] for ki in range(k)]
        self.total = ws.out[:, :width]
        self.products = None if ws.products is None else ws.products[:, :, :width]
        self.part = ws.part[:, :width]
        self.valid = (self.total.reshape(g.filters, count, g.height + g.pad, row)[:, :, :g.out_height, :g.out_width]
                      .transpose(1, 0, 2, 3))
        self.y = ws.y[first:first + count]
        spread = ws.delta[:, :count]
        self.spread_values = spread[:, :, :g.out_height, :g.out_width]
        self.spread_t = spread.reshape(g.filters, width).T


class _RowWorkspace:
    def __init__(self, g: ConvGeometry, n: int, dtype: np.dtype):
        k = g.kernel
        probe = _Planes(g, 1, dtype, 0)
        row, plane = probe.row, probe.plane
        self.span = (k - 1) * row + k - 1  # how far beyond its own plane a row im2col reads
        self.input = _Planes(g, n, dtype, plane + self.span)
        self.row, self.plane = row, plane
        item = dtype.itemsize
        rows_bytes, products_bytes = g.in_channels * k * plane * item, k * g.filters * plane * item  # a sample's
        stacked = g.filters <= g.in_channels * k  # products no bigger than the rows they read
        most = (STACKED_CHUNK_BYTES // (rows_bytes + products_bytes) if stacked else CHUNK_BYTES // rows_bytes)
        spans = even_chunks(n, max(1, min(n, most)))
        self.chunk = max(count for _, count in spans)
        width = self.chunk * plane + (k - 1) * row
        self.rows = np.empty((g.in_channels, k, width), dtype)
        self.out = np.empty((g.filters, self.chunk * plane), dtype)
        # The K shifted products of a chunk at once, (K, F, samples·plane), summed over ki into ``out``; or, where
        # they would outgrow the rows, K products added one by one into ``out`` (``part`` holds each).
        self.products = np.empty((k, g.filters, self.chunk * plane), dtype) if stacked else None
        self.part = np.empty_like(self.out)
        # δ spread over the padded planes: the padding's positions stay zero so they add nothing.
        self.delta = np.zeros((g.filters, self.chunk, g.height + g.pad, row), dtype)
        self.y = np.empty((n, *g.output_shape), dtype)
        self.chunks = [_RowChunk(self, g, n, first, count) for first, count in spans]
        self.has_input = False


class RowLane(_Lane):
    """Stride 1: row im2col (C·K rows) and K shifted products per chunk of samples."""

    def __init__(self, geometry: ConvGeometry, dtype):
        if geometry.stride != 1:
            raise ValueError("RowLane computes stride-1 convolutions only")
        super().__init__(geometry, dtype)
        g = geometry
        self._weight_rows = np.empty((g.kernel, g.filters, g.in_channels, g.kernel), self.dtype)
        self._kernels = self._weight_rows.reshape(g.kernel, g.filters, -1)
        self._kernel_rows = list(self._kernels)
        self._grad_rows = np.empty((g.kernel, g.in_channels * g.kernel, g.filters), self.dtype)
        self._grad_part = np.empty_like(self._grad_rows)
        self._transposed: RowLane | None = None
        self._flipped: np.ndarray | None = None

    def _new_workspace(self, n: int) -> _RowWorkspace:
        return _RowWorkspace(self.geometry, n, self.dtype)

    def forward(self, x, weight, bias, out=None):
        """y (n, F, Ho, Wo) of x (n, C, H, W), weight (F, C, K, K), bias (F,) or None, into ``out`` if given."""
        g = self.geometry
        ws = self.workspace(x.shape[0])
        np.copyto(ws.input.values, x)
        ws.has_input = True
        np.copyto(self._weight_rows, weight.transpose(2, 0, 1, 3))
        kernels = self._kernels  # [ki] = W[:, :, ki, :] as (F, C·K)
        kernel_rows = self._kernel_rows
        shifted_bias = None if bias is None else bias[:, None, None]
        for chunk in self._row_im2col(ws):
            total = chunk.total
            if chunk.products is not None:
                np.matmul(kernels, chunk.shifted, out=chunk.products)
                np.add.reduce(chunk.products, axis=0, out=total)
            else:
                shifts, part = chunk.row_shifts, chunk.part
                np.matmul(kernel_rows[0], shifts[0], out=total)
                for ki in range(1, g.kernel):
                    np.matmul(kernel_rows[ki], shifts[ki], out=part)
                    total += part
            y = chunk.y if out is None else out[chunk.first:chunk.first + chunk.count]
            if bias is None:
                np.copyto(y, chunk.valid)
            else:
                np.add(chunk.valid, shifted_bias, out=y)
        return ws.y if out is None else out

    def weight_gradient(self, delta, grad_weight) -> None:
        """∂L/∂W (F, C, K, K) into ``grad_weight``, from δ (n, F, Ho, Wo) and the remembered input."""
        g = self.geometry
        ws = self.remembered(delta.shape[0])
        for index, chunk in enumerate(self._row_im2col(ws)):
            np.copyto(chunk.spread_values, delta[chunk.first:chunk.first + chunk.count].transpose(1, 0, 2, 3))
            if index == 0:
                np.matmul(chunk.shifted, chunk.spread_t, out=self._grad_rows)
            else:
                np.matmul(chunk.shifted, chunk.spread_t, out=self._grad_part)
                self._grad_rows += self._grad_part
        # _grad_rows[ki, (c, kj), f] = ∂L/∂W[f, c, ki, kj]
        np.copyto(grad_weight, self._grad_rows.reshape(g.kernel, g.in_channels, g.kernel, g.filters)
                  .transpose(3, 1, 0, 2))

    def input_gradient(self, delta, weight, out=None):
        """∂L/∂x (n, C, H, W): δ correlated with the flipped kernel, a stride-1 convolution itself."""
        g = self.geometry
        if self._transposed is None:
            self._transposed = RowLane(g.transposed(), self.dtype)
            self._flipped = np.empty((g.in_channels, g.filters, g.kernel, g.kernel), self.dtype)
        np.copyto(self._flipped, weight.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])
        return self._transposed.forward(delta, self._flipped, None, out)

    @staticmethod
    def _row_im2col(ws: _RowWorkspace):
        """Per chunk, its ``_RowChunk`` once its rows are written: rows[(c, kj), j] is the padded input at j + kj
        of channel c, j counted from the chunk's first plane; shifted[ki, (c, kj), j] is rows[(c, kj), j + ki·row]."""
        for chunk in ws.chunks:
            np.copyto(chunk.target, chunk.source)
            yield chunk


class _StridedWorkspace:
    def __init__(self, g: ConvGeometry, n: int, dtype: np.dtype):
        k, s = g.kernel, g.stride
        probe = _Planes(g, 1, dtype, 0)
        self.row, self.plane = probe.row, probe.plane
        reach = (k - 1) * (self.row + 1) + (g.out_height - 1) * s * self.row + (g.out_width - 1) * s
        self.input = _Planes(g, n, dtype, reach)
        rows, per_sample = g.in_channels * k * k, g.out_height * g.out_width
        self.spans = even_chunks(n, max(1, min(n, CHUNK_BYTES // (rows * per_sample * dtype.itemsize))))
        self.chunk = max(count for _, count in self.spans)
        self.cols = np.empty((rows, self.chunk * per_sample), dtype)
        self.out = np.empty((g.filters, self.chunk * per_sample), dtype)
        self.delta = np.empty((g.filters, self.chunk, g.out_height, g.out_width), dtype)
        self.part = np.empty((rows, g.filters), dtype)
        self.y = np.empty((n, *g.output_shape), dtype)
        item = dtype.itemsize
        # [c, ki, kj, sample, out row, out col]: the im2col matrix as a view of the padded planes.
        self.windows = as_strided(
            self.input.flat, (g.in_channels, k, k, n, g.out_height, g.out_width),
            (n * self.plane * item, self.row * item, item, self.plane * item, s * self.row * item, s * item),
            writeable=False)
        self.input_grads: _Planes | None = None  # col2im's, made by the first ∂x
        self.has_input = False
        self._reach, self._n = reach, n

    def chunks(self):
        return iter(self.spans)

    def tap_targets(self, g: ConvGeometry, dtype: np.dtype) -> np.ndarray:
        """[ki, kj, c, sample, out row, out col]: where each tap read, in a zeroed twin buffer (col2im)."""
        if self.input_grads is None:
            self.input_grads = _Planes(g, self._n, dtype, self._reach)
            item, s = dtype.itemsize, g.stride
            self.taps = as_strided(
                self.input_grads.flat, (g.kernel, g.kernel, g.in_channels, self._n, g.out_height, g.out_width),
                (self.row * item, item, self._n * self.plane * item, self.plane * item, s * self.row * item,
                 s * item))
            self.col_grads = np.empty_like(self.cols)
            self.dx = np.empty((self._n, *g.input_shape), dtype)
        self.input_grads.flat.fill(0.0)
        return self.taps


class StridedLane(_Lane):
    """Stride > 1: the full im2col (C·K² rows) per chunk, one product per pass, ∂x by col2im."""

    def _new_workspace(self, n: int) -> _StridedWorkspace:
        return _StridedWorkspace(self.geometry, n, self.dtype)

    def forward(self, x, weight, bias, out=None):
        g = self.geometry
        ws = self.workspace(x.shape[0])
        np.copyto(ws.input.values, x)
        ws.has_input = True
        kernels = weight.reshape(g.filters, -1)
        y = ws.y if out is None else out
        for first, count, cols in self._im2col(ws):
            total = ws.out[:, :cols.shape[1]]
            np.matmul(kernels, cols, out=total)
            valid = total.reshape(g.filters, count, g.out_height, g.out_width).transpose(1, 0, 2, 3)
            if bias is None:
                np.copyto(y[first:first + count], valid)
            else:
                np.add(valid, bias[:, None, None], out=y[first:first + count])
        return y

    def weight_gradient(self, delta, grad_weight) -> None:
        g = self.geometry
        ws = self.remembered(delta.shape[0])
        grad_rows = grad_weight.reshape(g.filters, -1)
        grad_rows.fill(0.0)
        for first, count, cols in self._im2col(ws):
            spread = ws.delta[:, :count]
            np.copyto(spread, delta[first:first + count].transpose(1, 0, 2, 3))
            np.matmul(cols, spread.reshape(g.filters, -1).T, out=ws.part)  # ∂Wᵀ: 2× faster than δ·colsᵀ
            grad_rows += ws.part.T

    def input_gradient(self, delta, weight, out=None):
        """∂x = col2im(Wᵀ·δ): every kernel tap's share added back where it read."""
        g = self.geometry
        ws = self.remembered(delta.shape[0])
        taps = ws.tap_targets(g, self.dtype)
        kernels = weight.reshape(g.filters, -1)
        for first, count in ws.chunks():
            spread = ws.delta[:, :count]
            np.copyto(spread, delta[first:first + count].transpose(1, 0, 2, 3))
            col_grads = ws.col_grads[:, :count * g.out_height * g.out_width]
            np.matmul(kernels.T, spread.reshape(g.filters, -1), out=col_grads)
            shares = col_grads.reshape(g.in_channels, g.kernel, g.kernel, count, g.out_height, g.out_width)
            for ki in range(g.kernel):
                for kj in range(g.kernel):
                    target = taps[ki, kj, :, first:first + count]
                    np.add(target, shares[:, ki, kj], out=target)
        dx = ws.dx if out is None else out
        np.copyto(dx, ws.input_grads.values)
        return dx

    def _im2col(self, ws: _StridedWorkspace):
        g = self.geometry
        for first, count in ws.chunks():
            cols = ws.cols[:, :count * g.out_height * g.out_width]
            target = cols.reshape(g.in_channels, g.kernel, g.kernel, count, g.out_height, g.out_width)
            np.copyto(target, ws.windows[:, :, :, first:first + count])
            yield first, count, cols


def make_lane(geometry: ConvGeometry, dtype) -> _Lane:
    return RowLane(geometry, dtype) if geometry.stride == 1 else StridedLane(geometry, dtype)
