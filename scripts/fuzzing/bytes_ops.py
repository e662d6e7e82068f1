"""Format-blind damage to a byte string, and the "interesting" values mutations plant.

Every operation takes ``(data, rng)`` and returns ``(new_data, description)``; the description
is what the report prints, so a finding can be read without replaying it.
"""
from __future__ import annotations

import struct

import numpy as np

# Sizes and counts that break parsers: zero, one, sign bits, 2**31 - 1, 2**32 - 1, 2**40.
INTERESTING_INTS = (0, 1, 2, 3, 255, 256, 0x7FFF, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
                    2**40, 2**63 - 1)
INTERESTING_BYTES = (0x00, 0x01, 0x7F, 0x80, 0xFF, 0x20, 0x22, 0x2C, 0x0A, 0x0D)


def flip_bits(data: bytes, rng: np.random.Generator):
    if not data:
        return data, "flip bits (empty)"
    out = bytearray(data)
    spots = rng.integers(0, len(out) * 8, size=int(rng.integers(1, 9)))
    for bit in spots:
        out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out), f"flip {len(spots)} bit(s) near byte {int(spots[0]) // 8}"


def set_bytes(data: bytes, rng: np.random.Generator):
    if not data:
        return data, "set bytes (empty)"
    out = bytearray(data)
    at = int(rng.integers(0, len(out)))
    value = int(rng.choice(INTERESTING_BYTES)) if rng.random() < 0.7 else int(rng.integers(0, 256))
    count = int(rng.integers(1, 5))
    out[at: at + count] = bytes([value]) * len(out[at: at + count])
    return bytes(out), f"set {count} byte(s) at {at} to 0x{value:02X}"


def insert_bytes(data: bytes, rng: np.random.Generator):
    at = int(rng.integers(0, len(data) + 1))
    count = int(rng.choice([1, 2, 4, 16, 100, 5000]))
    chunk = rng.integers(0, 256, size=count, dtype=np.uint8).tobytes()
    return data[:at] + chunk + data[at:], f"insert {count} random byte(s) at {at}"


def delete_range(data: bytes, rng: np.random.Generator):
    if not data:
        return data, "delete (empty)"
    at = int(rng.integers(0, len(data)))
    count = int(rng.choice([1, 2, 4, 16, 100]))
    return data[:at] + data[at + count:], f"delete {count} byte(s) at {at}"


def duplicate_range(data: bytes, rng: np.random.Generator):
    if not data:
        return data, "duplicate (empty)"
    at = int(rng.integers(0, len(data)))
    count = int(rng.integers(1, min(len(data) - at, 400) + 1))
    times = int(rng.choice([1, 2, 10]))
    return data[: at + count] + data[at: at + count] * times + data[at + count:], \
        f"repeat {count} byte(s) at {at} {times}x"


def truncate(data: bytes, rng: np.random.Generator):
    at = int(rng.integers(0, len(data) + 1))
    return data[:at], f"truncate to {at} byte(s)"


def put_int(data: bytes, rng: np.random.Generator):
    if len(data) < 4:
        return data, "put int (too short)"
    value = int(rng.choice(INTERESTING_INTS)) & 0xFFFFFFFF
    big = bool(rng.random() < 0.5)
    at = int(rng.integers(0, len(data) - 3)) // 4 * 4 if rng.random() < 0.6 else int(rng.integers(0, len(data) - 3))
    packed = struct.pack(">I" if big else "<I", value)
    return data[:at] + packed + data[at + 4:], f"put {value:#x} ({'BE' if big else 'LE'}) at byte {at}"


BYTE_OPS = (flip_bits, set_bytes, insert_bytes, delete_range, duplicate_range, truncate, put_int)


def damage(data: bytes, rng: np.random.Generator):
    """One random format-blind operation."""
    op = BYTE_OPS[int(rng.integers(0, len(BYTE_OPS)))]
    return op(data, rng)


def interesting_array(rng: np.random.Generator, n: int) -> tuple[np.ndarray, str]:
    """An array that may break an importer or a loader: odd shapes, dtypes and values.

    ``n`` is the sample count the file had, so shapes sometimes still agree with it.
    """
    shapes = [(), (0,), (n,), (n, 0), (0, 3), (n, 1), (n, 4), (n, 5, 4), (n, 0, 4), (n, 5, 0), (n, 5, 4, 1),
              (n, 5, 4, 3), (n + 1,), (n - 1, 4), (1, 1, 1, 1, 1), (n, 2), (2, n)]
    dtypes = ["u1", "i1", "<i8", ">i4", "<f2", "<f4", ">f8", "?", "<U3", "|S3", "<c8", "<M8[s]", "|V4", "O",
              "<u8", "<U1", "|S1"]
    shape = shapes[int(rng.integers(0, len(shapes)))]
    dtype = np.dtype(dtypes[int(rng.integers(0, len(dtypes)))])
    size = int(np.prod(shape))
    style = int(rng.integers(0, 8))
    if dtype.kind == "O":
        values = np.empty(size, dtype=object)
        values[:] = [{"pickled": i} if style % 2 else [i, "x"] for i in range(size)]
        return values.reshape(shape), f"object array {shape}"
    if dtype.kind in "US":
        pool = ["a", "b", "ä", "\U0001F600", "", " ", "0", "1", "\ud800", "x" * 3]
        if dtype.kind == "S":
            raw = [bytes([int(b) for b in rng.integers(0, 256, size=3)]) if style < 3 else b"ok" for _ in range(size)]
            return np.array(raw, dtype="S3").reshape(shape), f"bytes array {shape}"
        picked = [pool[int(k)] for k in rng.integers(0, len(pool), size=size)]
        return np.array(picked, dtype="U3" if dtype.itemsize > 4 else "U1").reshape(shape), f"text array {shape}"
    if dtype.kind == "V":
        return np.zeros(shape, dtype=dtype), f"void array {shape}"
    if dtype.kind == "M":
        return np.zeros(shape, dtype=dtype), f"datetime array {shape}"
    makers = {"small ints": lambda: rng.integers(0, 3, size=size), "-1..1": lambda: rng.uniform(-1, 1, size=size),
              "0..255": lambda: rng.uniform(0, 255, size=size), "NaN": lambda: np.full(size, np.nan),
              "inf": lambda: np.full(size, np.inf), "1e300": lambda: np.full(size, 1e300),
              "negative": lambda: rng.integers(-5, 5, size=size), "2**62": lambda: np.full(size, 2.0**62)}
    label = list(makers)[style]
    with np.errstate(all="ignore"):
        array = np.asarray(makers[label]()).astype(dtype).reshape(shape)
    return array, f"{dtype.str} array {shape} ({label})"
