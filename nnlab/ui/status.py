"""The status bar during training: where it is, how fast, how long to go, the current loss."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from nnlab.lab.training_state import TrainingState

from .training.worker import TrainingUpdate


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


# Widest texts each label will show: fixed widths keep a changing number from re-laying out
# (and repainting) the window several times a second while training.
_WIDEST = {"position": "epoch 10000 · batch 100000/100000", "rate": "10,000,000 samples/s",
           "eta": "ETA 100:00:00", "loss": "loss 0.00000"}


class TrainingStatus:
    MESSAGE_MS = 8000

    def __init__(self, bar: QStatusBar) -> None:
        self.bar = bar
        for name, widest in _WIDEST.items():
            label = QLabel()
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(widest))
            setattr(self, name, label)
            bar.addPermanentWidget(label)
        self.set_state(TrainingState.IDLE)

    def set_state(self, state: TrainingState) -> None:
        if state == TrainingState.IDLE:
            self.rate.setText("")
            self.eta.setText("")
        elif state == TrainingState.PAUSED:
            self.rate.setText(state.value)  # "paused"
            self.eta.setText("")

    def show_progress(self, update: TrainingUpdate) -> None:
        """Every update (the worker sends at most a few a second): the last one before a pause or the
        end of a run is the one that must stay on screen."""
        last = update.batches[-1]
        self.position.setText(f"epoch {last.epoch} · batch {last.batch}/{last.n_batches}")
        self.rate.setText(f"{update.samples_per_second:,.0f} samples/s")
        self.eta.setText(f"ETA {format_duration(update.eta_seconds)}")
        self.loss.setText(f"loss {last.loss:.4f}")

    def show_restored(self, epoch: int, loss: float | None) -> None:
        """A diverged run's weights went back to the end of ``epoch`` (0: to where the run started): the
        status line says where the weights are, not the batch of the epoch that was thrown away."""
        self.position.setText(f"epoch {epoch} (restored)" if epoch else "weights restored")
        self.loss.setText("" if loss is None else f"loss {loss:.4f}")

    def clear_progress(self) -> None:
        """A new or reset network has no run behind it: no epoch, batch or loss of an earlier one."""
        for label in (self.position, self.rate, self.eta, self.loss):
            label.setText("")

    def show_message(self, text: str) -> None:
        self.bar.showMessage(text, self.MESSAGE_MS)
