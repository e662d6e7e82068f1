"""The thin Qt layer over the engine's training generator, run on a worker QThread.

The engine's ``Trainer.run()`` knows nothing of Qt; this worker pulls records from
it on its own thread and turns them into one fixed, past-tense set of signals. What
crosses the thread is plain data: the engine's frozen records and *copies* of the
weights, at most MAX_UPDATES_PER_SECOND times a second, so the window never reads an
array the worker is writing. Pause, resume, single steps and stop are requested from
the GUI thread through a condition variable (the worker's own loop is busy, so it has
no event loop to receive slots).
"""
from __future__ import annotations

import threading
import time
import traceback
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QObject, Signal, Slot

from nnlab.engine import BatchProgress, EpochResult, Trainer, TrainingEnded
from nnlab.lab.throughput import Throughput

from ..priority import is_window_busy, wait_while_window_busy

# Each update costs the trainer GUI-thread time under the GIL: full MNIST trained 1.16x the headless
# epoch time in the window at 10 updates/s, 1.06x at 5 (the plots repaint every 250 ms either way).
MAX_UPDATES_PER_SECOND = 5
# While the window works on marked GUI work (a repaint, a plot update; see ui/priority.py) the
# worker waits between batches — up to GIVE_WAY_AT_MOST_SECONDS, then it trains for at least
# RUN_AT_LEAST_SECONDS before it waits again, so a window that is always busy slows training down
# but never stops it.
GIVE_WAY_AT_MOST_SECONDS = 0.020
RUN_AT_LEAST_SECONDS = 0.005
# Before it can mark anything the GUI thread needs the GIL, and NumPy lets go of it for a few
# microseconds around every small product and takes it straight back (the "convoy effect"). When an
# update stays untaken for STARVED_AFTER_SECONDS, the worker sleeps YIELD_FOR_SECONDS every
# YIELD_EVERY_SECONDS. Sleeping every 25 ms even when the window kept up cost ~3 % of the epoch time
# and, with the give-way above, no longer shortened the window's stalls.
STARVED_AFTER_SECONDS = 0.020
YIELD_EVERY_SECONDS = 0.010
YIELD_FOR_SECONDS = 0.0005


@dataclass(frozen=True)
class TrainingUpdate:
    """A throttled bundle of batch records plus a snapshot of the weights."""

    batches: list[BatchProgress]
    weights: list[np.ndarray]  # copies, (out, in) each
    biases: list[np.ndarray]
    samples_per_second: float
    eta_seconds: float | None


@dataclass(frozen=True)
class EpochRecord:
    """An epoch's end as its run keeps it: the result, a copy of the weights and the trainer's whole state
    there — taken on the worker thread while the trainer waits at the epoch's end, so nothing writes them
    again; they become the run's snapshot of that epoch (nnlab.lab.runs)."""

    result: EpochResult
    params: np.ndarray
    state: object  # nnlab.engine TrainerState


@dataclass
class _Control:
    """What the GUI asked for; guarded by the worker's condition."""

    paused: bool = False
    stop: bool = False
    batches_to_run: int | None = None  # a step in progress: run this many batches, then pause
    until_epoch_end: bool = False
    held: bool = False  # the GUI reads the network: wait between batches, whatever else was asked
    goes: int = 0  # resumes and steps asked for: the window says "running" after each, so a pause is news again
    idle: threading.Event = field(default_factory=threading.Event)


