"""Compared runs' curves over the live ones: each ticked run's epoch curves in its own colour, and a
legend naming what tells the runs apart ("run 2 · lr 0.001").

It draws what a :class:`nnlab.lab.comparison.RunComparison` says on a :class:`LivePlots`, through
the plots' small overlay methods (``add_overlay``, ``remove_overlay``, ``set_overlay_extent``); the
live curves stay the LivePlots' own. Per compared run: the validation curve solid with squares, the
training epoch means dashed — the batches would bury one run under another's noise. Redrawn when the
comparison changes (a tick, a rename, a compared run's new epoch), not on a timer: at most once an epoch.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor

from nnlab.lab.comparison import Compared, RunComparison
from nnlab.lab.runs import Run

from ..colours import is_dark
from ..widgets.live_plots import LivePlots
from ..widgets.plot_parts import palette_colours

# Dark2 (ColorBrewer) without its orange, the live validation curve's colour, and a cyan; lighter on dark.
COLOURS_LIGHT = ("#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#b8860b", "#a6761d", "#666666", "#1795a8")
COLOURS_DARK = ("#4fd1a5", "#a39ff0", "#ff6fb5", "#9bd14a", "#ffd24d", "#d9a55a", "#bbbbbb", "#5fe3f0")
SERIES = ("val_epoch", "train_epoch")
LEGEND_OFFSET = {False: (-10, -10), True: (-10, 10)}  # by "the live run predicts numbers"
LEGEND_TEXT = "8pt"  # the curves dock is ~400 px wide: the compare legend should not hide the plot it explains
_METRIC = {"loss": "loss", "accuracy": "score"}


class CompareOverlay(QObject):
    """Owns the overlaid PlotDataItems and the compare legend on ``plots``."""

    def __init__(self, plots: LivePlots, comparison: RunComparison) -> None:
        super().__init__(plots)
        self.plots, self.comparison = plots, comparison
        self._items: dict[tuple[int, str, str], pg.PlotDataItem] = {}  # (run id, plot, series) -> item
        self._drawn: dict[tuple[int, str, str], tuple] = {}  # what each item was last given: colour, x, y
        # In the lower plot, apart from the live curves' legend (top right of the loss plot): bottom right,
        # under a rising accuracy; top right over a falling error.
        self.legend = pg.LegendItem(offset=LEGEND_OFFSET[False], labelTextSize=LEGEND_TEXT, verSpacing=-6)
        self.legend.setParentItem(plots.plots["accuracy"].getPlotItem().getViewBox())
        self.legend.hide()
        self._legend_samples: list[pg.PlotDataItem] = []
        comparison.changed.connect(self.redraw)
        plots.installEventFilter(self)  # a palette change recolours the legend and the curves
        self.redraw()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.plots and event.type() in (QEvent.Type.PaletteChange,
                                                      QEvent.Type.ApplicationPaletteChange):
            self._drawn.clear()  # the symbols' outline follows the palette's base colour
            self.redraw()
        return False

    # -- what is drawn ------------------------------------------------------------------------------------
    def item(self, run_id: int, plot: str, series: str) -> pg.PlotDataItem | None:
        """The overlaid item of one compared run's series ("val_epoch" or "train_epoch") on "loss" or "accuracy"."""
        return self._items.get((run_id, plot, series))

    def colour(self, slot: int) -> QColor:
        colours = COLOURS_DARK if is_dark(self.plots.palette()) else COLOURS_LIGHT
        return QColor(colours[slot % len(colours)])

    def redraw(self) -> None:
        compared = self.comparison.compared()
        wanted: dict[tuple[int, str, str], tuple[np.ndarray, np.ndarray, QColor]] = {}
        last, highest = None, {"loss": -math.inf, "accuracy": -math.inf}
        live = self.plots.history
        for entry in compared:
            if entry.slot is None:
                continue
            run, colour = entry.run, self.colour(entry.slot)
            for plot in ("loss", "accuracy"):
                if plot == "accuracy" and run.history.regression != live.regression:
                    continue  # another kind of score: it would be read on the wrong axis
                for series in SERIES:
                    x, y = curve(run, plot, series)
                    if not len(x):
                        continue
                    wanted[(run.id, plot, series)] = (x, y, colour)
                    last = max(last or 0.0, float(x[-1]))
                    finite = y[np.isfinite(y)]
                    if finite.size:
                        highest[plot] = max(highest[plot], float(finite.max()) / (100.0 if plot == "accuracy"
                                                                                   and not live.regression else 1.0))
        for key in [key for key in self._items if key not in wanted]:
            self.plots.remove_overlay(key[1], self._items.pop(key))
            self._drawn.pop(key, None)
        for key, (x, y, colour) in wanted.items():
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = pg.PlotDataItem()
                self.plots.add_overlay(key[1], item)
            drawn = (colour.name(), x.tobytes(), y.tobytes())
            if self._drawn.get(key) != drawn:  # each setData or pen repaints the plot: only what changed
                style(item, key[2], colour, self.plots.palette())
                item.setData(x, y)
                self._drawn[key] = drawn
        self.plots.set_overlay_extent(last, {plot: value for plot, value in highest.items() if value > -math.inf})
        self.legend.setOffset(LEGEND_OFFSET[live.regression])
        self._fill_legend(compared)

    def _fill_legend(self, compared: list[Compared]) -> None:
        legend = self.legend
        legend.clear()
        self._legend_samples = []
        colours = palette_colours(self.plots.palette())
        if not any(entry.slot is not None for entry in compared):
            legend.hide()
            return
        for entry in compared:  # a line alone in the run's colour: the squares would only repeat it
            colour = colours.validation if entry.slot is None else self.colour(entry.slot)
            sample = pg.PlotDataItem(pen=pg.mkPen(colour, width=3))
            self._legend_samples.append(sample)
            legend.addItem(sample, f"{entry.label} (current)" if entry.slot is None else entry.label)
        dashed = pg.PlotDataItem(pen=pg.mkPen(colours.text, width=1, style=Qt.PenStyle.DashLine))
        self._legend_samples.append(dashed)
        legend.addItem(dashed, "dashed: training, epoch mean")
        base = QColor(colours.base)
        base.setAlpha(215)
        legend.setBrush(base)
        legend.setPen(colours.best)
        legend.setLabelTextColor(colours.text)
        for _, label in legend.items:
            label.setText(label.text, color=colours.text)
        legend.show()

    def labels(self) -> list[str]:
        """The legend's lines, as shown."""
        return [label.text for _, label in self.legend.items]


def curve(run: Run, plot: str, series: str) -> tuple[np.ndarray, np.ndarray]:
    """One of a run's epoch curves as the live plots draw theirs: accuracy in percent (a regression's error as is)."""
    x, y = run.history.curve(_METRIC[plot], series)
    if plot == "accuracy" and not run.history.regression:
        y = y * 100.0
    return np.array(x), np.array(y)


def style(item: pg.PlotDataItem, series: str, colour: QColor, palette) -> None:
    base = palette_colours(palette).base
    if series == "val_epoch":
        item.setPen(pg.mkPen(colour, width=2))
        item.setSymbol("s")
        item.setSymbolSize(6)
        item.setSymbolPen(pg.mkPen(base))
        item.setSymbolBrush(colour)
    else:
        item.setPen(pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine))
        item.setSymbol(None)
