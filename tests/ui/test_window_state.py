"""What the window keeps, restores, asks and forgets, on the real window at 1280×800 and 1280×720:
a diverged run's last good epoch restored (undoably) and its blow-up drawn; "Save the weights first?"
only when something unsaved would be lost, after the new thing has loaded; no stale training line,
activation axis or Backprop message carried over to the next network."""
import numpy as np
import pytest

from nnlab.lab import reading as session_reading
from nnlab.engine import LayerSpec
from nnlab.ui.widgets.live_plots import PLOT_NAMES, SERIES_NAMES

TIMEOUT = 20_000
SIZES = [(1280, 800), (1280, 720)]


@pytest.fixture(params=SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def window_size(request):
    return request.param


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def wait_paused(win, qtbot):
    qtbot.waitUntil(lambda: win.training.state == "paused", timeout=TIMEOUT)


def train(win, qtbot, epochs: int = 2):
    win.panel.epochs.setValue(epochs)
    with qtbot.waitSignal(win.training.finished, timeout=TIMEOUT):
        assert win.start_training()
    qtbot.waitUntil(lambda: win.training.state == "idle", timeout=TIMEOUT)


def apply_a_step(win):
    """One Backprop-tab step on the inspected sample: the weights change by hand."""
    inspector = win.inspector
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    debugger.apply_button.click()
    assert debugger.undo_button.isEnabled()
    return debugger


def write_bad_csvs(tmp_path):
    first = tmp_path / "ragged.csv"
    first.write_text("x1,x2,label\n0.1,0.2,a\n0.3,b\n")
    second = tmp_path / "empty.csv"
    second.write_text("")
    return [first, second]


# -- B7: divergence ----------------------------------------------------------------------------------
def test_divergence_restores_the_last_good_epoch_undoably_and_draws_the_blow_up(window, qtbot, errors):
    window.panel.activation.setCurrentText("relu")  # tanh saturates and never blows up on xor
    assert window.new_network(ask=False)
    window.panel.epochs.setValue(10)
    window.step_epoch()
    wait_paused(window, qtbot)
    window.step_epoch()
    wait_paused(window, qtbot)
    good = window.session.network.params.copy()  # the worker waits: safe to read
    window.panel.learning_rate.setValue(100.0)  # a live change, as a learner makes it
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT) as done:
        window.training.resume()
    ended = done.args[0]
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=TIMEOUT)

    session = window.session
    assert ended.reason == "diverged" and same_bits(session.network.params, good) and session.epochs_trained == 2
    assert same_bits(window.selection.snapshot.params, good)
    said = "lower the learning rate (now 100); restored the weights of epoch 2, the last before the loss blew up"
    assert errors[-1][0] == "Training diverged" and errors[-1][1].endswith(said)
    assert window.statusBar().currentMessage().endswith(said)
    assert ended.blow_up.restored_epoch == 2 and ended.blow_up.epoch == 3

    undo, redo = window.editor.actions["undo"], window.editor.actions["redo"]
    assert undo.isEnabled() and undo.text() == "&Undo Restore the weights of epoch 2"
    undo.trigger()  # the wrecked weights, for a learner to look at
    wrecked = ended.blow_up.wrecked_params
    assert same_bits(session.network.params, wrecked) and same_bits(window.selection.snapshot.params, wrecked)
    assert np.abs(wrecked).max() > 10 * np.abs(good).max() and session.epochs_trained == 2
    assert redo.isEnabled()
    redo.trigger()
    assert same_bits(session.network.params, good)

    plots = window.plots
    plots.flush()
    x, y = plots.item("loss", "train_batch").getData()
    true_x, true_y = plots.series("loss", "train_batch")
    ceiling = plots.blow_up.ceiling
    assert x[-1] == pytest.approx(ended.blow_up.x) and true_y[-1] == ended.blow_up.loss > 1000 * ceiling
    assert y[-1] == ceiling and np.array_equal(y[:-1], np.minimum(true_y[:-1], ceiling))
    assert np.count_nonzero(true_x <= 2) == 2 * len(true_x[true_x <= 1])  # two good epochs of points kept
    assert ceiling < 10  # the axis stays sized to the good epochs, not to the blow-up
    view_top = plots.plots["loss"].getPlotItem().getViewBox().viewRange()[1][1]
    assert view_top == pytest.approx(ceiling * 1.1)
    marker_x, marker_y = plots.blow_up.marker.getData()
    assert marker_x.tolist() == [pytest.approx(ended.blow_up.x)] and marker_y.tolist() == [ceiling]
    legend = [label.text for _, label in plots.plots["loss"].getPlotItem().legend.items]
    assert legend[-1] == f"loss blew up ({ended.blow_up.loss:.2g})"

    window.panel.learning_rate.setValue(0.03)  # carry on at a sane rate: the blow-up leaves the curves
    train(window, qtbot, epochs=1)
    assert plots.blow_up.marker.getData()[0].size == 0
    assert plots.series("loss", "train_batch")[1].max() < ceiling


