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

BYTE_MAX = np.float32(255)
_MEAN_CHUNK = 4096  # rows summed at a time by mean(), so a selection is never copied whole


def scale_bytes(raw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``raw`` uint8 → float32 ``raw / 255`` (into ``out``, which may be float64: the division stays float32)."""
    return np.divide(raw, BYTE_MAX, out=out, dtype=np.float32)


class GatherScratch(NamedTuple):
    """Reused buffers for gathering one batch size: its bytes and, for a selection, its row numbers."""

    bytes: np.ndarray  # (batch, n_features) uint8
    rows: np.ndarray  # (batch,) intp


class ScaledBytes:
    """Rows (n_samples, n_features) of bytes, read as float32 ``byte / 255``.

    ``store`` holds the bytes, (n_stored, n_features) uint8, shared by every selection made from
    it; ``rows`` says which of its rows this one reads, in order (None: all, as stored).
    Indexing (``x[i]``, ``x[a:b]``, ``x[indices]``) and iterating give float32 arrays, so a reader
    cannot forget to scale. A float copy of every row is made only when asked for by name —
    ``np.asarray(x)`` or ``x[:]`` — never behind arithmetic, a ufunc or an array method: ``x * 255``,
    ``np.abs(x)`` and ``x.reshape(…)`` raise TypeError or AttributeError instead of quietly
    allocating four bytes a value for a whole set (1.5 GB for 500,000 digits). A reader of a
    large set reads it a chunk at a time (``x[a:b]``) or keeps it as bytes (``select``,
    ``gather_into``, ``mean``); ``raw_bytes`` gives the unscaled bytes, for code that means bytes.
    """

    dtype = np.dtype(np.float32)  # of the rows it hands out
    ndim = 2
    __array_ufunc__ = None  # NumPy's opt-out: arithmetic and ufuncs raise TypeError (see the class docstring)

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

    def mean(self) -> float:
        """The mean of every scaled value, summed from the bytes a chunk at a time (no float copy):
        how the Draw dock tells light ink on dark from dark ink on light."""
        if not len(self) or not self.store.shape[1]:
            return float("nan")
        total = sum(int(self.select(slice(start, start + _MEAN_CHUNK)).raw_bytes.sum(dtype=np.uint64))
                    for start in range(0, len(self), _MEAN_CHUNK))
        return total / (len(self) * self.store.shape[1]) / float(BYTE_MAX)

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
