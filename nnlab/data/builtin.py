"""The datasets that ship with NN Lab, by name.

Image sets are read from resources/datasets/*.npz (made by scripts/build_datasets.py; mnist.npz by
scripts/build_mnist.py); the sketches, the 2-D toy sets and the curve are generated from a seed.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from nnlab.data import toy
from nnlab.data.dataset import Dataset
from nnlab.data.sketch_faces import make_sketch_faces
from nnlab.resources import resource_path


@dataclass(frozen=True)
class BuiltinInfo:
    name: str
    description: str
    kind: str  # "image", "points" (2-D classes) or "regression" (numbers to predict)


BUILTIN_DATASETS: dict[str, BuiltinInfo] = {info.name: info for info in (
    BuiltinInfo("digits", "5,000 handwritten digits 0–9 from MNIST, 28×28 grey", "image"),
    BuiltinInfo("mnist", "All 70,000 MNIST digits, 28×28 grey: trains on the official 60,000, tests on the "
                "official 10,000 — slower: ~14× a digits epoch, and a moment to open", "image"),
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

_cache: dict[str, Dataset] = {}


def _read_npz(name: str) -> Dataset:
    """Decode a shipped image file once; later calls reuse its rows (n, H*W), kept as bytes.

    A file with x/y holds one set; one with x_train/y_train/x_test/y_test (mnist.npz, as MNIST is
    published) is read as its training rows then its test rows, the latter marked as its own test part.
    """
    if name not in _cache:
        filename, classes, shape, preprocess = _FILES[name]
        path = resource_path("datasets", filename)
        if not path.is_file():
            raise FileNotFoundError(f"dataset file {path} is missing; run `python scripts/build_datasets.py`"
                                    + (" or `python scripts/build_mnist.py`" if name == "mnist" else ""))
        fixed_test = None
        with np.load(path) as data:
            if "x_test" in data.files:
                parts = [(data[f"x_{part}"], data[f"y_{part}"]) for part in ("train", "test")]
                x = np.concatenate([images.reshape(len(images), -1) for images, _ in parts])  # uint8 stays uint8
                y = np.concatenate([labels for _, labels in parts]).astype(np.int64)
                fixed_test = np.arange(len(x)) >= len(parts[0][0])
            else:
                x = data["x"]
                x = x.reshape(len(x), -1)
                y = data["y"].astype(np.int64)
        if x.dtype != np.uint8:
            raise ValueError(f"dataset file {path} holds {x.dtype} pixels, not 8-bit ones; "
                             "run `python scripts/build_datasets.py`")
        ds = Dataset(name, x, y, classes, shape, preprocess, BUILTIN_DATASETS[name].description,
                     fixed_test=fixed_test)
        ds.x.store.setflags(write=False)  # every set load_builtin returns reads these bytes
        ds.y.setflags(write=False)
        _cache[name] = ds
    return _cache[name]


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
