"""The widgets that show a network which predicts numbers: the curves' error plot, the Metrics tab's
MSE/MAE/R² table and predicted-vs-true picture, and the Draw dock's curve."""
import csv
import math
from dataclasses import dataclass

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from nnlab.engine import LayerSpec, Network
from nnlab.engine.metrics import RegressionEvaluation
from nnlab.lab.history import History
from nnlab.ui.canvas.curve_view import CurveView
from nnlab.ui.widgets.live_plots import LivePlots
from nnlab.ui.widgets.metrics_view import MetricsView
from nnlab.ui.widgets.regression_view import ALL_OUTPUTS, PredictedVsTrueView
from nnlab.ui.widgets.xy_plot import padded_bounds, tick_values


@dataclass(frozen=True)
class Batch:
    epoch: int
    batch: int
    n_batches: int
    loss: float
    accuracy: float
    mean_absolute_error: float = math.nan


@pytest.fixture
def history():
    return History(regression=True)


@pytest.fixture
def plots(qtbot, history):
    widget = LivePlots(history)
    qtbot.addWidget(widget)
    widget.resize(800, 600)
    return widget


def test_the_error_plot_shows_mean_absolute_errors_as_they_are(history, plots):
    history.add_batches([Batch(1, 1, 2, 0.5, math.nan, 0.8), Batch(1, 2, 2, 0.3, math.nan, 0.6)])
    history.add_epoch(1, 0.4, 0.7, 0.35, 0.65)
    plots.flush()
    np.testing.assert_array_equal(plots.series("accuracy", "train_batch")[1], [0.8, 0.6])  # not × 100
    np.testing.assert_array_equal(plots.series("accuracy", "val_epoch")[1], [0.65])
    item = plots.plots["accuracy"].getPlotItem()
    assert item.getAxis("left").labelText == "mean abs. error"
    assert item.titleLabel.text.startswith("Mean absolute error") and plots.score_name == "mean absolute error"
    assert item.getViewBox().viewRange()[1] == pytest.approx([0.0, 0.8 * 1.03])  # follows the error, not 0–100 %
    assert plots.hover_text("accuracy", 1.0, 0.65) == "epoch 1 · val MAE 0.65"


def test_the_error_plot_exports_as_mae_series(history, plots, tmp_path):
    history.add_batches([Batch(1, 1, 1, 0.5, math.nan, 0.25)])
    plots.export_csv(tmp_path / "curves.csv")
    with open(tmp_path / "curves.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert ["MAE.train_batch", "1.0", "0.25"] in rows and not any(r[0].startswith("accuracy.") for r in rows)


def test_a_change_of_task_clears_the_curves_and_relabels(history, plots):
    history.add_batches([Batch(1, 1, 1, 0.5, math.nan, 0.25)])
    plots.flush()
    assert plots.plots["accuracy"].getPlotItem().getViewBox().viewRange()[1][1] == pytest.approx(0.3 * 1.03)
    history.start_new(regression=False)
    assert len(plots.series("loss", "train_batch")[0]) == 0
    item = plots.plots["accuracy"].getPlotItem()
    assert item.getAxis("left").labelText == "accuracy (%)" and not item.titleLabel.isVisible()
    assert item.getViewBox().viewRange()[1] == pytest.approx([-3.0, 103.0])  # not the error's 0–0.3
    history.add_batches([Batch(1, 1, 1, 0.5, 0.25, math.nan)])
    np.testing.assert_array_equal(plots.series("accuracy", "train_batch")[1], [25.0])


def two_outputs() -> RegressionEvaluation:
    targets = np.array([[0.0, 10.0], [1.0, 20.0], [2.0, 30.0], [3.0, 40.0]])
    predictions = targets + np.array([[0.5, -1.0], [0.0, 1.0], [-0.5, 0.0], [0.0, 2.0]])
    return RegressionEvaluation.from_predictions(targets, predictions, loss=0.123)


@pytest.fixture
def metrics(qtbot):
    widget = MetricsView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def table_texts(view):
    model = view.table.model()
    return [[model.index(r, c).data() for c in range(model.columnCount())] for r in range(model.rowCount())]


def test_metrics_show_mse_mae_and_r2_per_output_and_no_confusion_matrix(metrics):
    result = two_outputs()
    metrics.show_evaluation(result, "validation", 7, classes=["rooms", "price"])
    assert metrics.header_text == "validation · epoch 7 · R² 0.944 · MSE 0.812 · MAE 0.625 · loss 0.123"
    assert "accuracy" not in metrics.header_text
    assert not metrics.confusion_view.isVisible() and not metrics.gallery.isVisible()
    assert metrics.predicted_view.isVisible()
    header = [metrics.table.model().headerData(c, Qt.Orientation.Horizontal) for c in range(5)]
    assert header == ["output", "MSE", "MAE", "R²", "samples"]
    # rooms: errors .5, 0, −.5, 0 → MSE 0.125, MAE 0.25, R² 1 − 0.5/5 = 0.9; price: MSE 1.5, MAE 1, R² 1 − 6/500
    assert table_texts(metrics) == [["rooms", "0.125", "0.250", "0.900", "4"],
                                    ["price", "1.50", "1.00", "0.988", "4"],
                                    [ALL_OUTPUTS, "0.812", "0.625", "0.944", "4"]]
    np.testing.assert_array_equal(metrics.predicted_view.true_values, result.targets.ravel())  # every output


def test_clicking_an_output_pictures_its_predictions(metrics, qtbot):
    result = two_outputs()
    metrics.show_evaluation(result, "test", classes=["rooms", "price"])
    table = metrics.table
    row = next(r for r in range(table.model().rowCount()) if table.model().index(r, 0).data() == "price")
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     table.visualRect(table.model().index(row, 1)).center())
    view = metrics.predicted_view
    assert view.name == "price"
    np.testing.assert_array_equal(view.true_values, result.targets[:, 1])
    np.testing.assert_array_equal(view.predicted, result.predictions[:, 1])


