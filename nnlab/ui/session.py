"""The lab's model: the dataset, its split, the network and the file they belong to.

Views never live here: they connect to the signals and read this state. While a run
is in progress the worker thread writes ``network`` in place, so views use the
snapshots the worker sends, and only code holding the controller paused reads it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from nnlab.data.dataset import Dataset
from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.experiment import Experiment, build_network, open_dataset, provenance
from nnlab.data.splits import Splits, split_dataset
from nnlab.data.augment import AugmentConfig, make_augmenter
from nnlab.data.user_samples import with_user_samples
from nnlab.data.weights_file import SavedModel, load_model, save_model
from nnlab.engine import Network, Trainer
from nnlab.engine.losses import check_pair, check_predicts_numbers, is_regression, output_units
from nnlab.engine.optimizers import Optimizer

from .canvas.user_data import default_store


@dataclass(frozen=True)
class PreparedDataset:
    """A dataset opened and split, not yet the session's: a question may still come between."""

    source: str
    dataset: Dataset
    splits: Splits
    split_key: tuple


@dataclass(frozen=True)
class OpenedModel:
    """A weight file read and checked against the datasets, not yet the session's."""

    path: Path
    model: SavedModel
    dataset: PreparedDataset | None  # the built-in the file names, when it is not the open one


@dataclass(frozen=True, eq=False)
class _KeptWeights:
    """What a weight file keeps of a network, to tell bit for bit whether anything is unsaved."""

    loss: str
    input_size: int
    layers: tuple
    params: np.ndarray  # a copy

    @classmethod
    def of(cls, network: Network, loss: str) -> "_KeptWeights":
        return cls(loss, network.input_size, tuple(network.layers), network.params.copy())

    def same_as(self, network: Network, loss: str) -> bool:
        """−0.0 is not 0.0 here, and a NaN equals the same NaN: the bits decide."""
        params = network.params
        return (self.loss, self.input_size, self.layers) == (loss, network.input_size, tuple(network.layers)) \
            and self.params.dtype == params.dtype and self.params.shape == params.shape \
            and np.array_equal(self.params.view(np.uint8), params.view(np.uint8))


