"""What the user opens — a dataset, a weight file — read and checked before anything becomes the session's.

Reading comes first and taking second: a file that fails changes nothing, and a question
("Save the weights first?") may still come between. ``nnlab evaluate`` reads with the same rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import open_dataset, provenance
from nnlab.data.splits import Splits, split_dataset
from nnlab.data.weights_file import SavedModel, load_model
from nnlab.engine.losses import is_regression

DEFAULT_SPLIT = (0.70, 0.15, 0.15)


@dataclass(frozen=True)
class PreparedDataset:
    """A dataset opened and split, not yet the session's: a question may still come between."""

    source: str
    dataset: Dataset
    splits: Splits
    split_key: tuple  # (split shares, seed): what the split was drawn with


@dataclass(frozen=True)
class OpenedModel:
    """A weight file read and checked against the datasets, not yet the session's."""

    path: Path
    model: SavedModel
    dataset: PreparedDataset | None  # the built-in the file names, when it is not the open one


def prepare_dataset(source: str | Dataset, split=DEFAULT_SPLIT, seed: int = 0) -> PreparedDataset:
    """Open (a built-in by name, a file by path, or take a Dataset) and split; raises ValueError/OSError."""
    dataset = source if isinstance(source, Dataset) else open_dataset(source, seed)
    splits = split_dataset(dataset, split, seed=seed)
    return PreparedDataset(source if isinstance(source, str) else dataset.name, dataset, splits,
                           (tuple(split), seed))


def read_model(path: str | Path, current: Dataset | None = None, current_source: str | None = None) -> OpenedModel:
    """Read a weight file and the dataset it needs (raises ValueError/OSError).

    A built-in dataset named in the file is opened with the file's seed and split; a file path is
    never opened on a weight file's say-so (it may be anything) — ``current``, the open dataset, is kept
    when it fits.
    """
    model = load_model(path)
    made = provenance(model.extra)
    prepared, dataset = None, current
    if made.dataset in BUILTIN_DATASETS and made.dataset != current_source:
        prepared = prepare_dataset(made.dataset, made.split, made.seed)
        dataset = prepared.dataset
    name = Path(path).name
    if dataset is None:
        raise ValueError(f"{name} takes {model.network.input_size} inputs and {len(model.classes)} classes, and "
                         "no dataset is open: open a matching dataset first")
    problem = model_misfit(model, dataset)
    if problem:
        raise ValueError(f"{name}: {problem}; open a matching dataset first")
    return OpenedModel(Path(path), model, prepared)


def model_misfit(model: SavedModel, dataset: Dataset) -> str:
    """Why ``model`` cannot be used on ``dataset``, in one sentence; "" when it fits."""
    network = model.network
    if network.input_size != dataset.n_features:
        return (f"the model takes {network.input_size} inputs but {dataset.name!r} has {dataset.n_features} "
                "features per sample")
    if not network.is_dense and tuple(network.input_shape[-2:]) != tuple(dataset.input_shape[-2:]):
        return (f"the model's convolutions read {'×'.join(map(str, network.input_shape[-2:]))} images but "
                f"{dataset.name!r} holds {'×'.join(map(str, dataset.input_shape))} samples")
    regression = is_regression(model.loss, network.layers[-1].activation)
    if dataset.is_regression and not regression:
        return (f"{dataset.name!r} holds numbers to predict but the model is a classifier (only a linear output "
                "with mse predicts numbers)")
    outputs, wanted = len(model.classes), dataset.n_classes
    if outputs == wanted:
        return ""
    if regression:
        return (f"the model predicts {outputs} number{'s' * (outputs != 1)} but {dataset.name!r} has {wanted} "
                f"{'outputs' if dataset.is_regression else 'classes'} to predict")
    return f"the model knows {outputs} classes but {dataset.name!r} has {wanted}"
