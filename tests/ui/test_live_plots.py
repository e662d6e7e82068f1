"""LivePlots: the live loss/accuracy curves of a History, checked through their data, not their pixels.

The rules (smoothing, best epoch, overfitting) are the History's and tested in tests/lab/test_history.py;
here, that the widget draws what its History holds, when and how it should."""
import csv
import math
import time
from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QPalette

from nnlab.lab.history import History
from nnlab.ui.widgets.live_plots import PLOT_NAMES, SERIES_NAMES, LivePlots, palette_colours


@dataclass(frozen=True)
class Batch:
    epoch: int
    batch: int
    n_batches: int
    loss: float
    accuracy: float


@pytest.fixture
def history():
    return History()


@pytest.fixture
def plots(qtbot, history):
    widget = LivePlots(history)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    return widget


def item_data(widget, plot, name):
    x, y = widget.item(plot, name).getData()
    return (np.array([]), np.array([])) if x is None else (x, y)


def feed_epochs(history, val_losses, train_losses=None, val_accuracy=0.5):
    train_losses = train_losses or [1.0 / epoch for epoch in range(1, len(val_losses) + 1)]
    for epoch, (train, val) in enumerate(zip(train_losses, val_losses), start=1):
        history.add_epoch(epoch, train, 0.5, val, val_accuracy)


def test_batches_sit_at_fractional_epochs_with_accuracy_in_percent(history, plots):
    history.add_batches([Batch(1, 1, 4, 2.0, 0.25), Batch(1, 4, 4, 1.0, 0.5), Batch(2, 2, 4, 0.5, 0.75)])
    plots.flush()
    x, loss = plots.series("loss", "train_batch")
    np.testing.assert_array_equal(x, [0.25, 1.0, 1.5])
    np.testing.assert_array_equal(loss, [2.0, 1.0, 0.5])
    _, accuracy = plots.series("accuracy", "train_batch")
    np.testing.assert_array_equal(accuracy, [25.0, 50.0, 75.0])
    for plot in PLOT_NAMES:
        for name in ("train_batch", "train_smoothed"):
            drawn_x, drawn_y = item_data(plots, plot, name)
            np.testing.assert_array_equal(drawn_x, plots.series(plot, name)[0])
            np.testing.assert_array_equal(drawn_y, plots.series(plot, name)[1])


def test_smoothed_line_is_the_exponential_moving_average(qtbot):
    history = History(smoothing=0.9)
    plots = LivePlots(history)
    qtbot.addWidget(plots)
    history.add_batches([Batch(1, 1, 3, 1.0, 0.0), Batch(1, 2, 3, 2.0, 1.0)])
    history.add_batches([Batch(1, 3, 3, 0.0, 0.5)])
    plots.flush()
    first, second = 1.0, 0.9 * 1.0 + 0.1 * 2.0
    third = 0.9 * second + 0.1 * 0.0
    _, smoothed = plots.series("loss", "train_smoothed")
    np.testing.assert_allclose(smoothed, [first, second, third], rtol=0, atol=1e-15)
    np.testing.assert_allclose(item_data(plots, "loss", "train_smoothed")[1], [1.0, 1.1, 0.99], atol=1e-15)
    _, accuracy = plots.series("accuracy", "train_smoothed")
    np.testing.assert_allclose(accuracy, [0.0, 10.0, 0.9 * 10.0 + 0.1 * 50.0], atol=1e-12)


def test_a_diverged_batch_leaves_a_gap_not_a_poisoned_average(history, plots):
    history.add_batches([Batch(1, 1, 3, 1.0, 0.5), Batch(1, 2, 3, math.nan, 0.5), Batch(1, 3, 3, 2.0, 0.5)])
    _, smoothed = plots.series("loss", "train_smoothed")
    assert smoothed[0] == 1.0 and math.isnan(smoothed[1])
    assert smoothed[2] == pytest.approx(0.9 * 1.0 + 0.1 * 2.0)


def test_buffers_double_past_their_initial_capacity_and_keep_every_point(qtbot):
    history = History(initial_capacity=4)
    plots = LivePlots(history)
    qtbot.addWidget(plots)
    assert history.batches.capacity == 4
    for start in range(0, 10, 3):
        history.add_batches([Batch(1, b, 10, float(b), 0.1) for b in range(start + 1, min(start + 4, 11))])
    plots.flush()
    assert history.batches.capacity == 16
    x, y = plots.series("loss", "train_batch")
    np.testing.assert_allclose(x, np.arange(1, 11) / 10)
    np.testing.assert_array_equal(y, np.arange(1, 11))
    np.testing.assert_array_equal(item_data(plots, "loss", "train_batch")[1], y)


