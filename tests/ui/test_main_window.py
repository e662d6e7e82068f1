"""The real window, driven as a learner drives it: train, pause, step, save, open, close."""
import math
from contextlib import contextmanager

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from nnlab.ui.actions import ACTION_SPECS, ALWAYS_ENABLED
from nnlab.ui.main_window import MainWindow
from nnlab.ui.settings import Settings

EPOCH_TIMEOUT = 20_000


@pytest.fixture
def window(window):
    window.panel.epochs.setValue(5)
    return window


def make_long(win):
    """A run that cannot finish during a test: one sample per batch, a thousand epochs."""
    win.panel.batch_size.setValue(1)
    win.panel.epochs.setValue(1000)


def batches_plotted(win) -> int:
    win.plots.flush()
    return len(win.plots.series("loss", "train_batch")[0])


def test_training_fills_the_plots_and_metrics(window, qtbot):
    with qtbot.waitSignal(window.training.epoch_finished, timeout=EPOCH_TIMEOUT) as epoch:
        window.start_training()
    result = epoch.args[0]
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=EPOCH_TIMEOUT)
    window.plots.flush()
    x, loss = window.plots.series("loss", "val_epoch")
    assert list(x) == [1, 2, 3, 4, 5]
    assert loss[0] == pytest.approx(result.val_loss)
    item_x, item_y = window.plots.item("loss", "val_epoch").getData()
    np.testing.assert_allclose(item_y, loss)
    assert batches_plotted(window) == 5 * math.ceil(len(window.session.splits.train) / 16)
    assert window.metrics.confusion_view.counts.sum() == len(window.session.splits.validation)
    assert window.session.epochs_trained == 5 and window.session.dirty
    n_batches = math.ceil(len(window.session.splits.train) / 16)
    assert window.status.position.text() == f"epoch 5 · batch {n_batches}/{n_batches}"  # the last batch stays shown


def test_pause_step_resume_stop(window, qtbot):
    make_long(window)
    with qtbot.waitSignal(window.training.state_changed, check_params_cb=lambda s: s == "paused",
                          timeout=EPOCH_TIMEOUT):
        window.start_training()
        qtbot.waitUntil(lambda: batches_plotted(window) > 0, timeout=EPOCH_TIMEOUT)
        window.actions["pause"].trigger()
    assert window.actions["resume"].isEnabled() and not window.actions["pause"].isEnabled()
    before = batches_plotted(window)
    with qtbot.waitSignal(window.training.state_changed, check_params_cb=lambda s: s == "paused",
                          timeout=EPOCH_TIMEOUT):
        window.actions["step_batch"].trigger()
    assert batches_plotted(window) == before + 1
    trainer = window.training.trainer
    completed_before = trainer.completed_epochs
    with qtbot.waitSignal(window.training.epoch_finished, timeout=EPOCH_TIMEOUT):
        window.actions["step_epoch"].trigger()  # finishes the epoch in progress
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=EPOCH_TIMEOUT)
    assert trainer.completed_epochs == completed_before + 1
    window.actions["resume"].trigger()
    assert window.training.state == "running" and not window.panel.hidden_layers.isEnabled()
    qtbot.waitUntil(lambda: batches_plotted(window) > before + 20, timeout=EPOCH_TIMEOUT)
    window.actions["stop"].trigger()
    assert window.training.state == "idle" and window.panel.hidden_layers.isEnabled()
    assert window.statusBar().currentMessage().startswith("Stopped by you:")
    assert window.session.epochs_trained == trainer.completed_epochs


def test_each_step_shows_its_weights_in_the_editor_and_inspector_at_once(window, qtbot):
    make_long(window)
    with qtbot.waitSignal(window.training.state_changed, check_params_cb=lambda s: s == "paused",
                          timeout=EPOCH_TIMEOUT):
        window.step_batch()
    for _ in range(3):  # quicker than the once-a-second refresh while running
        with qtbot.waitSignal(window.training.state_changed, check_params_cb=lambda s: s == "paused",
                              timeout=EPOCH_TIMEOUT):
            window.actions["step_batch"].trigger()
        shown = window.selection.snapshot
        assert shown is not window.session.network
        np.testing.assert_array_equal(shown.params, window.session.network.params)
    window.stop_training()


def test_learning_rate_changes_while_running(window, qtbot):
    make_long(window)
    window.start_training()
    assert window.panel.learning_rate.isEnabled() and not window.panel.batch_size.isEnabled()
    window.panel.learning_rate.setValue(0.0042)
    assert window.training.trainer.optimizer.learning_rate == pytest.approx(0.0042)
    window.stop_training()


def test_step_batch_from_idle_trains_exactly_one_batch(window, qtbot):
    params = window.session.network.params.copy()
    with qtbot.waitSignal(window.training.state_changed, check_params_cb=lambda s: s == "paused",
                          timeout=EPOCH_TIMEOUT):
        window.step_batch()
    qtbot.waitUntil(lambda: batches_plotted(window) == 1, timeout=EPOCH_TIMEOUT)
    window.stop_training()
    assert not np.array_equal(window.session.network.params, params)
    assert window.session.epochs_trained == 0


