"""The real window with a set of numbers to predict (issue 12, A1) and the one-unit softmax refused
(A2), at the default 1280×800 and on a 1280×720 laptop."""
import json

import numpy as np
import pytest

from nnlab.data.dataset import Dataset
from nnlab.engine import evaluate
from nnlab.engine.losses import ONE_UNIT_SOFTMAX

EPOCH_TIMEOUT = 30_000
SIZES = [(1280, 800), (1280, 720)]


@pytest.fixture(params=SIZES, ids=["1280x800", "1280x720"])
def window_size(request):
    return request.param


@pytest.fixture
def window_dataset():
    return None


def train_to_the_end(window, qtbot, epochs: int) -> list:
    window.panel.epochs.setValue(epochs)
    results = []
    window.training.epoch_finished.connect(results.append)
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT) as done:
        assert window.start_training()
    assert done.args[0].reason == "finished"
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=EPOCH_TIMEOUT)
    window.plots.flush()
    return results


def test_the_curve_trains_as_regression_in_every_part_of_the_window(window, qtbot, errors):
    assert window.choose_dataset("curve")
    session, panel = window.session, window.panel
    assert panel.loss.currentText() == "mse" and session.loss == "mse"
    assert [(s.units, s.activation) for s in session.network.layers][-1] == (1, "linear")
    assert "curve: 200 samples, 1 number to predict (y)." in panel.summary.text()
    window.editor.select_layer(len(session.network.sizes) - 1)
    assert "one unit per number to predict (y)" in window.editor.toolbar.hint.toolTip() + \
        window.editor.toolbar.hint.text()
    results = train_to_the_end(window, qtbot, epochs=20)
    assert not errors and len(results) == 20

    # The curves: the mean absolute error where the accuracy was, in the targets' units.
    plots = window.plots
    assert plots.regression and plots.plots["accuracy"].getPlotItem().getAxis("left").labelText == "mean abs. error"
    _, val_error = plots.series("accuracy", "val_epoch")
    np.testing.assert_allclose(val_error, [r.val_mean_absolute_error for r in results])
    _, train_error = plots.series("accuracy", "train_epoch")
    np.testing.assert_allclose(train_error, [r.train_mean_absolute_error for r in results])
    assert np.isfinite(plots.series("accuracy", "train_batch")[1]).all()

    # The Metrics tab: R², MSE and MAE of the validation part, as the engine computes them; no matrix.
    network, splits = session.network, session.splits
    validation = evaluate(network, splits.validation.x, splits.validation.targets, "mse", 1)
    header = window.metrics.header_text
    assert header.startswith("validation · epoch 20 · R² ") and "accuracy" not in header
    assert f"R² {validation.r2:#.3g}" in header and f"MAE {validation.mae:#.3g}" in header
    assert window.metrics.regression and not window.metrics.confusion_view.isVisibleTo(window.metrics)
    window.evaluate_test()
    test = evaluate(network, splits.test.x, splits.test.targets, "mse", 1)
    assert window.metrics.header_text.startswith(f"test · epoch 20 · R² {test.r2:#.3g} · MSE {test.mse:#.3g}")
    view = window.metrics.predicted_view
    np.testing.assert_allclose(view.true_values, splits.test.targets[:, 0])
    np.testing.assert_allclose(view.predicted, network.forward(splits.test.x)[:, 0], rtol=1e-6)
    scroll = window.docks["metrics"].widget()
    qtbot.wait(50)
    assert scroll.verticalScrollBar().maximum() == 0  # the picture fits the dock, even at 720 px

    # The Draw dock: the data and the network's line through it, no class to pick or add.
    canvas = window.canvas
    window.docks["canvas"].raise_()
    qtbot.wait(300)  # the line follows the snapshot on a timer
    assert canvas.mode.kind == "curve" and canvas.stack.currentWidget() is canvas.curve
    assert not any(widget.isVisibleTo(canvas) for widget in canvas.class_tools)
    assert canvas.curve.line_at(0.25) == pytest.approx(
        float(network.forward(np.array([[canvas.curve.line[0][np.abs(canvas.curve.line[0] - 0.25).argmin()]]]))[0, 0]),
        rel=1e-5)

    # The Backprop tab steps towards the sample's own target, not a class label 0.
    window.inspector.inspect_sample()
    inspected = window.selection.input
    target, why = window.inspector._target(window.selection.snapshot, inspected)
    assert why == "the sample's target" and target[0] == pytest.approx(float(splits.validation.targets[0, 0]))

    hint = window.minimumSizeHint()
    assert hint.width() <= window.width() and hint.height() <= window.height()


def test_going_back_to_classes_brings_back_cross_entropy_and_accuracy(window):
    assert window.choose_dataset("curve")
    assert window.choose_dataset("xor")
    assert window.panel.loss.currentText() == "cross_entropy" and window.session.network.layers[-1].activation == "softmax"
    assert not window.plots.regression and not window.metrics.regression
    assert window.plots.plots["accuracy"].getPlotItem().getAxis("left").labelText == "accuracy (%)"
    assert window.canvas.mode.kind == "points" and all(w.isVisibleTo(window.canvas) for w in window.canvas.class_tools)