def test_epoch_points_sit_at_whole_epochs_and_missing_validation_adds_none(history, plots):
    history.add_epoch(1, 0.9, 0.6, 1.0, 0.55)
    history.add_epoch(2, 0.7, 0.7, math.nan, math.nan)
    history.add_epoch(3, 0.5, 0.8, 0.8, 0.65)
    plots.flush()
    assert plots.series("loss", "train_epoch")[0].tolist() == [1.0, 2.0, 3.0]
    assert plots.series("loss", "train_epoch")[1].tolist() == [0.9, 0.7, 0.5]
    assert plots.series("accuracy", "train_epoch")[1] == pytest.approx([60.0, 70.0, 80.0])
    assert plots.series("loss", "val_epoch")[0].tolist() == [1.0, 3.0]
    assert plots.series("loss", "val_epoch")[1].tolist() == [1.0, 0.8]
    assert plots.series("accuracy", "val_epoch")[1] == pytest.approx([55.0, 65.0])
    drawn_x, drawn_y = item_data(plots, "accuracy", "val_epoch")
    assert drawn_x.tolist() == [1.0, 3.0] and drawn_y == pytest.approx([55.0, 65.0])


def test_repaints_wait_for_the_timer(history, plots, qtbot):
    history.add_batches([Batch(1, 1, 2, 0.5, 0.5)])
    assert item_data(plots, "loss", "train_batch")[0].size == 0
    qtbot.waitUntil(lambda: item_data(plots, "loss", "train_batch")[0].size == 1, timeout=1000)


def test_best_validation_line_marks_the_lowest_validation_loss(history, plots):
    assert history.best_epoch is None and not plots.best_lines["loss"].isVisible()
    feed_epochs(history, [1.0, 0.8, 0.6, 0.7, 0.6])
    assert history.best_epoch == 3
    for line in plots.best_lines.values():
        assert line.value() == 3
        assert line.isVisibleTo(None) or line.isVisible()
    assert plots.best_label.toPlainText() == "best val epoch 3"


@pytest.mark.parametrize("val_losses, side", [([0.4, 0.8, 0.9, 1.0, 1.1, 1.2], "right"),
                                              ([1.2, 1.1, 1.0, 0.9, 0.8, 0.4], "left")])
def test_the_best_epochs_words_sit_on_the_side_of_its_line_with_room(history, plots, qtbot, val_losses, side):
    feed_epochs(history, val_losses)
    plots.flush()
    qtbot.wait(20)
    box = plots.plots["loss"].getPlotItem().getViewBox()
    words, inside = plots.best_label.sceneBoundingRect(), box.sceneBoundingRect()
    line_x = box.mapViewToScene(QPointF(plots.best_lines["loss"].value(), 0)).x()
    assert (words.left() >= line_x - 1) if side == "right" else (words.right() <= line_x + 1)
    assert inside.left() - 1 <= words.left() and words.right() <= inside.right() + 1  # never cut at an edge


def test_overfitting_is_flagged_after_three_rising_epochs_and_cleared_by_a_new_best(history, plots):
    val = [1.0, 0.8, 0.6, 0.65, 0.7]
    feed_epochs(history, val, [1.0, 0.8, 0.6, 0.5, 0.4])
    assert history.overfitting_since is None
    assert not plots.overfit_notice.isVisible()
    history.add_epoch(6, 0.3, 0.9, 0.8, 0.7)
    assert history.overfitting_since == 3
    assert plots.overfit_notice.isVisible()
    assert plots.overfit_notice.toPlainText() == "overfitting since epoch 3"
    history.add_epoch(7, 0.25, 0.9, 0.9, 0.7)
    assert history.overfitting_since == 3
    history.add_epoch(8, 0.2, 0.95, 0.5, 0.8)
    assert history.overfitting_since is None and history.best_epoch == 8
    assert not plots.overfit_notice.isVisible()
    assert plots.best_lines["loss"].value() == 8


def test_rising_validation_with_rising_training_loss_is_not_called_overfitting(history, plots):
    feed_epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8], [1.0, 0.8, 0.6, 0.7, 0.8, 0.9])
    assert history.overfitting_since is None


def test_hover_text_names_the_nearest_point(history, plots):
    assert plots.hover_text("loss", 1.0, 1.0) == ""
    history.add_batches([Batch(1, b, 4, 2.0 - 0.25 * b, 0.2 * b) for b in range(1, 5)])
    history.add_epoch(1, 1.375, 0.5, 1.5, 0.45)
    plots.flush()
    assert plots.hover_text("loss", 1.0, 1.5) == "epoch 1 · val loss 1.5"
    assert plots.hover_text("loss", 1.0, 1.375) == "epoch 1 · train (epoch mean) loss 1.375"
    assert plots.hover_text("loss", 0.5, 1.5) == "epoch 0.50 · train loss 1.5"
    assert plots.hover_text("accuracy", 1.0, 45.0) == "epoch 1 · val accuracy 45.00 %"


