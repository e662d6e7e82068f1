"""Sample rows kept as bytes and read as floats: how an 8-bit image set fits in memory.

As float32 an 8-bit picture takes four times its bytes: the 60,000 MNIST training digits are
47 MB as bytes and 188 MB as float32, and ``nnlab train`` held two float copies (the set and its
split) — a 442 MB peak. ``ScaledBytes`` keeps the bytes once — a split's parts and any other
selection are lists of row numbers into the same bytes — and hands out float32 rows wherever rows
are read. Every read scales exactly as ``raw.astype(float32) / float32(255)`` did, so the numbers,
and the weights a seeded run trains, are the same as before, bit for bit.

Gathering a mini-batch of bytes into a reused buffer and dividing it into the float buffer with
``out=`` costs no more than gathering float rows did (less memory to move): 60,000 digits in
batches of 64 took 0.020–0.022 s per epoch either way, against 0.025 s for float32 rows (a
256-entry look-up table instead of the division took 0.049 s).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.lib.mixins import NDArrayOperatorsMixin

BYTE_MAX = np.float32(255)
_MEAN_CHUNK = 4096  # rows summed at a time by mean(), so a selection is never copied whole


def scale_bytes(raw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``raw`` uint8 → float32 ``raw / 255`` (into ``out``, which may be float64: the division stays float32)."""
    return np.divide(raw, BYTE_MAX, out=out, dtype=np.float32)


class GatherScratch(NamedTuple):
    """Reused buffers for gathering one batch size: its bytes and, for a selection, its row numbers."""

    bytes: np.ndarray  # (batch, n_features) uint8
    rows: np.ndarray  # (batch,) intp


