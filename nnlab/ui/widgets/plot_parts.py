"""The parts of a live curve: palette-aware colours, each series' pens and markers, safe export.

Kept apart from ``live_plots`` so that widget file holds only the widget's behaviour; the curves'
data, their smoothing and their rules are a ``nnlab.lab.History``.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

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


class LineLabel(pg.InfLineLabel):
    """A vertical line's words, on the side of the line with room for them: right of a line in the left half of
    the view, left of one in the right half (a best epoch that was the last one had its words cut at the edge)."""

    def updatePosition(self) -> None:
        super().updatePosition()
        view = self.line.viewRect()
        if view is not None:
            self.setAnchor((1, 0) if self.line.value() > view.center().x() else (0, 0))
