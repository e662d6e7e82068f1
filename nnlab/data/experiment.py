"""An experiment — "this dataset, these settings" — and the network it describes for a dataset.

``nnlab.lab.recipe`` turns one into a ready Trainer, for ``nnlab train`` and the lab's Start
button alike; here are the parts below the lab floor: the settings, opening a dataset by name or
path, building the network, and reading how a saved model was made.
"""
from __future__ import annotations

from dataclasses import InitVar, asdict, dataclass, field, replace
from pathlib import Path

import numpy as np

from nnlab.engine.losses import DEFAULT_OUTPUT_ACTIVATION, check_predicts_numbers, output_units
from nnlab.engine.layers import is_dense_only, parse_layer_word
from nnlab.engine.network import LayerSpec, Network, validate_architecture
from nnlab.engine.trainer import TrainConfig

from .builtin import BUILTIN_DATASETS, load_builtin
from .dataset import Dataset
from .importers import load_dataset_file
from .lessons import LESSON_SOURCE_PREFIX, open_lesson_dataset


@dataclass
class Experiment:
    """Every choice that defines a training run.

    The loss is kept once, in ``train.loss`` (the trainer reads it there); ``loss`` reads and sets it.
    ``Experiment(loss=…, train=config)`` keeps a copy of ``config`` with that loss, so a TrainConfig shared
    by several experiments is never changed; without ``loss`` the config's own loss stands.
    """

    dataset: str = "digits"
    # Widths of dense layers, or layer words ("conv8x5", "maxpool2": nnlab.engine.layers.parse_layer_word)
    hidden: list[int | str] = field(default_factory=lambda: [128, 64])
    activation: str = "relu"
    loss: InitVar[str | None] = None
    output_activation: str | None = None  # None: the loss's natural partner
    init: str = "auto"
    dropout: float = 0.0
    augment: bool = False
    split: tuple[float, float, float] = (0.70, 0.15, 0.15)
    dtype: str = "float32"
    train: TrainConfig = field(default_factory=TrainConfig)

    def __post_init__(self, loss: str | None) -> None:
        self.train = replace(self.train, loss=self.train.loss if loss is None else loss)
        self.train.validate()  # before any data is loaded: a bad setting fails fast

    def train_config(self) -> TrainConfig:
        """A copy of the run's TrainConfig, for a trainer: a change to one never reaches the other."""
        return replace(self.train)

    def describe(self) -> dict:
        """Plain data to store in a weight file's meta, so a model knows how it was made."""
        return {"dataset": self.dataset, "split": list(self.split), "seed": self.train.seed,
                "train": {k: v for k, v in asdict(self.train).items() if k != "loss"},
                "augment": self.augment}


def _get_loss(experiment: Experiment) -> str:
    return experiment.train.loss


def _set_loss(experiment: Experiment, loss: str) -> None:
    experiment.train = replace(experiment.train, loss=loss)


# Set after the class is made: the dataclass takes ``loss`` as an argument of __init__ (an InitVar, whose
# default it has read by now), and the attribute reads and writes the one place the loss is kept.
Experiment.loss = property(_get_loss, _set_loss, doc="The loss the run trains with: ``train.loss``.")


def open_dataset(name_or_path: str, seed: int = 0) -> Dataset:
    """A built-in dataset by name, or a dataset file/folder by path."""
    if name_or_path in BUILTIN_DATASETS:
        return load_builtin(name_or_path, seed=seed)
    if name_or_path.startswith(LESSON_SOURCE_PREFIX):
        return open_lesson_dataset(name_or_path)
    path = Path(name_or_path)
    if not path.exists():
        known = ", ".join(BUILTIN_DATASETS)
        raise ValueError(f"there is no built-in dataset or file called {name_or_path!r} (built-ins: {known})")
    return load_dataset_file(path)


def build_network(experiment: Experiment, dataset: Dataset) -> Network:
    output_activation = experiment.output_activation or DEFAULT_OUTPUT_ACTIVATION[experiment.loss]
    if dataset.is_regression:
        check_predicts_numbers(experiment.loss, output_activation, f"{dataset.name}'s targets")
    layers = [parse_layer_word(item, experiment.activation, experiment.dropout) for item in experiment.hidden]
    layers.append(LayerSpec(output_units(experiment.loss, dataset.n_classes), output_activation))
    if is_dense_only(layers):
        validate_architecture(dataset.n_features, layers, experiment.loss)
        return Network(dataset.n_features, layers, dtype=np.dtype(experiment.dtype), init=experiment.init,
                       seed=experiment.train.seed)
    shape = tuple(dataset.input_shape) if len(dataset.input_shape) > 1 else dataset.n_features
    try:
        validate_architecture(shape, layers, experiment.loss)
    except ValueError as error:
        raise ValueError(f"{dataset.name!r} cannot take these layers: {error}") from None
    return Network(shape, layers, dtype=np.dtype(experiment.dtype), init=experiment.init,
                   seed=experiment.train.seed)


@dataclass(frozen=True)
class Provenance:
    """How a saved model was made, as far as its file says: dataset name, split shares, seed."""

    dataset: str | None = None
    split: tuple[float, float, float] = (0.70, 0.15, 0.15)
    seed: int = 0


def provenance(extra: dict) -> Provenance:
    """Read ``extra["experiment"]`` defensively: weight files are shared, their meta may be anything."""
    made = extra.get("experiment") if isinstance(extra, dict) else None
    if not isinstance(made, dict):
        return Provenance()
    dataset = made.get("dataset") if isinstance(made.get("dataset"), str) else None
    split, seed = made.get("split"), made.get("seed")
    good_split = (isinstance(split, (list, tuple)) and len(split) == 3
                  and all(isinstance(p, (int, float)) and not isinstance(p, bool) and p >= 0 for p in split)
                  and split[0] > 0 and abs(sum(split) - 1) < 1e-6)
    good_seed = isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0
    return Provenance(dataset, tuple(float(p) for p in split) if good_split else Provenance.split,
                      seed if good_seed else 0)
