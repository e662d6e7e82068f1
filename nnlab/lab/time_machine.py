"""The time machine: which epoch of the current run every view shows, or "live".

Scrubbing sets ``Selection.snapshot`` to a new network built from the run's snapshot at that epoch
(or the nearest kept one, and it says so), so the editor, the inspector, the canvas and the decision
regions — which all read the selection's snapshot — show the network as it was. Nothing here touches
the live network or a running worker: a snapshot's parameters are copied into a fresh network.

While scrubbed, new live weights (``set_live``: the worker's once-a-second copies, a paused run's)
are kept, not shown; "Live" shows the newest of them. A plain object with psygnal events (no Qt),
touched on the GUI thread only.
"""
from __future__ import annotations

from .events import Signal
from .runs import Run, RunTree
from .selection import Selection
from .snapshots import Nearest


class TimeMachine:
    """Follows the RunTree's current run; ``epoch`` is the scrubbed epoch, None while live.

    Event: ``changed()`` — the run, the scrubbed epoch, live, or the range of epochs changed.
    """

    changed = Signal()

    def __init__(self, runs: RunTree, selection: Selection) -> None:
        self.runs, self.selection = runs, selection
        self.epoch: int | None = None
        self.shown: Nearest | None = None  # what the scrubbed epoch found: that epoch or the nearest kept
        self._live = None  # Network: the newest live weights, shown again by go_live
        self._live_arrays: tuple[list, list] | None = None  # worker copies that came while scrubbed
        runs.current_changed.connect(self._on_current_changed)
        runs.changed.connect(self._on_run_changed)
        runs.cleared.connect(self._on_current_changed)

    # -- what it shows --------------------------------------------------------------------------------
    @property
    def run(self) -> Run | None:
        return self.runs.current

    @property
    def live(self) -> bool:
        return self.epoch is None

    @property
    def can_scrub(self) -> bool:
        """A current run with at least one snapshot, of the live network's architecture: after File → New
        or an edit, the old run stays current until Start, but its weights are not this network's."""
        run = self.run
        if run is None or not len(run.snapshots):
            return False
        live = self.selection.snapshot if self.live else self._live
        return live is None or (live.input_size, tuple(live.layers)) == (run.network.input_size, run.network.layers)

    @property
    def first_epoch(self) -> int:
        """The earliest epoch to scrub to: the run's start (0, or the epoch a branch was taken at)."""
        run = self.run
        return 0 if run is None or run.snapshots.start is None else run.snapshots.start

    @property
    def last_epoch(self) -> int:
        """The latest recorded epoch end."""
        run = self.run
        return 0 if run is None else run.last_epoch

    @property
    def shown_epoch(self) -> int | None:
        """The epoch whose weights the views show (the nearest kept one for a thinned-away epoch); None: live."""
        return None if self.shown is None else self.shown.snapshot.epoch

    @property
    def note(self) -> str:
        """"" or the sentence saying the scrubbed epoch was thinned away and which one is shown instead."""
        return "" if self.shown is None else self.shown.note

    @property
    def words(self) -> str:
        """What the scrubber's label says: "epoch 3 of 20", "live · epoch 20", "no run yet"."""
        if not self.can_scrub:
            return "no run yet: Start records one"
        if self.live:
            return f"live · epoch {self.last_epoch}"
        shown = self.shown_epoch
        kept = "" if shown == self.epoch else f" (showing {shown}, the nearest kept)"
        return f"epoch {self.epoch} of {self.last_epoch}{kept}"

    @property
    def branch_epoch(self) -> int | None:
        """The epoch "Branch from here" starts from: the snapshot shown, or the run's last epoch while live."""
        if not self.can_scrub:
            return None
        return self.last_epoch if self.live else self.shown_epoch

    # -- moving ----------------------------------------------------------------------------------------
    def scrub_to(self, epoch: int) -> None:
        """Show the current run at the end of ``epoch`` (clamped to the run's epochs) in every view."""
        if not self.can_scrub:
            return
        epoch = min(max(int(epoch), self.first_epoch), self.last_epoch)
        if epoch == self.epoch:
            return
        run = self.run
        found = run.snapshots.nearest(epoch)
        if self.live:
            self._live = self.selection.snapshot  # what Live shows again (and set_live keeps it newest)
        self.epoch = epoch
        if self.shown is None or found.snapshot is not self.shown.snapshot:
            self.selection.set_snapshot(run.network.build(found.snapshot.params))
        self.shown = found
        self.changed.emit()

    def step(self, epochs: int) -> None:
        """One epoch back (−1) or on (+1) from where the views are; from live, back starts at the last epoch."""
        if not self.can_scrub:
            return
        here = self.last_epoch if self.live else self.epoch
        if self.live and epochs > 0:
            return
        self.scrub_to(here + epochs)

    def to_start(self) -> None:
        self.scrub_to(self.first_epoch)

    def to_end(self) -> None:
        """The last recorded epoch's snapshot (not live: a run in progress moves on past it)."""
        if self.can_scrub:
            self.scrub_to(self.last_epoch)

    def go_live(self) -> None:
        """Show the newest weights again."""
        if self.live:
            return
        self.epoch, self.shown = None, None
        live, arrays = self._live, self._live_arrays
        self._live, self._live_arrays = None, None
        if live is not None:
            self.selection.set_snapshot(live)
            if arrays is not None:
                self.selection.set_snapshot_arrays(*arrays)
        self.changed.emit()

    # -- the newest weights ----------------------------------------------------------------------------
    def set_live(self, network, end_scrub: bool = False) -> None:
        """New live weights (an independent copy): shown now while live, kept for "Live" while scrubbed.
        ``end_scrub``: the network itself changed (new, opened, edited, reset): show it, live, whatever the scrub."""
        if self.live or end_scrub:
            could = self.can_scrub, self.live
            self.epoch, self.shown, self._live, self._live_arrays = None, None, None, None
            self.selection.set_snapshot(network)
            if (self.can_scrub, self.live) != could:
                self.changed.emit()
        else:
            self._live, self._live_arrays = network, None

    def set_live_arrays(self, weights: list, biases: list) -> None:
        """The worker's copies of the live weights (the live snapshot's architecture); see :meth:`set_live`."""
        if self.live:
            self.selection.set_snapshot_arrays(weights, biases)
        else:
            self._live_arrays = (weights, biases)

    # -- following the runs ------------------------------------------------------------------------------
    def _on_current_changed(self, _run=None) -> None:
        """Another run is current (a click, a branch, an opened session): its views show its live weights."""
        self.go_live()
        self.changed.emit()

    def _on_run_changed(self, run: Run) -> None:
        if run is self.run:  # an epoch recorded: the range grew
            self.changed.emit()