def test_after_a_blow_up_the_status_line_is_at_the_restored_epoch(window, qtbot):
    """It used to show the batch and the loss of the epoch the blow-up threw away ("epoch 3 · batch 1/18")
    beside weights that are epoch 2's."""
    window.panel.activation.setCurrentText("relu")  # tanh saturates and never blows up on xor
    assert window.new_network(ask=False)
    window.panel.epochs.setValue(10)
    for _ in range(2):
        window.step_epoch()
        wait_paused(window, qtbot)
    window.panel.learning_rate.setValue(100.0)
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT) as done:
        window.training.resume()
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=TIMEOUT)
    blow_up = done.args[0].blow_up
    assert blow_up.restored_epoch == 2 and blow_up.epoch == 3
    status, history = window.status, window.history
    epoch_2 = float(history.epochs["loss"][list(history.epochs["epoch"]).index(2)])
    assert status.position.text() == "epoch 2 (restored)"
    assert status.loss.text() == f"loss {epoch_2:.4f}" and np.isfinite(epoch_2)
    assert status.rate.text() == status.eta.text() == ""



def drawn_curves(plots) -> dict:
    plots.flush()
    curves = {(plot, name): plots.series(plot, name) for plot in PLOT_NAMES for name in SERIES_NAMES}
    return {key: (x.tolist(), y.tolist()) for key, (x, y) in curves.items()}


def test_undoing_a_restore_or_a_backprop_step_keeps_the_curves_of_a_run_that_blew_up_at_once(window, qtbot):
    """Learning rate 100 on digits blows up in the first epoch, and the weights the run started from come
    back: an untrained network, but one with a run behind it. Edit → Undo and Redo of that restore, and a
    Backprop step on it, change its weights — none of them starts a new history."""
    assert window.choose_dataset("digits")
    window.panel.learning_rate.setValue(100.0)
    window.panel.epochs.setValue(3)
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT) as done:
        assert window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=TIMEOUT)
    ended, plots = done.args[0], window.plots
    assert ended.reason == "diverged" and ended.blow_up.restored_epoch == 0 and window.session.epochs_trained == 0
    curves = drawn_curves(plots)
    x, loss = curves[("loss", "train_batch")]
    assert x[-1] == pytest.approx(ended.blow_up.x) and loss[-1] == ended.blow_up.loss and plots.blow_up.shown
    undo, redo = window.editor.actions["undo"], window.editor.actions["redo"]
    assert undo.text() == "&Undo Restore the weights the run started from"
    for change in (undo.trigger, redo.trigger, lambda: apply_a_step(window)):
        change()
        assert drawn_curves(plots) == curves and plots.blow_up.shown
        assert plots.blow_up.marker.getData()[0].tolist() == [pytest.approx(ended.blow_up.x)]
        assert plots.item("loss", "train_batch").getData()[0].size == len(x)
    assert window.session.epochs_trained == 0


