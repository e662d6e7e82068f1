"""Live loss and accuracy curves: what a learner watches while the network trains.

The widget draws a :class:`nnlab.lab.History` it is given and holds no rule of its own: the
smoothing, the best validation epoch, "overfitting since epoch N", the blow-up and what a new run
trims are the History's. For a network that predicts numbers the second plot shows the mean
absolute error |output − target| instead of accuracy (the Metrics tab gives R² per epoch).

Each series is one persistent PlotDataItem over the History's growing arrays, clipped to the view
and peak-downsampled; a timer repaints one plot every 250 ms, and the axes grow in round steps
(plot_axes.py), so tens of thousands of batch points stay smooth and the trainer keeps its speed.
"""
from __future__ import annotations

import csv
import os
from functools import partial
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from nnlab.lab.history import CURVES, History

from ..priority import window_busy
from .blow_up_mark import BlowUpMark
from .plot_axes import AxisFollower
from .plot_hover import HoverLabel, Reading
from .plot_parts import LineLabel, atomic_path, palette_colours, style_series

PLOT_NAMES = ("loss", "accuracy")  # the lower plot keeps its key when it shows a regression's error
SERIES_NAMES = CURVES
_METRIC = {"loss": "loss", "accuracy": "score"}
# At 1280×720 the loss plot is ~330 × 105 px: four 9-pt rows of long names (106 px) covered all of its height and
# the best epoch's label. Two columns of 8-pt short names take ~40 px of it.
_LEGEND_NAMES = {"train_batch": "train, per batch", "train_smoothed": "train, smoothed",
                 "train_epoch": "train, epoch mean", "val_epoch": "validation"}
_LEGEND_TEXT, _LEGEND_COLUMNS = "8pt", 2
_BATCH_SERIES = ("train_batch", "train_smoothed")
# One plot per tick, alternating (each at 2 Hz): the curves still move, and the trainer keeps its speed —
# every repaint holds the GIL the training thread needs (full MNIST in the window: 1.22× the headless
# epoch time at 150 ms, 1.13× at 250 ms with 10 updates/s; benchmarks/window_training.py).
_REPAINT_MS = 250
_UNMARKED = object()  # no best epoch or notice drawn yet, not even "none"


