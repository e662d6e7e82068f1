"""Max- and average-pooling (PyTorch's ``MaxPool2d(N)`` / ``AvgPool2d(N)`` numbers), forward and backward.

x (batch, C, H, W) → y (batch, C, H // N, W // N): windows of N×N with stride N. Like PyTorch, a size
that N does not divide is floored: the last H mod N rows and W mod N columns are never read, and
their gradient is zero.

Both pool in two passes, first along rows (the N neighbours of each output column, which lie N
apart in memory: for contiguous rows whose width N divides, one flat strided loop over the whole
batch), then across the N rows of each window. 2×2 max-pooling of LeNet's first layer (batch 64,
8×28×28, float32), CPU ms: this, with the winners, 0.47; the N² strided slices ``x[:, :, i::N, j::N]``
0.24 for the maximum alone but 1.5 with the winners (their inner loops are 14 values long);
``x.reshape(…, 2, …, 2).max(axis=(3, 5))`` 7.3 (benchmarks/conv_alternatives.py).

Max-pooling keeps, for backward, which column won within each row of a window and which row won
between them — the first of equal maxima, as PyTorch does (after ReLU whole windows are often tied
at 0, and on a blank background tied at the bias) — and routes each δ to that one input.
``winners()`` turns them into the window position 0 … N²−1 (row-major) the inspector shows.
"""
from __future__ import annotations

import numpy as np


class _Pool:
    """Shape checks, per-batch-size buffers and the strided views both kinds of pooling share."""

    kind = "pooling"

    def __init__(self, pool: int, dtype=np.float32):
        if isinstance(pool, bool) or not isinstance(pool, (int, np.integer)) or pool < 1:
            raise ValueError(f"a pooling size must be a whole number of at least 1, not {pool!r}")
        self.pool = int(pool)
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, not {self.dtype}")
        self._buffers: dict[tuple, np.ndarray] = {}
        self._input_shapes: dict[int, tuple] = {}  # per batch size, like the buffers
        self._last_batch: int | None = None

    def output_shape(self, channels: int, height: int, width: int) -> tuple[int, int, int]:
        if height < self.pool or width < self.pool:
            raise ValueError(f"{self.pool}×{self.pool} {self.kind} needs an input of at least that size, "
                             f"not {height}×{width}")
        return channels, height // self.pool, width // self.pool

    def _columns(self, array: np.ndarray, out_w: int) -> np.ndarray:
        """(batch, C, H, out_w, N): the N neighbours in a row of every output column."""
        return array[..., :out_w * self.pool].reshape(*array.shape[:3], out_w, self.pool)

    def _rows(self, array: np.ndarray, out_h: int) -> np.ndarray:
        """(batch, C, out_h, N, W'): the N rows of every window, of a row-pooled (…, H, W') array."""
        n, c, _, width = array.shape
        return array[:, :, :out_h * self.pool].reshape(n, c, out_h, self.pool, width)

    def _buffer(self, name: str, shape: tuple, dtype=None, zero: bool = False) -> np.ndarray:
        key = (name, shape)
        if key not in self._buffers:
            self._buffers[key] = (np.zeros if zero else np.empty)(shape, dtype or self.dtype)
        return self._buffers[key]

    def _start(self, x: np.ndarray) -> tuple[int, int, int]:
        self._check(x, "input")
        shape = self.output_shape(*x.shape[1:])
        self._input_shapes[x.shape[0]] = x.shape
        self._last_batch = x.shape[0]
        return shape

    def _start_backward(self, delta: np.ndarray) -> tuple[tuple, tuple]:
        """(input shape, output shape) of the forward pass of δ's batch size."""
        self._check(delta, "δ")
        input_shape = self._input_shapes.get(delta.shape[0])
        if input_shape is None:
            raise ValueError(f"{self.kind}'s backward needs a forward pass of the same batch size "
                             f"({delta.shape[0]}) first")
        shape = (input_shape[0], *self.output_shape(*input_shape[1:]))
        self._check(delta, "δ", shape)
        return input_shape, shape

    def _check(self, array: np.ndarray, what: str, shape: tuple | None = None) -> None:
        if array.ndim != 4 or (shape is not None and array.shape != shape):
            expected = "(batch, channels, height, width)" if shape is None else str(shape)
            raise ValueError(f"{self.kind}'s {what} has shape {array.shape}; it takes {expected}")
        if array.dtype != self.dtype:
            raise ValueError(f"{self.kind}'s {what} is {array.dtype}; this layer computes in {self.dtype}")


