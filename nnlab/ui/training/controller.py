"""Owns the worker thread for one training run and stops it in a fixed, safe order."""
from __future__ import annotations

import weakref
from contextlib import contextmanager

from PySide6.QtCore import QObject, QThread, Signal

from nnlab.engine import Trainer, TrainingEnded
from nnlab.engine.optimizers import check_learning_rate
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.training_state import TrainingState

from ..priority import window_busy
from .worker import TrainingWorker

_live_threads: "weakref.WeakSet[QThread]" = weakref.WeakSet()


def running_threads() -> list[QThread]:
    """Training threads still running (the test suite fails a test that leaves one)."""
    return [thread for thread in list(_live_threads) if thread.isRunning()]


def stop_all_threads(timeout_ms: int = 5000) -> None:
    """Last-resort clean-up (tests): stop every worker still running and wait for its thread."""
    for thread in running_threads():
        thread.training_worker.request_stop()
        thread.quit()
        thread.wait(timeout_ms)


class TrainingController(QObject):
    """Start, pause, step and stop training; relays the worker's signals to the GUI thread.

    ``state`` is a :class:`TrainingState`: IDLE (no run), RUNNING or PAUSED. A change of the settings' learning rate
    reaches the running optimizer from its next batch.
    """

    state_changed = Signal(object)  # TrainingState
    progressed = Signal(object)
    epoch_finished = Signal(object)  # EpochResult
    epoch_recorded = Signal(object)  # EpochRecord: the result with copies of the weights and the trainer state
    finished = Signal(object)
    # Every end of a run — finished, stopped early, diverged, or stopped by stop() — once its thread has
    # ended, with its trainer, whose weights and state are then safe to read: (TrainingEnded, Trainer).
    ended = Signal(object, object)
    errored = Signal(str)

    def __init__(self, settings: RunSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: TrainingWorker | None = None
        self.state = TrainingState.IDLE
        # True while the worker runs one step (a batch or an epoch) that pauses by itself: its pause is
        # the step's end, not a learner's Pause — a run's recording keeps no pause event for it.
        self.stepping = False
        settings.events.learning_rate.connect(self._on_learning_rate_setting)

    @property
    def trainer(self) -> Trainer | None:
        return self._worker.trainer if self._worker else None

    def start(self, trainer: Trainer, paused: bool = False) -> None:
        """Run ``trainer`` on a new thread (stopping any previous run first)."""
        self.stop()
        thread = QThread()
        thread.setObjectName("nnlab-training")
        worker = TrainingWorker(trainer, start_paused=paused)
        worker.moveToThread(thread)
        thread.training_worker = worker
        thread.started.connect(worker.run)
        thread.finished.connect(worker.deleteLater)
        worker.progressed.connect(self._on_progressed)
        worker.epoch_finished.connect(self._on_epoch_finished)
        worker.paused.connect(self._on_paused)
        worker.finished.connect(self._on_finished)
        worker.errored.connect(self._on_errored)
        self._thread, self._worker = thread, worker
        self.stepping = False
        _live_threads.add(thread)
        self._set_state(TrainingState.PAUSED if paused else TrainingState.RUNNING)
        thread.start()

    def pause(self) -> None:
        if self._worker and self.state == TrainingState.RUNNING:
            self.stepping = False  # the learner paused a long step: that pause is theirs
            self._worker.request_pause()

    def resume(self) -> None:
        if self._worker and self.state == TrainingState.PAUSED:
            self._worker.request_resume()
            self.stepping = False
            self._set_state(TrainingState.RUNNING)

    def step_batch(self) -> None:
        if self._worker and self.state == TrainingState.PAUSED:
            self._worker.request_step_batch()
            self.stepping = True
            self._set_state(TrainingState.RUNNING)

    def step_epoch(self) -> None:
        if self._worker and self.state == TrainingState.PAUSED:
            self._worker.request_step_epoch()
            self.stepping = True
            self._set_state(TrainingState.RUNNING)

    def set_learning_rate(self, value: float) -> None:
        """The running optimizer's rate from the next batch; a bad rate is refused also with no run active."""
        if self._worker:
            self._worker.set_learning_rate(value)
        else:
            check_learning_rate(value)

    def _on_learning_rate_setting(self, rate: float, _old: float) -> None:
        """The settings checked the rate already; with no run it is simply the next run's."""
        if self._worker:
            self._worker.set_learning_rate(rate)

    def stop(self) -> None:
        """Request stop, disconnect, wait, delete — the order that never leaves a thread behind."""
        worker, thread = self._worker, self._thread
        if thread is None:
            return
        self._worker = self._thread = None
        worker.request_stop()
        for signal in (worker.progressed, worker.epoch_finished, worker.paused, worker.finished, worker.errored):
            signal.disconnect()
        self._release(thread)
        trainer = worker.trainer
        self.ended.emit(TrainingEnded("stopped", "stopped by the user", trainer.epoch, trainer.best_epoch), trainer)

    @contextmanager
    def held(self):
        """Pause between batches for the duration (e.g. to save the weights), then carry on as before.

        A single step in progress stays a single step: a hold only makes the worker wait.
        """
        worker = self._worker
        if worker is None:
            yield
            return
        worker.hold()
        try:
            if not worker.wait_until_idle(timeout=30.0):
                raise ValueError("training did not reach a pause between batches in time; try again")
            yield
        finally:
            if worker is self._worker:
                worker.release()

    # -- from the worker ----------------------------------------------------------------------------
    # Everything below arrives queued from the worker thread, possibly after that worker was
    # stopped and a new one started: only the current worker's news is passed on.
    def _from_current_worker(self) -> bool:
        return self._worker is not None and self.sender() is self._worker

    @window_busy()
    def _on_progressed(self, update) -> None:
        if self._from_current_worker():
            self.progressed.emit(update)
            self._worker.acknowledge()

    @window_busy()
    def _on_epoch_finished(self, record) -> None:
        if self._from_current_worker():
            self.epoch_finished.emit(record.result)
            self.epoch_recorded.emit(record)

    def _on_paused(self) -> None:
        if self._from_current_worker() and self._worker.is_paused:  # not resumed meanwhile
            self._set_state(TrainingState.PAUSED)

    def _finish_thread(self) -> None:
        thread = self._thread
        self._worker = self._thread = None
        self._release(thread)

    def _release(self, thread: QThread | None) -> None:
        """End the thread's event loop, wait for it, let Qt delete it; the controller is idle."""
        if thread is not None:
            thread.quit()
            thread.wait()
            thread.deleteLater()
        self._set_state(TrainingState.IDLE)

    def _on_finished(self, ended: TrainingEnded) -> None:
        if not self._from_current_worker():
            return
        trainer = self._worker.trainer
        self._finish_thread()
        self.ended.emit(ended, trainer)
        self.finished.emit(ended)

    def _on_errored(self, message: str) -> None:
        if not self._from_current_worker():
            return
        self._finish_thread()
        self.errored.emit(message)

    def _set_state(self, state: TrainingState) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
