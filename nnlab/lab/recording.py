"""When a Start begins a new run, and the recording of the current one (nnlab/lab/runs.py keeps them).

The rules (RUNS_DESIGN.md §2):
- Start records into the current run when it carries on from where that run stopped: the same
  dataset, the same architecture and, bit for bit, the weights the run ended (or stopped) with.
  Changed training settings (a learning rate, a batch size) are an "edit" event of that run.
- A new network, another dataset, a lesson, reset or opened weights start a new run, with no parent.
- An edit of the network while idle (the editor, a Backprop step, an undo) starts a new run whose
  parent is the current run at its last epoch; the "edit" event says what changed.
- A run that has trained nothing yet gives way: a new network replaces it, an edit amends it
  (the new run takes its parent).

Recording happens once per epoch and costs a few copies the caller has made already (the worker
thread copies the weights and the trainer state while the generator waits at the epoch's end).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab.engine import Trainer

from .history import History
from .run_identity import DatasetIdentity, RunNetwork, experiment_settings
from .runs import Run, RunEvent, RunOrigin, RunTree
from .snapshots import DEFAULT_BUDGET_BYTES, Snapshot, SnapshotStore

WEIGHTS_CHANGED = "the weights changed outside training (a Backprop step, an undo or an edit)"
_ENDINGS = {"finished": "finish", "stopped": "stop", "early_stopping": "restore", "diverged": "diverged"}
_QUIET_KEYS = ("epochs",)  # how many epochs a Start asks for says nothing about what the run learns
_WORDS = {"learning_rate": "learning rate", "batch_size": "batch size", "early_stopping_patience": "early stopping",
          "l1": "L1", "l2": "L2"}


@dataclass(frozen=True)
class RunChange:
    """Why the next Start begins a new run: ``kind`` "new" (no parent) or "edit" (parent: the current run)."""

    kind: str
    text: str = ""


@dataclass(frozen=True)
class RunStart:
    """What the session knows at Start, beyond the trainer: the network's meaning and the data it learns."""

    experiment: object  # Experiment
    network: RunNetwork
    dataset: DatasetIdentity
    split: tuple[float, float, float]
    seed: int
    user_samples: tuple[str, ...] = ()


