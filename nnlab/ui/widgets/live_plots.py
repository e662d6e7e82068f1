"""Live loss and accuracy curves: what a learner watches while the network trains.

For a network that predicts numbers (``is_regression``) the second plot shows the mean absolute
error |output − target| instead of accuracy, which such a network does not have: per batch it is
always defined (R² is not, for a batch whose targets are all equal — one sample, say), and it reads
in the targets' own units. The Metrics tab gives R² per epoch.

The teaching moment is the validation loss turning up while the training loss keeps
falling, so the widget marks the best validation epoch and says when overfitting began.
Each series is one persistent PlotDataItem over a doubling NumPy buffer, clipped to the view
and peak-downsampled; a timer repaints one plot every 250 ms, so tens of thousands of batch
points stay smooth and the trainer keeps its speed.
"""
from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable
from functools import partial
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from ..priority import window_busy
from .blow_up_mark import VIEW_TOP, BlowUpMark, keep_up_to
from .plot_axes import epoch_axis_end, nice_ceiling
from .plot_parts import atomic_path, Ema, GrowingSeries, style_series, palette_colours

PLOT_NAMES = ("loss", "accuracy")
SERIES_NAMES = ("train_batch", "train_smoothed", "train_epoch", "val_epoch")
_LEGEND_NAMES = {"train_batch": "training, per batch", "train_smoothed": "training (smoothed)",
                 "train_epoch": "training, epoch mean", "val_epoch": "validation"}
_HOVER_NAMES = {"train_batch": "train", "train_smoothed": "train (smoothed)",
                "train_epoch": "train (epoch mean)", "val_epoch": "val"}
# Markers win ties: they are the numbers a learner quotes.
_HOVER_PREFERENCE = ("val_epoch", "train_epoch", "train_smoothed", "train_batch")
# One plot per tick, alternating (each at 2 Hz): the curves still move, and the trainer keeps its speed —
# every repaint holds the GIL the training thread needs (full MNIST in the window: 1.22× the headless
# epoch time at 150 ms, 1.13× at 250 ms with 10 updates/s; benchmarks/window_training.py).
_REPAINT_MS = 250


