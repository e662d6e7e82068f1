"""How the curves' axes grow: in round steps, so they change a few times a run, not at every update.

Each change of range re-clips and repaints every curve of both (x-linked) plots.
"""
from __future__ import annotations

import math
from functools import partial

import pyqtgraph as pg

# The view reaches VIEW_TOP × a blow-up's ceiling, so the marker's symbol (16 px on a plot ~160 px
# high) is drawn whole above the clipped curve.
VIEW_TOP = 1.1


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 3, 4, 5, 6, 8 times a power of ten that is at least ``value`` (> 0)."""
    scale = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 3, 4, 5, 6, 8, 10):
        if step * scale >= value * (1 - 1e-12):
            return float(step * scale)
    raise AssertionError("unreachable: 10 × scale exceeds value")


def epoch_axis_end(last: float, planned: float | None) -> float:
    """Where the epoch axis ends with ``last`` epochs done of a run planned to end at ``planned``.

    Up to 4× the epochs done, in round steps, but never past the planned end (a 20-epoch run is
    drawn on 0–4, then 0–20) — unless training goes on past it.
    """
    last = max(last, 1.0)
    if planned is not None and last <= planned:
        return planned if planned <= 4 * last else nice_ceiling(4 * last)
    return nice_ceiling(last)


class AxisFollower:
    """Widens the shared epoch axis and the loss axis (and a regression's error axis) in round steps,
    unless the learner zoomed that axis; a plot's "A" button follows the data again.

    A range that changes often is hard to read, and each change re-clips and repaints every curve of
    both plots (pyqtgraph's own auto-range also repainted the plot a second time for the best-epoch
    label at every update): on full MNIST a new range each epoch cost ~4 % of the epoch time.
    """

    EPOCHS, LOSS, SCORE = range(3)

    def __init__(self, loss: pg.PlotWidget, score: pg.PlotWidget) -> None:
        self._loss, self._score = loss.getPlotItem().getViewBox(), score.getPlotItem().getViewBox()
        self._loss.sigRangeChangedManually.connect(partial(self._on_manual_range, self.LOSS))
        self._score.sigRangeChangedManually.connect(partial(self._on_manual_range, self.SCORE))
        self.reset()

    def reset(self) -> None:
        """Follow every axis again, from scratch, with no run planned."""
        self.following, self.tops = [True, True, True], [0.0, 0.0, 0.0]
        self.planned_end: float | None = None

    def plan(self, last_epoch: float) -> None:
        """A run that ends at ``last_epoch``: the epoch axis grows towards it, sized afresh."""
        self.planned_end, self.tops[self.EPOCHS] = float(last_epoch), 0.0

    def resize_loss(self) -> None:
        """Size the loss axis afresh at the next :meth:`follow` (a blow-up came or went)."""
        self.tops[self.LOSS] = 0.0

    def follow(self, last_x: float | None, highest: dict[str, float], regression: bool,
               blow_up_ceiling: float | None) -> None:
        """``highest``: the largest finite value drawn on each plot ("loss", "accuracy");
        ``blow_up_ceiling``: while a blow-up is shown, the loss axis stops there."""
        self._take_a_buttons(regression)
        if self.following[self.EPOCHS]:
            last = last_x if last_x is not None else 1.0
            top = self.tops[self.EPOCHS]
            right = top if 0 < last <= top else epoch_axis_end(last, self.planned_end)
            if right != top:
                self.tops[self.EPOCHS] = right
                self._loss.setXRange(0.0, right * 1.02, padding=0.0)
        for axis, plot, box in ((self.LOSS, "loss", self._loss), (self.SCORE, "accuracy", self._score)):
            if not self.following[axis] or (axis == self.SCORE and not regression):
                continue
            clipped = axis == self.LOSS and blow_up_ceiling is not None
            top = blow_up_ceiling if clipped else nice_ceiling(highest[plot]) if highest[plot] > 0 else 1.0
            if top != self.tops[axis]:
                self.tops[axis] = top
                box.setYRange(0.0, top * (VIEW_TOP if clipped else 1.03), padding=0.0)

    def _take_a_buttons(self, regression: bool) -> None:
        """A pressed "A" switched pyqtgraph's own auto-range on: follow in round steps instead."""
        for axis, enabled in enumerate(self._loss.autoRangeEnabled()):
            if enabled:
                self._loss.enableAutoRange(axis=axis, enable=False)
                self.following[axis], self.tops[axis] = True, 0.0
        x_auto, y_auto = self._score.autoRangeEnabled()
        if x_auto or y_auto:  # the lower plot's "A": its axis stays 0–100 % (an error's follows), the epochs too
            self._score.enableAutoRange(enable=False)
            if not regression:
                self._score.setYRange(0, 100, padding=0.03)
            for axis in (self.EPOCHS, self.SCORE):
                self.following[axis], self.tops[axis] = True, 0.0

    def _on_manual_range(self, plot_axis: int, axes: list[bool]) -> None:
        """A zoom or pan: the epoch axis is shared, each plot's y axis its own."""
        if axes[0]:
            self.following[self.EPOCHS] = False
        if axes[1]:
            self.following[plot_axis] = False
