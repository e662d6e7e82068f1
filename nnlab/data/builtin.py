"""The datasets that ship with NN Lab, by name.

Image sets are read from resources/datasets/*.npz (made by scripts/build_datasets.py; mnist.npz by
scripts/build_mnist.py); the sketches, the 2-D toy sets and the curve are generated from a seed.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from nnlab.data import toy
from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError
from nnlab.data.importers.npy_zip import NpzArchive
from nnlab.data.sketch_faces import make_sketch_faces
from nnlab.resources import resource_path


@dataclass(frozen=True)
class BuiltinInfo:
    name: str
    description: str
    kind: str  # "image", "points" (2-D classes) or "regression" (numbers to predict)
    # Rows of the set's own test part, the test part of every split whatever its test share (MNIST's
    # official 10,000: results compare with published ones); 0 when the split's shares cut all of it.
    own_test_rows: int = 0


BUILTIN_DATASETS: dict[str, BuiltinInfo] = {info.name: info for info in (
    BuiltinInfo("digits", "5,000 handwritten digits 0–9 from MNIST, 28×28 grey", "image"),
    BuiltinInfo("mnist", "All 70,000 MNIST digits, 28×28 grey: trains on the official 60,000, tests on the "
                "official 10,000 — slower: ~14× a digits epoch, and a moment to open", "image", own_test_rows=10_000),
    BuiltinInfo("faces", "200 photo crops 25×25 from Labeled Faces in the Wild: 100 faces, 100 not", "image"),
    BuiltinInfo("sketch-faces", "Drawn smileys versus scribbles and jumbled face parts, 28×28", "image"),
    BuiltinInfo("xor", "2-D points, class 1 where x and y share a sign", "points"),
    BuiltinInfo("circles", "2-D points, a disc inside a ring", "points"),
    BuiltinInfo("spirals", "2-D points on two interleaved spirals", "points"),
    BuiltinInfo("blobs", "2-D points in three Gaussian clusters", "points"),
    BuiltinInfo("curve", "Regression: predict y from x, 200 noisy points on a wave", "regression"),
)}

_TOY: dict[str, Callable[..., Dataset]] = {
    "xor": toy.xor, "circles": toy.circles, "spirals": toy.spirals, "blobs": toy.blobs, "curve": toy.curve,
}

_FILES = {
    "digits": ("digits.npz", [str(d) for d in range(10)], (28, 28), "mnist"),
    "mnist": ("mnist.npz", [str(d) for d in range(10)], (28, 28), "mnist"),
    "faces": ("faces.npz", ["not a face", "face"], (25, 25), "faces"),
}

_TRAIN_TEST = (("x_train", "y_train"), ("x_test", "y_test"))  # MNIST as published

_cache: dict[str, Dataset] = {}


def _read_npz(name: str) -> Dataset:
    """Decode a shipped image file once; later calls reuse its rows (n, H*W), kept as bytes.

    A file with x/y holds one set; one with x_train/y_train/x_test/y_test (mnist.npz, as MNIST is
    published) is read as its training rows then its test rows, the latter marked as its own test part.
    A damaged file (truncated, a member missing, other pixels or labels) is refused in one sentence.
    """
    if name not in _cache:
        filename, classes, shape, preprocess = _FILES[name]
        path = resource_path("datasets", filename)
        if not path.is_file():
            raise FileNotFoundError(f"dataset file {path} is missing; {_rebuild_hint(name)}")
        try:
            parts = _read_shipped_parts(path, len(classes), shape)
        except DatasetFormatError as error:
            where = f"{error.path}, {error.position}" if error.position else error.path
            raise ValueError(f"the built-in dataset {name} is damaged ({where}: {error.problem.rstrip('.')}); "
                             f"{_rebuild_hint(name)}") from None
        x = np.concatenate([images.reshape(len(images), -1) for images, _ in parts])  # uint8 stays uint8
        y = np.concatenate([labels for _, labels in parts]).astype(np.int64)
        fixed_test = np.arange(len(x)) >= len(parts[0][0]) if len(parts) == 2 else None
        ds = Dataset(name, x, y, classes, shape, preprocess, BUILTIN_DATASETS[name].description,
                     fixed_test=fixed_test)
        ds.x.store.setflags(write=False)  # every set load_builtin returns reads these bytes
        ds.y.setflags(write=False)
        _cache[name] = ds
    return _cache[name]


def _rebuild_hint(name: str) -> str:
    script = "build_mnist.py" if name == "mnist" else "build_datasets.py"
    return f"reinstall NN Lab (in a source checkout: run `python scripts/{script}`)"


def _read_shipped_parts(path: Path, n_classes: int, shape: tuple[int, int]) -> list[tuple[np.ndarray, np.ndarray]]:
    """The (images, labels) parts of a shipped file — one, or MNIST's train then test — each checked
    against what the file must hold: 8-bit pixels of ``shape``, one integer label per image below
    ``n_classes``. Any other content raises DatasetFormatError."""
    with NpzArchive(path) as archive:
        layout = _TRAIN_TEST if {"x_train", "x_test"} & set(archive.members) else (("x", "y"),)
        parts = []
        for x_key, y_key in layout:
            for key in (x_key, y_key):
                if key not in archive.members:
                    raise DatasetFormatError(path, f"array {key!r}", "the archive has no such array")
            x_header, y_header = archive.header(x_key), archive.header(y_key)
            n = x_header.shape[0] if x_header.shape else 0
            if x_header.dtype != np.uint8 or x_header.shape not in ((n, *shape), (n, shape[0] * shape[1])):
                raise DatasetFormatError(path, f"array {x_key!r}", f"it holds {x_header.dtype} shaped "
                                         f"{x_header.shape}, not 8-bit {shape[0]}×{shape[1]} images")
            if y_header.dtype.kind not in "iu" or y_header.shape != (n,):
                raise DatasetFormatError(path, f"array {y_key!r}", f"it holds {y_header.dtype} shaped "
                                         f"{y_header.shape}, not {n:,} whole-number labels")
            images, labels = archive.read(x_key, x_header), archive.read(y_key, y_header)
            wrong = np.flatnonzero((labels < 0) | (labels >= n_classes))
            if wrong.size:
                raise DatasetFormatError(path, f"array {y_key!r}, sample {wrong[0]}", f"label {labels[wrong[0]]} "
                                         f"is not one of the {n_classes} classes")
            parts.append((images, labels))
    return parts


def _balanced_subset(y: np.ndarray, n_samples: int, seed: int) -> np.ndarray:
    """Indices of n_samples rows taking classes in turn, so the subset stays balanced."""
    order = np.random.default_rng(seed).permutation(len(y))
    labels = y[order]
    rank = np.empty(len(y), np.int64)
    for label in np.unique(labels):
        members = labels == label
        rank[members] = np.arange(members.sum())
    return order[np.lexsort((np.arange(len(y)), rank))[:n_samples]]


def _load_image_file(name: str, n_samples: int | None, seed: int) -> Dataset:
    full = _read_npz(name)
    if n_samples is None:
        indices = np.arange(len(full))
    elif not 1 <= n_samples <= len(full):
        raise ValueError(f"{name} has {len(full)} samples, so n_samples must be 1 … {len(full)}, got {n_samples}")
    else:
        indices = _balanced_subset(full.y, n_samples, seed)
    return full.subset(indices)


def load_builtin(name: str, *, n_samples: int | None = None, noise: float | None = None,
                 seed: int = 0) -> Dataset:
    """A fresh Dataset the caller may modify freely.

    n_samples: subset size for digits/mnist/faces (balanced, chosen by seed) or how many
    to generate for the others; noise only applies to the 2-D toy sets and the curve.
    """
    if name not in BUILTIN_DATASETS:
        raise ValueError(f"unknown dataset {name!r}; built-in datasets are: {', '.join(BUILTIN_DATASETS)}")
    if noise is not None and name not in _TOY:
        raise ValueError(f"noise only applies to the generated toy sets ({', '.join(_TOY)}), not to {name!r}")
    if n_samples is not None and (isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer))):
        raise ValueError(f"n_samples must be a whole number, got {n_samples!r}")
    if name in _FILES:
        return _load_image_file(name, n_samples, seed)
    options: dict[str, object] = {"seed": seed}
    if n_samples is not None:
        options["n_samples"] = n_samples
    if name == "sketch-faces":
        return make_sketch_faces(**options)
    if noise is not None:
        options["noise"] = noise
    return _TOY[name](**options)
