"""The session's runs: recording into them, branching, making one current, and session files.

A part of :class:`nnlab.lab.session.LabSession` kept in its own file (the session's own rules — the
split lock, what is unsaved — stay in session.py). The rules for when a Start begins a new run are
``recording.py``'s; the runs themselves are ``runs.py``'s; the file is ``session_io.py``'s.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from nnlab.data.experiment import Experiment
from nnlab.engine import BatchProgress, EpochResult, Network, TrainingEnded
from nnlab.engine.layers import hidden_layout, normalized_hidden

from . import session_io
from .reading import PreparedDataset
from .recording import RunStart
from .run_identity import DatasetIdentity, RunNetwork, experiment_settings
from .runs import Run


class CarriedState:
    """Stands in for the last trainer (``LabSession._last_trainer``) when the state to carry on from comes from
    a run — a branch's snapshot, a run made current, a session file — not from a trainer of this session:
    the next Start restores it, and whatever drops the last trainer (a new, edited or reset network) drops it."""

    def __init__(self, network: Network, state) -> None:
        self.network, self._state = network, state
        self.completed_epochs = state.completed_epochs

    @classmethod
    def of(cls, network: Network, state) -> "CarriedState | None":
        return None if state is None else cls(network, state)

    def state(self):
        return self._state


class SessionRuns:
    """LabSession's run methods; they use the session's fields (``runs``, ``recorder``, ``network`` …)."""

    # -- runs -------------------------------------------------------------------------------------
    @property
    def split_key(self) -> tuple | None:
        """(split shares, seed) the open split was drawn with."""
        return self._split_key

    def _record_start(self, run, experiment: Experiment) -> None:
        """Start: the run the new trainer records into (nnlab/lab/recording.py has the rules)."""
        dataset, store = self.dataset, self.user_samples
        samples = () if store is None or not run.user_samples_used else \
            tuple(sample.path.name for sample in store.samples(dataset))
        facts = RunStart(experiment, RunNetwork.of(run.network, self.loss, dataset),
                         DatasetIdentity.of(self.dataset_source or dataset.name, dataset, self.dataset_seed),
                         tuple(self._split_key[0]), int(self._split_key[1]), samples)
        self.recorder.start(run.trainer, facts)

    def _note_edit(self, network: Network, loss: str, fresh: bool) -> None:
        """The editor's network: a new run at the next Start, parented by the current one unless all is new."""
        current = self.runs.current
        if fresh or current is None or self.dataset is None:
            self.recorder.note("new", "a new network")
            return
        edited = RunNetwork.of(network, loss, self.dataset)
        self.recorder.note("edit", current.network.differences(edited) or "the network was edited")

    def record_batches(self, records) -> None:
        """The current run's batch records (``BatchProgress``), in the order they came."""
        self.recorder.batches(records)

    def record_epoch(self, result, params: np.ndarray, state) -> Run:
        """An epoch of the current run ended: its ``EpochResult``, a copy of the weights and the trainer's
        state at that moment (copies nothing writes again: they become the epoch's snapshot)."""
        return self.recorder.epoch(result, params, state)

    def record_event(self, kind: str, epoch: int, batch: int | None = None, text: str = "",
                     experiment: Experiment | None = None):
        """pause, resume, an edit while running (a learning rate changed live: give the ``experiment`` the run
        goes on with), a restore."""
        return self.recorder.event(kind, epoch, batch, text, experiment)

    def record_end(self, ended, params: np.ndarray, state) -> Run:
        """The current run's ``TrainingEnded``, with the weights and trainer state it carries on from."""
        return self.recorder.end(ended, params, state)

    def train_recorded(self, trainer, on_record=None):
        """Run ``trainer`` to its end on this thread, recording as the window's worker does: the batches, each
        epoch with a copy of the weights and the trainer's state, and the end. ``on_record`` sees every record
        (the CLI's progress bar). The one headless recording loop — the CLI, benchmarks and tests use it.
        Returns the ``TrainingEnded``."""
        batches, ended = [], None
        for record in trainer.run():
            if on_record is not None:
                on_record(record)
            if isinstance(record, BatchProgress):
                batches.append(record)
            elif isinstance(record, EpochResult):
                self.record_batches(batches)
                batches = []
                self.record_epoch(record, trainer.network.params.copy(), trainer.state())
            elif isinstance(record, TrainingEnded):
                self.record_batches(batches)
                self.record_end(record, trainer.network.params.copy(), trainer.state())
                ended = record
        self.epochs_trained = trainer.completed_epochs
        return ended

    def branch(self, run_id: int, epoch: int, experiment: Experiment) -> Run:
        """A new current run from run ``run_id``'s snapshot at ``epoch``, with ``experiment``'s training settings;
        the network becomes that snapshot's and Start carries on from its trainer state. Changes nothing
        and raises ValueError when it cannot be (a thinned-away epoch, another architecture)."""
        parent = self.runs[run_id]
        snapshot = parent.snapshots.get(epoch)
        if normalized_hidden(experiment.hidden) != hidden_layout(parent.network.layers) \
                or experiment.loss != parent.network.loss:
            raise ValueError(f"a branch carries on {parent.name}'s network; to try another shape or loss, edit the "
                             "network or start a new one")
        prepared = self._dataset_of(parent)
        network = parent.network.build(snapshot.params)
        run = self.runs.branch(run_id, epoch, experiment_settings(experiment))
        self._take_run(run, network, prepared, experiment)
        return run

    def use_run(self, run_id: int) -> Run:
        """Make run ``run_id`` current, with its network where it stopped: Start carries it on."""
        run = self.runs[run_id]
        if run.resume_params is None:
            raise ValueError(f"{run.name} has no weights to carry on from")
        prepared = self._dataset_of(run)
        self._take_run(run, run.network.build(run.resume_params), prepared, run.experiment())
        return run

    def _dataset_of(self, run: Run) -> PreparedDataset | None:
        """The run's dataset, reopened when another is open (None: the open one is the run's)."""
        dataset = self.dataset
        if dataset is not None and DatasetIdentity.of(self.dataset_source or dataset.name, dataset,
                                                      self.dataset_seed) == run.dataset:
            return None
        return session_io.reopen_dataset({"source": run.dataset.name, "split": run.split, "seed": run.seed,
                                          "data_seed": run.dataset.seed}, run)

    def _take_run(self, run: Run, network: Network, prepared: PreparedDataset | None, experiment) -> None:
        if prepared is not None:
            self.use_dataset(prepared)
            self.dataset_seed = run.dataset.seed  # the split may have been drawn with another seed
        splits, split_key = self._split_for(run.split, run.seed)
        self.splits, self._split_key, self._split_locked = splits, split_key, True
        self.network, self.loss, self.experiment = network, run.network.loss, experiment
        self.epochs_trained = run.last_epoch
        self._last_trainer = CarriedState.of(network, run.state)
        self.recorder.forget_pending()
        self.runs.make_current(run.id)
        self.network_changed.emit(network)
        self.note_weights_changed()

    # -- session files ------------------------------------------------------------------------------
    def save_session(self, path: str | Path, selection: dict | None = None, view: dict | None = None) -> None:
        """Write the network, every run, the selection and the view to a session file (atomically)."""
        from nnlab.data.session_file import save_session

        save_session(path, session_io.session_document(self, selection, view))
        self.session_path = Path(path)

    def read_session(self, path: str | Path) -> session_io.OpenedSession:
        """Read a session file whole, without touching this session (raises ValueError/OSError)."""
        return session_io.read_session(path)

    def use_session(self, opened: session_io.OpenedSession) -> None:
        """Take a read session file: its dataset, network, runs and current run."""
        self.use_dataset(opened.dataset)
        self.dataset_seed = opened.data_seed
        self._split_locked = True
        self.network, self.loss, self.epochs_trained = opened.network, opened.loss, opened.epochs_trained
        current = opened.current
        self.experiment = None if current is None else current.experiment()
        self._last_trainer = CarriedState.of(opened.network, opened.state)
        self.runs.replace_all(opened.runs, opened.current_run)
        self.recorder.forget_pending()
        self.network_changed.emit(opened.network)
        self.set_path(None)
        self.set_dirty(False)
        self.session_path = opened.path

    def open_session(self, path: str | Path) -> session_io.OpenedSession:
        """Read and take a session file; on any error raise it and leave everything as it was."""
        opened = self.read_session(path)
        self.use_session(opened)
        return opened
