"""What the Metrics dock shows: the latest validation of a run (a few times a second at most) and, on
request, the test part — measured on the session's network and split, shown in the metrics view.

A result queued for display belongs to the network it measured: any change of network forgets it.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QTimer

from nnlab.engine import EpochResult, RegressionEvaluation, evaluate, is_regression
from nnlab.lab.session import LabSession

from .priority import window_busy
from .questions import Questions
from .training.controller import TrainingController
from .widgets.metrics_view import MetricsView

# A toy set finishes dozens of epochs a second; its table, matrix and gallery need not follow each one.
METRICS_REFRESH_MS = 400


class EvaluationPresenter:
    def __init__(self, session: LabSession, training: TrainingController, metrics: MetricsView,
                 questions: Questions, bring_forward: Callable[[], None]) -> None:
        """``bring_forward``: raise the Metrics dock (a test evaluation is asked for, so it is looked at)."""
        self.session, self.training, self.metrics, self.questions = session, training, metrics, questions
        self._bring_forward = bring_forward
        self._latest: EpochResult | None = None
        self._timer = QTimer(metrics, singleShot=True, interval=METRICS_REFRESH_MS)
        self._timer.timeout.connect(self.show_latest)
        metrics.test_requested.connect(self.evaluate_test)
        session.network_changed.connect(self._on_network_changed)

    def _on_network_changed(self, network) -> None:
        self.forget_pending()
        self.metrics.set_regression(is_regression(self.session.loss, network.layers[-1].activation))

    def forget_pending(self) -> None:
        """A result queued for display belongs to the run that just ended; never show it later."""
        self._timer.stop()
        self._latest = None

    def queue_epoch(self, result: EpochResult) -> None:
        """An epoch's validation, shown within ``METRICS_REFRESH_MS`` unless a newer one replaces it."""
        if result.validation is not None:
            self._latest = result
            if not self._timer.isActive():
                self._timer.start()

    def flush(self) -> None:
        """The run ended: its last validation is shown now."""
        self._timer.stop()
        self.show_latest()

    @window_busy()
    def show_latest(self) -> None:
        result, self._latest = self._latest, None
        if result is not None and self.session.splits is not None:
            self._show(result.validation, "validation", result.epoch, self.session.splits.validation)

    def evaluate_test(self) -> None:
        session = self.session
        if session.network is None or session.splits is None or not len(session.splits.test):
            self.questions.show_error("Nothing to evaluate", "there is no test part: give the split a test share")
            return
        test = session.splits.test
        try:
            with self.training.held():  # a run still writing the weights is held between two batches
                result = evaluate(session.network, test.x, test.answers, session.loss, session.dataset.n_classes)
        except ValueError as error:  # the run did not reach a pause in time
            self.questions.show_error("Could not evaluate on the test set", error)
            return
        self._show(result, "test", session.epochs_trained, test)
        self._bring_forward()

    def _show(self, evaluation, split_name: str, epoch: int, part) -> None:
        if isinstance(evaluation, RegressionEvaluation):  # it carries its own predictions and targets
            self.metrics.show_evaluation(evaluation, split_name, epoch, classes=list(part.classes))
            return
        # A split's arrays are never written (the trainer only reads them), so no copy is needed.
        samples = (part.x, part.y, evaluation.predictions, tuple(part.input_shape), list(part.classes))
        self.metrics.show_evaluation(evaluation, split_name, epoch, samples=samples)
        if split_name == "validation" and self.session.user_samples_used:
            self.metrics.add_to_header(f"trained with {self.session.user_samples_used} of your own samples")
