"""A run's weights at its start and at the end of every epoch, within a memory budget.

The time machine shows any of them, "Branch from here" starts a new run from one, and a session
file keeps them. Each :class:`Snapshot` holds a copy of the flat parameters and the trainer's
whole state at that moment (optimizer moments, RNG, best epoch …), so a branch with unchanged
settings does exactly what its parent did.

The thinning rule (:class:`SnapshotStore`): every epoch is kept until the run's snapshots take
more than the budget. Then, one at a time, the oldest snapshot past the first ``FULL_EPOCHS``
epochs that is off the current grid goes — the grid being every ``spacing``-th epoch counted from
epoch ``start + FULL_EPOCHS`` — and when none is left off the grid the spacing doubles (2, 4, 8 …).
Never dropped: the run's start, its first ``FULL_EPOCHS`` epochs, the latest epoch and the
best-validation epoch. So the early epochs, where most learning shows, stay whole; later ones
thin out oldest-first, and the recent past stays finer than the distant past.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

FULL_EPOCHS = 20
"""Every epoch of a run's first 20 is kept whatever the budget: most of what a learner watches
(the loss falling, the first features forming) happens there."""
DEFAULT_BUDGET_BYTES = 100 * 2**20
"""Per run. 784-128-64-10 with Adam takes 1.31 MB a snapshot (weights and both moments, the best
epoch's weights shared): 200 epochs would take 263 MB, so ~76 of them stay — the first 21, the
latest, the best and ~53 spaced. A 2-D toy network's snapshots are a few KB: nothing is ever thinned."""


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The network's parameters (flat, like ``Network.params``; a read-only copy) at the end of
    ``epoch`` — epoch ``start`` is the run's start — and the trainer's state there (None when the
    weights cannot be continued exactly, e.g. an edited network's start)."""

    epoch: int
    params: np.ndarray
    trainer_state: object | None = None  # nnlab.engine TrainerState: plain data with NumPy arrays

    @property
    def nbytes(self) -> int:
        return sum(array.nbytes for array in _unique_arrays([self]))


class Nearest(NamedTuple):
    """What a scrub to ``asked`` finds: that epoch's snapshot, or the nearest one kept."""

    snapshot: Snapshot
    asked: int

    @property
    def exact(self) -> bool:
        return self.snapshot.epoch == self.asked

    @property
    def note(self) -> str:
        """"" when exact, else a sentence saying the epoch was thinned away."""
        if self.exact:
            return ""
        return (f"epoch {self.asked} was not kept (the run's snapshots are thinned to stay within their "
                f"memory budget): showing epoch {self.snapshot.epoch}, the nearest kept")


class SnapshotStore:
    """One run's snapshots, oldest first, thinned by the module's rule beyond ``budget_bytes``."""

    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES, full_epochs: int = FULL_EPOCHS) -> None:
        if budget_bytes < 0 or full_epochs < 0:
            raise ValueError("the snapshot budget and the number of whole epochs must be 0 or more")
        self.budget_bytes = int(budget_bytes)
        self.full_epochs = int(full_epochs)
        self.spacing = 1  # the grid's step past the first ``full_epochs`` epochs; doubles as the run grows
        self.best_epoch: int | None = None
        self._snapshots: dict[int, Snapshot] = {}  # by epoch, in increasing order of epoch
        self._held: dict[int, list] = {}  # id(array) -> [array, how many snapshots hold it]: shared bytes count once
        self._nbytes = 0

    # -- reading ------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._snapshots)

    def __iter__(self) -> Iterator[Snapshot]:
        return iter(list(self._snapshots.values()))

    def __contains__(self, epoch: int) -> bool:
        return epoch in self._snapshots

    @property
    def epochs(self) -> list[int]:
        return list(self._snapshots)

    @property
    def start(self) -> int | None:
        return next(iter(self._snapshots), None)

    @property
    def latest(self) -> Snapshot | None:
        return self._snapshots[next(reversed(self._snapshots))] if self._snapshots else None

    @property
    def nbytes(self) -> int:
        """The bytes the kept snapshots hold (an array shared by several is counted once)."""
        return self._nbytes

    def get(self, epoch: int) -> Snapshot:
        """The snapshot of exactly ``epoch``; ValueError naming the nearest kept ones when there is none."""
        snapshot = self._snapshots.get(epoch)
        if snapshot is None:
            raise ValueError(self.missing(epoch))
        return snapshot

    def nearest(self, epoch: int) -> Nearest:
        """The snapshot of ``epoch``, or the nearest kept one (the earlier on a tie) — ``.exact`` and
        ``.note`` say which. ValueError when the store is empty."""
        if not self._snapshots:
            raise ValueError("this run has no snapshots yet")
        if epoch in self._snapshots:
            return Nearest(self._snapshots[epoch], epoch)
        before, after = self.around(epoch)
        if before is None or (after is not None and after - epoch < epoch - before):
            return Nearest(self._snapshots[after], epoch)
        return Nearest(self._snapshots[before], epoch)

    def around(self, epoch: int) -> tuple[int | None, int | None]:
        """The kept epochs just before and just after ``epoch`` (None where there is none)."""
        before = [e for e in self._snapshots if e < epoch]
        after = [e for e in self._snapshots if e > epoch]
        return (before[-1] if before else None), (after[0] if after else None)

    def missing(self, epoch: int) -> str:
        """Why there is no snapshot of ``epoch``, in one sentence naming the nearest kept epochs."""
        if not self._snapshots:
            return "this run has no snapshots yet"
        first, last = self.start, next(reversed(self._snapshots))
        if epoch < first or epoch > last:
            return f"this run's snapshots go from epoch {first} to epoch {last}, so there is none of epoch {epoch}"
        before, after = self.around(epoch)
        return (f"epoch {epoch} was thinned away to keep the run within its memory budget; the nearest kept "
                f"are epochs {before} and {after}")

    # -- growing ------------------------------------------------------------------------------------
    def add(self, snapshot: Snapshot, best_epoch: int | None = None) -> list[int]:
        """Keep ``snapshot`` as the latest (replacing one of the same epoch) and thin; returns the epochs
        dropped. ``best_epoch``: the run's best validation epoch now (kept whatever the budget)."""
        latest = self.latest
        if latest is not None and snapshot.epoch < latest.epoch:
            raise ValueError(f"a snapshot of epoch {snapshot.epoch} cannot follow one of epoch {latest.epoch}")
        snapshot = self._sharing_best_weights(snapshot)
        _freeze(snapshot)
        replaced = self._snapshots.pop(snapshot.epoch, None)
        if replaced is not None:
            self._release(replaced)
        self._snapshots[snapshot.epoch] = snapshot
        self._hold(snapshot)
        if best_epoch is not None:
            self.best_epoch = best_epoch
        return self.thin()

    def set_best(self, epoch: int | None) -> list[int]:
        self.best_epoch = epoch
        return self.thin()

    def thin(self) -> list[int]:
        """Apply the thinning rule until the snapshots fit the budget (or only kept-whatever ones are left)."""
        dropped = []
        while self._nbytes > self.budget_bytes:
            loose = [epoch for epoch in self._snapshots if not self._protected(epoch)]
            if not loose:
                break
            off_grid = [epoch for epoch in loose if (epoch - self._grid_origin()) % self.spacing]
            if not off_grid:
                self.spacing *= 2
                continue
            self._release(self._snapshots.pop(off_grid[0]))
            dropped.append(off_grid[0])
        return dropped

    def restore(self, snapshots: list[Snapshot], spacing: int = 1, best_epoch: int | None = None) -> None:
        """Take ``snapshots`` as they were kept (a session file's), in increasing order of epoch."""
        epochs = [snapshot.epoch for snapshot in snapshots]
        if epochs != sorted(set(epochs)):
            raise ValueError("a run's snapshots must be in increasing order of epoch, each epoch once")
        if spacing < 1 or spacing & (spacing - 1):
            raise ValueError(f"the snapshot spacing must be a power of 2, not {spacing}")
        for snapshot in snapshots:
            _freeze(snapshot)
        self._snapshots, self._held, self._nbytes = {}, {}, 0
        for snapshot in snapshots:
            self._snapshots[snapshot.epoch] = snapshot
            self._hold(snapshot)
        self.spacing, self.best_epoch = int(spacing), best_epoch

    def after(self, epoch: int) -> list[int]:
        """Forget the snapshots later than ``epoch`` (a run carried on from there); returns their epochs."""
        gone = [e for e in self._snapshots if e > epoch]
        for e in gone:
            self._release(self._snapshots.pop(e))
        return gone

    # -- the rule -----------------------------------------------------------------------------------
    def _grid_origin(self) -> int:
        return (self.start or 0) + self.full_epochs

    def _protected(self, epoch: int) -> bool:
        return epoch <= self._grid_origin() or epoch == self.latest.epoch or epoch == self.best_epoch

    def _hold(self, snapshot: Snapshot) -> None:
        for array in _unique_arrays([snapshot]):
            held = self._held.get(id(array))
            if held is None:
                self._held[id(array)] = [array, 1]
                self._nbytes += array.nbytes
            else:
                held[1] += 1

    def _release(self, snapshot: Snapshot) -> None:
        for array in _unique_arrays([snapshot]):
            held = self._held[id(array)]
            held[1] -= 1
            if not held[1]:
                del self._held[id(array)]
                self._nbytes -= array.nbytes

    def _sharing_best_weights(self, snapshot: Snapshot) -> Snapshot:
        """The trainer state keeps the best epoch's weights, which are that epoch's snapshot's: hold them once."""
        state = snapshot.trainer_state
        best = getattr(state, "best_params", None)
        kept = self._snapshots.get(getattr(state, "best_epoch", None))
        if snapshot.epoch == getattr(state, "best_epoch", None):
            kept = snapshot
        if not isinstance(best, np.ndarray) or not best.size or kept is None or best is kept.params \
                or not dataclasses.is_dataclass(state) or best.dtype != kept.params.dtype \
                or not np.array_equal(best, kept.params):
            return snapshot
        return dataclasses.replace(snapshot, trainer_state=dataclasses.replace(state, best_params=kept.params))


def _freeze(snapshot: Snapshot) -> None:
    """Snapshots are shared (views, a branch, a file being written): nothing may write into them."""
    for array in _unique_arrays([snapshot]):
        array.flags.writeable = False


def state_arrays(state) -> Iterator[np.ndarray]:
    """Every NumPy array inside a trainer state: its fields, a dict of arrays, a nested object's (its optimizer's)."""
    if state is None:
        return
    for value in vars(state).values():
        if isinstance(value, np.ndarray):
            yield value
        elif isinstance(value, dict):
            yield from (item for item in value.values() if isinstance(item, np.ndarray))
        elif hasattr(value, "__dict__") and not isinstance(value, type):
            yield from state_arrays(value)


def _unique_arrays(snapshots) -> Iterator[np.ndarray]:
    seen: set[int] = set()
    for snapshot in snapshots:
        for array in (snapshot.params, *state_arrays(snapshot.trainer_state)):
            if id(array) not in seen:
                seen.add(id(array))
                yield array