def test_csv_export_reads_back_every_series(history, plots, tmp_path):
    history.add_batches([Batch(1, b, 3, 1.0 / (b + 2), 0.3 * b) for b in range(1, 4)])
    history.add_epoch(1, 1 / 3, 0.6, 0.45, 0.55)
    history.add_epoch(2, 0.3, 0.7, math.nan, math.nan)
    path = tmp_path / "curves.csv"
    plots.export_csv(path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["series", "epoch", "value"]
    read_back = {}
    for series, epoch, value in rows[1:]:
        read_back.setdefault(series, []).append((float(epoch), float(value)))
    for plot in PLOT_NAMES:
        for name in SERIES_NAMES:
            x, y = plots.series(plot, name)
            assert read_back.get(f"{plot}.{name}", []) == list(zip(x.tolist(), y.tolist()))
    assert len(read_back["loss.train_batch"]) == 3 and len(read_back["loss.val_epoch"]) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["curves.csv"]


def test_png_export_writes_a_png(history, plots, qtbot, tmp_path):
    plots.show()
    qtbot.waitExposed(plots)
    feed_epochs(history, [1.0, 0.8, 0.9])
    path = tmp_path / "loss.png"
    plots.export_png(path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
    plots.export_png(tmp_path / "accuracy.png", plot="accuracy", width=400)
    assert (tmp_path / "accuracy.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["accuracy.png", "loss.png"]


def test_clear_empties_everything(history, plots):
    history.add_batches([Batch(1, 1, 1, 0.5, 0.5)])
    feed_epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8])
    assert history.overfitting_since == 3
    history.start_new()
    for plot in PLOT_NAMES:
        for name in SERIES_NAMES:
            assert plots.series(plot, name)[0].size == 0
            assert item_data(plots, plot, name)[0].size == 0
        assert not plots.best_lines[plot].isVisible()
    assert history.best_epoch is None and history.overfitting_since is None
    history.add_batches([Batch(1, 1, 1, 3.0, 0.5)])
    assert plots.series("loss", "train_smoothed")[1].tolist() == [3.0]


def test_dark_palette_gets_dark_background_and_light_pens(plots):
    dark = QPalette()
    dark.setColor(QPalette.ColorRole.Window, QColor("#202020"))
    dark.setColor(QPalette.ColorRole.Base, QColor("#121212"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    light_colours, dark_colours = palette_colours(QPalette(QColor("#f0f0f0"))), palette_colours(dark)
    assert dark_colours.train.lightnessF() > light_colours.train.lightnessF()
    plots.setPalette(dark)
    assert plots.plots["loss"].backgroundBrush().color() == QColor("#121212")
    assert plots.plots["accuracy"].getAxis("left").textPen().color() == QColor("#eeeeee")


def test_add_and_flush_stay_quick_with_fifty_thousand_points(history, plots, record_property):
    plots.show()
    n_batches = 500
    records = [Batch(1 + i // n_batches, i % n_batches + 1, n_batches, 1 / (1 + i / 1000), 0.5)
               for i in range(50_000)]
    for start in range(0, len(records), 5000):
        history.add_batches(records[start:start + 5000])
    plots.flush()
    more = [Batch(101, b, n_batches, 0.01, 0.9) for b in range(1, 31)]
    timings = []
    for _ in range(20):
        started = time.perf_counter()
        history.add_batches(more)
        plots.flush()
        timings.append(time.perf_counter() - started)
    assert plots.series("loss", "train_batch")[0].size == 50_000 + 20 * 30
    record_property("add_30_and_flush_ms_median", 1000 * float(np.median(timings)))
    print(f"add_batches(30) + flush with 50,000 points: median {1000 * np.median(timings):.2f} ms")


def test_x_range_grows_a_whole_epoch_at_a_time_until_the_learner_zooms(history, plots):
    view_box = plots.plots["loss"].getPlotItem().getViewBox()
    history.add_batches([Batch(1, 1, 4, 1.0, 0.5)])
    plots.flush()
    assert view_box.viewRange()[0][1] == pytest.approx(1.02)
    history.add_batches([Batch(2, 1, 4, 1.0, 0.5)])
    plots.flush()
    assert view_box.viewRange()[0][1] == pytest.approx(2.04)
    assert plots.plots["accuracy"].getPlotItem().getViewBox().viewRange()[0][1] == pytest.approx(2.04)
    view_box.sigRangeChangedManually.emit([False, True])  # a zoom of the loss axis only
    history.add_batches([Batch(3, 1, 4, 1.0, 0.5)])
    plots.flush()
    assert view_box.viewRange()[0][1] == pytest.approx(3.06)
    view_box.setXRange(0.5, 1.5, padding=0)
    view_box.sigRangeChangedManually.emit([True, True])
    history.add_batches([Batch(4, 1, 4, 1.0, 0.5)])
    plots.flush()
    assert view_box.viewRange()[0] == pytest.approx([0.5, 1.5])
    view_box.enableAutoRange()  # what the plot's "A" button does
    plots.flush()
    assert view_box.viewRange()[0][1] == pytest.approx(4.08)


def test_the_epoch_axis_grows_towards_the_planned_end_of_the_run(history, plots):
    view_box = plots.plots["loss"].getPlotItem().getViewBox()

    def right_after(epoch, batch=1):
        history.add_batches([Batch(epoch, batch, 4, 1.0, 0.5)])
        plots.flush()
        return round(view_box.viewRange()[0][1] / 1.02, 6)

    plots.plan_run(20)
    assert [right_after(e) for e in (1, 2, 3, 4)] == [4, 4, 4, 4]  # up to 4× the epochs done
    assert [right_after(e) for e in (5, 12, 20)] == [20, 20, 20]  # then the whole run
    plots.plan_run(23)  # Start again for 3 more epochs
    assert right_after(21) == 23
    assert right_after(24) == 30  # past the plan (a step run): round steps again


def test_the_accuracy_plots_zoom_and_a_button_leave_the_loss_axis_alone(history, plots):
    loss_box = plots.plots["loss"].getPlotItem().getViewBox()
    accuracy_item = plots.plots["accuracy"].getPlotItem()
    accuracy_box = accuracy_item.getViewBox()
    history.add_batches([Batch(1, 1, 4, 2.3, 0.1)])
    plots.flush()
    accuracy_box.setYRange(40, 60, padding=0)
    accuracy_box.sigRangeChangedManually.emit([False, True])  # the learner zooms the accuracy axis
    history.add_batches([Batch(1, 2, 4, 7.0, 0.2)])
    plots.flush()
    assert loss_box.viewRange()[1] == pytest.approx([0.0, 8 * 1.03])  # the loss axis still follows
    accuracy_box.setXRange(0.2, 0.4, padding=0)
    accuracy_box.sigRangeChangedManually.emit([True, False])  # a pan of the shared epoch axis
    history.add_batches([Batch(2, 1, 4, 1.0, 0.3)])
    plots.flush()
    assert loss_box.viewRange()[0] == pytest.approx([0.2, 0.4])
    accuracy_item.autoBtn.clicked.emit(accuracy_item.autoBtn)  # the accuracy plot's "A"
    assert accuracy_box.viewRange()[1] == pytest.approx([-3.0, 103.0])
    assert loss_box.viewRange()[0][1] == pytest.approx(2.04)


def test_axes_widen_in_round_steps():
    from nnlab.ui.widgets.plot_axes import nice_ceiling

    assert [nice_ceiling(e) for e in (1, 1.1, 6, 6.5, 9, 11, 70, 81, 1000)] == [1, 2, 6, 8, 10, 20, 80, 100, 1000]
    assert [nice_ceiling(v) for v in (0.3, 0.031, 0.0079, 2.302585)] == pytest.approx([0.3, 0.04, 0.008, 3])


def test_loss_axis_starts_at_zero_and_grows_in_round_steps_until_the_learner_zooms(history, plots):
    view_box = plots.plots["loss"].getPlotItem().getViewBox()
    history.add_batches([Batch(1, 1, 4, 2.3, 0.1), Batch(1, 2, 4, 1.7, 0.2)])
    plots.flush()
    assert view_box.viewRange()[1] == pytest.approx([0.0, 3 * 1.03])
    history.add_batches([Batch(1, 3, 4, 0.4, 0.8), Batch(1, 4, 4, float("nan"), 0.8)])  # lower, and a NaN
    plots.flush()
    assert view_box.viewRange()[1] == pytest.approx([0.0, 3 * 1.03])
    history.add_batches([Batch(2, 1, 4, 4.5, 0.8)])  # a spike above the axis widens it
    plots.flush()
    assert view_box.viewRange()[1] == pytest.approx([0.0, 5 * 1.03])
    view_box.setYRange(0.0, 1.0, padding=0)
    view_box.sigRangeChangedManually.emit([False, True])
    history.add_batches([Batch(2, 2, 4, 7.0, 0.8)])
    plots.flush()
    assert view_box.viewRange()[1] == pytest.approx([0.0, 1.0])
    view_box.enableAutoRange()  # the "A" button
    plots.flush()
    assert view_box.viewRange()[1] == pytest.approx([0.0, 8 * 1.03])
