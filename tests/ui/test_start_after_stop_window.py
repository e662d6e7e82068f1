"""In the real window, Start after Stop — or Pause, Stop, Start — carries on exactly as if the run had never
stopped: after the same number of batches the weights are bit for bit those of an uninterrupted run, and the
stopped epoch's curve points stay and are finished, not drawn again."""
import math

import numpy as np
import pytest


TIMEOUT = 20_000


@pytest.fixture
def window(window, errors):
    panel = window.panel
    panel.hidden_layers.setText("6")  # another width than the dataset's default: Start builds it, with dropout
    panel.hidden_layers.editingFinished.emit()
    panel.dropout.setValue(0.2)
    panel.batch_size.setValue(16)
    panel.optimizer.setCurrentText("adam")
    yield window
    assert errors == []


def wait_paused(win, qtbot):
    qtbot.waitUntil(lambda: win.training.state == "paused", timeout=TIMEOUT)


def train(win, qtbot, epochs: int):
    win.panel.epochs.setValue(epochs)
    with qtbot.waitSignal(win.training.finished, timeout=TIMEOUT):
        assert win.start_training()
    qtbot.waitUntil(lambda: win.training.state == "idle", timeout=TIMEOUT)


def drawn_up_to(win) -> float:
    """How far the batch-loss curve has got, in epochs."""
    x = win.plots.series("loss", "train_batch")[0]
    return float(x[-1]) if x.size else 0.0


def uninterrupted_weights(win, qtbot, epochs: int) -> bytes:
    """The same network made afresh (the experiment's seed) on the same split, trained ``epochs`` straight."""
    session = win.session
    session.new_network(win.run_settings.experiment())
    assert session.epochs_trained == 0 and session.trainer_state() is None
    train(win, qtbot, epochs)
    assert session.epochs_trained == epochs
    return session.network.params.tobytes()


def test_pause_stop_start_carries_on_bit_for_bit(window, qtbot):
    window.panel.epochs.setValue(3)
    window.step_epoch()  # Start paused, then one epoch
    wait_paused(window, qtbot)
    for _ in range(5):
        window.training.step_batch()
        wait_paused(window, qtbot)
    window.stop_training()
    session = window.session
    assert session.network.layers[0].dropout == 0.2 and session.network.sizes == [2, 6, 2]
    assert session.epochs_trained == 1 and session.trainer_state().batches_done == 5
    train(window, qtbot, epochs=2)  # finishing epoch 2 is the first of these two
    assert session.epochs_trained == 3
    carried_on = session.network.params.tobytes()
    window.plots.flush()
    x = window.plots.series("loss", "train_batch")[0]
    n_batches = math.ceil(len(session.splits.train) / 16)
    assert np.all(np.diff(x) > 0) and len(x) == 3 * n_batches  # the stopped epoch's 5 batches kept, not redrawn
    assert carried_on == uninterrupted_weights(window, qtbot, 3)


def test_stop_while_running_then_start_carries_on_bit_for_bit(window, qtbot):
    window.panel.epochs.setValue(200)
    assert window.start_training()
    qtbot.waitUntil(lambda: drawn_up_to(window) > 1.5, timeout=TIMEOUT)
    window.stop_training()  # wherever the worker was: mid-epoch, most likely
    stopped_after = window.session.epochs_trained
    assert stopped_after >= 1
    train(window, qtbot, epochs=2)
    assert window.session.epochs_trained == stopped_after + 2
    carried_on = window.session.network.params.tobytes()
    assert carried_on == uninterrupted_weights(window, qtbot, stopped_after + 2)
