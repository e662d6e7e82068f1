"""MNIST's IDX files (plain or .gz): an images file and the labels file beside it.

An IDX file is a 4-byte magic number (0, 0, type 0x08 = unsigned bytes, number of dimensions),
one big-endian 4-byte size per dimension, then the bytes. The header is read first and every
size checked against the file — and against NN Lab's limit — before the data is inflated, so
a damaged or hostile header never allocates what it claims.
"""
from __future__ import annotations

import contextlib
import gzip
import math
import re
import zlib
from pathlib import Path
from typing import BinaryIO, Iterator

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError

from .common import image_dataset, integer_labels, read_into
from .limits import MAX_DEFLATE_RATIO, MAX_VALUES, format_bytes

IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801
_GZIP_ERRORS = (OSError, EOFError, zlib.error)  # gzip.BadGzipFile is an OSError


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def read_head(path: Path, n_bytes: int) -> bytes:
    """The first ``n_bytes`` of the file's data (inflated for .gz): enough to recognise its format."""
    with _open_data(path) as stream:
        return _read_or_fail(path, stream, n_bytes)


def load_idx(path: Path) -> Dataset:
    images = read_idx(path, IDX_IMAGES_MAGIC, "images")
    labels_path = labels_path_for(path)
    labels = read_idx(labels_path, IDX_LABELS_MAGIC, "labels")
    if len(labels) != len(images):
        raise DatasetFormatError(labels_path, "bytes 4-7", f"it counts {len(labels)} labels but "
                                 f"{path.name} holds {len(images)} images")
    y, classes = integer_labels(labels_path, labels, lambda i: f"label {i}")
    height, width = images.shape[1:]
    if height == 0 or width == 0:
        raise DatasetFormatError(path, "bytes 8-15", f"its images are {height}×{width} pixels, so they hold "
                                 "no pixels to learn from")
    return image_dataset(path, images.reshape(len(images), height * width), y, classes, (height, width))


def labels_path_for(images: Path) -> Path:
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


def read_idx(path: Path, magic: int, kind: str) -> np.ndarray:
    """IDX file → uint8 array of the dims in its header, validating magic, sizes and length."""
    ndim = magic & 0xFF
    with _open_data(path) as stream:
        head = _read_or_fail(path, stream, 4)
        if len(head) < 4:
            raise DatasetFormatError(path, f"byte {len(head)}", "the file ends inside the 4-byte IDX magic number")
        found = int.from_bytes(head, "big")
        if found == IDX_LABELS_MAGIC and magic == IDX_IMAGES_MAGIC:
            raise DatasetFormatError(path, "byte 0", "this is an IDX labels file; open the matching images "
                                     "file (…-images-idx3-ubyte) instead")
        if found != magic:
            raise DatasetFormatError(path, "byte 0", f"magic number 0x{found:08X} is not an IDX {kind} file "
                                     f"(expected 0x{magic:08X})")
        header = 4 + 4 * ndim
        sizes = _read_or_fail(path, stream, 4 * ndim)
        if len(sizes) < 4 * ndim:
            raise DatasetFormatError(path, f"byte {4 + len(sizes)}", f"the file ends inside the {header}-byte header")
        dims = tuple(int.from_bytes(sizes[4 * i: 4 * i + 4], "big") for i in range(ndim))
        expected = math.prod(dims)
        _check_declared_size(path, dims, expected, kind, header)
        data = np.empty(expected, dtype=np.uint8)
        got = _read_into(path, stream, data)
        if got < expected:
            raise DatasetFormatError(path, f"byte {header + got}", f"the file is truncated: {dims} needs "
                                     f"{expected} data bytes after the header but only {got} follow")
        extra = _read_or_fail(path, stream, 1)
        if extra:
            raise DatasetFormatError(path, f"byte {header + expected}", "unexpected bytes follow the data")
    return data.reshape(dims)


def _check_declared_size(path: Path, dims: tuple[int, ...], expected: int, kind: str, header: int) -> None:
    """Refuse, from the header alone, data beyond NN Lab's limit or beyond what the file can hold."""
    if expected > MAX_VALUES:
        raise DatasetFormatError(path, f"bytes 4-{header - 1}", f"its header declares {dims} = {expected:,} "
                                 f"bytes of {kind}, which would decompress to {format_bytes(expected)}, more than "
                                 f"NN Lab's limit of {format_bytes(MAX_VALUES)}")
    stored = path.stat().st_size
    if is_gzip(path):
        if expected > MAX_DEFLATE_RATIO * stored:
            raise DatasetFormatError(path, f"bytes 4-{header - 1}", f"its header declares {dims} = {expected:,} "
                                     f"bytes of {kind}, more than its {stored:,} compressed bytes can hold; "
                                     "the file is damaged")
    elif stored - header < expected:
        raise DatasetFormatError(path, f"byte {stored}", f"the file is truncated: {dims} needs {expected} data "
                                 f"bytes after the header but only {stored - header} follow")
    elif stored - header > expected:
        raise DatasetFormatError(path, f"byte {header + expected}",
                                 f"{stored - header - expected} unexpected bytes follow the data")


@contextlib.contextmanager
def _open_data(path: Path) -> Iterator[BinaryIO]:
    try:
        opened = gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")
    except OSError as error:
        raise DatasetFormatError(path, None, f"the file cannot be read ({error.strerror or error})") from error
    with opened as stream:
        yield stream


def _read_or_fail(path: Path, stream: BinaryIO, n_bytes: int) -> bytes:
    try:
        return stream.read(n_bytes)
    except _GZIP_ERRORS as error:
        raise _damaged(path, error) from error


def _read_into(path: Path, stream: BinaryIO, out: np.ndarray) -> int:
    """``read_into``, a gzip stream's damage said as the dataset error."""
    try:
        return read_into(stream, out)
    except _GZIP_ERRORS as error:
        raise _damaged(path, error) from error


def _damaged(path: Path, error: Exception) -> DatasetFormatError:
    if is_gzip(path):
        return DatasetFormatError(path, None, f"it is not a complete gzip file ({error})")
    return DatasetFormatError(path, None, f"the file cannot be read ({error})")
