"""Sample rows kept as bytes and read as floats: how an 8-bit image set fits in memory.

As float32 an 8-bit picture takes four times its bytes: the 60,000 MNIST training digits are
47 MB as bytes and 188 MB as float32, and ``nnlab train`` held two float copies (the set and its
split) — a 442 MB peak. ``ScaledBytes`` keeps the bytes and hands out float32 rows wherever rows
are read. Every read scales exactly as ``raw.astype(float32) / float32(255)`` did, so the numbers,
and the weights a seeded run trains, are the same as before, bit for bit.

Gathering a mini-batch of bytes into a reused buffer and dividing it into the float buffer with
``out=`` costs no more than gathering float rows did (less memory to move): 60,000 digits in
batches of 64 took 0.020–0.022 s per epoch either way, against 0.025 s for float32 rows (a
256-entry look-up table instead of the division took 0.049 s).
"""
from __future__ import annotations

import numpy as np

BYTE_MAX = np.float32(255)


def scale_bytes(raw: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``raw`` uint8 → float32 ``raw / 255`` (into ``out``, which may be float64: the division stays float32)."""
    return np.divide(raw, BYTE_MAX, out=out, dtype=np.float32)


class ScaledBytes:
    """Rows (n_samples, n_features) stored as uint8 ``raw_bytes`` and read as float32 ``raw_bytes / 255``.

    Indexing (``rows[i]``, ``rows[a:b]``, ``rows[indices]``), iterating and ``np.asarray(rows)``
    give float32 arrays, so a reader cannot forget to scale; whatever reads a whole large set
    should read it a chunk at a time (``rows[a:b]``) or keep it as bytes (``select``, ``gather_into``).
    ``raw_bytes`` is the unscaled storage, for code that means bytes.
    """

    dtype = np.dtype(np.float32)  # of the rows it hands out
    ndim = 2

    def __init__(self, raw_bytes: np.ndarray) -> None:
        raw = np.asarray(raw_bytes)
        if raw.dtype != np.uint8 or raw.ndim != 2:
            raise ValueError(f"scaled bytes must be uint8 rows (n_samples, n_features), got {raw.dtype} "
                             f"shaped {raw.shape}")
        self.raw_bytes = np.ascontiguousarray(raw)

    @property
    def shape(self) -> tuple[int, int]:
        return self.raw_bytes.shape

    @property
    def nbytes(self) -> int:
        """Memory held: one byte a value."""
        return self.raw_bytes.nbytes

    def __len__(self) -> int:
        return len(self.raw_bytes)

    def __getitem__(self, key) -> np.ndarray:
        return scale_bytes(self.raw_bytes[key])

    def __iter__(self):
        for row in self.raw_bytes:
            yield scale_bytes(row)

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        if copy is False:
            raise ValueError("scaled bytes become floats only in a new array")
        rows = scale_bytes(self.raw_bytes)
        return rows if dtype is None else rows.astype(dtype, copy=False)

    def __repr__(self) -> str:
        return f"ScaledBytes({self.shape[0]} rows of {self.shape[1]} bytes)"

    def select(self, key) -> "ScaledBytes":
        """The rows ``key`` picks, still as bytes (a view for a slice, a copy for indices)."""
        return ScaledBytes(self.raw_bytes[key])

    def mean(self) -> float:
        """The mean of every scaled value, from the bytes (no float copy)."""
        return float(self.raw_bytes.mean(dtype=np.float64)) / float(BYTE_MAX) if self.raw_bytes.size else float("nan")

    def gather_into(self, indices: np.ndarray, out: np.ndarray, scratch: np.ndarray) -> None:
        """Rows ``indices`` (batch,) into ``out`` (batch, n_features), allocating nothing:
        their bytes into ``scratch`` (batch, n_features) uint8, then scaled into ``out``.

        ``mode="clip"``: with NumPy's default "raise" ``np.take`` silently goes through a temporary.
        """
        np.take(self.raw_bytes, indices, axis=0, out=scratch, mode="clip")
        scale_bytes(scratch, out=out)


Rows = np.ndarray | ScaledBytes


def as_rows(x, dtype=np.float32) -> Rows:
    """``x`` unchanged when it is ``ScaledBytes``, else a C-contiguous ``dtype`` array of it."""
    return x if isinstance(x, ScaledBytes) else np.ascontiguousarray(x, dtype=dtype)