def test_a_backprop_step_keeps_the_curves_of_a_run_stopped_in_its_first_epoch(window, qtbot):
    """Stopped after three batches the network has trained no whole epoch, but its batches are drawn:
    a Backprop step changes its weights as it would a trained network's, and the curves stay."""
    window.panel.batch_size.setValue(4)
    for _ in range(3):
        window.step_batch()
        wait_paused(window, qtbot)
    window.stop_training()
    assert window.session.epochs_trained == 0
    curves = drawn_curves(window.plots)
    assert len(curves[("loss", "train_batch")][0]) == 3
    apply_a_step(window)
    assert drawn_curves(window.plots) == curves
    assert window.plots.item("loss", "train_batch").getData()[0].size == 3


def test_an_edit_that_reinitialises_every_layer_starts_a_new_history_one_that_keeps_weights_does_not(window, qtbot):
    train(window, qtbot, epochs=2)
    plots, editor, history = window.plots, window.editor, window.history
    trained = drawn_curves(plots)
    assert editor.set_frozen(True)  # every weight kept: the run goes on from here
    assert drawn_curves(plots) == trained and history.best_epoch is not None
    started = []  # the run's own curves stay its own: the plots are given new, blank ones
    window.keeper.switched.connect(lambda _curves: started.append(window.session.epochs_trained))
    assert editor.set_hidden_widths([3, 3], LayerSpec(3, "relu"))  # 2 → 3 → 3 → 2: no shape survives
    assert started == [0] and window.history is not history and window.history.is_empty
    assert window.history.best_epoch is None and history.best_epoch is not None
    assert all(not x for x, _ in drawn_curves(plots).values())
    editor.actions["undo"].trigger()  # the trained network again, without its curves: they were not kept
    editor.actions["redo"].trigger()
    assert started == [0, 0]


def test_start_after_a_stop_mid_epoch_draws_that_epoch_once(window, qtbot):
    """Stopped at epoch 2 batch 21, a run carries on from batch 21: the stopped epoch's 20 points stay and
    the rest follow them, none drawn twice at the same x."""
    window.panel.batch_size.setValue(4)
    window.panel.epochs.setValue(3)
    window.step_epoch()
    wait_paused(window, qtbot)
    for _ in range(20):
        window.training.step_batch()
        wait_paused(window, qtbot)
    window.stop_training()
    plots = window.plots
    assert window.session.epochs_trained == 1 and plots.series("loss", "train_batch")[0][-1] > 1.2
    train(window, qtbot, epochs=1)
    for plot in PLOT_NAMES:
        for name in ("train_batch", "train_smoothed"):
            x = plots.series(plot, name)[0]
            assert np.all(np.diff(x) > 0), f"{plot}.{name} goes back along the epoch axis"
    x = plots.series("loss", "train_batch")[0]
    assert np.count_nonzero(x > 1) == np.count_nonzero(x <= 1)  # epoch 2 drawn once, whole

# -- B10: "Save the weights first?" --------------------------------------------------------------------
def test_failing_datasets_and_weight_files_ask_nothing_and_change_nothing(window, qtbot, questions, errors,
                                                                          tmp_path, monkeypatch):
    apply_a_step(window)
    session = window.session
    assert session.dirty
    network, params, source = session.network, session.network.params.copy(), session.dataset_source
    paths = iter([*write_bad_csvs(tmp_path), tmp_path / "no-such-weights.npz"])
    monkeypatch.setattr(window.questions, "ask_open_path", lambda *args: str(next(paths)))
    window.opening.import_dialog()
    window.opening.import_dialog()
    window.opening.open_dialog()
    assert questions["asked"] == 0
    assert [title for title, _ in errors] == ["Could not open the dataset"] * 2 + ["Could not open the weights"]
    assert "ragged.csv" in errors[0][1] and "empty.csv" in errors[1][1] and "no-such-weights.npz" in errors[2][1]
    assert session.network is network and same_bits(session.network.params, params) and session.dirty
    assert session.dataset_source == source == window.panel.dataset.currentData()