class LivePlots(QWidget):
    """Loss (top) and accuracy in % (bottom) against fractional epochs, updated live.

    Batch b of n in epoch e sits at x = e − 1 + b/n, so epoch e's summary points sit at x = e.
    After ``set_regression(True)`` the bottom plot (still keyed "accuracy") shows the mean
    absolute error, on an axis from 0 that grows like the loss axis.
    """

    def __init__(self, parent: QWidget | None = None, *, smoothing: float = 0.9,
                 overfit_patience: int = 3, initial_capacity: int = 1024):
        super().__init__(parent)
        self.overfit_patience = overfit_patience
        self._smoothing = smoothing
        self.regression = False
        self.plots = {name: pg.PlotWidget() for name in PLOT_NAMES}
        self._series = {plot: {name: GrowingSeries(self._make_item(plot), initial_capacity)
                               for name in SERIES_NAMES} for plot in PLOT_NAMES}
        self.best_lines = {plot: pg.InfiniteLine(angle=90, movable=False) for plot in PLOT_NAMES}
        self.best_label = pg.InfLineLabel(self.best_lines["loss"], "best val epoch {value:.0f}",
                                          position=0.55, anchors=[(0, 0), (0, 0)])
        self.overfit_notice = pg.InfLineLabel(self.best_lines["loss"], "overfitting since epoch {value:.0f}",
                                              position=0.45, anchors=[(0, 0), (0, 0)])
        self._hover_labels = {plot: pg.TextItem(anchor=(0, 1)) for plot in PLOT_NAMES}
        self.blow_up = BlowUpMark(self.plots["loss"], z=len(SERIES_NAMES) + 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(_REPAINT_MS)
        self._timer.timeout.connect(self._flush_one_plot)
        self._next_plot = 0
        self._build()
        self._apply_palette()
        self.clear()

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
            widget.getPlotItem().getViewBox().sigRangeChangedManually.connect(partial(self._on_manual_range, plot))
            widget.getPlotItem().autoBtn.clicked.connect(self.flush)  # after pyqtgraph's own handler
            widget.setLimits(xMin=0)
            widget.getAxis("left").setWidth(60)
            # A regression's loss and error are small numbers: "0.2" reads better than "200" under a
            # "(x0.001)" that the 60-pixel axis cuts off.
            widget.getAxis("left").enableAutoSIPrefix(False)
            widget.addItem(self.best_lines[plot], ignoreBounds=True)
            widget.addItem(self._hover_labels[plot], ignoreBounds=True)
            self._hover_labels[plot].setZValue(100)
            for z, name in enumerate(SERIES_NAMES):
                self._series[plot][name].item.setZValue(z)
            widget.scene().sigMouseMoved.connect(partial(self._on_mouse_moved, plot))
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
            for name, series in self._series[plot].items():
                style_series(series.item, name, colours)
            self.best_lines[plot].setPen(pg.mkPen(colours.best, width=2, style=Qt.PenStyle.DashLine))
            label = self._hover_labels[plot]
            label.fill, label.border = pg.mkBrush(colours.base), pg.mkPen(colours.text)
            label.setColor(colours.text)
        self.best_label.setColor(colours.text)
        self.overfit_notice.setColor(colours.warning)
        self.blow_up.style(colours)
        self._style_legend()
        self._label_score_plot()

    def set_regression(self, regression: bool) -> None:
        """Show the mean absolute error (True) or the accuracy (False) below the loss.

        A change of task clears every curve: the loss is another function now, and the
        old points would be read on the new axis.
        """
        if bool(regression) == self.regression:
            return
        self.regression = bool(regression)
        self._label_score_plot()
        self.clear()

    def _label_score_plot(self) -> None:
        plot = self.plots["accuracy"]
        plot.setLabel("left", "mean abs. error" if self.regression else "accuracy (%)")
        plot.setTitle("Mean absolute error |output − target| (lower is better)" if self.regression else None,
                      color=self._colours.text, size="9pt")

    @property
    def score_name(self) -> str:
        """What the bottom plot shows, in words: "accuracy" or "mean absolute error"."""
        return "mean absolute error" if self.regression else "accuracy"

    def _style_legend(self) -> None:
        legend = self.plots["loss"].getPlotItem().legend
        if legend is None:
            legend = self.plots["loss"].addLegend(offset=(-10, 10))
            for name in SERIES_NAMES:
                legend.addItem(self._series["loss"][name].item, _LEGEND_NAMES[name])
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

    def add_batches(self, records: Iterable) -> None:
        """Append batch records (``epoch``, ``batch``, ``n_batches``, ``loss``, ``accuracy`` in 0..1 —
        or, for a regression plot, ``mean_absolute_error``)."""
        records = list(records)
        if not records:
            return
        x = np.array([r.epoch - 1 + r.batch / r.n_batches for r in records], dtype=float)
        scores = [r.mean_absolute_error for r in records] if self.regression else [r.accuracy for r in records]
        values = {"loss": np.array([r.loss for r in records], dtype=float),
                  "accuracy": self._as_drawn(np.array(scores, dtype=float))}
        for plot, y in values.items():
            self._series[plot]["train_batch"].append(x, y)
            self._series[plot]["train_smoothed"].append(x, self._emas[plot].extend(y))
        self._schedule_repaint()

    def add_epoch(self, epoch: int, train_loss: float, train_accuracy: float,
                  val_loss: float = math.nan, val_accuracy: float = math.nan) -> None:
        """Append one epoch's means (accuracies in 0..1, or for a regression plot the mean absolute
        errors); a NaN validation loss adds no validation point."""
        x = np.array([float(epoch)])
        self._series["loss"]["train_epoch"].append(x, np.array([train_loss]))
        self._series["accuracy"]["train_epoch"].append(x, self._as_drawn(np.array([train_accuracy])))
        if math.isfinite(val_loss):
            self._series["loss"]["val_epoch"].append(x, np.array([val_loss]))
            self._series["accuracy"]["val_epoch"].append(x, self._as_drawn(np.array([val_accuracy])))
            self._track_validation(epoch, train_loss, val_loss)
        self._schedule_repaint()

    def _as_drawn(self, scores: np.ndarray) -> np.ndarray:
        """Accuracy in 0..1 is drawn in percent; a mean absolute error as it is."""
        return scores if self.regression else scores * 100.0

    def clear(self) -> None:
        """Forget every point, the best epoch and the overfitting notice."""
        self._timer.stop()
        for plot in PLOT_NAMES:
            for series in self._series[plot].values():
                series.clear()
            self.best_lines[plot].hide()
            self._hover_labels[plot].hide()
        self._emas = {plot: Ema(self._smoothing) for plot in PLOT_NAMES}
        self._val_history: list[tuple[int, float, float]] = []
        self._best: tuple[int, float] | None = None
        self._overfit_since: int | None = None
        self.overfit_notice.hide()
        self._following, self._range_top = [True, True, True], [0.0, 0.0, 0.0]  # epochs, loss, error axes
        self._planned_end: float | None = None
        self.blow_up.hide()
        self.flush()

    def show_blow_up(self, x: float, loss: float, restored_epoch: int, series: str = "train_batch") -> None:
        """A diverged run: its blown-up loss at ``x`` joins ``series`` (a batch's, or "val_epoch"), drawn
        clipped at the top of the loss axis under a marker; the axis stays sized to the points before it.

        The weights of ``restored_epoch`` were put back: the next run's points replace those after it.
        """
        highest = max((s.top for s in self._series["loss"].values() if s.n), default=0.0)
        self.blow_up.show(x, loss, restored_epoch, highest)
        self._series["loss"][series].append(np.array([x]), np.array([loss]))
        self._redraw_loss_axis()

    def _drop_after(self, epoch: int) -> None:
        """Forget the points right of ``epoch`` (a stopped epoch's batches, a blow-up) and the blow-up mark."""
        if not self.blow_up.shown and all(s.n == 0 or s.x[-1] <= epoch + 1e-9
                                          for plot in PLOT_NAMES for s in self._series[plot].values()):
            return
        for plot in PLOT_NAMES:
            for name, series in self._series[plot].items():
                kept = keep_up_to(series, epoch)
                if name == "train_smoothed":  # the average carries on from the last kept point
                    finite = kept[np.isfinite(kept)]
                    self._emas[plot].value = float(finite[-1]) if finite.size else None
        self.blow_up.hide()
        self._redraw_loss_axis()

    def _redraw_loss_axis(self) -> None:
        for series in self._series["loss"].values():
            series.dirty = True
        self._range_top[1] = 0.0
        self.flush()

    def _draw(self, plot: str, series: GrowingSeries) -> None:
        if plot == "loss" and self.blow_up.shown:
            series.item.setData(series.x, self.blow_up.clipped(series.y))
            series.dirty = False
        else:
            series.redraw()

    def flush(self) -> None:
        """Repaint every series that changed since the last repaint, now."""
        self._timer.stop()
        self._follow_ranges()
        for plot in PLOT_NAMES:
            for series in self._series[plot].values():
                if series.dirty:
                    self._draw(plot, series)
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
            dirty = [series for series in self._series[plot].values() if series.dirty]
            if dirty:
                for series in dirty:
                    self._draw(plot, series)
                break
        self._settle_geometry()
        if any(series.dirty for plot in PLOT_NAMES for series in self._series[plot].values()):
            self._timer.start()

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

    def plan_run(self, last_epoch: int, first_epoch: int | None = None) -> None:
        """The run just started carries on from the end of ``first_epoch`` (by default the epoch a blow-up
        restored) and ends at ``last_epoch``: the epoch axis grows towards it, and whatever was drawn right
        of ``first_epoch`` goes — those weights were not kept, and the new run draws that stretch again."""
        start = self.blow_up.restored_epoch if first_epoch is None else first_epoch
        if start is not None:
            self._drop_after(start)
        self._planned_end = float(last_epoch)
        self._range_top[0] = 0.0  # size the epoch axis afresh for this run
        self._schedule_repaint()

    def _follow_ranges(self) -> None:
        """Widen the shared epoch axis and the loss axis in steps (loss: 1, 2, 3, 4, 5, 6, 8 × 10ⁿ).

        Unless the learner zoomed that axis; the plot's "A" button follows the data again. A range
        that changes often is hard to read, and each change re-clips and repaints every curve of both
        plots (pyqtgraph's own auto-range also repainted the plot a second time for the best-epoch
        label at every update): on full MNIST a new range each epoch cost ~4 % of the epoch time.
        """
        view_box = self.plots["loss"].getPlotItem().getViewBox()
        for axis, enabled in enumerate(view_box.autoRangeEnabled()):
            if enabled:  # the "A" button
                view_box.enableAutoRange(axis=axis, enable=False)
                self._following[axis], self._range_top[axis] = True, 0.0
        accuracy = self.plots["accuracy"].getPlotItem().getViewBox()
        x_auto, y_auto = accuracy.autoRangeEnabled()
        if x_auto or y_auto:  # the accuracy plot's "A": its axis stays 0–100 % (an error's follows), the epochs too
            accuracy.enableAutoRange(enable=False)
            if not self.regression:
                accuracy.setYRange(0, 100, padding=0.03)
            self._following[0], self._range_top[0] = True, 0.0
            self._following[2], self._range_top[2] = True, 0.0
        if self._following[0]:
            last = max((s.x[-1] for s in self._series["loss"].values() if s.n), default=1.0)
            right = self._range_top[0] if 0 < last <= self._range_top[0] else epoch_axis_end(last, self._planned_end)
            if right != self._range_top[0]:
                self._range_top[0] = right
                view_box.setXRange(0.0, right * 1.02, padding=0.0)
        for axis, plot, box in ((1, "loss", view_box), (2, "accuracy", accuracy)):
            if not self._following[axis] or (plot == "accuracy" and not self.regression):
                continue
            blown_up = plot == "loss" and self.blow_up.shown
            highest = max((s.top for s in self._series[plot].values() if s.n), default=0.0)
            top = self.blow_up.ceiling if blown_up else nice_ceiling(highest) if highest > 0 else 1.0
            if top != self._range_top[axis]:
                self._range_top[axis] = top
                box.setYRange(0.0, top * (VIEW_TOP if blown_up else 1.03), padding=0.0)

    def _on_manual_range(self, plot: str, axes: list[bool]) -> None:
        """A zoom or pan: the epoch axis is shared, the loss axis is the loss plot's own."""
        if axes[0]:
            self._following[0] = False
        if axes[1]:
            self._following[1 if plot == "loss" else 2] = False

    def _schedule_repaint(self) -> None:
        if not self._timer.isActive():
            self._timer.start()

    def _track_validation(self, epoch: int, train_loss: float, val_loss: float) -> None:
        self._val_history.append((epoch, train_loss, val_loss))
        if self._best is None or val_loss < self._best[1]:
            self._best = (epoch, val_loss)
            self._overfit_since = None
            for line in self.best_lines.values():
                line.show()
                line.setValue(epoch)
            self.best_label.valueChanged()
        elif self._overfit_since is None and self._rising_while_training_falls():
            self._overfit_since = self._best[0]
        self.overfit_notice.setVisible(self._overfit_since is not None)
        self.overfit_notice.valueChanged()
        self._settle_geometry()

    def _rising_while_training_falls(self) -> bool:
        """Validation loss rose at each of the last ``overfit_patience`` epochs, training loss fell overall."""
        window = self._val_history[-(self.overfit_patience + 1):]
        if len(window) <= self.overfit_patience:
            return False
        val = [v for _, _, v in window]
        rising = all(later > earlier for earlier, later in zip(val, val[1:]))
        return rising and window[-1][1] < window[0][1]

    def best_epoch(self) -> int | None:
        """The epoch with the lowest validation loss so far (the earliest on ties)."""
        return None if self._best is None else self._best[0]

    def overfitting_since(self) -> int | None:
        """The best validation epoch, once validation loss has risen since while training loss fell."""
        return self._overfit_since

    def series(self, plot: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Copies of one series' (x, y); accuracy is in percent, as drawn."""
        series = self._series[plot][name]
        return series.x.copy(), series.y.copy()

    def item(self, plot: str, name: str) -> pg.PlotDataItem:
        """The persistent PlotDataItem that draws one series."""
        return self._series[plot][name].item

    def capacity(self, plot: str, name: str) -> int:
        """How many points one series' buffer holds before it doubles."""
        return self._series[plot][name].capacity

    def _nearest(self, plot: str, x: float, y: float) -> tuple[str, int] | None:
        """The series and index nearest (x, y) in data coordinates, distance scaled by the view."""
        (x0, x1), (y0, y1) = self.plots[plot].getPlotItem().getViewBox().viewRange()
        x_scale, y_scale = (x1 - x0) or 1.0, (y1 - y0) or 1.0
        best: tuple[float, str, int] | None = None
        for name in _HOVER_PREFERENCE:
            series = self._series[plot][name]
            if series.n == 0:
                continue
            distance = np.hypot((series.x - x) / x_scale, (series.y - y) / y_scale)
            if np.isnan(distance).all():
                continue
            index = int(np.nanargmin(distance))
            if best is None or distance[index] < best[0]:
                best = (float(distance[index]), name, index)
        return None if best is None else (best[1], best[2])

    def hover_text(self, plot: str, x: float, y: float) -> str:
        """The label for the point nearest data coordinates (x, y), e.g. "epoch 3.42 · train loss 0.1234"."""
        nearest = self._nearest(plot, x, y)
        return "" if nearest is None else self._point_text(plot, *nearest)

    def _point_text(self, plot: str, name: str, index: int) -> str:
        series = self._series[plot][name]
        x, y = float(series.x[index]), float(series.y[index])
        epoch = f"{x:.0f}" if x.is_integer() else f"{x:.2f}"
        value = f"{y:.2f} %" if plot == "accuracy" and not self.regression else f"{y:.4g}"
        return f"epoch {epoch} · {_HOVER_NAMES[name]} {self._plot_word(plot)} {value}"

    def _plot_word(self, plot: str) -> str:
        """"loss", "accuracy" or, for a regression plot, "MAE" (hover labels, CSV series names)."""
        return "MAE" if plot == "accuracy" and self.regression else plot

    def _on_mouse_moved(self, plot: str, scene_pos: QPointF) -> None:
        view_box = self.plots[plot].getPlotItem().getViewBox()
        label = self._hover_labels[plot]
        point = view_box.mapSceneToView(scene_pos)
        inside = view_box.sceneBoundingRect().contains(scene_pos)
        nearest = self._nearest(plot, point.x(), point.y()) if inside else None
        if nearest is None:
            label.hide()
            return
        series = self._series[plot][nearest[0]]
        x, y = float(series.x[nearest[1]]), float(series.y[nearest[1]])
        (x0, x1), (y0, y1) = view_box.viewRange()
        label.setAnchor((1.0 if x > (x0 + x1) / 2 else 0.0, 0.0 if y > (y0 + y1) / 2 else 1.0))
        label.setText(self._point_text(plot, *nearest))
        label.setPos(x, y)
        label.show()

    def export_png(self, path: str | os.PathLike, plot: str = "loss", width: int | None = None) -> None:
        """Save one plot as a PNG (atomically); ``width`` in pixels, the on-screen size by default."""
        self.flush()
        self._hover_labels[plot].hide()
        exporter = pg.exporters.ImageExporter(self.plots[plot].getPlotItem())
        if width:
            exporter.parameters()["width"] = int(width)
        if exporter.parameters()["width"] < 2 or exporter.parameters()["height"] < 2:
            raise ValueError(f"the {plot} plot has no size to export yet")
        with atomic_path(Path(path), ".png") as temporary:
            if exporter.export(str(temporary)) is False:
                raise OSError(f"could not write {path}")

    def export_csv(self, path: str | os.PathLike) -> None:
        """Save every series as rows ``series,epoch,value`` (atomically).

        ``series`` is ``<plot>.<name>``, e.g. ``loss.val_epoch`` (``MAE.val_epoch`` for a regression
        plot); accuracy values are in percent; numbers are written with full precision so they read
        back exactly.
        """
        path = Path(path)
        with atomic_path(path, ".csv") as temporary:
            with open(temporary, "w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["series", "epoch", "value"])
                for plot in PLOT_NAMES:
                    for name in SERIES_NAMES:
                        x, y = self.series(plot, name)
                        writer.writerows((f"{self._plot_word(plot)}.{name}", repr(a), repr(b))
                                         for a, b in zip(x.tolist(), y.tolist()))
