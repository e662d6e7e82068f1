"""A training run from the window's side: Start, Step and Stop, and what the worker's news does.

Start turns the run settings into a trainer through the session (the one recipe); the worker's news
goes to the lab objects — the session counts epochs and knows the weights are unsaved, the time machine
gets snapshots for the views (the current run's recording, ui/runs/run_recording.py, grows its curves) —
and the status bar. Views never read the live network a run writes: they get copies, once a second
while it runs and at once when it pauses or ends.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from nnlab.engine import BlowUp, EpochResult, TrainingEnded
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.session import LabSession
from nnlab.lab.time_machine import TimeMachine
from nnlab.lab.training_state import TrainingState

from ..editor import NetworkEditor
from ..editor.commands import NetworkState
from ..evaluation import EvaluationPresenter
from ..network_summary import NetworkSummary
from ..questions import Questions
from ..status import TrainingStatus
from ..widgets.live_plots import LivePlots
from ..widgets.training_panel import TrainingPanel
from .controller import TrainingController
from .history_keeper import HistoryKeeper
from .worker import TrainingUpdate

# Every repaint holds the GIL the training thread needs. Once a second keeps the weights visibly
# alive; at 2 Hz the editor's and inspector's repaints cost full MNIST ~4 % of its epoch time.
DIAGRAM_REFRESH_SECONDS = 1.0


class TrainingRun:
    def __init__(self, session: LabSession, time_machine: TimeMachine, settings: RunSettings,
                 training: TrainingController, *, keeper: HistoryKeeper, evaluation: EvaluationPresenter,
                 summary: NetworkSummary, panel: TrainingPanel, plots: LivePlots, status: TrainingStatus,
                 editor: NetworkEditor, questions: Questions, open_dataset: Callable[[str], bool]) -> None:
        """``open_dataset(source)``: make the settings' dataset the session's before Start (False: it failed).
        ``time_machine``: where the views' copies of the live weights go (kept, not shown, while scrubbed)."""
        self.session, self.time_machine, self.settings = session, time_machine, settings
        self.training, self.keeper, self.evaluation, self.summary = training, keeper, evaluation, summary
        self.panel, self.plots, self.status, self.editor = panel, plots, status, editor
        self.questions, self._open_dataset = questions, open_dataset
        self._diagram_painted = 0.0
        session.network_changed.connect(self._on_network_changed)
        training.state_changed.connect(self._on_state_changed)
        training.progressed.connect(self._on_progress)
        training.epoch_finished.connect(self._on_epoch)
        training.finished.connect(self._on_finished)
        training.errored.connect(self._on_errored)

    # -- commands -----------------------------------------------------------------------------------
    def start(self, paused: bool = False) -> bool:
        try:
            refused = self.panel.refusal()  # a field still shows a value it did not take: say so, not run
            if refused:
                raise ValueError(refused)
            experiment = self.settings.experiment()
            if experiment.dataset != self.session.dataset_source and not self._open_dataset(experiment.dataset):
                return False
            trainer = self.session.make_trainer(experiment)  # the run it records into becomes current, curves and all
        except (ValueError, OSError) as error:
            self.questions.show_error("Cannot start training", error)
            return False
        self.plots.plan_run(trainer.epoch + trainer.config.epochs)
        self.training.start(trainer, paused=paused)
        return True

    def step_batch(self) -> None:
        if self.training.state == TrainingState.IDLE and not self.start(paused=True):
            return
        self.training.step_batch()

    def step_epoch(self) -> None:
        if self.training.state == TrainingState.IDLE and not self.start(paused=True):
            return
        self.training.step_epoch()

    def end_paused_run(self) -> None:
        """Before an edit, or a dataset the network is kept for: the worker holds the old run, which ends here."""
        if self.training.state != TrainingState.IDLE:
            self.stop()

    def stop(self) -> None:
        trainer = self.training.trainer
        self.training.stop()
        self.evaluation.forget_pending()
        if trainer is not None:
            self._after_run(trainer.completed_epochs)
            done = trainer.completed_epochs
            self.status.show_message(f"Stopped by you: {done} epoch{'s' * (done != 1)} trained; Start carries on")

    def _after_run(self, epochs: int) -> None:
        self.session.epochs_trained = epochs
        if self.session.network is not None:
            self.time_machine.set_live(self.session.network.copy())
            self.session.note_weights_changed()  # a run that changed nothing leaves nothing unsaved
        self.summary.update()

    # -- news -----------------------------------------------------------------------------------------
    def _on_network_changed(self, network) -> None:
        """Every view reads this copy, never the network itself; a scrub back in time ends here."""
        self.time_machine.set_live(network.copy(), end_scrub=True)

    def _on_state_changed(self, state: TrainingState) -> None:
        if state == TrainingState.PAUSED and self.session.network is not None:
            # The worker waits between batches until this thread resumes it, so the copy is safe, and a
            # stepped batch shows at once rather than at the next once-a-second refresh.
            self.time_machine.set_live(self.session.network.copy())
            self.summary.update()  # "trained N epochs" as far as the run has got
        self.panel.set_running(state != TrainingState.IDLE)

    def _on_progress(self, update: TrainingUpdate) -> None:
        now = time.monotonic()
        if now - self._diagram_painted >= DIAGRAM_REFRESH_SECONDS:
            self._diagram_painted = now
            self.time_machine.set_live_arrays(update.weights, update.biases)
        self.status.show_progress(update)
        self.session.set_dirty(True)

    def _on_epoch(self, result: EpochResult) -> None:
        self.session.epochs_trained = result.epoch  # sent before the worker pauses: a pause has the trainer's count
        self.evaluation.queue_epoch(result)

    def _on_finished(self, ended: TrainingEnded) -> None:
        self.evaluation.flush()
        self._after_run(ended.epochs_done)
        if ended.blow_up is not None:
            self._record_restore(ended.blow_up)
        self.status.show_message(ended.message)
        if ended.reason == "diverged":
            self.questions.show_error("Training diverged", ended.message)

    def _record_restore(self, blow_up: BlowUp) -> None:
        """The trainer put back the last good epoch's weights: one step on Edit → Undo, whose undo shows
        the wrecked weights; and the status line at the restored epoch, not in the epoch that was thrown
        away. (The run's recording puts the blow-up on its curves.)"""
        session, restored = self.session, blow_up.restored_epoch
        wrecked = session.network.copy()
        wrecked.params[...] = blow_up.wrecked_params
        epochs = session.epochs_trained
        self.editor.record(f"Restore the weights of epoch {restored}" if restored else
                           "Restore the weights the run started from",
                           NetworkState(wrecked, session.loss, epochs),
                           NetworkState(session.network.copy(), session.loss, epochs))
        self.status.show_restored(restored, self._epoch_loss(restored))

    def _epoch_loss(self, epoch: int) -> float | None:
        """The mean training loss of ``epoch`` as the curves have it; None for the weights a run started from."""
        history = self.keeper.history
        rows = np.flatnonzero(history.epochs["epoch"] == epoch)
        return float(history.epochs["loss"][rows[-1]]) if epoch and len(rows) else None

    def _on_errored(self, message: str) -> None:
        self.questions.show_error("Training failed", message.splitlines()[0])