def test_a_good_file_asks_once_after_it_has_loaded_and_cancel_keeps_everything(window, qtbot, questions,
                                                                              tmp_path, monkeypatch):
    window.session.save(tmp_path / "saved.npz")
    apply_a_step(window)
    session = window.session
    network = session.network
    monkeypatch.setattr(window.questions, "ask_open_path", lambda *args: str(tmp_path / "saved.npz"))
    loaded = []  # how many questions had been asked when the file was read
    real_load = session_reading.load_model
    monkeypatch.setattr(session_reading, "load_model",
                        lambda path: loaded.append(questions["asked"]) or real_load(path))
    questions["answer"] = "cancel"
    window.opening.open_dialog()
    assert loaded == [0] and questions["asked"] == 1  # read before the question, asked once
    assert session.network is network and session.dirty
    questions["answer"] = "discard"
    window.opening.open_dialog()
    assert questions["asked"] == 2 and session.network is not network and not session.dirty


def test_apply_then_undo_leaves_nothing_unsaved(window, questions):
    debugger = apply_a_step(window)
    assert window.session.dirty and window.isWindowModified()
    debugger.undo_button.click()
    assert not window.session.dirty and not window.isWindowModified()
    assert window.new_network()
    assert questions["asked"] == 0


def test_an_edit_undone_leaves_nothing_unsaved(window, questions):
    editor = window.editor
    assert editor.set_width(5)
    assert window.session.dirty
    editor.actions["undo"].trigger()
    assert not window.session.dirty
    assert window.choose_dataset("digits")
    assert questions["asked"] == 0


def test_a_dataset_the_network_fits_keeps_it_and_asks_nothing(window, qtbot, questions):
    train(window, qtbot)
    session = window.session
    network, params = session.network, session.network.params.copy()
    assert session.dirty
    assert window.choose_dataset("circles")  # 2 inputs, 2 classes, as xor
    assert questions["asked"] == 0
    assert session.dataset.name == "circles" and session.network is network and same_bits(network.params, params)
    assert session.dirty
    assert "fits the open network: it keeps its weights" in window.statusBar().currentMessage()
    assert window.statusBar().currentMessage().endswith("(2 → 8 → 8 → 2)")
    assert window.selection.snapshot.sizes == network.sizes and window.metrics.confusion_view.counts.size == 0
    assert window.choose_dataset("digits")  # 784 inputs: the trained network would go
    assert questions["asked"] == 1 and session.network is not network


def test_a_kept_network_starts_a_new_history_on_the_new_dataset(window, qtbot):
    """The curves, the epoch count, the best epoch and the training line were about xor: after the
    switch they start again, so circles' validation losses never join xor's as if one run."""
    plots, session = window.plots, window.session
    train(window, qtbot, epochs=3)
    assert plots.series("loss", "val_epoch")[0].tolist() == [1.0, 2.0, 3.0] and window.history.best_epoch is not None
    assert window.choose_dataset("circles")
    assert session.epochs_trained == 0 and session.network is not None
    assert all(plots.series(plot, name)[0].size == 0 for plot in PLOT_NAMES for name in SERIES_NAMES)
    assert window.history.best_epoch is None and window.status.position.text() == ""
    assert "trained" not in window.panel.summary.text()
    with qtbot.waitSignal(window.training.epoch_finished, timeout=TIMEOUT) as first:
        train(window, qtbot, epochs=2)
    assert first.args[0].epoch == 1  # the run on circles counts its own epochs
    x, y = plots.series("loss", "val_epoch")
    assert x.tolist() == [1.0, 2.0] and session.epochs_trained == 2
    assert window.history.best_epoch == 1 + int(np.argmin(y))  # circles' own best, from circles' losses alone