class ScaledBytes(NDArrayOperatorsMixin):
    """Rows (n_samples, n_features) of bytes, read as float32 ``byte / 255``.

    ``store`` holds the bytes, (n_stored, n_features) uint8, shared by every selection made from
    it; ``rows`` says which of its rows this one reads, in order (None: all, as stored).
    Indexing (``x[i]``, ``x[a:b]``, ``x[indices]``), iterating and ``np.asarray(x)`` give float32
    arrays, so a reader cannot forget to scale; so do arithmetic and NumPy's functions (``x * 255``,
    ``x > 0.5``, ``np.abs(x)``) and the few array methods code written for float rows calls
    (``reshape``, ``astype``, ``copy``; ``min``, ``max`` and ``mean`` from the bytes). A reader of a
    whole large set should read it a chunk at a time (``x[a:b]``) or keep it as bytes (``select``,
    ``gather_into``). ``raw_bytes`` gives the unscaled bytes of these rows, for code that means bytes.
    """

    dtype = np.dtype(np.float32)  # of the rows it hands out
    ndim = 2

    def __init__(self, store: np.ndarray, rows: np.ndarray | None = None) -> None:
        store = np.asarray(store)
        if store.dtype != np.uint8 or store.ndim != 2:
            raise ValueError(f"scaled bytes must be uint8 rows (n_samples, n_features), got {store.dtype} "
                             f"shaped {store.shape}")
        self.store = np.ascontiguousarray(store)
        self.rows = None if rows is None else np.asarray(rows, dtype=np.intp)
        if self.rows is not None and self.rows.ndim != 1:
            raise ValueError(f"rows must be a list of row numbers, got shape {self.rows.shape}")

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self), self.store.shape[1])

    @property
    def nbytes(self) -> int:
        """The bytes of these rows, one a value (shared with the set they were selected from)."""
        return len(self) * self.store.shape[1]

    @property
    def raw_bytes(self) -> np.ndarray:
        """These rows' bytes, (n_samples, n_features) uint8: the store itself, or a copy for a selection."""
        return self.store if self.rows is None else self.store[self.rows]

    def __len__(self) -> int:
        return len(self.store) if self.rows is None else len(self.rows)

    def __getitem__(self, key) -> np.ndarray:
        if self.rows is None:
            return scale_bytes(self.store[key])
        first, rest = (key[0], key[1:]) if isinstance(key, tuple) and key else (key, ())
        picked = self.store[self.rows[first]]
        if rest:
            picked = picked[rest] if picked.ndim == 1 else picked[(slice(None), *rest)]
        return scale_bytes(picked)

    def __iter__(self):
        for index in range(len(self)):
            yield self[index]

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if copy is False:
            raise ValueError("scaled bytes become floats only in a new array")
        rows = scale_bytes(self.raw_bytes)
        return rows if dtype is None else rows.astype(dtype, copy=False)

    def __array_ufunc__(self, ufunc, method, *inputs, **options):
        """Arithmetic and NumPy's ufuncs see the float rows (a float copy, as ndarray arithmetic makes
        a new array anyway); the rows themselves cannot be written."""
        if any(isinstance(out, ScaledBytes) for out in options.get("out", ())):
            return NotImplemented
        inputs = tuple(np.asarray(value) if isinstance(value, ScaledBytes) else value for value in inputs)
        return getattr(ufunc, method)(*inputs, **options)

    def __repr__(self) -> str:
        kind = "stored" if self.rows is None else f"selected from {len(self.store)}"
        return f"ScaledBytes({len(self)} rows of {self.store.shape[1]} bytes, {kind})"

    def select(self, key) -> "ScaledBytes":
        """The rows ``key`` (a slice, row numbers or a mask) picks, still as bytes and without a copy:
        a slice of stored rows is a view, anything else a list of row numbers into the same store."""
        if self.rows is None and isinstance(key, slice):
            return ScaledBytes(self.store[key])
        every = self.rows if self.rows is not None else np.arange(len(self.store), dtype=np.intp)
        return ScaledBytes(self.store, every[key])

    # -- what code written for a float array also calls -------------------------------------------
    def mean(self, axis=None, **options):
        """The mean of the scaled values; of all of them from the bytes, a chunk at a time (no float copy)."""
        if axis is not None or any(value is not None for value in options.values()):
            return np.asarray(self).mean(axis=axis, **options)
        if not len(self) or not self.store.shape[1]:
            return float("nan")
        total = sum(int(self.select(slice(start, start + _MEAN_CHUNK)).raw_bytes.sum(dtype=np.uint64))
                    for start in range(0, len(self), _MEAN_CHUNK))
        return total / (len(self) * self.store.shape[1]) / float(BYTE_MAX)

    def min(self, axis=None, **options):
        """Exactly the float rows' minimum (dividing by 255 keeps the order), from the bytes when axis is None."""
        if axis is not None or any(value is not None for value in options.values()):
            return np.asarray(self).min(axis=axis, **options)
        return scale_bytes(self.raw_bytes.min())

    def max(self, axis=None, **options):
        if axis is not None or any(value is not None for value in options.values()):
            return np.asarray(self).max(axis=axis, **options)
        return scale_bytes(self.raw_bytes.max())

    def reshape(self, *shape, order="C") -> np.ndarray:
        """A new float32 array of every row, reshaped — a float copy of the whole set: read rows instead
        where the set may be large."""
        return np.asarray(self).reshape(*shape, order=order)

    def astype(self, dtype) -> np.ndarray:
        """A new ``dtype`` array of every row (a float copy of the whole set)."""
        return np.asarray(self, dtype=dtype)

    def copy(self) -> np.ndarray:
        """A new float32 array of every row (a float copy of the whole set)."""
        return np.asarray(self)

    def scratch_for(self, batch_size: int) -> GatherScratch:
        return GatherScratch(np.empty((batch_size, self.store.shape[1]), np.uint8), np.empty(batch_size, np.intp))

    def gather_into(self, indices: np.ndarray, out: np.ndarray, scratch: GatherScratch) -> None:
        """Rows ``indices`` (batch,) into ``out`` (batch, n_features), allocating nothing: their
        bytes go into ``scratch`` (see ``scratch_for``), then are scaled into ``out``.

        ``mode="clip"``: with NumPy's default "raise" ``np.take`` silently goes through a temporary.
        """
        if self.rows is not None:
            indices = np.take(self.rows, indices, out=scratch.rows, mode="clip")
        np.take(self.store, indices, axis=0, out=scratch.bytes, mode="clip")
        scale_bytes(scratch.bytes, out=out)


Rows = np.ndarray | ScaledBytes


def as_rows(x, dtype=np.float32) -> Rows:
    """``x`` unchanged when it is ``ScaledBytes``, else a C-contiguous ``dtype`` array of it."""
    return x if isinstance(x, ScaledBytes) else np.ascontiguousarray(x, dtype=dtype)
