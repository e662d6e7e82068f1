"""How good a network is on one split: the loss, and either the classification figures (accuracy,
per-class precision/recall/F1, confusion matrix) or, for a network that predicts numbers, MSE, MAE
and R² per output and overall. Which one follows :func:`nnlab.engine.outputs.is_regression`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .losses import loss_value
from .network import Network, answer_targets
from .outputs import is_regression, outputs_to_classes
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


@dataclass
class RegressionEvaluation:
    """Every number the metrics dock and ``nnlab evaluate`` show for a network that predicts numbers.

    ``mse`` is the plain mean of (prediction − target)² over samples and outputs (scikit-learn's
    ``mean_squared_error``); the *loss* is ½·Σ_k(a_k − y_k)² per sample as the seed texts write it,
    so for one output the loss is half the MSE. ``r2`` is the mean of the outputs' R² (scikit-learn's
    uniform average). predictions, targets: (n_samples, n_outputs).
    """

    loss: float
    mse: float
    mae: float
    r2: float
    output_mse: np.ndarray
    output_mae: np.ndarray
    output_r2: np.ndarray
    predictions: np.ndarray = field(repr=False)
    targets: np.ndarray = field(repr=False)

    accuracy = math.nan  # a network that predicts numbers has no accuracy; read as "not measured"

    @property
    def n_samples(self) -> int:
        return len(self.targets)

    @classmethod
    def from_predictions(cls, targets: np.ndarray, predictions: np.ndarray,
                         loss: float = float("nan")) -> "RegressionEvaluation":
        targets = np.asarray(targets, np.float64)
        predictions = np.asarray(predictions, np.float64)
        if targets.ndim != 2 or targets.shape != predictions.shape:
            raise ValueError(f"targets {targets.shape} and predictions {predictions.shape} must both be "
                             "(n_samples, n_outputs)")
        k = targets.shape[1]
        if not len(targets):
            nothing = np.full(k, np.nan)
            return cls(float(loss), math.nan, math.nan, math.nan, nothing, nothing.copy(), nothing.copy(),
                       predictions, targets)
        error = predictions - targets
        output_mse = np.mean(error * error, axis=0)
        output_mae = np.mean(np.abs(error), axis=0)
        output_r2 = r2_per_output(targets, predictions)
        return cls(float(loss), float(output_mse.mean()), float(output_mae.mean()), float(output_r2.mean()),
                   output_mse, output_mae, output_r2, predictions, targets)

    def as_dict(self, names: list[str] | None = None) -> dict:
        names = names or [str(i) for i in range(len(self.output_mse))]
        return {
            "loss": self.loss, "mse": self.mse, "mae": self.mae, "r2": self.r2,
            "per_output": {name: {"mse": float(m), "mae": float(a), "r2": float(r)}
                           for name, m, a, r in zip(names, self.output_mse, self.output_mae, self.output_r2)},
        }


def r2_per_output(targets: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """R² = 1 − Σ(y − ŷ)² / Σ(y − ȳ)² for each output column, (n_outputs,).

    As scikit-learn's ``r2_score`` (force_finite): a constant target scores 1 when predicted
    exactly and 0 otherwise; fewer than two samples have no R² (NaN). "Constant" is tested on the
    values themselves: three targets of 0.1 have a float64 mean of 0.10000000000000002, and the
    spread of ~2·10⁻³³ that rounding leaves made R² about −3·10³¹ (as ``r2_score`` still does).
    """
    targets, predictions = np.asarray(targets, np.float64), np.asarray(predictions, np.float64)
    if len(targets) < 2:
        return np.full(targets.shape[1], np.nan)
    residual = ((targets - predictions) ** 2).sum(axis=0)
    spread = ((targets - targets.mean(axis=0)) ** 2).sum(axis=0)
    constant = (targets == targets[0]).all(axis=0) | ~(spread > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = 1.0 - residual / spread
    return np.where(constant, np.where(residual == 0, 1.0, 0.0), r2)


def evaluate(network: Network, x: Rows, y: np.ndarray, loss: str, n_classes: int,
             chunk_size: int = 4096) -> Evaluation | RegressionEvaluation:
    """Loss and metrics of ``network`` on samples x (n, n_features).

    y: class labels (n,), or a regression set's targets (n, n_outputs). A network that predicts
    numbers (``is_regression``) gets a :class:`RegressionEvaluation` — on class labels its targets
    are their one-hot rows — every other one an :class:`Evaluation`. x may be ``ScaledBytes``: each
    chunk of ``chunk_size`` rows is scaled as it is read.
    """
    regression = is_regression(loss, network.layers[-1].activation)
    if not regression and np.ndim(y) == 2:
        raise ValueError("these targets are numbers to predict, but the network predicts classes: "
                         "evaluating it needs class labels")
    if len(x) == 0:
        if regression:
            empty = np.zeros((0, network.n_outputs))
            return RegressionEvaluation.from_predictions(empty, empty)
        return Evaluation.from_predictions(np.zeros(0, int), np.zeros(0, int), n_classes)
    total_loss, outputs = 0.0, []
    chunk_size = network.rows_per_chunk(chunk_size)  # a CNN's maps take more memory a row
    for start in range(0, len(x), chunk_size):
        block_x, block_y = x[start:start + chunk_size], y[start:start + chunk_size]
        z, a = network.forward_with_logits(block_x)
        del block_x  # a chunk of ScaledBytes is a new float array: let it go before the next is read
        targets = answer_targets(block_y, network.n_outputs, network.dtype)
        total_loss += loss_value(loss, z, a, targets, network.layers[-1].activation) * len(block_y)
        outputs.append(a.copy() if regression else outputs_to_classes(a))
    if regression:
        return RegressionEvaluation.from_predictions(answer_targets(y, network.n_outputs, np.float64),
                                                     np.concatenate(outputs), total_loss / len(x))
    return Evaluation.from_predictions(y, np.concatenate(outputs), n_classes, total_loss / len(x))
