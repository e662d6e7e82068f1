"""NumPy ``.npz`` datasets: arrays ``x`` (N, H, W) or (N, D) and ``y`` (N,), optionally ``classes``;
or Keras's layout ``x_train``/``y_train`` (+ ``x_test``/``y_test``), read as one set, train first.

Every array's header is checked before any data is read (``npy_zip``), and the parts are checked
against each other — sample counts, shapes, dtypes — so a mismatch is named, not a NumPy error.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError

from .common import (check_finite, feature_dataset, image_dataset, integer_labels, string_labels, text_labels,
                     whole_numbers)
from .limits import MAX_CLASSES, MAX_VALUES, format_bytes
from .npy_zip import NpyHeader, NpzArchive

_NUMBERS, _TEXT = "biuf", "US"


def load_npz(path: Path) -> Dataset:
    with NpzArchive(path) as archive:
        names = set(archive.members)
        if "x" not in names and {"x_train", "y_train"} <= names:  # Keras layout: train then test
            parts = [("x_train", "y_train")]
            if {"x_test", "y_test"} <= names:
                parts.append(("x_test", "y_test"))
        else:
            for required in ("x", "y"):
                if required not in names:
                    raise DatasetFormatError(path, f"array {required!r}", "the archive has no such array "
                                             f"(found: {', '.join(sorted(names))[:200] or 'nothing'})")
            parts = [("x", "y")]
        headers = {key: archive.header(key) for part in parts for key in part}
        _check_parts(path, parts, headers)
        x = _read_samples(archive, [a for a, _ in parts], headers)
        y = _read_labels(path, archive, [b for _, b in parts], headers)
        classes = _read_classes(path, archive) if "classes" in names else None
    extra = {"n_train": headers["x_train"].shape[0]} if len(parts) == 2 else {}
    return _dataset(path, x, y, classes, parts[0][0], extra)


def _check_parts(path: Path, parts: list[tuple[str, str]], headers: dict[str, NpyHeader]) -> None:
    """Shapes, kinds and sizes of every x/y pair, and that the parts go together — from headers only."""
    first = headers[parts[0][0]]
    for a, b in parts:
        xh, yh = headers[a], headers[b]
        if xh.dtype.kind not in _NUMBERS:
            raise DatasetFormatError(path, f"array {a!r}", f"samples must be numbers, got {xh.dtype}")
        if len(xh.shape) not in (2, 3) and not (len(xh.shape) == 4 and xh.shape[3] == 1):
            raise DatasetFormatError(path, f"array {a!r}", f"expected numbers shaped (N, H, W) or (N, D), "
                                     f"got shape {xh.shape}")
        if yh.dtype.kind not in _NUMBERS + _TEXT:
            raise DatasetFormatError(path, f"array {b!r}", f"labels must be integers or strings, got {yh.dtype}")
        n = xh.shape[0]
        if yh.shape not in ((n,), (n, 1)):
            raise DatasetFormatError(path, f"array {b!r}", f"expected {n} labels shaped ({n},) for the {n} "
                                     f"samples in {a!r}, got shape {yh.shape}")
        if (xh.shape[1:], xh.dtype) != (first.shape[1:], first.dtype):
            raise DatasetFormatError(path, f"array {a!r}", f"its samples are {xh.dtype} shaped {xh.shape[1:]} "
                                     f"but those in {parts[0][0]!r} are {first.dtype} shaped {first.shape[1:]}; "
                                     "save both parts alike")
        if (yh.dtype.kind in _TEXT) != (headers[parts[0][1]].dtype.kind in _TEXT):
            raise DatasetFormatError(path, f"array {b!r}", f"its labels are {yh.dtype} but those in "
                                     f"{parts[0][1]!r} are {headers[parts[0][1]].dtype}; use numbers or text "
                                     "in both")
    values = sum(headers[a].size for a, _ in parts)
    if values > MAX_VALUES:
        raise DatasetFormatError(path, f"array {parts[0][0]!r}", f"the samples hold {values:,} values "
                                 f"({format_bytes(values)} even as bytes), more than NN Lab's limit of "
                                 f"{MAX_VALUES:,}")


def _read_samples(archive: NpzArchive, keys: list[str], headers: dict[str, NpyHeader]) -> np.ndarray:
    """The x parts, read straight into one array (no concatenated copy)."""
    if len(keys) == 1:
        return archive.read(keys[0], headers[keys[0]])
    first = headers[keys[0]]
    x = np.empty((sum(headers[k].shape[0] for k in keys), *first.shape[1:]), dtype=first.dtype)
    start = 0
    for key in keys:
        header = headers[key]
        stop = start + header.shape[0]
        if header.fortran_order:
            x[start:stop] = archive.read(key, header)
        else:
            archive.read(key, header, out=x[start:stop])
        start = stop
    return x


def _read_labels(path: Path, archive: NpzArchive, keys: list[str], headers: dict[str, NpyHeader]) -> np.ndarray:
    labels, offset = [], 0
    for key in keys:
        part = archive.read(key, headers[key]).reshape(-1)
        if part.dtype.kind in _TEXT:
            part = text_labels(path, part, lambda i, o=offset: f"sample {o + i}")
        labels.append(part)
        offset += len(part)
    return labels[0] if len(labels) == 1 else np.concatenate(labels)


def _read_classes(path: Path, archive: NpzArchive) -> list[str]:
    header = archive.header("classes")
    if len(header.shape) != 1 or header.dtype.kind not in _TEXT:
        raise DatasetFormatError(path, "array 'classes'", f"expected a 1-D string array, got {header.dtype} "
                                 f"shaped {header.shape}")
    if header.shape[0] > MAX_CLASSES:
        raise DatasetFormatError(path, "array 'classes'", f"it names {header.shape[0]:,} classes; NN Lab "
                                 f"accepts at most {MAX_CLASSES:,}")
    names = text_labels(path, archive.read("classes", header), lambda i: f"array 'classes', entry {i}").tolist()
    seen: dict[str, int] = {}
    for k, name in enumerate(names):
        if name in seen:
            raise DatasetFormatError(path, f"array 'classes', entry {k}", f"class {name!r} is already entry "
                                     f"{seen[name]}")
        seen[name] = k
    return names


def _dataset(path: Path, x: np.ndarray, y: np.ndarray, classes: list[str] | None, x_name: str,
             extra: dict) -> Dataset:
    if x.ndim == 4:
        x = x[..., 0]
    y, names = _labels(path, y, classes)
    n, input_shape = len(x), x.shape[1:]
    side = math.isqrt(x.shape[1]) if x.ndim == 2 else 0
    if x.ndim == 2 and not (x.dtype == np.uint8 and side >= 4 and side * side == x.shape[1]):
        if x.dtype == np.uint8:  # bytes are read as 0..255 levels, as for images
            x = x.astype(np.float32) / np.float32(255.0)
        return feature_dataset(path, x, y, names, extra=extra)
    if x.ndim == 2:
        input_shape = (side, side)  # flattened square 8-bit images
    pixels = _pixels(path, x.reshape(n, math.prod(input_shape)), x_name)
    return image_dataset(path, pixels, y, names, tuple(int(d) for d in input_shape), extra=extra)


def _pixels(path: Path, x: np.ndarray, x_name: str) -> np.ndarray:
    """(N, H*W) numbers → uint8 0..255 when they are 8-bit levels, else float32 in [0, 1].

    Images must be 0..1 (taken as given) or 0..255 (scaled); anything else — such as images
    normalised to −1..1 — is refused rather than fed to a network whose drawn inputs are 0..1.
    """
    if x.dtype == np.uint8 or x.size == 0:
        return x
    check_finite(path, x)
    low, high = x.min(), x.max()
    if low < 0 or high > 255:
        sample, feature = np.argwhere((x < 0) | (x > 255))[0]
        hint = " (for images scaled to −1..1, save (x + 1) / 2)" if low >= -1 and high <= 1 else ""
        raise DatasetFormatError(path, f"array {x_name!r}, sample {sample}, pixel {feature}",
                                 f"image values must lie in 0..1 or 0..255, but this one is "
                                 f"{x[sample, feature]:g}{hint}")
    if high <= 1:
        return x.astype(np.float32)
    if whole_numbers(x):
        return x.astype(np.uint8)
    return (x / 255.0).astype(np.float32)


def _labels(path: Path, y: np.ndarray, classes: list[str] | None) -> tuple[np.ndarray, list[str]]:
    where = lambda i: f"sample {i}"  # noqa: E731
    if y.dtype.kind in _TEXT:
        if classes is None:
            return string_labels(path, y, "array 'y'")
        lookup = {name: k for k, name in enumerate(classes)}
        labels = y.tolist()
        unknown = next((i for i, label in enumerate(labels) if label not in lookup), None)
        if unknown is not None:
            raise DatasetFormatError(path, where(unknown), f"label {labels[unknown]!r} is not in 'classes'")
        return np.array([lookup[label] for label in labels], dtype=np.int64), classes
    y, names = integer_labels(path, y, where)
    if classes is not None:
        if len(y) and int(y.max()) >= len(classes):
            i = int(np.argmax(y))
            raise DatasetFormatError(path, where(i), f"label {y[i]} has no name: 'classes' lists only "
                                     f"{len(classes)}")
        names = classes
    return y, names
