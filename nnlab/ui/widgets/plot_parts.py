"""The parts of a live curve: palette-aware colours, a growing buffer, smoothing, safe export.

Kept apart from ``live_plots`` so that widget file holds only the widget's behaviour.
"""
from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication


@dataclass(frozen=True)
class PlotColours:
    """Pens and fills that read on the current palette's background."""
    train: QColor
    train_faint: QColor
    validation: QColor
    best: QColor
    warning: QColor
    text: QColor
    base: QColor


def palette_colours(palette: QPalette | None = None) -> PlotColours:
    """Colours for a light or dark palette, judged by the window colour's lightness."""
    palette = palette or QApplication.palette()
    dark = palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5
    train = QColor("#5eb0ff" if dark else "#1f63b4")
    faint = QColor(train)
    faint.setAlpha(70 if dark else 60)
    text = palette.color(QPalette.ColorRole.Text)
    best = QColor(text)
    best.setAlpha(200)
    return PlotColours(train=train, train_faint=faint,
                       validation=QColor("#ffa040" if dark else "#d95f02"), best=best,
                       warning=QColor("#ff7070" if dark else "#b00020"), text=text,
                       base=palette.color(QPalette.ColorRole.Base))


class GrowingSeries:
    """One curve's points in a buffer that doubles when full, drawn by one PlotDataItem."""

    def __init__(self, item: pg.PlotDataItem, capacity: int = 1024):
        self.item = item
        self._initial = capacity
        self.clear()

    def clear(self) -> None:
        self._xy = np.empty((2, self._initial))
        self.n = 0
        self.top = -np.inf  # the largest finite y, so a plot can size its axis without a scan
        self.dirty = True

    @property
    def capacity(self) -> int:
        return self._xy.shape[1]

    @property
    def x(self) -> np.ndarray:
        return self._xy[0, :self.n]

    @property
    def y(self) -> np.ndarray:
        return self._xy[1, :self.n]

    def append(self, x: np.ndarray, y: np.ndarray) -> None:
        end = self.n + len(x)
        if end > self.capacity:
            grown = np.empty((2, max(end, 2 * self.capacity)))
            grown[:, :self.n] = self._xy[:, :self.n]
            self._xy = grown
        self._xy[0, self.n:end] = x
        self._xy[1, self.n:end] = y
        self.n = end
        finite = y[np.isfinite(y)]
        if finite.size:
            self.top = max(self.top, float(finite.max()))
        self.dirty = True

    def redraw(self) -> None:
        self.item.setData(self.x, self.y)
        self.dirty = False


class Ema:
    """Exponential moving average: s = w·s + (1 − w)·value, seeded by the first value.

    A non-finite value (a diverged batch) gives a NaN point and leaves the average alone,
    so one bad batch does not blank the smoothed line for good.
    """

    def __init__(self, weight: float):
        self.weight = weight
        self.value: float | None = None

    def extend(self, values: np.ndarray) -> np.ndarray:
        out = np.empty(len(values))
        for i, value in enumerate(values.tolist()):
            if not math.isfinite(value):
                out[i] = math.nan
                continue
            self.value = value if self.value is None else self.weight * self.value + (1 - self.weight) * value
            out[i] = self.value
        return out


def style_series(item: pg.PlotDataItem, name: str, colours: PlotColours) -> None:
    """Faint raw batches under a solid smoothed line; round training and square validation markers."""
    line = {"train_batch": pg.mkPen(colours.train_faint, width=1), "train_smoothed": pg.mkPen(colours.train, width=1),
            "train_epoch": None, "val_epoch": pg.mkPen(colours.validation, width=2)}[name]
    item.setPen(line)
    symbol = {"train_epoch": ("o", colours.train), "val_epoch": ("s", colours.validation)}.get(name)
    item.setSymbol(symbol and symbol[0])
    if symbol:
        item.setSymbolSize(8)
        item.setSymbolPen(pg.mkPen(colours.base))
        item.setSymbolBrush(symbol[1])


@contextmanager
def atomic_path(path: Path, suffix: str) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces it only if writing succeeded."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(handle)
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