class MaxPool2D(_Pool):
    """``forward`` keeps the winners for ``backward``; results are buffers reused per input shape."""

    kind = "max-pooling"

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y (batch, C, H // N, W // N): the largest value of each N×N window of x (batch, C, H, W)."""
        _, out_h, out_w = self._start(x)
        row_max = self._buffer("row max", (*x.shape[:3], out_w))
        self._first_max(self._columns(x, out_w), row_max, "column")
        rows = self._rows(row_max, out_h)
        y = self._buffer("y", (x.shape[0], x.shape[1], out_h, out_w))
        self._first_max(rows.transpose(0, 1, 2, 4, 3), y, "row")
        return y

    def _first_max(self, candidates: np.ndarray, out: np.ndarray, name: str) -> np.ndarray:
        """Max over the last axis of ``candidates`` into ``out``; returns the first winner's index."""
        winner = self._buffer(f"{name} winner", out.shape, np.uint8)
        larger = winner.view(np.bool_) if self.pool == 2 else self._buffer(f"{name} larger", out.shape, np.bool_)
        if self.pool == 2:
            np.greater(candidates[..., 1], candidates[..., 0], out=larger)  # strictly: ties keep the first
            np.maximum(candidates[..., 0], candidates[..., 1], out=out)
            return winner
        np.copyto(out, candidates[..., 0])
        winner.fill(0)
        for position in range(1, self.pool):
            np.greater(candidates[..., position], out, out=larger)
            np.maximum(out, candidates[..., position], out=out)
            np.copyto(winner, position, where=larger)
        return winner

    def backward(self, delta: np.ndarray) -> np.ndarray:
        """∂L/∂x (batch, C, H, W) from δ = ∂L/∂y: each δ goes to its window's winner, zero elsewhere."""
        input_shape, (batch, channels, out_h, out_w) = self._start_backward(delta)
        row_winner, column_winner = self._winners(input_shape)
        row_delta = self._buffer("row δ", (batch, channels, input_shape[2], out_w), zero=True)
        self._route(delta, row_winner, self._rows(row_delta, out_h).transpose(0, 1, 2, 4, 3))
        dx = self._buffer("dx", input_shape, zero=True)  # the floored edge stays zero
        self._route(row_delta, column_winner, self._columns(dx, out_w))
        return dx

    def _winners(self, input_shape: tuple) -> tuple[np.ndarray, np.ndarray]:
        """(which row won each window, which column won within each row) of the last forward pass
        of ``input_shape``: the buffers ``_first_max`` wrote."""
        batch, channels, height, _ = input_shape
        _, out_h, out_w = self.output_shape(*input_shape[1:])
        return (self._buffer("row winner", (batch, channels, out_h, out_w), np.uint8),
                self._buffer("column winner", (batch, channels, height, out_w), np.uint8))

    def _route(self, delta: np.ndarray, winner: np.ndarray, targets: np.ndarray) -> None:
        """targets[..., k] = δ where ``winner`` is k, else 0."""
        if self.pool == 2:  # the winner is 0 or 1: δ·winner, and δ minus that (both exact)
            np.multiply(delta, winner, out=targets[..., 1])
            np.subtract(delta, targets[..., 1], out=targets[..., 0])
            return
        won = self._buffer("won", winner.shape, np.bool_)
        for position in range(self.pool):
            np.equal(winner, position, out=won)
            np.multiply(delta, won, out=targets[..., position])

    def winners(self) -> np.ndarray:
        """Which input won each window of the last forward: 0 … N²−1, row-major within the window,
        shaped like y. A fresh array, for the inspector (use ``winner_positions`` for rows/columns)."""
        if self._last_batch is None:
            raise ValueError("no max-pooling forward pass has run yet")
        row_winner, column_winner = self._winners(self._input_shapes[self._last_batch])
        columns = self._rows(column_winner, row_winner.shape[2])  # (batch, C, out_h, N, out_w)
        column = np.take_along_axis(columns, row_winner[:, :, :, None, :].astype(np.intp), axis=3)
        return row_winner.astype(np.intp) * self.pool + column[:, :, :, 0, :]


def winner_positions(winners: np.ndarray, pool: int) -> tuple[np.ndarray, np.ndarray]:
    """Input (row, column) of each winner, for ``winners`` (…, out_h, out_w) of ``pool``×``pool`` windows."""
    out_h, out_w = winners.shape[-2:]
    rows = np.arange(out_h)[:, None] * pool + winners // pool
    cols = np.arange(out_w)[None, :] * pool + winners % pool
    return rows, cols


class AvgPool2D(_Pool):
    """Results are buffers reused per input shape."""

    kind = "average-pooling"

    def forward(self, x: np.ndarray) -> np.ndarray:
        """y (batch, C, H // N, W // N): the mean of each N×N window of x (batch, C, H, W)."""
        _, out_h, out_w = self._start(x)
        columns = self._columns(x, out_w)
        row_sum = self._buffer("row sum", (*x.shape[:3], out_w))
        np.copyto(row_sum, columns[..., 0])
        for position in range(1, self.pool):
            row_sum += columns[..., position]
        rows = self._rows(row_sum, out_h)
        y = self._buffer("y", (x.shape[0], x.shape[1], out_h, out_w))
        np.copyto(y, rows[:, :, :, 0])
        for position in range(1, self.pool):
            y += rows[:, :, :, position]
        y *= 1.0 / self.pool ** 2
        return y

    def backward(self, delta: np.ndarray) -> np.ndarray:
        """∂L/∂x (batch, C, H, W): every input of a window gets δ / N²; the floored edge gets zero."""
        input_shape, (batch, channels, out_h, out_w) = self._start_backward(delta)
        row_delta = self._buffer("row δ", (batch, channels, input_shape[2], out_w), zero=True)
        rows = self._rows(row_delta, out_h)
        np.multiply(delta, 1.0 / self.pool ** 2, out=rows[:, :, :, 0])
        for position in range(1, self.pool):
            np.copyto(rows[:, :, :, position], rows[:, :, :, 0])
        dx = self._buffer("dx", input_shape, zero=True)
        columns = self._columns(dx, out_w)
        for position in range(self.pool):
            np.copyto(columns[..., position], row_delta)
        return dx
