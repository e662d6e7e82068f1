"""What every importer shares: labels → class indices, the final checks, and making the Dataset."""
from __future__ import annotations

import math
import re
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError
from nnlab.data.printable import control_character

from .limits import MAX_CLASSES

Where = Callable[[int], str]  # label index → its position in the file, e.g. "line 4, column 1"
Where2 = Callable[[int, int], str]  # (sample, feature) → its position, e.g. "sample 3, feature 7"
READ_CHUNK = 1 << 22  # inflate 4 MiB at a time straight into the array


def image_dataset(path: Path, pixels: np.ndarray, y: np.ndarray, classes: list[str],
                  input_shape: tuple[int, int], name: str | None = None, extra: dict | None = None) -> Dataset:
    """The one place an image set becomes a Dataset.

    pixels: (n_samples, height * width), uint8 (0 = black, 255 = white) when the source is 8-bit,
    else float32 already in [0, 1]. 8-bit pixels stay bytes: the Dataset reads them as value/255 a
    batch at a time (nnlab/engine/scaled_bytes.py), one byte a pixel in memory.
    """
    preprocess = "mnist" if tuple(input_shape) == (28, 28) else "resize"
    return finish(path, pixels, y, classes, tuple(input_shape), preprocess, name, extra)


def feature_dataset(path: Path, x: np.ndarray, y: np.ndarray, classes: list[str],
                    where: Where2 | None = None, extra: dict | None = None) -> Dataset:
    """Feature vectors (n_samples, n_features) of any finite numbers that fit float32."""
    where = where or sample_feature
    check_finite(path, x, where)
    with np.errstate(over="ignore"):  # overflow is reported below, with its position
        features = x.astype(np.float32)
    overflow = first_non_finite(features)
    if overflow is not None:
        sample, feature = overflow
        raise DatasetFormatError(path, where(sample, feature), f"value {x[sample, feature]:g} is too large for "
                                 f"NN Lab's 32-bit numbers (at most ±{np.finfo(np.float32).max:.3g})")
    return finish(path, features, y, classes, (x.shape[1],), "none", extra=extra)


def read_into(stream: BinaryIO, out: np.ndarray) -> int:
    """Fill ``out`` (uint8) from ``stream`` (a gzip file, a zip entry) a chunk at a time, with no second
    copy of the data; the number of bytes read — fewer than ``out`` holds when the stream ends early."""
    view, done = memoryview(out), 0
    while done < len(out):
        got = stream.readinto(view[done: done + READ_CHUNK])
        if not got:
            break
        done += got
    return done


def check_finite(path: Path, x: np.ndarray, where: Where2 | None = None) -> None:
    """Refuse NaN or infinity in (n_samples, n_features) ``x``, naming the first one's position."""
    found = first_non_finite(x)
    if found is not None:
        sample, feature = found
        raise DatasetFormatError(path, (where or sample_feature)(sample, feature),
                                 f"value {x[sample, feature]} is not a finite number")


