"""Load a user's own data file or folder into a ``Dataset``.

``load_dataset_file`` accepts MNIST-style IDX files (plain or .gz), .npz archives, CSV tables and
folders with one sub-folder of images per class. Anything malformed raises ``DatasetFormatError``
naming the file, the position (byte, line/column, sample) and the problem, so the UI can show it.
"""
from __future__ import annotations

import csv
import gzip
import io
import math
import re
import zipfile
import zlib
from collections import Counter
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError
from nnlab.data.image_io import read_grey_image
from nnlab.data.transforms import resize_image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801


def load_dataset_file(path: str | Path) -> Dataset:
    """Read a folder, ``.npz``, ``.csv`` or IDX file (``-images-idx3-ubyte[.gz]``) as a Dataset."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_dir():
        return _load_image_folder(path)
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return _load_npz(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return _load_csv(path)
    looks_idx = re.search(r"idx|ubyte", path.name, flags=re.I) is not None
    head = _read_bytes(path)[:4]
    if looks_idx or (len(head) == 4 and head[:3] == b"\0\0\x08"):
        return _load_idx(path)
    raise DatasetFormatError(path, None, "unrecognised data file: expected an IDX (MNIST) file, "
                             ".npz, .csv or a folder of class sub-folders")


# ---------------------------------------------------------------------------------------- checks

def _finish(path: Path, x: np.ndarray, y: np.ndarray, classes: list[str],
            input_shape: tuple[int, ...], preprocess: str, name: str | None = None,
            extra: dict | None = None) -> Dataset:
    """Checks every importer shares (samples, classes, finite values), then build the Dataset."""
    if len(x) == 0:
        raise DatasetFormatError(path, None, "it holds no samples")
    present = np.unique(y)
    if len(present) < 2:
        raise DatasetFormatError(path, f"all {len(y)} samples", f"every sample has class "
                                 f"{classes[int(present[0])]!r}, but a classifier needs at least 2 classes")
    if x.dtype.kind == "f" and not np.isfinite(x).all():
        sample, feature = np.argwhere(~np.isfinite(x))[0]
        raise DatasetFormatError(path, f"sample {sample}, feature {feature}",
                                 f"value {x[sample, feature]} is not a finite number")
    name = name or re.sub(r"\.gz$", "", path.name, flags=re.I).rsplit(".", 1)[0] or path.name
    return Dataset(name, x.reshape(len(x), -1), y, classes, input_shape, preprocess,
                   description=f"Imported from {path}", extra=extra or {})


# An output layer wider than this is refused anyway; checking labels first names the real culprit.
MAX_CLASSES = 10_000


def _integer_labels(path: Path, labels: np.ndarray, where) -> tuple[np.ndarray, list[str]]:
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


def _string_labels(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Text labels → (indices into the sorted class names, sorted class names)."""
    classes, y = np.unique(np.asarray(labels).astype(str), return_inverse=True)
    return y.astype(np.int64), [str(c) for c in classes]


def _image_kind(height: int, width: int) -> str:
    return "mnist" if (height, width) == (28, 28) else "resize"


# ------------------------------------------------------------------------------------------- IDX

