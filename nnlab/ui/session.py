"""The lab's model: the dataset, its split, the network and the file they belong to.

Views never live here: they connect to the signals and read this state. While a run
is in progress the worker thread writes ``network`` in place, so views use the
snapshots the worker sends, and only code holding the controller paused reads it.
"""
from __future__ import annotations

from pathlib import Path

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
        self.user_samples = default_store()  # the learner's own samples, added to each training run
        self.user_samples_used = 0

    # -- dataset ----------------------------------------------------------------------------------
    def load_dataset(self, source: str | Dataset, split=(0.70, 0.15, 0.15), seed: int = 0) -> Dataset:
        """Open and split a dataset; raises ValueError/OSError and changes nothing on failure."""
        dataset = source if isinstance(source, Dataset) else open_dataset(source, seed)
        splits = split_dataset(dataset, split, seed=seed)
        self.dataset, self.splits, self._split_key = dataset, splits, (tuple(split), seed)
        self._split_locked = False
        self.dataset_source = source if isinstance(source, str) else dataset.name
        self.dataset_changed.emit(dataset)
        return dataset

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
        self.set_dirty(True)

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
        self.set_dirty(True)
        return network

    def reset_weights(self, seed: int) -> None:
        if self.network is not None:
            self.network.initialize("auto" if self.experiment is None else self.experiment.init, seed)
            self.epochs_trained = 0
            self._last_optimizer = None
            self._split_locked = False
            self.network_changed.emit(self.network)
            self.set_dirty(True)

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
        trainer = Trainer(self.network, x, y, experiment.train, validation.x, validation.answers,
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
        """Load a weight file; on any error raise it and leave everything as it was.

        A built-in dataset named in the file is opened with the file's split; a file path is
        never opened on a weight file's say-so (it may be anything) — the current dataset is
        kept when it fits.
        """
        model = load_model(path)
        made = provenance(model.extra)
        dataset, splits, source = self.dataset, self.splits, self.dataset_source
        if made.dataset in BUILTIN_DATASETS and made.dataset != self.dataset_source:
            dataset, source = open_dataset(made.dataset, made.seed), made.dataset
            splits = split_dataset(dataset, made.split, seed=made.seed)
        classifier = not is_regression(model.loss, model.network.layers[-1].activation)
        if dataset is None or dataset.n_features != model.network.input_size \
                or dataset.n_classes != len(model.classes) or (dataset.is_regression and classifier):
            raise ValueError(f"{Path(path).name} takes {model.network.input_size} inputs and "
                             f"{len(model.classes)} classes; no open dataset fits it — open a matching "
                             "dataset first")
        if dataset is not self.dataset:
            self.dataset, self.splits, self.dataset_source = dataset, splits, source
            self._split_key = (made.split, made.seed)
            self.dataset_changed.emit(dataset)
        self.network, self.loss, self.epochs_trained, self._last_optimizer = model.network, model.loss, 0, None
        self.experiment = None  # the last run's settings are not this file's (save records the split in use)
        self._split_locked = True
        self.network_changed.emit(model.network)
        self._set_path(Path(path))
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
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirty_changed.emit(dirty)

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.path_changed.emit(path)