def first_non_finite(x: np.ndarray) -> tuple[int, int] | None:
    """(sample, feature) of the first NaN or infinity in 2-D ``x``, checked a few MB at a time
    (a mask of all of x would cost a byte a value)."""
    if x.dtype.kind != "f":
        return None
    rows = max(1, (1 << 22) // max(1, x.shape[1]))
    for start in range(0, len(x), rows):
        bad = ~np.isfinite(x[start: start + rows])
        if bad.any():
            sample, feature = np.argwhere(bad)[0]
            return start + int(sample), int(feature)
    return None


def whole_numbers(x: np.ndarray) -> bool:
    """True when every value of 2-D ``x`` is a whole number, checked a few MB at a time (rounding all
    of a float64 table at once costs 8 bytes a value more)."""
    if x.dtype.kind != "f":
        return True
    rows = max(1, (1 << 22) // max(1, x.shape[1]))
    return all(np.array_equal(block, np.round(block)) for block in (x[i: i + rows] for i in range(0, len(x), rows)))


def sample_feature(sample: int, feature: int) -> str:
    return f"sample {sample}, feature {feature}"


def finish(path: Path, x: np.ndarray, y: np.ndarray, classes: list[str], input_shape: tuple[int, ...],
           preprocess: str, name: str | None = None, extra: dict | None = None) -> Dataset:
    """Checks every importer shares (samples, features, classes, finite values), then build the Dataset.

    x: (n_samples, n_features) float32, or uint8 for an 8-bit image set (it stays bytes).
    """
    if len(x) == 0:
        raise DatasetFormatError(path, None, "it holds no samples")
    if math.prod(input_shape) == 0:
        shape = "×".join(map(str, input_shape))
        raise DatasetFormatError(path, None, f"its samples hold no values (each is {shape}), "
                                 "so there is nothing to learn from")
    for k, class_name in enumerate(classes):
        if (problem := control_character(class_name)) is not None:
            raise DatasetFormatError(path, f"class {k}", f"its name {class_name!r} {problem}, which would steer "
                                     "the terminal it is printed in; rename the class")
    present = np.unique(y)
    if len(present) < 2:
        raise DatasetFormatError(path, f"all {len(y)} samples", f"every sample has class "
                                 f"{classes[int(present[0])]!r}, but a classifier needs at least 2 classes")
    check_finite(path, x)
    name = name or re.sub(r"\.gz$", "", path.name, flags=re.I).rsplit(".", 1)[0] or path.name
    return Dataset(name, x, y, classes, input_shape, preprocess, description=f"Imported from {path}",
                   extra=extra or {})


def integer_labels(path: Path, labels: np.ndarray, where: Where) -> tuple[np.ndarray, list[str]]:
    """Whole numbers ≥ 0 → (y, ["0".."K-1"]); ``where(i)`` names the position of label i."""
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":
        bad = np.flatnonzero(~np.isfinite(labels) | (labels != np.round(labels)))
        if len(bad):
            raise DatasetFormatError(path, where(bad[0]), f"label {labels[bad[0]]:g} is not a whole number")
    negative = np.flatnonzero(labels < 0)
    if len(negative):
        raise DatasetFormatError(path, where(negative[0]), f"label {labels[negative[0]]:g} is negative")
    too_big = np.flatnonzero(labels > MAX_CLASSES - 1)
    if len(too_big):
        raise DatasetFormatError(path, where(too_big[0]), f"label {int(labels[too_big[0]])} is above the largest "
                                 f"class number NN Lab accepts ({MAX_CLASSES - 1})")
    y = labels.astype(np.int64)
    n_classes = int(y.max()) + 1 if len(y) else 0
    return y, [str(k) for k in range(n_classes)]


def text_labels(path: Path, labels: np.ndarray, where: Where) -> np.ndarray:
    """Text labels (str or UTF-8 bytes) → a str array, refusing bytes that are not UTF-8 and text that
    cannot be written back out (lone surrogates): class names end up in weight files and terminals."""
    if labels.dtype.kind == "S":
        decoded = []
        for i, raw in enumerate(labels.tolist()):
            try:
                decoded.append(raw.decode("utf-8"))
            except UnicodeDecodeError as error:
                raise DatasetFormatError(path, where(i), f"label bytes {raw[:20]!r} are not UTF-8 text "
                                         f"(byte {error.start} is 0x{raw[error.start]:02X})") from None
        labels = np.array(decoded, dtype=str) if decoded else np.zeros(0, dtype="U1")
    texts = labels.astype(str)
    for i, text in enumerate(texts.tolist()):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise DatasetFormatError(path, where(i), f"label {text[:20]!r} is not valid text "
                                     "(it holds a lone surrogate code point)") from None
    return texts


def string_labels(path: Path, labels: np.ndarray, position: str) -> tuple[np.ndarray, list[str]]:
    """Text labels → (indices into the sorted class names, sorted class names)."""
    classes, y = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    if len(classes) > MAX_CLASSES:
        raise DatasetFormatError(path, position, f"it has {len(classes):,} different labels; NN Lab accepts "
                                 f"at most {MAX_CLASSES:,} classes")
    return y.astype(np.int64).reshape(-1), [str(c) for c in classes]