class TrainingWorker(QObject):
    started = Signal()
    progressed = Signal(object)  # TrainingUpdate
    epoch_finished = Signal(object)  # EpochRecord
    paused = Signal()
    finished = Signal(object)  # TrainingEnded
    errored = Signal(str)

    def __init__(self, trainer: Trainer, start_paused: bool = False) -> None:
        super().__init__()
        self.trainer = trainer
        trainer.keep_blas_threads_fixed()  # the GUI thread runs BLAS too (predictions, metrics)
        self._condition = threading.Condition()
        self._control = _Control(paused=start_paused)
        self._pending: list[BatchProgress] = []
        self._last_emit = 0.0
        self._last_yield = 0.0
        self._unacknowledged_since: float | None = None  # an update the window has not taken yet
        self._give_way_after = 0.0
        self._throughput = Throughput(len(trainer.x), trainer.epoch + trainer.config.epochs)

    # -- requests from the GUI thread ------------------------------------------------------------
    def request_pause(self) -> None:
        with self._condition:
            self._control.paused = True
            self._control.batches_to_run = None
            self._control.until_epoch_end = False

    def hold(self) -> None:
        """Wait between batches until :meth:`release`; a step in flight still counts its batch."""
        with self._condition:
            self._control.held = True

    def release(self) -> None:
        """Carry on as asked before :meth:`hold`: running, mid-step, or paused."""
        with self._condition:
            self._control.held = False
            self._condition.notify_all()

    def request_resume(self) -> None:
        with self._condition:
            self._control.goes += 1
            self._control.paused = False
            self._control.batches_to_run = None
            self._control.until_epoch_end = False
            self._control.idle.clear()
            self._condition.notify_all()

    def request_step_batch(self) -> None:
        with self._condition:
            self._control.goes += 1
            self._control.paused, self._control.batches_to_run = False, 1
            self._control.idle.clear()
            self._condition.notify_all()

    def request_step_epoch(self) -> None:
        with self._condition:
            self._control.goes += 1
            self._control.paused, self._control.until_epoch_end = False, True
            self._control.batches_to_run = None
            self._control.idle.clear()
            self._condition.notify_all()

    def request_stop(self) -> None:
        with self._condition:
            self._control.stop = True
            self._condition.notify_all()

    def set_learning_rate(self, value: float) -> None:
        """Takes effect from the next batch (the optimizer reads it every step); its setter refuses a bad rate."""
        self.trainer.optimizer.learning_rate = value

    def wait_until_idle(self, timeout: float = 5.0) -> bool:
        """Block until the worker sits between batches (paused or done); True if it does."""
        return self._control.idle.wait(timeout)

    def acknowledge(self) -> None:
        """The window has taken the last update (called on the GUI thread)."""
        self._unacknowledged_since = None

    @property
    def is_paused(self) -> bool:
        return self._control.paused

    # -- the loop, on the worker thread ------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        self.started.emit()
        try:
            ended = self._loop()
        except Exception as error:  # crosses the thread as words, never as a crash
            self._control.idle.set()
            self.errored.emit(f"training failed: {error}\n{traceback.format_exc(limit=3)}")
            return
        self._control.idle.set()
        self.finished.emit(ended)

    def _loop(self) -> TrainingEnded:
        records = self.trainer.run(should_stop=lambda: self._control.stop)
        control = self._control
        while True:
            asked = control.paused or control.held or control.stop  # read without the lock: a batch late at worst
            if asked and not self._wait_while_paused():
                records.close()
                return TrainingEnded("stopped", "stopped by the user", self.trainer.epoch,
                                     self.trainer.best_epoch)
            record = next(records, None)
            if record is None or isinstance(record, TrainingEnded):
                self._emit_progress(force=True)
                return record or TrainingEnded("finished", "done", self.trainer.epoch, self.trainer.best_epoch)
            if not self._give_way_to_the_window():
                self._yield_to_the_window()
            if isinstance(record, BatchProgress):
                self._pending.append(record)
                self._throughput.count(record.epoch, record.samples_seen)
                self._after_batch()
                self._emit_progress(force=self._control.paused)
            elif isinstance(record, EpochResult):
                self._emit_progress(force=True)
                self.epoch_finished.emit(EpochRecord(record, self.trainer.network.params.copy(), self.trainer.state()))
                with self._condition:
                    if self._control.until_epoch_end:
                        self._control.until_epoch_end = False
                        self._control.paused = True

    def _give_way_to_the_window(self) -> bool:
        if not is_window_busy() or time.perf_counter() < self._give_way_after:
            return False
        wait_while_window_busy(GIVE_WAY_AT_MOST_SECONDS)
        self._give_way_after = time.perf_counter() + RUN_AT_LEAST_SECONDS
        return True

    def _yield_to_the_window(self) -> None:
        waiting_since = self._unacknowledged_since
        if waiting_since is None:
            return
        now = time.perf_counter()
        if now - waiting_since > STARVED_AFTER_SECONDS and now - self._last_yield > YIELD_EVERY_SECONDS:
            time.sleep(YIELD_FOR_SECONDS)
            self._last_yield = time.perf_counter()

    def _after_batch(self) -> None:
        if self._control.batches_to_run is None:
            return
        with self._condition:
            if self._control.batches_to_run is not None:
                self._control.batches_to_run -= 1
                if self._control.batches_to_run <= 0:
                    self._control.batches_to_run = None
                    self._control.paused = True

    def _wait_while_paused(self) -> bool:
        """Sleep while paused; False when a stop was requested."""
        control = self._control
        with self._condition:
            announced = None  # the go after which this pause was said; a hold is not a pause the user sees
            while (control.paused or control.held) and not control.stop:
                control.idle.set()
                if control.paused and announced != control.goes:  # a Resume and a Pause may both come and
                    self.paused.emit()                             # go before this thread wakes up
                    announced = control.goes
                self._condition.wait()
            control.idle.clear()
            return not control.stop

    def _emit_progress(self, force: bool = False) -> None:
        now = time.perf_counter()
        if not self._pending or (not force and now - self._last_emit < 1.0 / MAX_UPDATES_PER_SECOND):
            return
        self._last_emit = now
        net, throughput = self.trainer.network, self._throughput
        update = TrainingUpdate(self._pending, [w.copy() for w in net.weights], [b.copy() for b in net.biases],
                                throughput.samples_per_second, throughput.eta_seconds)
        self._pending = []
        if self._unacknowledged_since is None:
            self._unacknowledged_since = now
        self.progressed.emit(update)
