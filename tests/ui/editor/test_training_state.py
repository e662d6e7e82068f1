"""The editor and training: no edits while a run is running, edits when paused, frozen layers stay put."""
import time

import numpy as np
from PySide6.QtCore import QPointF

from nnlab.ui.editor.editor import PAUSE_TO_EDIT

from .conftest import TIMEOUT


# The GUI thread held up this long (a loaded machine, a long garbage collection) while the worker trains on:
# xor's 1000 epochs at batch 16 take 2.5 s alone, so a run that short ended before Pause landed and pause()
# timed out — the flake seen once in a full-suite run.
STALL_SECONDS = 3.0


def make_long(win):
    """A run that cannot finish during a test: one sample per batch, 10,000 epochs (2.8 million batches)."""
    win.panel.batch_size.setValue(1)
    win.panel.epochs.setValue(10_000)


def pause(win, qtbot):
    with qtbot.waitSignal(win.training.state_changed, check_params_cb=lambda s: s == "paused", timeout=TIMEOUT):
        win.actions["pause"].trigger()


def test_editor_is_disabled_while_running_and_enabled_when_paused(window, qtbot):
    editor = window.editor
    make_long(window)
    editor.select_layer(1)
    editor.actions["remove"].trigger()
    assert editor.actions["undo"].isEnabled()
    window.start_training()
    assert window.training.state == "running"
    assert not editor.toolbar.isEnabled() and editor.notice.text() == PAUSE_TO_EDIT and editor.notice.isVisibleTo(editor)
    assert not any(editor.actions[name].isEnabled() for name in ("add_before", "add_after", "remove", "freeze",
                                                                  "undo", "redo"))
    sizes = window.selection.snapshot.sizes
    assert not editor.set_width(3) and editor.last_message == PAUSE_TO_EDIT
    assert window.selection.snapshot.sizes == sizes and window.training.state == "running"
    pause(window, qtbot)
    assert editor.toolbar.isEnabled() and not editor.notice.isVisibleTo(editor)
    assert editor.actions["add_after"].isEnabled() and editor.actions["freeze"].isEnabled()
    assert not editor.actions["undo"].isEnabled(), "a run started: edits before it can no longer be undone"


def test_an_edit_while_paused_ends_the_run_and_keeps_the_trained_weights_and_epochs(window, qtbot):
    editor = window.editor
    make_long(window)
    with qtbot.waitSignal(window.training.epoch_finished, timeout=TIMEOUT):
        window.start_training()
    time.sleep(STALL_SECONDS)  # the worker trains on; the run must still be going when Pause lands
    pause(window, qtbot)
    epochs = window.training.trainer.completed_epochs
    assert epochs >= 1
    trained = window.session.network.copy()  # paused: the worker is not writing
    editor.select_layer(2)
    assert editor.set_width(5)
    assert window.training.state == "idle" and window.session.epochs_trained == epochs
    assert editor.last_message == ("Width of hidden layer 2 → 5 — re-initialised hidden layer 2, the output layer; "
                                   f"the paused run ended — Start carries on from epoch {epochs + 1}")
    net = window.session.network
    assert net.sizes == [2, 8, 5, 2] and np.array_equal(net.weights[0], trained.weights[0])
    editor.actions["undo"].trigger()
    assert window.session.network.params.tobytes() == trained.params.tobytes()
    with qtbot.waitSignal(window.training.epoch_finished, timeout=TIMEOUT) as first:
        assert window.start_training()
    assert first.args[0].epoch == epochs + 1  # the count carries on
    window.stop_training()