def test_holding_the_worker_during_a_single_step_keeps_it_a_single_step(window, qtbot):
    """Saving while one step runs must not turn the step into a full run."""
    make_long(window)
    window.step_batch()
    with window.training.held():
        pass
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=EPOCH_TIMEOUT)
    qtbot.wait(300)  # a run wrongly resumed would plot many more batches meanwhile
    assert window.training.state == "paused"
    assert batches_plotted(window) == 1
    window.stop_training()


def test_save_then_open_restores_the_weights(window, qtbot, tmp_path, monkeypatch):
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT):
        window.start_training()
    path = tmp_path / "xor.npz"
    monkeypatch.setattr(window.questions, "ask_save_path", lambda *args: str(path))
    assert window.actions["save_as"].isEnabled()
    window.actions["save_as"].trigger()
    assert path.is_file() and not window.session.dirty and window.windowTitle().startswith("xor.npz")
    saved = window.session.network.params.copy()
    window.reset_weights()
    assert not np.array_equal(window.session.network.params, saved)
    monkeypatch.setattr(window.questions, "ask_save_changes", lambda: "discard")
    monkeypatch.setattr(window.questions, "ask_open_path", lambda *args: str(path))
    window.actions["open"].trigger()
    assert window.session.network.params.tobytes() == saved.tobytes()
    assert Settings().get("recent_files")[0] == str(path.resolve())


def test_save_during_training_holds_the_worker_between_batches(window, qtbot, tmp_path, errors):
    make_long(window)
    window.start_training()
    qtbot.waitUntil(lambda: batches_plotted(window) > 5, timeout=EPOCH_TIMEOUT)
    assert window.save_to(tmp_path / "mid.npz")
    assert window.training.state == "running", errors
    window.stop_training()


@pytest.mark.parametrize("content", [b"not a weight file", b"PK\x03\x04truncated"])
def test_failed_open_names_the_problem_and_changes_nothing(window, errors, tmp_path, content):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    params = window.session.network.params.copy()
    network = window.session.network
    window.session.set_dirty(False)
    assert not window.open_path(bad)
    assert errors and "bad.npz" in errors[-1][1]
    assert window.session.network is network and network.params.tobytes() == params.tobytes()


def test_open_during_training_stops_the_worker_first(window, qtbot, tmp_path):
    window.session.save(tmp_path / "first.npz")
    make_long(window)
    window.start_training()
    qtbot.waitUntil(lambda: batches_plotted(window) > 3, timeout=EPOCH_TIMEOUT)
    window.session.set_dirty(False)
    assert window.open_path(tmp_path / "first.npz", ask=False)
    assert window.training.state == "idle"


def test_unsaved_changes_prompt_and_cancel_keeps_everything(window, monkeypatch):
    asked = []
    monkeypatch.setattr(window.questions, "ask_save_changes", lambda: asked.append(1) or "cancel")
    network = window.session.network
    window.session.set_dirty(True)
    window.actions["new"].trigger()
    assert asked and window.session.network is network
    assert window.isWindowModified()


def test_close_during_training_stops_the_thread(qtbot, monkeypatch):
    win = MainWindow(load_last_dataset=False)
    qtbot.addWidget(win)
    win.show()
    win.choose_dataset("xor")
    make_long(win)
    win.start_training()
    qtbot.waitUntil(lambda: batches_plotted(win) > 3, timeout=EPOCH_TIMEOUT)
    monkeypatch.setattr(win.questions, "ask_save_changes", lambda: "discard")
    assert win.close()
    assert win.training.state == "idle"


def test_divergence_halts_with_a_message_and_finite_weights(window, qtbot, errors):
    window.panel.loss.setCurrentText("mse")
    window.panel.optimizer.setCurrentText("sgd")
    window.new_network(ask=False)
    make_long(window)
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT) as done:
        window.start_training()
        window.training.set_learning_rate(1e30)  # live change: the next steps overflow for certain
    assert done.args[0].reason == "diverged"
    assert errors[-1][0] == "Training diverged" and "lower the learning rate (now 1e+30)" in errors[-1][1]
    assert np.isfinite(window.session.network.params).all()
    assert window.session.epochs_trained == done.args[0].epochs_done


def test_stale_updates_from_a_stopped_run_never_reach_the_new_network(window, qtbot):
    make_long(window)
    window.start_training()
    qtbot.waitUntil(lambda: batches_plotted(window) > 10, timeout=EPOCH_TIMEOUT)
    window.new_network(ask=False)  # stops the run; its queued updates may still be in flight
    qtbot.wait(200)
    assert batches_plotted(window) == 0 and not window.session.dirty
    assert window.metrics.confusion_view.counts.size == 0