class LivePlots(QWidget):
    """Loss (top) and accuracy in % (bottom) against fractional epochs, drawn from ``history``.

    Batch b of n in epoch e sits at x = e − 1 + b/n, so epoch e's summary points sit at x = e.
    For a regression history the bottom plot (still keyed "accuracy") shows the mean absolute
    error, on an axis from 0 that grows like the loss axis.
    """

    def __init__(self, history: History, parent: QWidget | None = None):
        super().__init__(parent)
        self.history: History | None = None
        self.plots = {name: pg.PlotWidget() for name in PLOT_NAMES}
        self._items = {plot: {name: self._make_item(plot) for name in SERIES_NAMES} for plot in PLOT_NAMES}
        self._drawn: dict[tuple[str, str], int] = {}  # points each series drew from the history
        self._stale: set[tuple[str, str]] = set()
        self._marked_best = self._marked_since = _UNMARKED
        self.best_lines = {plot: pg.InfiniteLine(angle=90, movable=False) for plot in PLOT_NAMES}
        self.best_label = LineLabel(self.best_lines["loss"], "best val epoch {value:.0f}", position=0.55)
        self.overfit_notice = LineLabel(self.best_lines["loss"], "overfitting since epoch {value:.0f}", position=0.45)
        self._hover = {plot: HoverLabel(self.plots[plot]) for plot in PLOT_NAMES}
        self.blow_up = BlowUpMark(self.plots["loss"], z=len(SERIES_NAMES) + 1)
        self.axes = AxisFollower(self.plots["loss"], self.plots["accuracy"])
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_REPAINT_MS)
        self._timer.timeout.connect(self._flush_one_plot)
        self._next_plot = 0
        self._overlay_extent: tuple[float | None, dict[str, float]] = (None, {})
        self._build()
        self._apply_palette()
        self.set_history(history)

    def _make_item(self, plot: str) -> pg.PlotDataItem:
        item = self.plots[plot].plot()
        item.setClipToView(True)
        item.setDownsampling(auto=True, method="peak")
        return item

    def _build(self) -> None:
        loss, accuracy = self.plots["loss"], self.plots["accuracy"]
        loss.setLabel("left", "loss")
        accuracy.setLabel("left", "accuracy (%)")
        accuracy.setLabel("bottom", "epoch")
        accuracy.setXLink(loss)
        accuracy.setYRange(0, 100, padding=0.03)
        accuracy.getPlotItem().getViewBox().enableAutoRange(y=False)
        loss.getPlotItem().getViewBox().enableAutoRange(x=False, y=False)
        for plot, widget in self.plots.items():
            widget.getPlotItem().autoBtn.clicked.connect(self.flush)  # after pyqtgraph's own handler
            widget.setLimits(xMin=0)
            widget.getAxis("left").setWidth(60)
            # A regression's loss and error are small numbers: "0.2" reads better than "200" under a
            # "(x0.001)" that the 60-pixel axis cuts off.
            widget.getAxis("left").enableAutoSIPrefix(False)
            widget.addItem(self.best_lines[plot], ignoreBounds=True)
            widget.scene().sigMouseMoved.connect(partial(self._on_mouse_moved, plot))
            for z, name in enumerate(SERIES_NAMES):
                self._items[plot][name].setZValue(z)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(loss)
        splitter.addWidget(accuracy)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def _apply_palette(self) -> None:
        colours = self._colours = palette_colours(self.palette())
        for plot, widget in self.plots.items():
            widget.setBackground(colours.base)
            for axis in ("left", "bottom"):
                widget.getAxis(axis).setPen(colours.text)
                widget.getAxis(axis).setTextPen(colours.text)
            for name, item in self._items[plot].items():
                style_series(item, name, colours)
            self.best_lines[plot].setPen(pg.mkPen(colours.best, width=2, style=Qt.PenStyle.DashLine))
            self._hover[plot].style(colours)
        self.best_label.setColor(colours.text)
        self.overfit_notice.setColor(colours.warning)
        self.blow_up.style(colours)
        self._style_legend()
        if self.history is not None:
            self._label_score_plot()

    def _style_legend(self) -> None:
        legend = self.plots["loss"].getPlotItem().legend
        if legend is None:
            legend = self.plots["loss"].addLegend(offset=(-4, 2), labelTextSize=_LEGEND_TEXT, verSpacing=-10,
                                                  horSpacing=4, colCount=_LEGEND_COLUMNS)
            for name in SERIES_NAMES:
                legend.addItem(self._items["loss"][name], _LEGEND_NAMES[name])
        base = QColor(self._colours.base)
        base.setAlpha(215)
        legend.setBrush(base)
        legend.setPen(self._colours.best)
        legend.setLabelTextColor(self._colours.text)
        for _, label in legend.items:  # setLabelTextColor does not re-render existing labels
            label.setText(label.text, color=self._colours.text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._apply_palette()
        super().changeEvent(event)

    # -- the history it draws --------------------------------------------------------------------
    def set_history(self, history: History) -> None:
        """Draw ``history`` from now on (another run's, say); the old one is let go."""
        if self.history is not None:
            for signal, slot in self._connections():
                signal.disconnect(slot)
        self.history = history
        for signal, slot in self._connections():
            signal.connect(slot)
        self._on_started()

    def _connections(self):
        history = self.history
        return ((history.grew, self._on_grew), (history.trimmed, self._on_trimmed),
                (history.started, self._on_started))

    @property
    def regression(self) -> bool:
        return self.history.regression

    @property
    def score_name(self) -> str:
        """What the bottom plot shows, in words: "accuracy" or "mean absolute error"."""
        return self.history.score_name

    def _on_grew(self) -> None:
        blown_up = self.history.blow_up is not self.blow_up.point
        self._show_marks()
        for plot in PLOT_NAMES:
            for name in SERIES_NAMES:
                if self._drawn.get((plot, name)) != self._source_length(name):
                    self._stale.add((plot, name))
        if blown_up:  # the loss axis and every loss curve change at once: now, not at the next tick
            self._redraw_loss_axis()
        elif not self._timer.isActive():
            self._timer.start()

    def _on_trimmed(self, _epoch: int = 0) -> None:
        self._stale.update((plot, name) for plot in PLOT_NAMES for name in SERIES_NAMES)
        self._show_marks()
        self._redraw_loss_axis()

    def _on_started(self) -> None:
        """A new history: no point, best epoch, notice or blow-up of the old one; axes from scratch."""
        self._timer.stop()
        for hover in self._hover.values():
            hover.hide()
        self._label_score_plot()
        self.axes.reset()
        self._stale.update((plot, name) for plot in PLOT_NAMES for name in SERIES_NAMES)
        self._show_marks()
        self.flush()

    def plan_run(self, last_epoch: int) -> None:
        """The run just started ends at ``last_epoch``: the epoch axis grows towards it."""
        self.axes.plan(last_epoch)
        if not self._timer.isActive():
            self._timer.start()

    def _label_score_plot(self) -> None:
        plot = self.plots["accuracy"]
        plot.setLabel("left", "mean abs. error" if self.regression else "accuracy (%)")
        plot.setTitle("Mean absolute error |output − target| (lower is better)" if self.regression else None,
                      color=self._colours.text, size="9pt")
        if not self.regression:
            plot.setYRange(0, 100, padding=0.03)

    def _source_length(self, name: str) -> int:
        history = self.history
        table = history.batches if name in _BATCH_SERIES else history.epochs if name == "train_epoch" \
            else history.validation
        return len(table)

    def _show_marks(self) -> None:
        """The best-epoch line, the overfitting notice and the blow-up marker, as the history says —
        touched only when they change: each touch repaints the plot outside the repaint timer."""
        history, changed = self.history, False
        best, since = history.best_epoch, history.overfitting_since
        if best != self._marked_best:
            self._marked_best, changed = best, True
            for line in self.best_lines.values():
                line.setVisible(best is not None)
                if best is not None:
                    line.setValue(best)
            self.best_label.valueChanged()
        if since != self._marked_since:
            self._marked_since, changed = since, True
            self.overfit_notice.setVisible(since is not None)
            self.overfit_notice.valueChanged()
        if history.blow_up is not self.blow_up.point:
            changed = True
            if history.blow_up is None:
                self.blow_up.hide()
            else:
                self.blow_up.show(history.blow_up, history.highest("loss"))
        if changed:
            self._settle_geometry()

    # -- drawing ---------------------------------------------------------------------------------
    def _curve(self, plot: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """One series as drawn, before clipping: accuracy in percent."""
        x, y = self.history.curve(_METRIC[plot], name)
        return (x, y * 100.0) if plot == "accuracy" and not self.regression else (x, y)

    def _draw(self, plot: str, name: str) -> None:
        x, y = self._curve(plot, name)
        if plot == "loss" and self.blow_up.shown:
            y = self.blow_up.clipped(y)
        self._items[plot][name].setData(x, y)
        self._drawn[(plot, name)] = self._source_length(name)
        self._stale.discard((plot, name))

    def _redraw_loss_axis(self) -> None:
        self._stale.update(("loss", name) for name in SERIES_NAMES)
        self.axes.resize_loss()
        self.flush()

    def flush(self) -> None:
        """Repaint every series that changed since the last repaint, now."""
        self._timer.stop()
        self._follow_ranges()
        for plot, name in sorted(self._stale):
            self._draw(plot, name)
        self._settle_geometry()

    @window_busy()
    def _flush_one_plot(self) -> None:
        """Timer repaint: one plot per tick, alternating, so no single frame paints both.

        A pyqtgraph plot costs ~8 ms to paint here; painting the two in one event-loop turn
        stalled the window for 20–40 ms while training.
        """
        self._follow_ranges()
        for _ in PLOT_NAMES:
            plot = PLOT_NAMES[self._next_plot % len(PLOT_NAMES)]
            self._next_plot += 1
            stale = [name for name in SERIES_NAMES if (plot, name) in self._stale]
            if stale:
                for name in stale:
                    self._draw(plot, name)
                break
        self._settle_geometry()
        if self._stale:
            self._timer.start()

    def _follow_ranges(self) -> None:
        history = self.history
        last = history.last_x
        if history.blow_up is not None:
            last = max(last or 0.0, history.blow_up.x)
        highest = {"loss": history.highest("loss"), "accuracy": history.highest("score")}
        overlay_last, overlay_highest = self._overlay_extent
        if overlay_last is not None:
            last = max(last or 0.0, overlay_last)
        for plot, value in overlay_highest.items():
            highest[plot] = max(highest[plot], value)
        self.axes.follow(last, highest, history.regression, self.blow_up.ceiling if self.blow_up.shown else None)

    # -- other runs' curves (nnlab/ui/runs/compare_overlay.py) -----------------------------------
    def add_overlay(self, plot: str, item: pg.GraphicsObject) -> None:
        """Draw ``item`` — another run's curve — on ``plot``, under the live series."""
        item.setZValue(-1)
        self.plots[plot].addItem(item)

    def remove_overlay(self, plot: str, item: pg.GraphicsObject) -> None:
        self.plots[plot].removeItem(item)

    def set_overlay_extent(self, last_x: float | None, highest: dict[str, float]) -> None:
        """How far the overlaid curves reach (the last epoch; the largest value per plot, in the plot's
        units): the axes grow to show them whole, as they do for the live curves."""
        self._overlay_extent = (last_x, dict(highest))
        self._follow_ranges()

    def _settle_geometry(self) -> None:
        """Run pyqtgraph's deferred y auto-range and view-transform update now, not in paintEvent.

        Left to the paint, they resize the curves, markers and best-epoch line mid-paint, and Qt
        paints both plots a second time for those geometry changes (four paints per update).
        """
        for plot, widget in self.plots.items():
            widget.scene().prepareForPaint()
            if self.best_lines[plot].isVisible():
                self.best_lines[plot].boundingRect()
            for label in (self.best_label, self.overfit_notice):
                label.updateTransform()

    # -- reading and exporting -------------------------------------------------------------------
    def series(self, plot: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of one series' (x, y) as drawn, before clipping; accuracy is in percent."""
        x, y = self._curve(plot, name)
        return x.copy(), y.copy()

    def item(self, plot: str, name: str) -> pg.PlotDataItem:
        """The persistent PlotDataItem that draws one series."""
        return self._items[plot][name]

    def hover_text(self, plot: str, x: float, y: float) -> str:
        """The label for the point nearest data coordinates (x, y), e.g. "epoch 3.42 · train loss 0.1234"."""
        return self._hover[plot].text_at(self._reading(plot), x, y)

    def _reading(self, plot: str) -> Reading:
        word = "loss" if plot == "loss" else self.history.score_word
        return Reading(partial(self._curve, plot), word, plot == "accuracy" and not self.regression)

    def _on_mouse_moved(self, plot: str, scene_pos: QPointF) -> None:
        self._hover[plot].follow(self._reading(plot), scene_pos)

    def export_png(self, path: str | os.PathLike, plot: str = "loss", width: int | None = None) -> None:
        """Save one plot as a PNG (atomically); ``width`` in pixels, the on-screen size by default."""
        self.flush()
        self._hover[plot].hide()
        exporter = pg.exporters.ImageExporter(self.plots[plot].getPlotItem())
        if width:
            exporter.parameters()["width"] = int(width)
        if exporter.parameters()["width"] < 2 or exporter.parameters()["height"] < 2:
            raise ValueError(f"the {plot} plot has no size to export yet")
        with atomic_path(Path(path), ".png") as temporary:
            if exporter.export(str(temporary)) is False:
                raise OSError(f"could not write {path}")

    def export_csv(self, path: str | os.PathLike) -> None:
        """Save the history's rows ``series,epoch,value`` (atomically; see ``History.rows``); numbers
        are written with full precision so they read back exactly."""
        path = Path(path)
        with atomic_path(path, ".csv") as temporary:
            with open(temporary, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["series", "epoch", "value"])
                writer.writerows((series, repr(x), repr(y)) for series, x, y in self.history.rows())