def test_one_output_needs_no_table_and_a_classifier_gets_its_matrix_back(metrics):
    from nnlab.engine.metrics import Evaluation

    single = RegressionEvaluation.from_predictions(np.array([[1.0], [2.0], [4.0]]), np.array([[1.5], [2.0], [3.0]]))
    metrics.show_evaluation(single, "test", classes=["y"])
    assert not metrics.table.isVisible() and metrics.predicted_view.name == "y"
    metrics.show_evaluation(Evaluation.from_predictions(np.array([0, 1]), np.array([0, 0]), 2), "validation",
                            classes=["a", "b"])
    assert metrics.confusion_view.isVisible() and not metrics.predicted_view.isVisible()
    assert metrics.table.isVisible() and metrics.table.model().rowCount() == 3  # two classes and the macro row


def test_predicted_against_true_sits_on_the_diagonal_when_exact(qtbot):
    view = PredictedVsTrueView()
    qtbot.addWidget(view)
    view.resize(300, 300)
    view.set_values(np.array([-1.0, 0.0, 2.0]), np.array([-1.0, 0.5, 2.0]), "y")
    exact, off = view.dot_position(0), view.dot_position(1)
    frame = view.frame()
    assert frame.rect.width() == frame.rect.height()  # one scale for both axes
    x, y = frame.to_data(exact)
    assert x == pytest.approx(y) == pytest.approx(-1.0)
    assert frame.to_data(off) == pytest.approx((0.0, 0.5))
    with pytest.raises(ValueError, match="3 true values but 2 predictions"):
        view.set_values(np.zeros(3), np.zeros(2), "y")
    view.grab()  # paints without error


def test_the_curve_view_draws_the_networks_prediction_across_the_data(qtbot):
    view = CurveView()
    qtbot.addWidget(view)
    view.resize(320, 300)
    x = np.linspace(-1, 1, 21)
    view.set_points(x, x ** 2)
    network = Network(1, [LayerSpec(1, "linear")], dtype=np.float64)
    network.weights[0][...], network.biases[0][...] = 0.5, 0.25
    view.set_network(network)
    assert view.line_at(0.6) == pytest.approx(0.5 * view.line[0][np.abs(view.line[0] - 0.6).argmin()] + 0.25)
    assert view.line[0][0] <= -1 and view.line[0][-1] >= 1  # across the whole plotted range
    assert view.frame().to_data(view.dot_position(20)) == pytest.approx((1.0, 1.0))
    view.set_network(Network(2, [LayerSpec(1, "linear")]))  # not a one-input network: no line
    assert view.line is None
    view.grab()


def test_round_ticks_and_padded_bounds():
    assert tick_values(0.0, 1.0).tolist() == pytest.approx([0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    assert tick_values(-1.1, 1.1).tolist() == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0])
    assert padded_bounds(np.array([0.0, 10.0])) == pytest.approx((-0.6, 10.6))
    assert padded_bounds(np.array([np.nan])) == (-1.0, 1.0)
