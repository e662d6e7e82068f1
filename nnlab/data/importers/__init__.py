"""Load a user's own data file or folder into a ``Dataset``.

``load_dataset_file`` accepts MNIST-style IDX files (plain or .gz), .npz archives, CSV tables and
folders with one sub-folder of images per class — one module each. Anything malformed, or larger
than NN Lab's limits (``limits``), raises ``DatasetFormatError`` naming the file, the position
(byte, line/column, array, sample) and the problem, so the CLI and the window show one sentence.
"""
from __future__ import annotations

import re
from pathlib import Path

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError
from nnlab.data.printable import control_character

from .common import image_dataset
from .csv_table import load_csv
from .folder import IMAGE_SUFFIXES, load_image_folder
from .idx import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, load_idx, read_head
from .limits import MAX_CLASSES
from .npz import load_npz

__all__ = ["IDX_IMAGES_MAGIC", "IDX_LABELS_MAGIC", "IMAGE_SUFFIXES", "MAX_CLASSES", "image_dataset",
           "load_dataset_file"]


def load_dataset_file(path: str | Path) -> Dataset:
    """Read a folder, ``.npz``, ``.csv`` or IDX file (``-images-idx3-ubyte[.gz]``) as a Dataset."""
    path = Path(path)
    if (problem := control_character(str(path))) is not None:  # a session would keep the path, and print it
        raise DatasetFormatError(ascii(str(path))[1:-1], None, f"its path {problem}, which would steer the "
                                 "terminal it is printed in; rename it")
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file or folder")
    if path.is_dir():
        return load_image_folder(path)
    if not path.is_file():  # a FIFO or device would block or never end
        raise DatasetFormatError(path, None, "this is not a regular file")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        return load_npz(path)
    if suffix in (".csv", ".tsv", ".txt"):
        return load_csv(path)
    looks_idx = re.search(r"idx|ubyte", path.name, flags=re.I) is not None
    if looks_idx or read_head(path, 4)[:3] == b"\0\0\x08":  # sniff 4 bytes, never the whole file
        return load_idx(path)
    raise DatasetFormatError(path, None, "unrecognised data file: expected an IDX (MNIST) file, "
                             ".npz, .csv or a folder of class sub-folders")
