"""Named plain values kept as NumPy arrays — how a trainer's or an optimizer's state looks in an npz —
and reading them back with one sentence per malformed field.

Every value is an array of numbers or text (a whole number or a float as a 0-d array, text as a 0-d
unicode array), so ``np.savez`` writes it and ``np.load(allow_pickle=False)`` reads it back bit for bit
without pickle. A loaded file may hold anything: each reader checks the name, the shape and the kind
of its field before the value is used, and raises ValueError naming the field.
"""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def as_array(value) -> np.ndarray:
    """A whole number, float or text as a 0-d array (int64, float64, unicode)."""
    if isinstance(value, str):
        return np.array(value, dtype=np.str_)
    if isinstance(value, (int, np.integer)):
        return np.array(value, dtype=np.int64)
    return np.array(float(value), dtype=np.float64)


def _field(arrays: Mapping, name: str, owner: str) -> np.ndarray:
    if name not in arrays:
        raise ValueError(f"{owner} has no field {name!r}")
    value = arrays[name]
    if not isinstance(value, np.ndarray):
        raise ValueError(f"{owner}'s field {name!r} is not an array but {type(value).__name__}")
    return value


def _scalar(arrays: Mapping, name: str, owner: str, kinds: str, what: str) -> np.ndarray:
    value = _field(arrays, name, owner)
    if value.shape != () or value.dtype.kind not in kinds:
        raise ValueError(f"{owner}'s field {name!r} must be {what}, not an array of shape {value.shape} "
                         f"and type {value.dtype}")
    return value


def read_whole(arrays: Mapping, name: str, owner: str, minimum: int = 0, maximum: int | None = None) -> int:
    number = int(_scalar(arrays, name, owner, "iu", "one whole number"))
    check_whole(number, name, owner, minimum, maximum)
    return number


def check_whole(number, name: str, owner: str, minimum: int = 0, maximum: int | None = None) -> None:
    if isinstance(number, bool) or not isinstance(number, (int, np.integer)):
        raise ValueError(f"{owner}'s field {name!r} must be a whole number, not {number!r}")
    if number < minimum or (maximum is not None and number > maximum):
        bounds = f"from {minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
        raise ValueError(f"{owner}'s field {name!r} must be a whole number {bounds}, not {number}")


def read_real(arrays: Mapping, name: str, owner: str) -> float:
    return float(_scalar(arrays, name, owner, "fiu", "one number"))


def read_text(arrays: Mapping, name: str, owner: str) -> str:
    return str(_scalar(arrays, name, owner, "U", "one piece of text"))


def read_vector(arrays: Mapping, name: str, owner: str, kinds: str) -> np.ndarray:
    """A one-dimensional array whose type is of ``kinds`` ("f": float32 or float64, "i": int64)."""
    value = _field(arrays, name, owner)
    wanted = "float32 or float64 numbers" if kinds == "f" else "whole numbers (int64)"
    good = value.dtype in FLOAT_DTYPES if kinds == "f" else value.dtype == np.int64
    if value.ndim != 1 or not good:
        raise ValueError(f"{owner}'s field {name!r} must be one row of {wanted}, not an array of shape "
                         f"{value.shape} and type {value.dtype}")
    return np.array(value)  # a copy: the state never shares memory with a file or a caller


def refuse_unknown(arrays: Mapping, known: set[str], owner: str) -> None:
    unknown = sorted(map(repr, set(arrays) - known))
    if unknown:
        raise ValueError(f"{owner} holds {unknown[0]}, which is no field of it")