class LabSession(QObject):
    dataset_changed = Signal(object)  # Dataset
    network_changed = Signal(object)  # Network: a new architecture or new weights
    dirty_changed = Signal(bool)
    path_changed = Signal(object)  # Path | None

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.dataset: Dataset | None = None
        self.dataset_source: str | None = None
        self.splits: Splits | None = None
        self._split_key: tuple | None = None
        # Once a network has learned from a split, drawing a new one would leak training samples
        # into validation and test: the split stays until the weights are new again.
        self._split_locked = False
        self.network: Network | None = None
        self.loss = "cross_entropy"
        self.experiment: Experiment | None = None
        self.epochs_trained = 0
        # The last run's optimizer: Start after Stop carries on with Adam's moments (or the momentum)
        # as it carries on with the weights; a new, edited, reset or opened network drops it.
        self._last_optimizer: Optimizer | None = None
        self.path: Path | None = None
        self.dirty = False
        # The network as last saved, opened or freshly built: the weights are unsaved only when they differ.
        self._clean: _KeptWeights | None = None
        self.user_samples = default_store()  # the learner's own samples, added to each training run
        self.user_samples_used = 0

    # -- dataset ----------------------------------------------------------------------------------
    def load_dataset(self, source: str | Dataset, split=(0.70, 0.15, 0.15), seed: int = 0) -> Dataset:
        """Open and split a dataset; raises ValueError/OSError and changes nothing on failure."""
        return self.use_dataset(self.prepare_dataset(source, split, seed))

    @staticmethod
    def prepare_dataset(source: str | Dataset, split=(0.70, 0.15, 0.15), seed: int = 0) -> PreparedDataset:
        """Open and split a dataset without touching the session (raises ValueError/OSError)."""
        dataset = source if isinstance(source, Dataset) else open_dataset(source, seed)
        splits = split_dataset(dataset, split, seed=seed)
        return PreparedDataset(source if isinstance(source, str) else dataset.name, dataset, splits,
                               (tuple(split), seed))

    def use_dataset(self, prepared: PreparedDataset) -> Dataset:
        """Make a prepared dataset the session's; the network stays (the caller replaces it if it must)."""
        self.dataset, self.splits, self._split_key = prepared.dataset, prepared.splits, prepared.split_key
        self._split_locked = False
        self.dataset_source = prepared.source
        self.dataset_changed.emit(prepared.dataset)
        return prepared.dataset

    def keep_network(self) -> None:
        """The open network stays, weights and all, with the new dataset it fits; views show it again.

        Its run was on the old dataset: the epoch count starts again, so the curves, the best epoch
        and the metrics do too (another set's validation losses are not this run's), and the
        optimizer's moments, measured on the old data, go.
        """
        if self.network is not None:
            self.epochs_trained, self._last_optimizer = 0, None
            self.network_changed.emit(self.network)

    def network_fits(self, dataset: Dataset) -> bool:
        """Can the open network learn ``dataset`` as it is: one input per feature, its outputs for its
        classes, or for its numbers when it predicts numbers (a one-unit sigmoid classifier has the curve's shape)?"""
        network = self.network
        if network is None or network.input_size != dataset.n_features \
                or is_regression(self.loss, network.layers[-1].activation) != dataset.is_regression:
            return False
        try:
            return output_units(self.loss, dataset.n_classes) == network.n_outputs
        except ValueError:
            return False

    def resplit(self, split, seed: int) -> None:
        """Split again only when the shares or the seed changed (a big set takes a while)."""
        if self.dataset is not None and (tuple(split), seed) != self._split_key:
            self.splits = split_dataset(self.dataset, split, seed=seed)
            self._split_key = (tuple(split), seed)

    # -- network ----------------------------------------------------------------------------------
    def matches(self, experiment: Experiment) -> bool:
        """Does the current network have the widths and loss ``experiment`` asks for?

        Only what the training panel can express is compared: the editor's per-layer
        activations, dropout, frozen flags and output activation belong to the network
        (the editor is the source of truth for them) and are kept.
        """
        if self.network is None or self.dataset is None or self.loss != experiment.loss:
            return False
        wanted = [self.dataset.n_features, *map(int, experiment.hidden),
                  output_units(experiment.loss, self.dataset.n_classes)]
        return wanted == self.network.sizes

    def set_network(self, network: Network, loss: str, epochs_trained: int | None = None) -> None:
        """An edited network (the editor's): trained epochs (unless given) and the locked split carry on."""
        check_pair(loss, network.layers[-1].activation, network.n_outputs)
        if self.dataset is not None and self.dataset.is_regression:
            check_predicts_numbers(loss, network.layers[-1].activation, f"{self.dataset.name}'s targets")
        self.network, self.loss, self._last_optimizer = network, loss, None
        if epochs_trained is not None:
            self.epochs_trained = epochs_trained
        self.network_changed.emit(network)
        self.note_weights_changed()

    def adopt_network(self, network: Network, loss: str) -> None:
        """A network made elsewhere (a lesson's): untrained here, from no file, nothing to save yet."""
        self.epochs_trained, self.experiment = 0, None
        self.set_network(network, loss)
        self._set_path(None)
        self.set_dirty(False)

    def new_network(self, experiment: Experiment) -> Network:
        """A freshly initialised network for the current dataset (raises ValueError if impossible)."""
        if self.dataset is None:
            raise ValueError("choose a dataset first")
        network = build_network(experiment, self.dataset)
        self.network, self.loss, self.experiment, self.epochs_trained = network, experiment.loss, experiment, 0
        self._last_optimizer = None
        self._split_locked = False
        self.network_changed.emit(network)
        self.note_weights_changed()
        return network

    def reset_weights(self, seed: int) -> None:
        if self.network is not None:
            self.network.initialize("auto" if self.experiment is None else self.experiment.init, seed)
            self.epochs_trained = 0
            self._last_optimizer = None
            self._split_locked = False
            self.network_changed.emit(self.network)
            self.note_weights_changed()

    def make_trainer(self, experiment: Experiment) -> Trainer:
        """A trainer for the current network and split; keeps the weights when the shape still fits."""
        if self.dataset is None:
            raise ValueError("choose a dataset first")
        if self.dataset.extra.get("worked_example"):
            raise ValueError("this lesson is a worked example on its own sample, and training would change the "
                             "numbers its text explains: step through it on the Backprop tab (Apply this step "
                             "takes one step), or choose a dataset to train on")
        if not self.matches(experiment):
            self.new_network(experiment)
        if not self._split_locked:
            self.resplit(experiment.split, experiment.train.seed)
            self._split_locked = True
        self.experiment = experiment
        augment = None
        if experiment.augment and len(self.dataset.input_shape) == 2:
            augment = make_augmenter(self.dataset.input_shape, AugmentConfig())
        train, validation = self.splits.train, self.splits.validation
        if self.dataset.is_regression:  # the learner's own samples are drawings or points of a class
            x, y, self.user_samples_used = train.x, train.answers, 0
        else:
            x, y, self.user_samples_used = with_user_samples(self.user_samples, self.dataset, train.x, train.y)
        trainer = Trainer(self.network, x, y, experiment.train_config(), validation.x, validation.answers,
                          n_classes=self.dataset.n_classes, augment=augment,
                          optimizer=self._optimizer_to_carry_on(experiment))
        trainer.epoch = trainer.completed_epochs = self.epochs_trained
        self._last_optimizer = trainer.optimizer
        return trainer

    def _optimizer_to_carry_on(self, experiment: Experiment) -> Optimizer | None:
        optimizer, config = self._last_optimizer, experiment.train
        if optimizer is not None and optimizer.same_kind(config.optimizer, config.momentum) \
                and optimizer.state_is_finite():
            return optimizer
        return None

    # -- files ------------------------------------------------------------------------------------
    def open_model(self, path: str | Path) -> SavedModel:
        """Load a weight file; on any error raise it and leave everything as it was."""
        return self.use_model(self.read_model(path))

    def read_model(self, path: str | Path) -> OpenedModel:
        """Read a weight file and the dataset it needs without touching the session (raises ValueError/OSError).

        A built-in dataset named in the file is opened with the file's split; a file path is
        never opened on a weight file's say-so (it may be anything) — the current dataset is
        kept when it fits.
        """
        model = load_model(path)
        made = provenance(model.extra)
        prepared, dataset = None, self.dataset
        if made.dataset in BUILTIN_DATASETS and made.dataset != self.dataset_source:
            dataset = open_dataset(made.dataset, made.seed)
            prepared = PreparedDataset(made.dataset, dataset, split_dataset(dataset, made.split, seed=made.seed),
                                       (made.split, made.seed))
        classifier = not is_regression(model.loss, model.network.layers[-1].activation)
        if dataset is None or dataset.n_features != model.network.input_size \
                or dataset.n_classes != len(model.classes) or (dataset.is_regression and classifier):
            raise ValueError(f"{Path(path).name} takes {model.network.input_size} inputs and "
                             f"{len(model.classes)} classes; no open dataset fits it — open a matching "
                             "dataset first")
        return OpenedModel(Path(path), model, prepared)

    def use_model(self, opened: OpenedModel) -> SavedModel:
        """Make a read weight file the session's network (and its built-in dataset the session's)."""
        model, prepared = opened.model, opened.dataset
        if prepared is not None:
            self.dataset, self.splits, self.dataset_source = prepared.dataset, prepared.splits, prepared.source
            self._split_key = prepared.split_key
            self.dataset_changed.emit(prepared.dataset)
        self.network, self.loss, self.epochs_trained, self._last_optimizer = model.network, model.loss, 0, None
        self.experiment = None  # the last run's settings are not this file's (save records the split in use)
        self._split_locked = True
        self.network_changed.emit(model.network)
        self._set_path(opened.path)
        self.set_dirty(False)
        return model

    def save(self, path: str | Path) -> None:
        if self.network is None or self.dataset is None:
            raise ValueError("there is no network to save yet")
        extra = {"experiment": self.experiment.describe()} if self.experiment else {}
        if self.dataset_source is not None and self._split_key is not None:
            # What this network was split and trained on — also for an opened file saved again — so
            # `nnlab evaluate` finds the built-in and the held-out part without being told.
            made = extra.setdefault("experiment", {})
            made["dataset"], made["split"], made["seed"] = self.dataset_source, list(self._split_key[0]), \
                self._split_key[1]
        model = SavedModel(self.network, self.loss, list(self.dataset.classes), tuple(self.dataset.input_shape),
                           self.dataset.preprocess, extra=extra)
        save_model(path, model)
        self._set_path(Path(path))
        self.set_dirty(False)

    def set_dirty(self, dirty: bool) -> None:
        """True: the weights changed where they cannot be compared (a run is writing them).
        False: the weights as they are now have nothing to lose (just saved, opened or built)."""
        if not dirty:
            self._clean = None if self.network is None else _KeptWeights.of(self.network, self.loss)
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirty_changed.emit(dirty)

    def note_weights_changed(self) -> None:
        """Unsaved only if the network differs from the one last saved, opened or built, bit for bit:
        an edit or a step undone again leaves nothing to lose. Call only while no run writes the weights."""
        same = self._clean is not None and self.network is not None and self._clean.same_as(self.network, self.loss)
        if self.dirty == same:
            self.dirty = not same
            self.dirty_changed.emit(self.dirty)

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.path_changed.emit(path)
