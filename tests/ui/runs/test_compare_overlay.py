"""Compared runs' curves over the live plots: the overlaid items hold the runs' own numbers (getData), each run
in its own colour, a legend naming what differs, and the axes take the compared curves in."""
import numpy as np
import pytest
from PySide6.QtGui import QColor, QPalette

from nnlab.lab.history import History
from nnlab.ui.runs.compare_overlay import COLOURS_DARK, COLOURS_LIGHT, CompareOverlay
from nnlab.ui.widgets.live_plots import LivePlots


def make_overlay(qtbot, lab, history=None):
    plots = LivePlots(history or lab.session.runs.current.history)
    qtbot.addWidget(plots)
    plots.resize(700, 500)
    plots.show()
    return plots, CompareOverlay(plots, lab.comparison)


def data(item):
    x, y = item.getData()
    return np.asarray(x), np.asarray(y)


def plot_items(plots, plot):
    return plots.plots[plot].getPlotItem().listDataItems()


@pytest.mark.parametrize("lab_name", ["xor_lab", "digits_lab"])
def test_a_ticked_runs_curves_are_its_history_numbers_and_unticking_takes_them_away(qtbot, request, lab_name):
    lab = request.getfixturevalue(lab_name)
    plots, overlay = make_overlay(qtbot, lab)
    before = {plot: len(plot_items(plots, plot)) for plot in ("loss", "accuracy")}
    lab.comparison.set_ticked(2, True)
    history = lab.session.runs[2].history
    for plot, metric, scale in (("loss", "loss", 1.0), ("accuracy", "score", 100.0)):
        for series, table in (("val_epoch", history.validation), ("train_epoch", history.epochs)):
            x, y = data(overlay.item(2, plot, series))
            np.testing.assert_array_equal(x, table["epoch"])
            np.testing.assert_array_equal(y, table[metric] * scale)
            assert overlay.item(2, plot, series) in plot_items(plots, plot)
    assert overlay.item(1, "loss", "val_epoch") is None  # the current run is the live curves' own
    lab.comparison.set_ticked(2, False)
    assert overlay.item(2, "loss", "val_epoch") is None
    assert {plot: len(plot_items(plots, plot)) for plot in ("loss", "accuracy")} == before
    assert not overlay.legend.isVisible()


def test_each_run_has_its_colour_and_the_legend_names_what_differs(qtbot, xor_lab, make_xor):
    lab = xor_lab
    lab.session.branch(1, 2, make_xor(2, learning_rate=0.01))
    plots, overlay = make_overlay(qtbot, lab)
    for run_id in (1, 2, 3):
        lab.comparison.set_ticked(run_id, True)
    assert overlay.labels() == ["run 3 · lr 0.01 (current)", "run 1 · lr 0.1", "run 2 · lr 0.001",
                                "dashed: training, epoch mean"]
    colours = {overlay.item(run_id, "loss", "val_epoch").opts["pen"].color().name() for run_id in (1, 2)}
    assert colours == {COLOURS_LIGHT[0], COLOURS_LIGHT[1]}
    assert overlay.legend.isVisible()


def test_the_legend_says_what_differs_when_runs_differ_in_more_than_the_learning_rate(qtbot, xor_lab, train_more):
    lab = xor_lab
    plots, overlay = make_overlay(qtbot, lab)
    lab.comparison.set_ticked(2, True)
    assert overlay.labels()[:2] == ["run 1 · lr 0.1 (current)", "run 2 · lr 0.001"]
    lab.session.runs.rename(2, "slow")
    assert overlay.labels()[1] == "slow · lr 0.001"


def test_the_current_run_is_left_to_the_live_curves_and_a_run_that_grew_is_drawn_whole(qtbot, xor_lab, train_more):
    lab = xor_lab
    lab.session.use_run(2)
    plots, overlay = make_overlay(qtbot, lab)
    lab.comparison.set_ticked(1, True)
    x, _ = data(overlay.item(1, "loss", "val_epoch"))
    assert x[-1] == 4
    lab.session.use_run(1)
    assert overlay.item(1, "loss", "val_epoch") is None
    train_more(lab.session, 2, learning_rate=0.1)
    lab.session.use_run(2)  # run 1 is compared, not current: its six epochs are overlaid
    x, y = data(overlay.item(1, "loss", "val_epoch"))
    np.testing.assert_array_equal(x, [1, 2, 3, 4, 5, 6])
    np.testing.assert_array_equal(y, lab.session.runs[1].history.validation["loss"])


def test_the_epoch_axis_grows_to_show_a_compared_run_whole(qtbot, xor_lab):
    lab = xor_lab
    plots, overlay = make_overlay(qtbot, lab, history=History())  # a run that has not drawn a point yet
    lab.comparison.set_ticked(2, True)
    plots.flush()
    (left, right), _ = plots.plots["loss"].getPlotItem().getViewBox().viewRange()
    assert right >= 4
    _, (bottom, top) = plots.plots["loss"].getPlotItem().getViewBox().viewRange()
    assert top >= float(np.nanmax(lab.session.runs[2].history.epochs["loss"]))


def test_a_dark_palette_gives_the_compared_runs_lighter_colours(qtbot, xor_lab):
    lab = xor_lab
    plots, overlay = make_overlay(qtbot, lab)
    lab.comparison.set_ticked(2, True)
    palette = QPalette(plots.palette())
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base):
        palette.setColor(role, QColor("#2b2b2b"))
    palette.setColor(QPalette.ColorRole.Text, QColor("#eeeeee"))
    plots.setPalette(palette)
    assert overlay.item(2, "loss", "val_epoch").opts["pen"].color().name() == COLOURS_DARK[0]


def test_a_line_on_the_curves_marks_the_scrubbed_epoch_and_dragging_it_scrubs(qtbot, xor_lab):
    from nnlab.ui.runs.scrub_marker import ScrubMarker

    lab = xor_lab
    plots = LivePlots(lab.session.runs.current.history)
    qtbot.addWidget(plots)
    marker = ScrubMarker(plots, lab.time_machine)
    assert marker.epoch is None  # live: no line
    lab.time_machine.scrub_to(3)
    assert marker.epoch == 3 and marker.lines["accuracy"].value() == 3
    line = marker.lines["loss"]
    line.setValue(1.4)
    line.sigDragged.emit(line)  # as pyqtgraph does while the line is dragged
    assert lab.time_machine.epoch == 1 and marker.epoch == 1
    assert lab.selection.snapshot.params.tobytes() == lab.session.runs[1].snapshots.get(1).params.tobytes()
    lab.time_machine.go_live()
    assert marker.epoch is None
