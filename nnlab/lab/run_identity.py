"""What a run was made of, as plain data a session file keeps: the dataset it learned from, the
network it trained, and its settings (an ``Experiment``).

A run is only worth keeping if it can be told apart and carried on: the dataset's identity says
whether the set opened now is the one it learned (a file by the sha256 of its bytes, a built-in
or a lesson by name and seed), the network spec rebuilds its network from any snapshot, and the
settings rebuild its ``Experiment`` for ``nnlab train --resume``.
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields
from functools import cached_property
from pathlib import Path

import numpy as np

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment
from nnlab.data.lessons import LESSON_SOURCE_PREFIX
from nnlab.data.weights_file import SavedModel
from nnlab.data.weights_meta import layers_meta
from nnlab.engine import LayerSpec, Network, TrainConfig
from nnlab.engine.layers import is_dense_only, layer_word, normalized_hidden
from nnlab.engine.network import validate_architecture

DATASET_KINDS = ("builtin", "lesson", "file")
NO_FILE = "0" * 64  # the sha256 of a dataset handed in as an object, from no file
_HASH_CHUNK = 1 << 20
_hashes: dict[tuple, str] = {}  # (path, size, mtime) -> sha256: Start on an unchanged file hashes it once


@dataclass(frozen=True)
class DatasetIdentity:
    """Which dataset a run learned from.

    kind: "builtin" | "lesson" | "file"; name: the built-in's name, the lesson source
    ("lesson:dog-cat") or the file's path; seed: what a generated set (xor, circles …) was drawn
    with; sha256: of the file's bytes (of a folder's file names and bytes), "" for the others.
    """

    kind: str
    name: str
    n_samples: int
    n_features: int
    seed: int = 0
    sha256: str = ""

    def __post_init__(self) -> None:
        if self.kind not in DATASET_KINDS:
            raise ValueError(f"a dataset's kind is one of {', '.join(DATASET_KINDS)}, not {self.kind!r}")
        for name in ("n_samples", "n_features", "seed"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"a dataset's {name} must be a whole number of 0 or more, not {value!r}")
        if not isinstance(self.name, str) or not self.name:
            raise ValueError("a dataset's identity needs its name")
        if self.kind == "file" and (not isinstance(self.sha256, str) or len(self.sha256) != 64
                                    or any(c not in "0123456789abcdef" for c in self.sha256)):
            raise ValueError(f"a dataset file's sha256 must be 64 hexadecimal digits, not {self.sha256!r}")

    @classmethod
    def of(cls, source: str, dataset: Dataset, seed: int = 0) -> "DatasetIdentity":
        """The identity of ``dataset``, opened from ``source`` (a built-in's name, a lesson source or a path)."""
        n_samples, n_features = len(dataset), dataset.n_features
        if source in BUILTIN_DATASETS:
            return cls("builtin", source, n_samples, n_features, seed)
        if source.startswith(LESSON_SOURCE_PREFIX):
            return cls("lesson", source, n_samples, n_features, seed)
        path = Path(source)
        if not path.exists():  # a Dataset a program handed in: nothing on disk to hash
            return cls("file", source, n_samples, n_features, seed, NO_FILE)
        return cls("file", source, n_samples, n_features, seed, file_sha256(path))

    @property
    def words(self) -> str:
        """"digits", "xor (seed 3)", "lesson dog-cat", "my-data.csv"."""
        if self.kind == "file":
            return Path(self.name).name
        if self.kind == "lesson":
            return "lesson " + self.name[len(LESSON_SOURCE_PREFIX):]
        return self.name if not self.seed else f"{self.name} (seed {self.seed})"

    def misfit(self, dataset: Dataset, source: str) -> str:
        """Why ``dataset`` (opened from ``source``) is not this one, in one sentence; "" when it is."""
        if self.kind == "file" and self.sha256 != NO_FILE and Path(source).exists() \
                and file_sha256(Path(source)) != self.sha256:
            return (f"the dataset file {source} has changed since the run learned from it (its bytes differ): "
                    "open the file the run used")
        if (len(dataset), dataset.n_features) != (self.n_samples, self.n_features):
            return (f"{self.words} holds {len(dataset):,} samples of {dataset.n_features} features, but the run "
                    f"learned from {self.n_samples:,} of {self.n_features}")
        return ""




def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes, or of a folder's relative file names and bytes, sorted by name."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    stamp = tuple((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in files)
    if stamp in _hashes:
        return _hashes[stamp]
    digest = hashlib.sha256()
    for item in files:
        if path.is_dir():
            digest.update(item.relative_to(path).as_posix().encode("utf-8", "surrogateescape") + b"\0")
        with open(item, "rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
    _hashes[stamp] = digest.hexdigest()
    return _hashes[stamp]


@dataclass(frozen=True, eq=False)
class RunNetwork:
    """A run's network without its weights: what a snapshot's flat parameters mean, and what a
    weight file exported from any of its epochs says (loss, class names, input shape, preprocessing)."""

    input_shape: tuple[int, ...]
    layers: tuple[LayerSpec, ...]
    loss: str
    classes: tuple[str, ...]
    preprocess: str = "none"
    dtype: str = "float32"

    def __post_init__(self) -> None:
        validate_architecture(self._input, list(self.layers), self.loss)

    @property
    def _input(self):
        """What Network takes: the number of features, or a CNN's image shape."""
        return math.prod(self.input_shape) if is_dense_only(self.layers) else tuple(self.input_shape)

    @classmethod
    def of(cls, network: Network, loss: str, dataset: Dataset) -> "RunNetwork":
        return cls(tuple(int(n) for n in dataset.input_shape), tuple(network.layers), loss,
                   tuple(dataset.classes), dataset.preprocess, network.dtype.name)

    def __eq__(self, other) -> bool:
        return isinstance(other, RunNetwork) and self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    @property
    def _key(self) -> tuple:
        return self.input_shape, self.layers, self.loss, self.classes, self.preprocess, self.dtype

    @property
    def input_size(self) -> int:
        return math.prod(self.input_shape)

    @property
    def n_params(self) -> int:
        if not is_dense_only(self.layers):
            return self._template.n_parameters
        sizes = [self.input_size, *(spec.units for spec in self.layers)]
        return sum((fan_in + 1) * fan_out for fan_in, fan_out in zip(sizes[:-1], sizes[1:]))

    @cached_property
    def _template(self) -> Network:
        return Network(self._input, list(self.layers), dtype=np.dtype(self.dtype))

    def build(self, params: np.ndarray) -> Network:
        """A new network with these flat parameters (a copy: the snapshot stays as it was)."""
        params = np.asarray(params)
        if params.shape != (self.n_params,) or params.dtype != np.dtype(self.dtype):
            raise ValueError(f"the parameters are {params.size} {params.dtype} numbers; this run's network takes "
                             f"{self.n_params} {self.dtype} numbers")
        network = self._template.copy()
        network.params[...] = params
        return network

    def fits(self, network: Network, loss: str) -> bool:
        """Is ``network`` this run's architecture (its weights aside)?"""
        return (network.input_shape, tuple(network.layers), network.dtype.name, loss) == \
            (self._template.input_shape, self.layers, self.dtype, self.loss)

    def saved_model(self, params: np.ndarray, extra: dict | None = None) -> SavedModel:
        """A weight file's contents for these parameters."""
        return SavedModel(self.build(params), self.loss, list(self.classes), tuple(self.input_shape),
                          self.preprocess, dict(extra or {}))

    def meta(self) -> dict:
        """As a weight file's meta says it (without format, version and stamps)."""
        return {"input_shape": list(self.input_shape), "layers": layers_meta(self.layers)[1],
                "loss": self.loss, "classes": list(self.classes), "preprocess": self.preprocess, "dtype": self.dtype}

    def differences(self, other: "RunNetwork") -> str:
        """What an edit changed, in words: "hidden layer 2: 64 → 32 units", "layer 1 frozen"."""
        if self == other:
            return ""
        if (self.input_shape, self.classes, self.dtype) != (other.input_shape, other.classes, other.dtype):
            return "another network"
        if len(self.layers) != len(other.layers):
            return f"{len(self.layers) - 1} → {len(other.layers) - 1} hidden layers"
        words = []
        for index, (old, new) in enumerate(zip(self.layers, other.layers)):
            where = "output layer" if index == len(self.layers) - 1 else f"hidden layer {index + 1}"
            if old.kind != "dense" or new.kind != "dense":
                if layer_word(old) != layer_word(new):
                    words.append(f"{where}: {layer_word(old)} → {layer_word(new)}")
            elif old.units != new.units:
                words.append(f"{where}: {old.units} → {new.units} units")
            if old.activation != new.activation:
                words.append(f"{where}: {old.activation} → {new.activation}")
            if old.dropout != new.dropout:
                words.append(f"{where}: dropout {old.dropout:g} → {new.dropout:g}")
            if old.frozen != new.frozen:
                words.append(f"{where} {'frozen' if new.frozen else 'unfrozen'}")
        if self.loss != other.loss:
            words.append(f"loss {self.loss} → {other.loss}")
        return "; ".join(words)


# -- an Experiment as plain data ------------------------------------------------------------------
_TRAIN_KEYS = tuple(item.name for item in fields(TrainConfig) if item.name not in ("loss", "blas_threads"))
_EXPERIMENT_KEYS = ("dataset", "hidden", "activation", "loss", "output_activation", "init", "dropout", "augment",
                    "split", "dtype")


def experiment_settings(experiment: Experiment) -> dict:
    """Every choice of an Experiment as JSON-ready data (not the BLAS threads: the machine's, not the run's)."""
    plain = {key: getattr(experiment, key) for key in _EXPERIMENT_KEYS}
    plain["hidden"] = list(normalized_hidden(experiment.hidden))
    plain["split"] = [float(share) for share in experiment.split]
    plain["train"] = {key: getattr(experiment.train, key) for key in _TRAIN_KEYS}
    return plain


def experiment_from_settings(settings) -> Experiment:
    """The Experiment :func:`experiment_settings` described; ValueError names a missing or malformed key."""
    if not isinstance(settings, dict) or not isinstance(settings.get("train"), dict):
        raise ValueError("a run's settings must be an object with a 'train' object")
    unknown = [key for key in settings if key not in (*_EXPERIMENT_KEYS, "train")] + \
        [f"train.{key}" for key in settings["train"] if key not in _TRAIN_KEYS]
    missing = [key for key in _EXPERIMENT_KEYS if key not in settings] + \
        [f"train.{key}" for key in _TRAIN_KEYS if key not in settings["train"]]
    if unknown or missing:
        raise ValueError(f"a run's settings have {'an unknown' if unknown else 'no'} {(unknown or missing)[0]!r}")
    kinds = {"dataset": str, "hidden": list, "activation": str, "loss": str, "output_activation": (str, type(None)),
             "init": str, "dropout": (int, float), "augment": bool, "split": list, "dtype": str,
             "optimizer": str, "learning_rate": (int, float), "momentum": (int, float), "batch_size": int,
             "epochs": int, "seed": int, "l1": (int, float), "l2": (int, float),
             "early_stopping_patience": (int, type(None))}
    values = {**{key: settings[key] for key in _EXPERIMENT_KEYS}, **settings["train"]}
    for key, value in values.items():
        if not isinstance(value, kinds[key]) or (isinstance(value, bool) and kinds[key] is not bool):
            raise ValueError(f"a run's setting {key!r} is {value!r}, not a {_kind_words(kinds[key])}")
    if not all(type(units) in (int, str) for units in values["hidden"]) or len(values["split"]) != 3 \
            or not all(type(share) in (int, float) for share in values["split"]):
        raise ValueError("a run's hidden layers must be whole numbers or layer words and its split three numbers")
    normalized_hidden(values["hidden"])  # a word that is no layer: its own sentence
    train = TrainConfig(**{key: settings["train"][key] for key in _TRAIN_KEYS})
    plain = {key: settings[key] for key in _EXPERIMENT_KEYS}
    plain["split"] = tuple(float(share) for share in plain["split"])
    plain["hidden"] = list(plain["hidden"])
    return Experiment(**plain, train=train)


def _kind_words(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({str: "text", list: "list", bool: "true/false", int: "whole number", float: "number",
                        type(None): "null"}[k] for k in kinds)


__all__ = ["DATASET_KINDS", "NO_FILE", "DatasetIdentity", "RunNetwork", "experiment_from_settings", "experiment_settings",
           "file_sha256"]
