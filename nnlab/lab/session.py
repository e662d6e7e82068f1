"""The lab's model: the dataset, its split, the network and the file they belong to.

Views never live here: they connect to the signals and read this state. It is a plain object
with psygnal signals (no Qt), so its rules — the split lock, the trainer state carried on, what
counts as unsaved — are tested without a window, and ``nnlab train`` runs on one too. A slot
runs at once on the emitting thread; only the GUI thread calls the session.
While a run is in progress the worker thread writes ``network`` in place, so views use the
snapshots the worker sends, and only code holding the controller paused reads it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment, build_network
from nnlab.data.splits import Splits, split_dataset
from nnlab.data.user_samples import UserSampleStore
from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine import Network, Trainer
from nnlab.engine.layers import hidden_layout, normalized_hidden
from nnlab.engine.losses import check_pair, check_predicts_numbers, is_regression, output_units
from nnlab.engine.trainer_state import TrainerState

from . import reading
from .events import Signal
from .reading import DEFAULT_SPLIT, OpenedModel, PreparedDataset
from .recipe import make_run
from .recording import RunRecorder
from .runs import RunTree
from .session_runs import SessionRuns

__all__ = ["LabSession", "OpenedModel", "PreparedDataset"]


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


class LabSession(SessionRuns):
    dataset_changed = Signal(object)  # Dataset
    network_changed = Signal(object)  # Network: a new architecture or new weights
    dirty_changed = Signal(bool)
    path_changed = Signal(object)  # Path | None

    def __init__(self, user_samples: UserSampleStore | None = None) -> None:
        """``user_samples``: the learner's own samples, added to each classifier's training run (the
        window passes the store in the user's data folder; None adds none)."""
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
        # The last run's trainer: Start after Stop carries on from its state (RNG, optimizer, best epoch,
        # the place in a stopped epoch) as it carries on with the weights, exactly as if never stopped.
        # A new, edited, reset or opened network drops it. Its state is taken at the next Start, when
        # its worker has ended: a run that pauses or stops anywhere leaves it between two batches.
        self._last_trainer: Trainer | None = None
        self.path: Path | None = None
        self.dirty = False
        # The network as last saved, opened or freshly built: the weights are unsaved only when they differ.
        self._clean: _KeptWeights | None = None
        self.user_samples = user_samples
        self.user_samples_used = 0  # how many the last run added
        self.dataset_seed = 0  # what a generated dataset (xor, circles …) was drawn with
        # The runs (nnlab/lab/runs.py): Start records into the current one; the recorder knows when a new one begins.
        self.runs = RunTree()
        self.recorder = RunRecorder(self.runs)
        self.session_path: Path | None = None  # the .nnlab file last saved or opened

    # -- dataset ----------------------------------------------------------------------------------
    def load_dataset(self, source: str | Dataset, split=DEFAULT_SPLIT, seed: int = 0) -> Dataset:
        """Open and split a dataset; raises ValueError/OSError and changes nothing on failure."""
        return self.use_dataset(self.prepare_dataset(source, split, seed))

    @staticmethod
    def prepare_dataset(source: str | Dataset, split=DEFAULT_SPLIT, seed: int = 0) -> PreparedDataset:
        """Open and split a dataset without touching the session (raises ValueError/OSError)."""
        return reading.prepare_dataset(source, split, seed)

    def use_dataset(self, prepared: PreparedDataset) -> Dataset:
        """Make a prepared dataset the session's; the network stays (the caller replaces it if it must)."""
        self.dataset, self.splits, self._split_key = prepared.dataset, prepared.splits, prepared.split_key
        self._split_locked = False
        self.dataset_source, self.dataset_seed = prepared.source, prepared.split_key[1]
        self.recorder.note("new", f"dataset {prepared.source}")
        self.dataset_changed.emit(prepared.dataset)
        return prepared.dataset

    def keep_network(self) -> None:
        """The open network stays, weights and all, with the new dataset it fits; views show it again.

        Its run was on the old dataset: the epoch count starts again, so the curves, the best epoch
        and the metrics do too (another set's validation losses are not this run's), and the
        optimizer's moments, measured on the old data, go.
        """
        if self.network is not None:
            self.epochs_trained, self._last_trainer = 0, None
            self.network_changed.emit(self.network)

    def network_fits(self, dataset: Dataset) -> bool:
        """Can the open network learn ``dataset`` as it is (:meth:`network_misfit` finds nothing in the way)?"""
        return self.network is not None and not self.network_misfit(dataset)

    def network_misfit(self, dataset: Dataset) -> str:
        """Why the open network cannot learn ``dataset`` as it is, in a few words (the dataset first: the status
        line is ~110 characters at 1280 px); "" when it can: one input per
        feature — for a convolutional network, images of the height and width its convolutions read — and its
        outputs for the dataset's classes, or for its numbers when it predicts numbers (a one-unit sigmoid
        classifier has the curve's shape but cannot learn numbers)."""
        network = self.network
        if network is None:
            return "there is no open network"
        shape, name = tuple(dataset.input_shape), dataset.name
        if not network.is_dense and (len(shape) < 2 or shape[-2:] != tuple(network.input_shape[-2:])):
            holds = f"{'×'.join(map(str, shape))} images" if len(shape) >= 2 else f"{dataset.n_features:,} features"
            return f"{name} holds {holds}; the open network reads {'×'.join(map(str, network.input_shape[-2:]))} images"
        if network.input_size != dataset.n_features:
            return f"{name} has {dataset.n_features:,} features; the open network takes {network.input_size:,} inputs"
        predicts_numbers = is_regression(self.loss, network.layers[-1].activation)
        if predicts_numbers != dataset.is_regression:
            return f"{name} holds numbers to predict; the open network is a classifier" if dataset.is_regression \
                else f"{name} holds classes; the open network predicts numbers"
        try:
            wanted = output_units(self.loss, dataset.n_classes)
        except ValueError as error:
            return str(error)
        if wanted != network.n_outputs:
            what = "numbers to predict" if dataset.is_regression else "classes"
            return f"{name} has {dataset.n_classes} {what}; the open network has {network.n_outputs} outputs"
        return ""

    def _split_for(self, split, seed: int) -> tuple[Splits, tuple]:
        """The split these shares and seed draw: the current one unless they changed (a big set takes a while)."""
        key = (tuple(split), seed)
        if key == self._split_key:
            return self.splits, key
        return split_dataset(self.dataset, split, seed=seed), key

    # -- network ----------------------------------------------------------------------------------
    def matches(self, experiment: Experiment) -> bool:
        """Does the current network have the widths and loss ``experiment`` asks for?

        Only what the training panel can express is compared: the editor's per-layer
        activations, dropout, frozen flags and output activation belong to the network
        (the editor is the source of truth for them) and are kept.
        """
        if self.network is None or self.dataset is None or self.loss != experiment.loss:
            return False
        if not self.network.is_dense or not all(isinstance(units, int) for units in experiment.hidden):
            try:
                wanted_layout = normalized_hidden(experiment.hidden)
            except ValueError:
                return False
            return (wanted_layout == hidden_layout(self.network.layers)
                    and self.network.input_size == self.dataset.n_features
                    and output_units(experiment.loss, self.dataset.n_classes) == self.network.n_outputs)
        wanted = [self.dataset.n_features, *map(int, experiment.hidden),
                  output_units(experiment.loss, self.dataset.n_classes)]
        return wanted == self.network.sizes

    def set_network(self, network: Network, loss: str, epochs_trained: int | None = None) -> None:
        """An edited network (the editor's): trained epochs (unless given) and the locked split carry on."""
        check_pair(loss, network.layers[-1].activation, network.n_outputs)
        if self.dataset is not None and self.dataset.is_regression:
            check_predicts_numbers(loss, network.layers[-1].activation, f"{self.dataset.name}'s targets")
        self.network, self.loss, self._last_trainer = network, loss, None
        if epochs_trained is not None:
            self.epochs_trained = epochs_trained
        self._note_edit(network, loss, fresh=epochs_trained == 0)
        self.network_changed.emit(network)
        self.note_weights_changed()

    def adopt_network(self, network: Network, loss: str) -> None:
        """A network made elsewhere (a lesson's): untrained here, from no file, nothing to save yet."""
        self.epochs_trained, self.experiment = 0, None
        self.set_network(network, loss)
        self.recorder.note("new", "a lesson's network")
        self.set_path(None)
        self.set_dirty(False)

    def new_network(self, experiment: Experiment) -> Network:
        """A freshly initialised network for the current dataset (raises ValueError if impossible)."""
        if self.dataset is None:
            raise ValueError("choose a dataset first")
        network = build_network(experiment, self.dataset)
        self._take_new_network(network, experiment)
        return network

    def _take_new_network(self, network: Network, experiment: Experiment) -> None:
        """A network freshly built from ``experiment``: no epochs, no trainer state; the split may be drawn again."""
        self.network, self.loss, self.experiment, self.epochs_trained = network, experiment.loss, experiment, 0
        self.recorder.note("new", "a new network")
        self._last_trainer = None
        self._split_locked = False
        self.network_changed.emit(network)
        self.note_weights_changed()

    def reset_weights(self, seed: int) -> None:
        if self.network is not None:
            self.network.initialize("auto" if self.experiment is None else self.experiment.init, seed)
            self.epochs_trained = 0
            self.recorder.note("new", f"weights reset with seed {seed}")
            self._last_trainer = None
            self._split_locked = False
            self.network_changed.emit(self.network)
            self.note_weights_changed()

    def make_trainer(self, experiment: Experiment) -> Trainer:
        """A trainer for the current network and split (nnlab.lab.recipe), keeping the network, its
        epoch count and the last run's trainer state when the experiment's widths and loss still fit it.

        Raises ValueError and changes nothing when the run cannot be made.
        """
        if self.dataset is None:
            raise ValueError("choose a dataset first")
        keep = self.matches(experiment)
        if keep and self._split_locked:
            splits, split_key = self.splits, self._split_key
        else:  # a network that has not learned yet may take a new split
            splits, split_key = self._split_for(experiment.split, experiment.train.seed)
        run = make_run(experiment, self.dataset, splits, network=self.network if keep else None,
                       state=self.trainer_state() if keep else None, user_samples=self.user_samples,
                       epochs_trained=self.epochs_trained if keep else 0)
        if run.built:
            self._take_new_network(run.network, experiment)
        self.splits, self._split_key, self._split_locked = splits, split_key, True
        self.experiment, self.user_samples_used = experiment, run.user_samples_used
        self._last_trainer = run.trainer
        self._record_start(run, experiment)
        return run.trainer

    def trainer_state(self) -> TrainerState | None:
        """Where Start would carry on from: the last run's trainer state, or None when there is none to carry
        on — no run since the network was made, reset, edited or opened, or an epoch count set since that
        is not the run's. Ask only while no run is in progress (or it is paused)."""
        trainer = self._last_trainer
        if trainer is None or trainer.network is not self.network or trainer.completed_epochs != self.epochs_trained:
            return None
        return trainer.state()

    # -- files ------------------------------------------------------------------------------------
    def open_model(self, path: str | Path) -> SavedModel:
        """Load a weight file; on any error raise it and leave everything as it was."""
        return self.use_model(self.read_model(path))

    def read_model(self, path: str | Path) -> OpenedModel:
        """Read a weight file and the dataset it needs without touching the session (raises ValueError/OSError);
        the rules are ``nnlab.lab.reading.read_model``'s, which ``nnlab evaluate`` shares."""
        return reading.read_model(path, self.dataset, self.dataset_source)

    def use_model(self, opened: OpenedModel) -> SavedModel:
        """Make a read weight file the session's network (and its built-in dataset the session's)."""
        model, prepared = opened.model, opened.dataset
        if prepared is not None:
            self.dataset, self.splits, self.dataset_source = prepared.dataset, prepared.splits, prepared.source
            self._split_key, self.dataset_seed = prepared.split_key, prepared.split_key[1]
            self.dataset_changed.emit(prepared.dataset)
        self.network, self.loss, self.epochs_trained, self._last_trainer = model.network, model.loss, 0, None
        self.experiment = None  # the last run's settings are not this file's (save records the split in use)
        self.recorder.note("new", f"weights opened from {opened.path.name}")
        self._split_locked = True
        self.network_changed.emit(model.network)
        self.set_path(opened.path)
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
        self.set_path(Path(path))
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

    def weights_written(self) -> None:
        """The open network's weights were written in place while no run is active (a Backprop step applied
        by hand or undone, a script's own trainer): views show them again, and they are unsaved only while
        they differ from the weights last saved, opened or built. The one way, besides the session's own
        methods, that ``network_changed`` is emitted: nothing outside emits the session's signals."""
        if self.network is not None:
            self.network_changed.emit(self.network)
            self.note_weights_changed()

    def set_path(self, path: Path | None) -> None:
        """The file the network belongs to (None: none yet, File → New)."""
        self.path = path
        self.path_changed.emit(path)
