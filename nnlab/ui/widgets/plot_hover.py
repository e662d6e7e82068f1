"""The label by the point under the mouse on a live plot: "epoch 3.42 · train loss 0.1234".

A learner quotes numbers off the curves; reading them off the axis is guesswork at a 160-pixel plot.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF

from .plot_parts import PlotColours

HOVER_NAMES = {"train_batch": "train", "train_smoothed": "train (smoothed)",
               "train_epoch": "train (epoch mean)", "val_epoch": "val"}
# Markers win ties: they are the numbers a learner quotes.
HOVER_PREFERENCE = ("val_epoch", "train_epoch", "train_smoothed", "train_batch")

Curves = Callable[[str], tuple[np.ndarray, np.ndarray]]  # a series' name → its (x, y) as drawn, unclipped


def nearest_point(curve: Curves, x: float, y: float, view_range) -> tuple[str, int] | None:
    """The series and index nearest (x, y) in data coordinates, distance scaled by the view's
    ((x0, x1), (y0, y1)); None when no series has a point."""
    (x0, x1), (y0, y1) = view_range
    x_scale, y_scale = (x1 - x0) or 1.0, (y1 - y0) or 1.0
    best: tuple[float, str, int] | None = None
    for name in HOVER_PREFERENCE:
        xs, ys = curve(name)
        if xs.size == 0:
            continue
        distance = np.hypot((xs - x) / x_scale, (ys - y) / y_scale)
        if np.isnan(distance).all():
            continue
        index = int(np.nanargmin(distance))
        if best is None or distance[index] < best[0]:
            best = (float(distance[index]), name, index)
    return None if best is None else (best[1], best[2])


@dataclass(frozen=True)
class Reading:
    """What one plot draws, for its label: ``curve(name)``, the values' word ("loss", "accuracy",
    "MAE") and whether they are percentages. Made afresh for each look, so no label holds on to
    the widget that draws (no reference cycle through a stored callback)."""

    curve: Curves
    word: str
    percent: bool

    def text(self, name: str, index: int) -> str:
        xs, ys = self.curve(name)
        x, y = float(xs[index]), float(ys[index])
        epoch = f"{x:.0f}" if x.is_integer() else f"{x:.2f}"
        value = f"{y:.2f} %" if self.percent else f"{y:.4g}"
        return f"epoch {epoch} · {HOVER_NAMES[name]} {self.word} {value}"


class HoverLabel:
    """One plot's hover label, placed by the point and on the side of it towards the plot's middle."""

    def __init__(self, widget: pg.PlotWidget) -> None:
        self._view_box = widget.getPlotItem().getViewBox()
        self.label = pg.TextItem(anchor=(0, 1))
        widget.addItem(self.label, ignoreBounds=True)
        self.label.setZValue(100)

    def style(self, colours: PlotColours) -> None:
        self.label.fill, self.label.border = pg.mkBrush(colours.base), pg.mkPen(colours.text)
        self.label.setColor(colours.text)

    def hide(self) -> None:
        self.label.hide()

    def text_at(self, reading: Reading, x: float, y: float) -> str:
        """The label for the point nearest data coordinates (x, y); "" when nothing is drawn."""
        nearest = nearest_point(reading.curve, x, y, self._view_box.viewRange())
        return "" if nearest is None else reading.text(*nearest)

    def follow(self, reading: Reading, scene_pos: QPointF) -> None:
        """The mouse moved to ``scene_pos``: label the nearest point, or hide outside the plot."""
        view_box = self._view_box
        point = view_box.mapSceneToView(scene_pos)
        inside = view_box.sceneBoundingRect().contains(scene_pos)
        nearest = nearest_point(reading.curve, point.x(), point.y(), view_box.viewRange()) if inside else None
        if nearest is None:
            self.label.hide()
            return
        xs, ys = reading.curve(nearest[0])
        x, y = float(xs[nearest[1]]), float(ys[nearest[1]])
        (x0, x1), (y0, y1) = view_box.viewRange()
        self.label.setAnchor((1.0 if x > (x0 + x1) / 2 else 0.0, 0.0 if y > (y0 + y1) / 2 else 1.0))
        self.label.setText(reading.text(*nearest))
        self.label.setPos(x, y)
        self.label.show()
