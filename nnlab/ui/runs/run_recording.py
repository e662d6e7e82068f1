"""The worker's news, recorded into the session's current run: batches, each epoch's end (its weights and
trainer state, copied on the worker thread), pauses and resumes, a learning rate changed while training,
and how the run ended — finished, stopped, stopped early or diverged.

The rules of recording are the lab's (``nnlab/lab/recording.py``); this only carries the news across, on
the GUI thread. A run's end is recorded with its trainer once the worker's thread has ended, so the
weights and the state read then are the run's last, and nothing writes them any more.
"""
from __future__ import annotations

from nnlab.lab.run_settings import RunSettings
from nnlab.lab.training_state import TrainingState

from ..training.controller import TrainingController
from ..training.worker import EpochRecord, TrainingUpdate


class RunRecording:
    def __init__(self, session, training: TrainingController, run_settings: RunSettings) -> None:
        self.session, self.training, self.run_settings = session, training, run_settings
        self._recording = None  # (trainer, run) of the run in progress
        self._last_batch = None  # the last BatchProgress: where a pause happened
        self._state = TrainingState.IDLE
        training.state_changed.connect(self._on_state_changed)
        training.progressed.connect(self._on_progress)
        training.epoch_recorded.connect(self._on_epoch)
        training.ended.connect(self._on_ended)
        run_settings.events.learning_rate.connect(self._on_learning_rate)

    def _recording_now(self) -> bool:
        return self._recording is not None and self._recording[1] is self.session.runs.current

    def _on_state_changed(self, state) -> None:
        before, self._state = self._state, state
        if before == TrainingState.IDLE and state != TrainingState.IDLE:
            self._recording, self._last_batch = (self.training.trainer, self.session.runs.current), None
            return
        if not self._recording_now():
            return
        epoch, batch = self._place()
        last = self._recording[1].events[-1].kind if self._recording[1].events else None
        if state == TrainingState.PAUSED and before == TrainingState.RUNNING and not self.training.stepping:
            self.session.record_event("pause", epoch, batch)
        elif state == TrainingState.RUNNING and before == TrainingState.PAUSED and not self.training.stepping \
                and last != "resume":  # a step is no resume: the debugger's steps leave the events alone
            self.session.record_event("resume", epoch, batch)

    def _place(self) -> tuple[int, int | None]:
        """(epoch in progress, batch within it) of the last batch trained; (epochs done, None) between epochs."""
        trainer, last = self._recording[0], self._last_batch
        if last is None or last.batch == last.n_batches:
            return int(trainer.completed_epochs), None
        return int(last.epoch), int(last.batch)

    def _on_progress(self, update: TrainingUpdate) -> None:
        if self._recording_now() and update.batches:
            self._last_batch = update.batches[-1]
            self.session.record_batches(update.batches)

    def _on_epoch(self, record: EpochRecord) -> None:
        if self._recording_now():
            self.session.record_epoch(record.result, record.params, record.state)

    def _on_learning_rate(self, rate: float, old: float) -> None:
        """A rate changed while a run trains reaches its optimizer at the next batch: the run carries on with it."""
        if self._state != TrainingState.IDLE and self._recording_now():
            epoch, batch = self._place()
            self.session.record_event("edit", epoch, batch, f"learning rate {old:g} → {rate:g}",
                                      experiment=self.run_settings.experiment())

    def _on_ended(self, ended, trainer) -> None:
        recording, self._recording = self._recording, None
        if recording is None or recording[0] is not trainer or recording[1] is not self.session.runs.current:
            return
        self.session.record_end(ended, trainer.network.params.copy(), trainer.state())
