"""Classification metrics: accuracy, per-class precision/recall/F1, confusion matrix, loss."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .losses import loss_value
from .network import Network, outputs_to_classes, targets_for
from .scaled_bytes import Rows


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) counts; row = true class, column = predicted class."""
    flat = np.asarray(y_true, np.int64) * n_classes + np.asarray(y_pred, np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


@dataclass
class Evaluation:
    """Every number the metrics dock and ``nnlab evaluate`` show for one split."""

    loss: float
    accuracy: float
    confusion: np.ndarray
    precision: np.ndarray
    recall: np.ndarray
    f1: np.ndarray
    support: np.ndarray
    predictions: np.ndarray | None = None  # (n_samples,) predicted class of each sample

    @classmethod
    def from_predictions(cls, y_true: np.ndarray, y_pred: np.ndarray, n_classes: int,
                         loss: float = float("nan")) -> "Evaluation":
        confusion = confusion_matrix(y_true, y_pred, n_classes)
        true_positive = np.diag(confusion).astype(np.float64)
        predicted = confusion.sum(axis=0)
        actual = confusion.sum(axis=1)
        # A class never predicted (or never present) has precision (recall) 0 by
        # convention, as scikit-learn's zero_division=0: no division warnings for learners.
        precision = np.divide(true_positive, predicted, out=np.zeros(n_classes), where=predicted > 0)
        recall = np.divide(true_positive, actual, out=np.zeros(n_classes), where=actual > 0)
        both = precision + recall
        f1 = np.divide(2 * precision * recall, both, out=np.zeros(n_classes), where=both > 0)
        total = confusion.sum()
        accuracy = float(true_positive.sum() / total) if total else float("nan")
        return cls(float(loss), accuracy, confusion, precision, recall, f1, actual,
                   np.asarray(y_pred, dtype=np.int64))

    def as_dict(self, classes: list[str] | None = None) -> dict:
        names = classes or [str(i) for i in range(len(self.precision))]
        return {
            "loss": self.loss,
            "accuracy": self.accuracy,
            "per_class": {
                name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
                for name, p, r, f, s in zip(names, self.precision, self.recall, self.f1, self.support)
            },
            "confusion_matrix": self.confusion.tolist(),
        }


def evaluate(network: Network, x: Rows, y: np.ndarray, loss: str, n_classes: int,
             chunk_size: int = 4096) -> Evaluation:
    """Loss and metrics of ``network`` on samples x (n, n_features) with labels y (n,).

    x may be ``ScaledBytes``: each chunk of ``chunk_size`` rows is scaled as it is read.
    """
    if len(x) == 0:
        return Evaluation.from_predictions(np.zeros(0, int), np.zeros(0, int), n_classes)
    total_loss, predictions = 0.0, []
    for start in range(0, len(x), chunk_size):
        block_x, block_y = x[start:start + chunk_size], y[start:start + chunk_size]
        z, a = network.forward_with_logits(block_x)
        del block_x  # a chunk of ScaledBytes is a new float array: let it go before the next is read
        targets = targets_for(block_y, network.n_outputs, network.dtype)
        total_loss += loss_value(loss, z, a, targets, network.layers[-1].activation) * len(block_y)
        predictions.append(outputs_to_classes(a))
    return Evaluation.from_predictions(y, np.concatenate(predictions), n_classes, total_loss / len(x))
