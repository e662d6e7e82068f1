"""The window goes first: marked GUI work makes the training thread wait between batches."""
import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.trainer import TrainConfig, Trainer
from nnlab.ui import priority
from nnlab.ui.training import worker as worker_module
from nnlab.ui.training.worker import TrainingWorker


def test_window_busy_marks_and_nests():
    assert not priority.is_window_busy()
    with priority.window_busy():
        assert priority.is_window_busy()
        with priority.window_busy():
            assert priority.is_window_busy()
        assert priority.is_window_busy()  # the inner mark does not end the outer one
    assert not priority.is_window_busy()


def test_window_busy_ends_when_the_work_raises():
    with pytest.raises(RuntimeError), priority.window_busy():
        raise RuntimeError("a repaint failed")
    assert not priority.is_window_busy()


@pytest.fixture
def worker():
    rng = np.random.default_rng(0)
    network = Network(2, [LayerSpec(3, "relu"), LayerSpec(2, "softmax")], seed=0)
    return TrainingWorker(Trainer(network, rng.normal(size=(8, 2)), rng.integers(0, 2, 8),
                                  TrainConfig(epochs=1, batch_size=4), n_classes=2))


def give_way_on_another_thread(worker) -> tuple[threading.Thread, dict]:
    seen = {}

    def run():
        seen["gave_way"] = worker._give_way_to_the_window()
        seen["still_busy_when_it_returned"] = priority.is_window_busy()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, seen


def test_the_worker_waits_while_the_window_is_busy(worker, monkeypatch):
    monkeypatch.setattr(worker_module, "GIVE_WAY_AT_MOST_SECONDS", 30.0)
    release = threading.Timer(0.05, lambda: None)
    with priority.window_busy():
        thread, seen = give_way_on_another_thread(worker)
        release.start()
        release.join()
        assert thread.is_alive()  # still waiting for the window
    thread.join(5)
    assert seen == {"gave_way": True, "still_busy_when_it_returned": False}


def test_a_window_that_stays_busy_only_slows_the_worker(worker, monkeypatch):
    monkeypatch.setattr(worker_module, "GIVE_WAY_AT_MOST_SECONDS", 0.01)
    monkeypatch.setattr(worker_module, "RUN_AT_LEAST_SECONDS", 30.0)
    with priority.window_busy():
        thread, seen = give_way_on_another_thread(worker)
        thread.join(5)
        assert seen == {"gave_way": True, "still_busy_when_it_returned": True}  # waited at most the cap
        assert worker._give_way_to_the_window() is False  # then it trains before it waits again


def test_an_idle_window_never_holds_the_worker(worker):
    assert worker._give_way_to_the_window() is False


class PaintProbe(QWidget):
    def __init__(self):
        super().__init__()
        self.busy_during_paint = []

    def paintEvent(self, event):
        self.busy_during_paint.append(priority.is_window_busy())


def test_the_window_repaints_and_relays_progress_as_marked_work(qtbot, monkeypatch):
    from nnlab.ui.main_window import MainWindow

    window = MainWindow(load_last_dataset=False)
    monkeypatch.setattr(window.questions, "ask_save_changes", lambda: "discard")
    qtbot.addWidget(window)
    probe = PaintProbe()
    probe.setFixedSize(20, 10)
    window.statusBar().addPermanentWidget(probe)
    window.show()
    qtbot.waitExposed(window)
    assert window.choose_dataset("xor")
    relayed = []
    window.training.progressed.connect(lambda update: relayed.append(priority.is_window_busy()))
    with qtbot.waitSignal(window.training.finished, timeout=20_000):
        window.start_training()
    qtbot.wait(50)
    probe.busy_during_paint.clear()
    probe.update()
    qtbot.waitUntil(lambda: len(probe.busy_during_paint) > 0)
    assert relayed and all(relayed)
    assert all(probe.busy_during_paint)
    assert not priority.is_window_busy()
    window.close()