def test_a_paused_run_counts_its_epochs_where_the_window_shows_them(window, qtbot):
    """The session's epoch count follows the run, epoch by epoch: at a pause it is the trainer's (the worker
    reports each epoch before it pauses), so the summary and a test evaluation made while paused say the
    epochs the weights have had — not the count from before the run."""
    make_long(window)
    with qtbot.waitSignal(window.training.epoch_finished, timeout=TIMEOUT):
        window.start_training()
    pause(window, qtbot)
    done = window.training.trainer.completed_epochs
    assert done >= 1 and window.session.epochs_trained == done
    assert f"trained {done} epoch" in window.panel.summary.text()
    window.evaluate_test()
    assert window.metrics.header_label.text().startswith(f"test · epoch {done} · ")
    window.actions["resume"].trigger()
    pause(window, qtbot)
    trainer = window.training.trainer
    assert window.session.epochs_trained == trainer.completed_epochs >= done
    window.stop_training()
    assert window.session.epochs_trained == trainer.completed_epochs


def test_a_pause_right_after_a_resume_is_not_lost(window, qtbot):
    """Resume, then Pause before the worker has woken up (a script, two quick keys, a busy machine): the worker
    sleeps on, and the window must say so. It used to say "running" for good, with Pause greyed out."""
    make_long(window)
    with qtbot.waitSignal(window.training.epoch_finished, timeout=TIMEOUT):
        window.start_training()
    pause(window, qtbot)
    worker = window.training._worker
    with worker._condition:  # the worker cannot wake between the two requests: the race, every time
        window.actions["resume"].trigger()
        assert window.training.state == "running"
        window.actions["pause"].trigger()
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=TIMEOUT)
    assert window.actions["resume"].isEnabled() and not window.actions["pause"].isEnabled()
    window.actions["resume"].trigger()  # and the run goes on from there as usual
    pause(window, qtbot)
    window.stop_training()


def test_a_frozen_layer_keeps_its_weights_through_an_epoch_of_training(window, qtbot):
    editor = window.editor
    editor.select_layer(1)
    editor.actions["freeze"].trigger()
    frozen_before = window.session.network.weights[0].copy(), window.session.network.biases[0].copy()
    others_before = window.session.network.weights[1].copy()
    window.panel.epochs.setValue(1)
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT):
        window.actions["start"].trigger()
    net = window.session.network
    assert net.layers[0].frozen and window.session.epochs_trained == 1
    assert np.array_equal(net.weights[0], frozen_before[0]) and np.array_equal(net.biases[0], frozen_before[1])
    assert not np.array_equal(net.weights[1], others_before)
    assert np.array_equal(window.selection.snapshot.weights[0], frozen_before[0])


def test_neurons_are_shaded_by_the_inspected_inputs_activations(window):
    from nnlab.lab.selection import InspectedInput

    x = np.array([0.9, -0.4], dtype=np.float32)
    window.selection.set_input(InspectedInput(x, None, "a point"))
    canvas, net = window.editor.canvas, window.selection.snapshot
    hidden = net.forward_trace(x[None, :]).activations[1][0]
    expected = np.clip(hidden / max(np.abs(hidden).max(), 1.0), -1, 1)
    np.testing.assert_allclose(canvas.shade(1), expected, rtol=1e-6)
    np.testing.assert_allclose(canvas.shade(0), x, rtol=1e-6)
    window.selection.set_input(None)  # the inspector may choose a sample of its own instead
    current = window.selection.input
    if current is None:
        assert canvas.shade(1) is None
    else:
        hidden = net.forward_trace(np.asarray(current.values)[None, :]).activations[1][0]
        np.testing.assert_allclose(canvas.shade(1), np.clip(hidden / max(np.abs(hidden).max(), 1.0), -1, 1),
                                   rtol=1e-6)


def test_a_stale_snapshot_from_before_an_edit_is_ignored(window):
    stale = window.selection.snapshot
    window.editor.select_layer(1)
    window.editor.set_width(3)
    assert not window.editor.canvas.set_snapshot(stale)  # what a late worker update would look like
    assert len(window.editor.canvas.visible_connections()) == 3 * 2 + 8 * 3 + 2 * 8
    assert window.editor.canvas.connection_at(QPointF(-50, -50)) is None
