"""Which runs' curves are compared on the live plots, in which colour, and the words that tell them apart.

The runs list ticks runs here; the curves' overlay draws what it says. Each ticked run keeps one
colour slot while it stays ticked (the first free one), so ticking another run never recolours
the ones already on the plot. The legend's words are ``differing_settings`` among the compared runs
and the current one ("lr 0.1" vs "lr 0.001"). A plain object with psygnal events (no Qt).
"""
from __future__ import annotations

from typing import NamedTuple

from .events import Signal
from .runs import Run, RunTree, describe_settings, differing_settings

COLOUR_SLOTS = 8
"""Eight colours stay told apart at a glance (a qualitative palette's size); a ninth run reuses the first."""


class Compared(NamedTuple):
    """One run in the legend: its colour slot (None: the current run, drawn by the live curves) and its words."""

    run: Run
    slot: int | None
    label: str


class RunComparison:
    """Event: ``changed()`` — a run was ticked or unticked, or a compared run grew, was renamed or went."""

    changed = Signal()

    def __init__(self, runs: RunTree, slots: int = COLOUR_SLOTS) -> None:
        self.runs = runs
        self.n_slots = slots
        self._slots: dict[int, int] = {}  # run id -> colour slot, in the order ticked
        self._current_words = _words(runs.current)  # the current run's name and settings when last told
        runs.removed.connect(self._on_removed)
        runs.cleared.connect(self.clear)
        runs.renamed.connect(self._on_run_news)
        runs.changed.connect(self._on_run_news)
        runs.current_changed.connect(self._on_current_changed)

    @property
    def ticked(self) -> list[int]:
        """The ticked runs' ids, in the order they were ticked."""
        return list(self._slots)

    def is_ticked(self, run_id: int) -> bool:
        return run_id in self._slots

    def slot(self, run_id: int) -> int | None:
        return self._slots.get(run_id)

    def set_ticked(self, run_id: int, ticked: bool) -> None:
        """Tick (compare) or untick a run; ValueError for a run the tree does not hold."""
        self.runs[run_id]  # noqa: B018 — refuses an unknown id in one sentence
        if ticked == (run_id in self._slots):
            return
        if ticked:
            used = set(self._slots.values())
            free = [slot for slot in range(self.n_slots) if slot not in used]
            self._slots[run_id] = free[0] if free else len(self._slots) % self.n_slots
        else:
            del self._slots[run_id]
        self.changed.emit()

    def set_all(self, run_ids) -> None:
        """Tick exactly these runs (a session file's view); unknown ids are left out."""
        wanted = [run_id for run_id in dict.fromkeys(run_ids) if run_id in self.runs]
        if wanted == self.ticked:
            return
        self._slots = {}
        for index, run_id in enumerate(wanted):
            self._slots[run_id] = index % self.n_slots
        self.changed.emit()

    def clear(self) -> None:
        if self._slots:
            self._slots = {}
            self.changed.emit()

    def compared(self) -> list[Compared]:
        """The legend: each ticked run with its slot and words — "run 2 · lr 0.001" — and the current run
        first when runs are compared (it is drawn by the live curves, so it has no slot)."""
        if not self._slots:
            return []
        current = self.runs.current
        runs = [self.runs[run_id] for run_id in self._slots]
        shown = ([current] if current is not None else []) + [run for run in runs if run is not current]
        words = differing_settings(shown)
        return [Compared(run, None if run is current else self._slots[run.id], label(run, words.get(run.id, "")))
                for run in shown]

    # -- following the runs ------------------------------------------------------------------------------
    def _on_removed(self, run: Run) -> None:
        if run.id in self._slots:
            del self._slots[run.id]
            self.changed.emit()
        elif self._slots and run is self.runs.current:
            self.changed.emit()

    def _on_run_news(self, run: Run) -> None:
        """A compared run changed (it grew, was renamed), or the current run's settings did: the legend's
        words may differ. The current run recording an epoch is no news here — the live curves draw it."""
        if run.id in self._slots and run is not self.runs.current:
            self.changed.emit()
        elif self._slots and run is self.runs.current:
            words = _words(run)
            if words != self._current_words:
                self._current_words = words
                self.changed.emit()

    def _on_current_changed(self, run: Run | None) -> None:
        self._current_words = _words(run)
        if self._slots:
            self.changed.emit()


def _words(run: Run | None) -> tuple | None:
    return None if run is None else (run.name, tuple(describe_settings(run).items()))


def label(run: Run, words: str) -> str:
    """"run 2 · lr 0.001", or the name alone when nothing sets it apart."""
    return f"{run.name} · {words}" if words else run.name