def test_the_editor_and_panel_keep_a_regression_set_linear_with_mse(window):
    assert window.choose_dataset("curve")
    network = window.session.network
    assert not window.editor.set_output("cross_entropy", "softmax")
    assert window.editor.last_message.startswith("Curve's targets are numbers to predict (regression), so the "
                                                 "output layer must be linear and the loss mse")
    assert not window.editor.set_output("mse", "sigmoid")
    panel = window.panel
    panel.loss.setCurrentText("binary_cross_entropy")
    panel.loss.activated.emit(panel.loss.currentIndex())  # as a learner picks it
    assert panel.loss.currentText() == "mse"  # refused: the panel shows the network's loss again
    assert window.session.network is network and window.session.loss == "mse"


def write_one_unit_softmax(path) -> None:
    meta = {"format": "nnlab-weights", "version": 1, "input_shape": [2], "loss": "cross_entropy",
            "layers": [{"units": 1, "activation": "softmax"}], "classes": ["yes"], "preprocess": "none",
            "dtype": "float32"}
    np.savez(path, meta=np.array(json.dumps(meta)), **{"layers.0.weight": np.ones((1, 2), np.float32),
                                                        "layers.0.bias": np.zeros(1, np.float32)})


def test_a_one_unit_softmax_is_refused_by_open_panel_and_editor(window, errors, tmp_path):
    """A2. A file, or a set with a single class, would give one softmax unit: loss 0, weights moving."""
    assert window.choose_dataset("xor")
    before = window.session.network
    write_one_unit_softmax(tmp_path / "one.npz")
    assert not window.open_path(tmp_path / "one.npz", ask=False)
    assert errors[-1][0] == "Could not open the weights" and ONE_UNIT_SOFTMAX in errors[-1][1]
    assert window.session.network is before

    one_class = Dataset("yes-only", np.random.default_rng(0).normal(size=(40, 2)), np.zeros(40, np.int64),
                        ["yes"], (2,))
    window.session.load_dataset(one_class)
    assert window.panel.loss.currentText() == "cross_entropy"
    assert not window.new_network(ask=False)  # the panel's choice builds nothing
    assert errors[-1] == ("Cannot build this network", ONE_UNIT_SOFTMAX)
    window.panel.loss.setCurrentText("mse")
    assert ONE_UNIT_SOFTMAX not in window.panel.summary.text()
    window.panel.loss.setCurrentText("cross_entropy")
    assert window.panel.summary.text() == ONE_UNIT_SOFTMAX  # said before Start is pressed
    window.panel.loss.setCurrentText("mse")
    assert window.new_network(ask=False) and window.session.network.sizes == [2, 8, 8, 1]  # one linear unit
    assert not window.editor.set_output("cross_entropy", "softmax")
    assert window.editor.last_message == ONE_UNIT_SOFTMAX[0].upper() + ONE_UNIT_SOFTMAX[1:]
    assert window.session.loss == "mse"


def test_a_lesson_with_targets_is_a_regression(window):
    lessons = window.inspector.lessons
    lessons.ensure_loaded()
    lesson = next(lesson for lesson in lessons.lessons if lesson.key == "02-three-two-one")
    assert window.inspector.open_lesson(lesson)
    dataset = window.session.dataset
    assert dataset.is_regression and dataset.targets.tolist() == [[3.5]]
    assert window.plots.regression and window.metrics.regression
    assert window.canvas.mode.kind == "none" and "numbers to predict from 3 inputs" in window.canvas.mode.describe()


def test_a_model_opened_and_saved_again_still_names_its_builtin_and_split(window, tmp_path):
    """C13: `nnlab evaluate` finds the built-in (and the held-out part) in the file, also after the window
    opened the file and saved it again — not the settings of the window's previous network."""
    from nnlab.data.experiment import Experiment, provenance
    from nnlab.data.weights_file import load_model
    from nnlab.engine import TrainConfig
    from nnlab.lab.recipe import prepare
    from nnlab.lab.session import LabSession

    experiment = Experiment(dataset="curve", loss="mse", hidden=[4], activation="tanh", split=(0.6, 0.2, 0.2),
                            train=TrainConfig(epochs=1, seed=3))
    made = LabSession()  # as `nnlab train` makes and saves it
    made.load_dataset(experiment.dataset, experiment.split, experiment.train.seed)
    made.make_trainer(experiment)
    made.save(tmp_path / "made.npz")
    assert window.choose_dataset("xor")  # a network with other settings (seed 0, 70/15/15) comes first
    assert window.open_path(tmp_path / "made.npz", ask=False)
    assert window.save_to(tmp_path / "again.npz")
    again = provenance(load_model(tmp_path / "again.npz").extra)
    assert (again.dataset, again.split, again.seed) == ("curve", (0.6, 0.2, 0.2), 3)
    np.testing.assert_array_equal(window.session.dataset.x, prepare(experiment).dataset.x)  # made with seed 3
