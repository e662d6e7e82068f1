"""Damaged and hostile ``.npz`` files made from a good one, for the weight-file and session-file tests.

A builder is ``build(good, bad)``: it reads the good file's arrays and writes ``bad``. ``Booby`` is
a pickle that runs code when loaded: a loader that ever unpickles records it in ``unpickled``.
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

unpickled: list[str] = []


def _record_unpickling(tag):
    unpickled.append(tag)
    return tag


class Booby:
    """Unpickling this runs code; a loader that unpickles would record it."""

    def __reduce__(self):
        return (_record_unpickling, ("unpickled!",))


def arrays_of(path: Path) -> dict:
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def write_npz(path: Path, arrays: dict) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, allow_pickle=True, **arrays)


def npy_bytes(array: np.ndarray) -> bytes:
    """One ``.npy`` member as NumPy writes it (object arrays pickled: the loaders must refuse them)."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def with_arrays(**replacements):
    """The good file's arrays with these replaced or added; None removes one."""
    def build(good: Path, bad: Path) -> None:
        arrays = {**arrays_of(good), **replacements}
        write_npz(bad, {name: value for name, value in arrays.items() if value is not None})
    return build


def with_meta(change):
    """The good file with ``change(meta)`` applied to its decoded meta (ensure_ascii: "\\ud800" travels escaped)."""
    def build(good: Path, bad: Path) -> None:
        arrays = arrays_of(good)
        meta = json.loads(arrays["meta"].item())
        change(meta)
        write_npz(bad, {**arrays, "meta": np.array(json.dumps(meta))})
    return build


def huge_header(member: str, descr: str, shape: tuple[int, ...]):
    """``member``'s header claims ``shape`` and holds no data: to be refused on the header, never allocated."""
    def build(good: Path, bad: Path) -> None:
        with zipfile.ZipFile(bad, "w") as archive:
            for name, value in arrays_of(good).items():
                buffer = io.BytesIO()
                if name == member:
                    np.lib.format.write_array_header_2_0(buffer, {"descr": descr, "fortran_order": False,
                                                                  "shape": shape})
                else:
                    np.lib.format.write_array(buffer, value)
                archive.writestr(name + ".npy", buffer.getvalue())
    return build


def lzma_garbage(good: Path, bad: Path) -> None:
    """meta marked LZMA-compressed (method 14) with filter properties no decoder takes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("meta.npy", b"\x09\x14\x05\x00\xe2\x00\x00\x01\x00" + b"x" * 50)
    data = bytearray(buffer.getvalue())
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset: at + offset + 2] = (14).to_bytes(2, "little")
            at = data.find(signature, at + 4)
    bad.write_bytes(bytes(data))