class RunRecorder:
    """Keeps the session's RunTree up to date: which run a Start records into, and what it records."""

    def __init__(self, tree: RunTree, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.tree = tree
        self.budget_bytes = budget_bytes
        self.pending: RunChange | None = None

    # -- what happened while idle -------------------------------------------------------------------
    def note(self, kind: str, text: str = "") -> None:
        """The network or dataset changed: the next Start begins a new run ("new" outweighs "edit")."""
        if kind not in ("new", "edit"):
            raise ValueError(f"a run change is 'new' or 'edit', not {kind!r}")
        if self.pending is not None and self.pending.kind == "new":
            return
        if kind == "edit" and self.pending is not None and text:
            text = "; ".join(part for part in (self.pending.text, text) if part)
        self.pending = RunChange(kind, text)

    def forget_pending(self) -> None:
        self.pending = None

    # -- recording ------------------------------------------------------------------------------------
    def start(self, trainer: Trainer, facts: RunStart) -> Run:
        """Start pressed: the run this trainer records into — the current one carried on, or a new one."""
        current = self.tree.current
        params, epoch = trainer.network.params, trainer.completed_epochs
        settings = experiment_settings(facts.experiment)
        if self.pending is None and self._carries_on(current, facts, params):
            changes = settings_changes(current.settings, settings)
            if changes:
                current.add_event("edit", epoch, text=changes)
            current.settings = settings
            if current.events and current.events[-1].kind != "start":
                current.add_event("resume", epoch, self._batch(current.state))
            if current.state is not None and not getattr(current.state, "mid_epoch", False):
                current.history.carry_on_from(epoch)  # a blow-up's discarded stretch goes
            self.tree.changed.emit(current)
            return current
        change = self.pending or (RunChange("edit", WEIGHTS_CHANGED) if current is not None
                                  and current.dataset == facts.dataset and current.network == facts.network
                                  and epoch == current.last_epoch else RunChange("new"))
        parent, run_id = None, self.tree.next_id()
        if current is not None:
            untrained = self._untrained(current)
            if change.kind == "edit":
                parent = current.parent if untrained else RunOrigin(current.id, current.last_epoch)
            if untrained:  # it gives way, and its id with it
                self.tree.remove(current.id)
                run_id = current.id
        run = self._new_run(run_id, trainer, facts, settings, parent, change)
        self.pending = None
        return self.tree.add(run)

    def batches(self, records) -> None:
        """The worker's batch records (``BatchProgress``), as the live curves take them."""
        run = self._current()
        run.history.add_batches(records)

    def epoch(self, result, params: np.ndarray, state) -> Run:
        """An epoch ended: its ``EpochResult``, a copy of the weights and the trainer's state there — copies the
        caller will not write again (they become the snapshot)."""
        run = self._current()
        run.history.add_result(result)
        params.flags.writeable = False
        run.snapshots.add(Snapshot(int(result.epoch), params, state), run.history.best_epoch)
        run.carry_on_from(params, state)
        run.seconds_trained += float(result.seconds)
        self.tree.changed.emit(run)
        return run

    def event(self, kind: str, epoch: int, batch: int | None = None, text: str = "", experiment=None) -> RunEvent:
        """Pause, resume, an edit while running (a learning rate changed live: ``experiment`` then holds the
        settings the run goes on with, which carrying it on later uses), a restore by hand."""
        run = self._current()
        if experiment is not None:
            run.settings = experiment_settings(experiment)
        event = run.add_event(kind, epoch, batch, text)
        self.tree.changed.emit(run)
        return event

    def end(self, ended, params: np.ndarray, state) -> Run:
        """The run ended (``TrainingEnded``): finished, stopped, stopped early or diverged; ``params`` and
        ``state`` are where it carries on from (a diverged run's: the weights put back)."""
        run = self._current()
        blow_up = getattr(ended, "blow_up", None)
        if blow_up is not None:
            run.history.record_blow_up(blow_up)
        run.carry_on_from(params, state)
        run.add_event(_ENDINGS.get(ended.reason, "stop"), ended.epochs_done, self._batch(state),
                      "" if ended.reason == "finished" else ended.message)
        self.tree.changed.emit(run)
        return run

    # -- the rules ------------------------------------------------------------------------------------
    @staticmethod
    def _carries_on(run: Run | None, facts: RunStart, params: np.ndarray) -> bool:
        if run is None or run.resume_params is None or run.dataset != facts.dataset or run.network != facts.network:
            return False
        kept = run.resume_params
        return kept.shape == params.shape and kept.dtype == params.dtype \
            and np.array_equal(kept.view(np.uint8), params.view(np.uint8))

    def _untrained(self, run: Run) -> bool:
        """Nothing learnt since it started (its carry-on point is still its start), and nothing branched from it."""
        start = run.snapshots.latest
        return run.epochs_trained == 0 and start is not None and run.resume_params is start.params \
            and not self.tree.children(run.id)

    def _new_run(self, run_id: int, trainer: Trainer, facts: RunStart, settings: dict, parent: RunOrigin | None,
                 change: RunChange) -> Run:
        epoch = trainer.completed_epochs
        regression = trainer.regression
        history = None
        if parent is not None and parent.run_id in self.tree:
            history = self.tree[parent.run_id].history.copy()
            if history.regression == regression:
                history.carry_on_from(parent.epoch)
            else:
                history = None
        run = Run(run_id, f"run {run_id}", parent, settings, facts.dataset, facts.network, tuple(facts.split),
                  int(facts.seed), list(facts.user_samples), history or History(regression),
                  SnapshotStore(self.budget_bytes), start_epoch=epoch)
        state = trainer.state()
        params = trainer.network.params.copy()
        params.flags.writeable = False
        run.snapshots.add(Snapshot(epoch, params, state), run.history.best_epoch)
        run.carry_on_from(params, state)
        if change.kind == "edit":
            run.add_event("edit", epoch, text=change.text or "the network was edited")
        run.add_event("start", epoch, text=change.text if change.kind == "new" else "")
        return run

    def _current(self) -> Run:
        if self.tree.current is None:
            raise ValueError("no run is being recorded: Start one first")
        return self.tree.current

    @staticmethod
    def _batch(state) -> int | None:
        done = getattr(state, "batches_done", 0)
        return int(done) + 1 if getattr(state, "mid_epoch", False) and done else None


def settings_changes(old: dict, new: dict) -> str:
    """What changed between two runs' settings, in words: "learning rate 0.01 → 0.001"."""
    flat_old, flat_new = _flat(old), _flat(new)
    words = []
    for key, value in flat_new.items():
        if key in _QUIET_KEYS or flat_old.get(key) == value:
            continue
        words.append(f"{_WORDS.get(key, key.replace('_', ' '))} {_plain(flat_old.get(key))} → {_plain(value)}")
    return ", ".join(words)


def _flat(settings: dict) -> dict:
    flat = {key: value for key, value in settings.items() if key != "train"}
    flat.update(settings.get("train", {}))
    return flat


def _plain(value) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "-".join(_plain(item) for item in value)
    return str(value)