def test_opened_weights_survive_pressing_start(window, qtbot, tmp_path):
    window.panel.hidden_layers.setText("5, 3")
    window.new_network(ask=False)
    window.session.save(tmp_path / "small.npz")
    saved = window.session.network.params.copy()
    window.panel.hidden_layers.setText("8, 8")
    window.new_network(ask=False)
    assert window.open_path(tmp_path / "small.npz", ask=False)
    assert window.panel.hidden_layers.text() == "5, 3"
    window.panel.epochs.setValue(1)
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT):
        window.start_training()
    assert window.session.network.sizes == [2, 5, 3, 2]
    assert window.session.network.params.shape == saved.shape
    assert not np.array_equal(window.session.network.params, saved)  # trained on, not replaced


def test_changing_the_seed_after_training_keeps_the_split(window, qtbot):
    window.panel.epochs.setValue(1)
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT):
        window.start_training()
    test_before = window.session.splits.test.x.copy()
    window.panel.seed.setValue(7)
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT):
        window.start_training()
    assert np.array_equal(window.session.splits.test.x, test_before)


def test_a_failed_dataset_import_does_not_train_on_something_else(window, errors, tmp_path, monkeypatch):
    bad = tmp_path / "broken.csv"
    bad.write_text("label,a\n1,x\n")
    monkeypatch.setattr(window.questions, "ask_open_path", lambda *args: str(bad))
    window.opening.import_dialog()
    assert errors and "broken.csv" in errors[-1][1]
    assert window.session.dataset.name == "xor" and window.panel.dataset.currentData() == "xor"


def test_dropping_a_weight_file_opens_it(window, tmp_path):
    window.session.save(tmp_path / "dropped.npz")
    window.reset_weights()
    window.session.set_dirty(False)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "dropped.npz"))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, event)  # through the window's event filters, as a drop arrives
    assert window.session.path == tmp_path / "dropped.npz"


def test_every_action_has_a_shortcut_or_mnemonic_and_sensible_enablement(window):
    assert set(window.actions) == set(ACTION_SPECS)
    for name, action in window.actions.items():
        assert not action.shortcut().isEmpty() or "&" in action.text(), name
    idle = {name for name, action in window.actions.items() if action.isEnabled()}
    assert ALWAYS_ENABLED <= idle
    assert {"start", "step_batch", "reset_weights", "save"} <= idle
    assert not {"pause", "resume", "stop"} & idle


def test_layout_and_last_dataset_persist(qtbot):
    first = MainWindow(load_last_dataset=False)
    qtbot.addWidget(first)
    first.show()
    first.choose_dataset("circles")
    first.docks["metrics"].setFloating(True)
    first.close()
    second = MainWindow()
    qtbot.addWidget(second)
    qtbot.waitUntil(lambda: second.session.dataset is not None, timeout=EPOCH_TIMEOUT)
    assert second.session.dataset.name == "circles" and second.docks["metrics"].isFloating()
    assert {dock.objectName() for dock in second.docks.values()} == {
        "training_dock", "plots_dock", "metrics_dock", "canvas_dock", "inspector_dock", "runs_dock"}
    second.session.set_dirty(False)
    second.close()


def test_evaluate_on_test_set_says_so_when_the_run_cannot_be_held(window, errors, monkeypatch):
    """A run that does not reach a pause between batches in time: one sentence, not a ValueError past the window."""
    @contextmanager
    def never_held():
        raise ValueError("training did not reach a pause between batches in time; try again")
        yield

    monkeypatch.setattr(window.training, "held", never_held)
    header = window.metrics.header_text
    window.actions["evaluate_test"].trigger()
    assert errors == [("Could not evaluate on the test set",
                       "training did not reach a pause between batches in time; try again")]
    assert window.metrics.header_text == header


def test_a_weight_file_that_fails_during_a_run_changes_nothing_and_asks_nothing(window, qtbot, errors, questions,
                                                                                tmp_path):
    make_long(window)
    assert window.start_training()
    qtbot.waitUntil(lambda: window.session.dirty, timeout=EPOCH_TIMEOUT)  # unsaved weights a question would guard
    session = window.session
    network, title, dataset = session.network, window.windowTitle(), session.dataset
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"not a zip archive")
    assert not window.open_path(bad)
    assert errors[-1][0] == "Could not open the weights" and "broken.npz" in errors[-1][1]
    assert questions["asked"] == 0 and window.training.state == "running"
    assert session.network is network and session.dataset is dataset and session.path is None
    assert window.windowTitle() == title and session.dirty
    window.stop_training()


def test_save_as_keeps_the_platforms_key_and_no_two_commands_share_one(window):
    """Save Session took Ctrl+Shift+S from Save As; a learner's hands know that key as Save As."""
    from PySide6.QtGui import QKeySequence

    assert window.actions["save_as"].shortcut() == QKeySequence(QKeySequence.StandardKey.SaveAs)
    keys = [action.shortcut().toString() for action in window.actions.values() if not action.shortcut().isEmpty()]
    assert len(keys) == len(set(keys))