def _read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when the name ends in .gz."""
    if not path.name.lower().endswith(".gz"):
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read()
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise DatasetFormatError(path, None, f"it is not a complete gzip file ({error})") from error


def _parse_idx(path: Path, data: bytes, magic: int, kind: str) -> np.ndarray:
    """IDX bytes → uint8 array of the dims in the header, validating magic and length."""
    ndim = magic & 0xFF
    if len(data) < 4:
        raise DatasetFormatError(path, f"byte {len(data)}", "the file ends inside the 4-byte IDX magic number")
    found = int.from_bytes(data[:4], "big")
    if found == IDX_LABELS_MAGIC and magic == IDX_IMAGES_MAGIC:
        raise DatasetFormatError(path, "byte 0", "this is an IDX labels file; open the matching images "
                                 "file (…-images-idx3-ubyte) instead")
    if found != magic:
        raise DatasetFormatError(path, "byte 0", f"magic number 0x{found:08X} is not an IDX {kind} file "
                                 f"(expected 0x{magic:08X})")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DatasetFormatError(path, f"byte {len(data)}", f"the file ends inside the {header}-byte header")
    dims = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    expected = math.prod(dims)
    if len(data) - header < expected:
        raise DatasetFormatError(path, f"byte {len(data)}", f"the file is truncated: {dims} needs "
                                 f"{expected} data bytes after the header but only {len(data) - header} follow")
    if len(data) - header > expected:
        raise DatasetFormatError(path, f"byte {header + expected}",
                                 f"{len(data) - header - expected} unexpected bytes follow the data")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def _labels_path_for(images: Path) -> Path:
    """``train-images-idx3-ubyte.gz`` → the existing ``train-labels-idx1-ubyte[.gz]`` beside it."""
    base = re.sub(r"\.gz$", "", images.name, flags=re.I)
    guess = re.sub("idx3", "idx1", re.sub("images", "labels", base, flags=re.I), flags=re.I)
    candidates = [images.with_name(guess + ext) for ext in ("", ".gz")]
    if guess == base:
        raise DatasetFormatError(images, None, "cannot guess the labels file name: IDX image files "
                                 "must be named like 'train-images-idx3-ubyte' to find 'train-labels-idx1-ubyte'")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise DatasetFormatError(images, None, f"the labels file {candidates[0].name}[.gz] is missing beside it")


def _load_idx(path: Path) -> Dataset:
    images = _parse_idx(path, _read_bytes(path), IDX_IMAGES_MAGIC, "images")
    labels_path = _labels_path_for(path)
    labels = _parse_idx(labels_path, _read_bytes(labels_path), IDX_LABELS_MAGIC, "labels")
    if len(labels) != len(images):
        raise DatasetFormatError(labels_path, "bytes 4-7", f"it counts {len(labels)} labels but "
                                 f"{path.name} holds {len(images)} images")
    y, classes = _integer_labels(labels_path, labels, lambda i: f"label {i}")
    height, width = images.shape[1:]
    x = images.reshape(len(images), height * width).astype(np.float32) / np.float32(255.0)
    return _finish(path, x, y, classes, (height, width), _image_kind(height, width))


# ------------------------------------------------------------------------------------------- NPZ

def _load_npz(path: Path) -> Dataset:
    try:
        archive = np.load(path, allow_pickle=False)
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as error:
        raise DatasetFormatError(path, None, f"cannot open it as a .npz archive ({error})") from error
    with archive:
        names = set(archive.files)
        if "x" not in names and {"x_train", "y_train"} <= names:  # Keras layout: train then test
            parts = [("x_train", "y_train")]
            if {"x_test", "y_test"} <= names:
                parts.append(("x_test", "y_test"))
            xs = [_npz_array(path, archive, a) for a, _ in parts]
            ys = [_npz_array(path, archive, b) for _, b in parts]
            for (a, b), xa, ya in zip(parts, xs, ys):
                if len(xa) != len(ya):
                    raise DatasetFormatError(path, f"array {b!r}",
                                             f"it has {len(ya)} labels for {len(xa)} samples in {a!r}")
            extra = {"n_train": len(xs[0])}
            x, y = np.concatenate(xs), np.concatenate(ys)
        else:
            for required in ("x", "y"):
                if required not in names:
                    raise DatasetFormatError(path, f"array {required!r}", "the archive has no such array "
                                             f"(found: {', '.join(sorted(names)) or 'nothing'})")
            x, y, extra = _npz_array(path, archive, "x"), _npz_array(path, archive, "y"), {}
        classes = _npz_array(path, archive, "classes") if "classes" in names else None
    return _npz_dataset(path, x, y, classes, extra)


def _npz_array(path: Path, archive, key: str) -> np.ndarray:
    try:
        return archive[key]
    except ValueError as error:
        if "allow_pickle" in str(error):  # object arrays need pickle, which we never allow
            raise DatasetFormatError(path, f"array {key!r}", "it holds Python objects, which NN Lab will not "
                                     "unpickle for safety; save it as a numeric or string array") from error
        raise DatasetFormatError(path, f"array {key!r}", f"it cannot be read ({error})") from error
    except (OSError, zipfile.BadZipFile, EOFError, zlib.error) as error:
        raise DatasetFormatError(path, f"array {key!r}", f"it cannot be read ({error})") from error


def _npz_dataset(path: Path, x: np.ndarray, y: np.ndarray, classes, extra: dict) -> Dataset:
    if x.ndim == 4 and x.shape[3] == 1:
        x = x[..., 0]
    if x.ndim not in (2, 3) or x.dtype.kind not in "biuf":
        raise DatasetFormatError(path, "array 'x'", f"expected numbers shaped (N, H, W) or (N, D), "
                                 f"got {x.dtype} shaped {x.shape}")
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != len(x):
        raise DatasetFormatError(path, "array 'y'",
                                 f"expected {len(x)} labels shaped ({len(x)},), got shape {y.shape}")
    side = math.isqrt(x.shape[1]) if x.ndim == 2 else 0
    if x.ndim == 3:
        input_shape = x.shape[1:]
    elif x.dtype == np.uint8 and side >= 4 and side * side == x.shape[1]:
        input_shape = (side, side)  # flattened square 8-bit images
    else:
        input_shape = (x.shape[1],)
    is_image = len(input_shape) == 2
    flat = x.reshape(len(x), -1)
    flat = flat.astype(np.float32)
    if x.dtype == np.uint8:
        flat /= np.float32(255.0)
    elif is_image and len(flat) and flat.max() > 1.0:  # a NaN max compares False: _finish reports it
        if flat.min() < 0 or flat.max() > 255:
            raise DatasetFormatError(path, "array 'x'", "image values must lie in 0..1 or 0..255")
        flat /= np.float32(255.0)
    y, names = _npz_labels(path, y, classes)
    preprocess = _image_kind(*input_shape) if is_image else "none"
    return _finish(path, flat, y, names, tuple(int(n) for n in input_shape), preprocess, extra=extra)


def _npz_labels(path: Path, y: np.ndarray, classes) -> tuple[np.ndarray, list[str]]:
    where = lambda i: f"sample {i}"  # noqa: E731
    if classes is not None and (classes.ndim != 1 or classes.dtype.kind not in "US"):
        raise DatasetFormatError(path, "array 'classes'", f"expected a 1-D string array, got {classes.dtype} "
                                 f"shaped {classes.shape}")
    given = [str(c) for c in classes.astype(str)] if classes is not None else None
    if y.dtype.kind in "US":
        if given is None:
            return _string_labels(y)
        lookup = {name: k for k, name in enumerate(given)}
        unknown = [i for i, label in enumerate(y.astype(str)) if label not in lookup]
        if unknown:
            raise DatasetFormatError(path, where(unknown[0]), f"label {str(y[unknown[0]])!r} is not in 'classes'")
        return np.array([lookup[label] for label in y.astype(str)], dtype=np.int64), given
    if y.dtype.kind not in "biuf":
        raise DatasetFormatError(path, "array 'y'", f"labels must be integers or strings, got {y.dtype}")
    y, names = _integer_labels(path, y, where)
    if given is not None:
        if len(y) and int(y.max()) >= len(given):
            i = int(np.argmax(y))
            raise DatasetFormatError(path, where(i),
                                     f"label {y[i]} has no name: 'classes' lists only {len(given)}")
        names = given
    return y, names


# ------------------------------------------------------------------------------------------- CSV

def _load_csv(path: Path) -> Dataset:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetFormatError(path, f"byte {error.start}", "the file is not UTF-8 text") from error
    lines = text.splitlines()
    numbered = [(k + 1, line) for k, line in enumerate(lines) if line.strip()]
    if not numbered:
        raise DatasetFormatError(path, None, "it holds no samples")
    first = numbered[0][1]
    delimiter = next((d for d in (",", ";", "\t") if d in first), None)
    if _is_header(first, numbered[1][1] if len(numbered) > 1 else None, delimiter):
        numbered = numbered[1:]
        if not numbered:
            raise DatasetFormatError(path, None, "it holds a header row but no samples")
    labels, x = _parse_csv_rows(path, numbered, delimiter)
    if all(_is_number(label) for label in labels):
        y, classes = _integer_labels(path, labels.astype(np.float64), lambda i: f"line {numbered[i][0]}, column 1")
    else:
        y, classes = _string_labels(labels)
    if len(x) and not np.isfinite(x).all():
        row, col = np.argwhere(~np.isfinite(x))[0]
        raise DatasetFormatError(path, f"line {numbered[row][0]}, column {col + 2}",
                                 f"value {x[row, col]} is not a finite number")
    side = math.isqrt(x.shape[1])
    if side >= 4 and side * side == x.shape[1] and len(x) and x.min() >= 0 and x.max() <= 255 \
            and np.array_equal(x, np.round(x)):
        return _finish(path, (x / 255.0).astype(np.float32), y, classes, (side, side), _image_kind(side, side))
    return _finish(path, x.astype(np.float32), y, classes, (x.shape[1],), "none")


def _cells(line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def _is_header(first: str, second: str | None, delimiter: str | None) -> bool:
    """A header has a non-numeric feature name, or a text label above a numeric one."""
    cells = _cells(first, delimiter)
    if not all(_is_number(c) for c in cells[1:]):
        return True
    return bool(cells) and not _is_number(cells[0]) and second is not None \
        and _is_number(_cells(second, delimiter)[0])


def _parse_csv_rows(path: Path, numbered: list[tuple[int, str]], delimiter: str | None):
    """(line number, text) rows → (labels as strings (N,), features float64 (N, D)).

    Tries NumPy's fast C parser first; on any failure walks the rows in Python to report the
    exact line and column of the first problem.
    """
    body = "\n".join(line for _, line in numbered)
    try:
        table = np.loadtxt(io.StringIO(body), delimiter=delimiter, comments=None, ndmin=2, dtype=np.float64)
        if table.shape[1] >= 2:
            return table[:, 0].astype(str), table[:, 1:]
    except ValueError:
        pass
    n_columns = None
    labels, rows = [], []
    for line_no, line in numbered:
        cells = _cells(line, delimiter)
        if n_columns is None:
            n_columns = len(cells)
            if n_columns < 2:
                raise DatasetFormatError(path, f"line {line_no}", "a row needs a label and at least one feature")
        if len(cells) != n_columns:
            raise DatasetFormatError(path, f"line {line_no}", f"the row has {len(cells)} columns but the first "
                                     f"row has {n_columns}")
        if not cells[0]:
            raise DatasetFormatError(path, f"line {line_no}, column 1", "the label is empty")
        try:
            rows.append(np.array(cells[1:], dtype=np.float64))
        except ValueError:
            col = next(k for k, c in enumerate(cells[1:]) if not _is_number(c))
            raise DatasetFormatError(path, f"line {line_no}, column {col + 2}",
                                     f"{cells[col + 1]!r} is not a number") from None
        labels.append(cells[0])
    return np.array(labels, dtype=str), np.stack(rows)


# ---------------------------------------------------------------------------------------- folder

def _load_image_folder(path: Path) -> Dataset:
    class_dirs = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise DatasetFormatError(path, None, "the folder has no class sub-folders (expected one sub-folder "
                                 "of images per class)")
    files, labels = [], []
    for k, folder in enumerate(class_dirs):
        images = sorted(p for p in folder.iterdir()
                        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
        if not images:
            raise DatasetFormatError(folder, None, f"class folder {folder.name!r} holds no "
                                     f"{'/'.join(s[1:] for s in IMAGE_SUFFIXES)} images")
        files += images
        labels += [k] * len(images)
    if len(class_dirs) < 2:
        raise DatasetFormatError(path, None, f"it has only the class folder {class_dirs[0].name!r}, "
                                 "but a classifier needs at least 2 classes")
    pictures = [read_grey_image(f) for f in files]
    height, width = Counter(p.shape for p in pictures).most_common(1)[0][0]
    x = np.empty((len(pictures), height * width), dtype=np.float32)
    for i, picture in enumerate(pictures):
        if picture.shape != (height, width):
            picture = np.clip(resize_image(picture, (height, width)), 0.0, 1.0)
        x[i] = picture.reshape(-1)
    return _finish(path, x, np.array(labels), [d.name for d in class_dirs], (height, width), "resize",
                   name=path.name)
