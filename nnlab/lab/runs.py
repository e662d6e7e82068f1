"""Runs you can keep: each training run's settings, dataset, curves, snapshots and events, and the
tree of runs a session holds — which one is current, which was branched from which.

A :class:`Run` is plain data with its own ``History`` and ``SnapshotStore``; the :class:`RunTree`
emits psygnal events when a run is added, renamed, removed or made current, so a runs panel binds
to it without polling. The rules for *when* a new run starts live in ``recording.py``; this module
only keeps what was recorded. Touched on the GUI thread only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from nnlab.data.printable import control_character
from nnlab.engine import Network
from nnlab.engine.layers import hidden_layout

from .events import Signal
from .history import History
from .run_identity import DatasetIdentity, RunNetwork, experiment_from_settings
from .snapshots import Nearest, Snapshot, SnapshotStore

EVENT_KINDS = ("start", "pause", "resume", "stop", "finish", "edit", "diverged", "restore")
MAX_NAME_CHARS = 80  # a runs list and a legend show a name on one line


class RunOrigin(NamedTuple):
    """Where a run came from: the snapshot of run ``run_id`` at the end of ``epoch``."""

    run_id: int
    epoch: int


@dataclass(frozen=True)
class RunEvent:
    """Something that happened to a run: at ``epoch`` (the epoch in progress or last completed),
    ``batch`` within it (None: between epochs), after ``seconds`` of training; ``text`` says what."""

    kind: str
    epoch: int
    batch: int | None = None
    seconds: float = 0.0
    text: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"a run event is one of {', '.join(EVENT_KINDS)}, not {self.kind!r}")


@dataclass(eq=False)
class Run:
    """One training run.

    settings: its Experiment as plain data (``run_identity.experiment_settings``); split and seed:
    the shares and seed its dataset was drawn and split with; user_samples: the file names of the
    learner's own samples it trained on; state: the trainer state it carries on from (None: it starts
    afresh), with ``resume_params`` the weights that go with it. ``start_epoch`` is 0, or the epoch
    its parent's snapshot was taken at.
    """

    id: int
    name: str
    parent: RunOrigin | None
    settings: dict
    dataset: DatasetIdentity
    network: RunNetwork
    split: tuple[float, float, float]
    seed: int
    user_samples: list[str] = field(default_factory=list)
    history: History = field(default_factory=History)
    snapshots: SnapshotStore = field(default_factory=SnapshotStore)
    events: list[RunEvent] = field(default_factory=list)
    seconds_trained: float = 0.0
    state: object | None = None  # nnlab.engine TrainerState
    resume_params: np.ndarray | None = None
    start_epoch: int = 0

    # -- what the runs list shows -------------------------------------------------------------
    @property
    def last_epoch(self) -> int:
        """The last epoch whose end was recorded (the start's epoch before any)."""
        latest = self.snapshots.latest
        return self.start_epoch if latest is None else latest.epoch

    @property
    def epochs_trained(self) -> int:
        """Epochs this run trained itself (a branch's parent epochs not counted)."""
        return self.last_epoch - self.start_epoch

    @property
    def best_epoch(self) -> int | None:
        return self.history.best_epoch

    @property
    def best_validation(self) -> tuple[float, float] | None:
        """(loss, score) at the best validation epoch — the score is the accuracy (0..1), or the mean
        absolute error of a network that predicts numbers; None without validation."""
        best = self.history.best_epoch
        if best is None:
            return None
        table = self.history.validation
        row = int(np.flatnonzero(table["epoch"] == best)[0])
        return float(table["loss"][row]), float(table["score"][row])

    def experiment(self):
        """Its settings as an Experiment, to carry it on (ValueError when they are malformed)."""
        return experiment_from_settings(self.settings)

    # -- what the time machine shows -------------------------------------------------------------
    def network_at(self, epoch: int) -> tuple[Network, Nearest]:
        """A new network with the weights of ``epoch`` (or of the nearest kept epoch: see ``Nearest``)."""
        found = self.snapshots.nearest(epoch)
        return self.network.build(found.snapshot.params), found

    def add_event(self, kind: str, epoch: int, batch: int | None = None, text: str = "") -> RunEvent:
        event = RunEvent(kind, int(epoch), batch, round(self.seconds_trained, 3), text)
        self.events.append(event)
        return event

    def carry_on_from(self, params: np.ndarray, state) -> None:
        """Where the next Start of this run continues: these weights (copied if still writable) and trainer state."""
        if params.flags.writeable:
            params = params.copy()
            params.flags.writeable = False
        self.resume_params, self.state = params, state


class RunTree:
    """The session's runs in order of id, and the current one (the one Start records into).

    Events: ``added(run)``, ``removed(run)``, ``renamed(run)``, ``current_changed(run | None)``,
    ``cleared()`` (every run went: a new or opened session), ``changed(run)`` (something was recorded
    into it: an epoch, an end, an event, its settings — a runs list refreshes that row; the curves
    follow ``run.history``'s own events).
    """

    changed = Signal(object)
    added = Signal(object)
    removed = Signal(object)
    renamed = Signal(object)
    current_changed = Signal(object)
    cleared = Signal()

    def __init__(self) -> None:
        self._runs: dict[int, Run] = {}
        self.current: Run | None = None
        self._next_id = 1  # ids are never used again: a branch names its parent by id, also a removed one

    def __len__(self) -> int:
        return len(self._runs)

    def __iter__(self):
        return iter(list(self._runs.values()))

    def __contains__(self, run_id: int) -> bool:
        return run_id in self._runs

    def __getitem__(self, run_id: int) -> Run:
        run = self._runs.get(run_id)
        if run is None:
            known = ", ".join(map(str, self._runs)) or "none yet"
            raise ValueError(f"there is no run {run_id} (runs: {known})")
        return run

    @property
    def runs(self) -> list[Run]:
        return list(self._runs.values())

    def next_id(self) -> int:
        return self._next_id

    def children(self, run_id: int) -> list[Run]:
        return [run for run in self._runs.values() if run.parent is not None and run.parent.run_id == run_id]

    # -- changing ----------------------------------------------------------------------------------
    def add(self, run: Run, make_current: bool = True) -> Run:
        if run.id in self._runs or run.id < 1:
            raise ValueError(f"run {run.id} cannot be added: ids are whole numbers from 1, each used once")
        self._runs[run.id] = run
        self._next_id = max(self._next_id, run.id + 1)
        self.added.emit(run)
        if make_current:
            self.make_current(run.id)
        return run

    def rename(self, run_id: int, name: str) -> None:
        name = check_name(name)
        run = self[run_id]
        if name != run.name:
            run.name = name
            self.renamed.emit(run)

    def remove(self, run_id: int) -> None:
        """Forget a run; its branches keep their origin (the list says that run is gone)."""
        run = self[run_id]
        del self._runs[run_id]
        if self.current is run:
            self.current = None
            self.current_changed.emit(None)
        self.removed.emit(run)

    def make_current(self, run_id: int | None) -> None:
        run = None if run_id is None else self[run_id]
        if run is not self.current:
            self.current = run
            self.current_changed.emit(run)

    def replace_all(self, runs: list[Run], current: int | None) -> None:
        """Take another session's runs (an opened file): ``cleared``, then ``added`` for each."""
        ids = [run.id for run in runs]
        if len(set(ids)) != len(ids) or any(run_id < 1 for run_id in ids):
            raise ValueError("run ids are whole numbers from 1, each used once")
        if current is not None and current not in ids:
            raise ValueError(f"the current run {current} is not one of the runs")
        self._runs, self.current, self._next_id = {}, None, 1
        self.cleared.emit()
        for run in sorted(runs, key=lambda item: item.id):
            self.add(run, make_current=False)
        self.make_current(current)

    def branch(self, run_id: int, epoch: int, settings: dict, budget_bytes: int | None = None) -> Run:
        """A new run from run ``run_id``'s snapshot at the end of ``epoch``, with ``settings``: its curves
        up to there, that snapshot as its start and the trainer state in it to carry on from. Added, not
        made current (the session does that, with the network). ValueError for a thinned-away epoch."""
        parent = self[run_id]
        snapshot = parent.snapshots.get(epoch)
        history = parent.history.copy()
        history.carry_on_from(epoch)
        store = SnapshotStore(parent.snapshots.budget_bytes if budget_bytes is None else budget_bytes,
                              parent.snapshots.full_epochs)
        store.add(Snapshot(epoch, snapshot.params, snapshot.trainer_state), history.best_epoch)
        run = Run(self.next_id(), f"run {self.next_id()}", RunOrigin(run_id, epoch), dict(settings),
                  parent.dataset, parent.network, parent.split, parent.seed, list(parent.user_samples), history,
                  store, start_epoch=epoch)
        run.carry_on_from(snapshot.params, snapshot.trainer_state)
        run.add_event("start", epoch, text=f"branched from {parent.name} at epoch {epoch}")
        return self.add(run, make_current=False)


def check_name(name) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValueError("a run's name must be some text")
    name = " ".join(name.split())
    if len(name) > MAX_NAME_CHARS:
        raise ValueError(f"a run's name may be {MAX_NAME_CHARS} characters long, not {len(name)}")
    if (problem := control_character(name)) is not None:  # a session file would refuse it (nnlab info prints it)
        raise ValueError(f"a run's name may not steer the terminal it is printed in, but this one {problem}")
    return name


# -- what tells runs apart --------------------------------------------------------------------------
def describe_settings(run: Run) -> dict[str, str]:
    """A run's settings as short words by key, in the order a legend reads them."""
    settings, train = run.settings, run.settings.get("train", {})
    hidden = [spec for spec in run.network.layers[:-1] if spec.has_parameters]
    layout = hidden_layout(run.network.layers)
    words = {
        "dataset": run.dataset.words,
        "hidden": "hidden " + ("-".join(map(str, layout)) if layout else "none"),
        "activation": ", ".join(sorted({spec.activation for spec in hidden})) or "",
        "dropout": f"dropout {_number(max((spec.dropout for spec in hidden), default=0.0))}",
        "frozen": "frozen " + ",".join(str(i + 1) for i, spec in enumerate(run.network.layers) if spec.frozen),
        "loss": run.network.loss,
        "optimizer": str(train.get("optimizer", "")),
        "learning_rate": f"lr {_number(train.get('learning_rate'))}",
        "lr_schedule": f"lr schedule {train.get('lr_schedule', 'constant')}",
        "momentum": f"momentum {_number(train.get('momentum'))}" if train.get("optimizer") == "momentum" else "",
        "batch_size": f"batch {train.get('batch_size')}",
        "l1": f"L1 {_number(train.get('l1'))}",
        "l2": f"L2 {_number(train.get('l2'))}",
        "early_stopping": f"early stop {train.get('early_stopping_patience') or 'off'}",
        "augment": "augment" if settings.get("augment") else "no augment",
        "split": "split " + "/".join(f"{round(100 * share)}" for share in run.split),
        "seed": f"seed {train.get('seed')}",
        "init": f"init {settings.get('init')}",
        "dtype": str(run.network.dtype),
    }
    return words


def differing_settings(runs) -> dict[int, str]:
    """The words that tell ``runs`` apart, by run id: {1: "lr 0.1", 2: "lr 0.001"}. Only settings that
    differ among them are named; runs that differ in nothing get ""."""
    runs = list(runs)
    described = {run.id: describe_settings(run) for run in runs}
    keys = list(next(iter(described.values()), {}))
    differing = [key for key in keys if len({words[key] for words in described.values()}) > 1]
    return {run_id: ", ".join(words[key] for key in differing if words[key]) for run_id, words in described.items()}


def _number(value) -> str:
    if isinstance(value, float) and math.isfinite(value):
        return f"{value:g}"
    return str(value)