def test_importing_the_open_file_again_reads_it_again(window, tmp_path, monkeypatch, questions):
    """The learner changed the file and imports it again: the window must not keep the old rows."""
    path = tmp_path / "points.csv"

    def rows(n: int) -> str:
        return "label,x1,x2\n" + "".join(f"{'ab'[i % 2]},{i / n:.4f},{1 - i / n:.4f}\n" for i in range(n))
    path.write_text(rows(40))
    monkeypatch.setattr(window.questions, "ask_open_path", lambda *args: str(path))
    window.opening.import_dialog()
    assert window.session.dataset_source == str(path) and len(window.session.dataset) == 40
    path.write_text(rows(60))
    window.opening.import_dialog()
    assert len(window.session.dataset) == 60 and questions["asked"] == 0  # 2 inputs, 2 classes: the network stays

def test_a_lesson_asks_only_when_unsaved_weights_would_go(window, questions):
    lessons = window.inspector.lessons
    debugger = apply_a_step(window)
    debugger.undo_button.click()
    assert window.inspector.open_lesson(lessons.lesson("04-dog-cat"))
    assert questions["asked"] == 0
    apply_a_step(window)
    assert window.inspector.open_lesson(lessons.lesson("01-bright-dark"))
    assert questions["asked"] == 1


# -- B11: stale state ----------------------------------------------------------------------------------
@pytest.mark.parametrize("replace", ["reset", "new", "open"])
def test_no_training_line_outlives_the_network(window, qtbot, tmp_path, replace):
    window.session.save(tmp_path / "fresh.npz")
    train(window, qtbot)
    status = window.status
    assert status.position.text().startswith("epoch 2 · batch") and status.loss.text().startswith("loss ")
    {"reset": window.reset_weights, "new": window.new_network,
     "open": lambda: window.open_path(tmp_path / "fresh.npz")}[replace]()
    assert (status.position.text(), status.rate.text(), status.eta.text(), status.loss.text()) == ("",) * 4


def test_the_activation_plot_ranges_afresh_for_another_network(window, qtbot, tmp_path):
    session = window.session
    session.save(tmp_path / "ordinary.npz")
    wrecked = session.network.copy()
    wrecked.biases[0][...] = 4000.0  # as after a blow-up: z in the thousands
    session.set_network(wrecked, session.loss)
    inspector = window.inspector
    inspector.show_tab("neuron")
    plot = inspector.neuron_view.plot
    assert plot.viewRange()[0][1] > 5000  # the ±5,000 axis of the issue
    assert window.open_path(tmp_path / "ordinary.npz")
    inspector.refresh()
    z = float(window.selection.snapshot.forward_trace(
        np.asarray(window.selection.input.values).reshape(1, -1)).pre_activations[0][0, 0])
    x_range = plot.viewRange()[0]
    assert x_range[1] < 10 and x_range[0] <= z <= x_range[1]
    assert plot.curve.getData()[0][-1] < 10


def test_the_backprop_tabs_message_does_not_carry_over_to_the_next_network(window):
    debugger = apply_a_step(window)
    debugger.undo_button.click()
    assert debugger.status.text().startswith("Undone:")
    assert window.new_network()
    assert debugger.status.text() == ""
    apply_a_step(window)
    assert debugger.status.text().startswith("Applied one")
    window.reset_weights()
    assert debugger.status.text() == ""


def test_a_refusal_while_training_stays_until_the_run_ends(window, qtbot):
    window.panel.batch_size.setValue(1)
    window.panel.epochs.setValue(1000)
    window.inspector.show_tab("backprop")
    assert window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "running", timeout=TIMEOUT)
    assert not window.inspector.applier.apply()
    window.selection.set_snapshot(window.selection.snapshot.copy())  # a training update's new snapshot
    assert "training run is active" in window.inspector.debugger.status.text()
    window.stop_training()
