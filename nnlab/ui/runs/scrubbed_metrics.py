"""The Metrics dock follows the time machine: the validation numbers and the confusion matrix of the epoch
the views show, measured on the snapshot network (a copy: never the live one a run writes).

Measured a moment after the scrub stops moving (a drag passes through many epochs), not at each step:
full MNIST's validation takes tens of milliseconds. While live, the run's own epochs fill the dock as
before; back to live with no run training, the network as it is now is measured again.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer

from nnlab.engine import RegressionEvaluation, evaluate
from nnlab.lab.selection import Selection
from nnlab.lab.time_machine import TimeMachine
from nnlab.lab.training_state import TrainingState

from ..priority import window_busy
from ..training.controller import TrainingController
from ..widgets.metrics_view import MetricsView

SETTLE_MS = 150  # after the last scrub step: a drag's passing epochs are not measured


class ScrubbedMetrics:
    def __init__(self, session, selection: Selection, time_machine: TimeMachine, training: TrainingController,
                 metrics: MetricsView) -> None:
        self.session, self.selection, self.time_machine = session, selection, time_machine
        self.training, self.metrics = training, metrics
        self._shown: int | None = None  # the epoch measured last (None: live)
        self._timer = QTimer(metrics, singleShot=True, interval=SETTLE_MS)
        self._timer.timeout.connect(self.measure_now)
        time_machine.changed.connect(self._on_time_machine)

    def _on_time_machine(self) -> None:
        if self.time_machine.shown_epoch != self._shown:
            self._timer.start()

    @window_busy()
    def measure_now(self) -> None:
        """The validation of the network the views show, in the Metrics dock, now."""
        self._timer.stop()
        tm, session = self.time_machine, self.session
        self._shown = tm.shown_epoch
        network, splits = self.selection.snapshot, session.splits
        if network is None or splits is None or not len(splits.validation) or session.dataset is None \
                or network.input_size != splits.validation.x.shape[1]:
            return
        if tm.live and self.training.state != TrainingState.IDLE:
            return  # the run's own epochs are on their way
        part = splits.validation
        result = evaluate(network, part.x, part.answers, session.loss, session.dataset.n_classes)
        epoch = session.epochs_trained if tm.live else tm.shown_epoch
        if isinstance(result, RegressionEvaluation):
            self.metrics.show_evaluation(result, "validation", epoch, classes=list(part.classes))
        else:
            samples = (part.x, part.y, result.predictions, tuple(part.input_shape), list(part.classes))
            self.metrics.show_evaluation(result, "validation", epoch, samples=samples)
        if not tm.live:
            self.metrics.add_to_header(f"the network as it was then (scrubbed back from epoch {tm.last_epoch})")
