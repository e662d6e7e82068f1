"""One run's curves as plain data: what the learner watches while the network trains, and its rules.

Per batch: x = epoch − 1 + b/n (so epoch e's summary sits at x = e), the loss and the score —
the accuracy (0..1) of a classifier, or the mean absolute error |output − target| of a network
that predicts numbers (it has no accuracy; per batch the error is always defined, R² is not) —
each with its exponential moving average. Per epoch: the training means, and the validation
loss and score when the run has a validation part. On those: the best validation epoch, "overfitting
since epoch N", and the blow-up of a diverged run.

Nothing here knows Qt. The worker delivers ~5 bundles of batches a second (full MNIST has ~660
batches an epoch), so appending is a slice copy into arrays that grow by doubling; the arrays it
hands out are read-only views that no later append or trim writes to (a trim copies what it keeps),
so a view that draws them may hold on to them.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from .events import Signal

CURVES = ("train_batch", "train_smoothed", "train_epoch", "val_epoch")
METRICS = ("loss", "score")  # the score is the accuracy, or a regression's mean absolute error
# s = w·s + (1 − w)·value: at 0.9 the smoothed line follows ~10 batches, steady yet still live.
SMOOTHING = 0.9
# Validation loss rising at 3 epochs in a row (while training loss fell) is a trend, not noise.
OVERFIT_PATIENCE = 3
# ~1.5 epochs of full MNIST at batch 64 before the first doubling; a toy set never doubles.
INITIAL_CAPACITY = 1024
_EPSILON = 1e-9  # x = e − 1 + n/n is e up to rounding


@dataclass(frozen=True)
class BlowUpPoint:
    """Where a diverged run's loss blew up (``x``; its last batch, or the validation after an epoch)
    and the epoch whose weights the trainer put back."""

    x: float
    loss: float  # may be inf or NaN
    restored_epoch: int
    during_validation: bool = False

    @property
    def curve(self) -> str:
        """The loss curve the point ends: a batch's, or the validation's."""
        return "val_epoch" if self.during_validation else "train_batch"


class Table:
    """Named float columns whose rows grow by doubling; columns are read as read-only views."""

    def __init__(self, columns: tuple[str, ...], capacity: int = INITIAL_CAPACITY) -> None:
        self.columns = columns
        self._index = {name: i for i, name in enumerate(columns)}
        self._initial = max(1, int(capacity))
        self._data = np.empty((len(columns), self._initial))
        self.n = 0

    def __len__(self) -> int:
        return self.n

    @property
    def capacity(self) -> int:
        """Rows held before the buffer doubles."""
        return self._data.shape[1]

    def __getitem__(self, column: str) -> np.ndarray:
        view = self._data[self._index[column], :self.n]
        view.flags.writeable = False
        return view

    def append(self, rows: np.ndarray) -> None:
        """``rows``: (n_columns, k), appended after the last row."""
        end = self.n + rows.shape[1]
        if end > self.capacity:
            grown = np.empty((len(self.columns), max(end, 2 * self.capacity)))
            grown[:, :self.n] = self._data[:, :self.n]
            self._data = grown
        self._data[:, self.n:end] = rows
        self.n = end

    def keep(self, rows: np.ndarray) -> None:
        """Keep the rows where the boolean ``rows`` is true, in a fresh buffer (views handed out stay as they were)."""
        kept = self._data[:, :self.n][:, rows]
        self._data = np.empty((len(self.columns), max(self._initial, kept.shape[1])))
        self.n = 0
        self.append(kept)

    def clear(self) -> None:
        self._data = np.empty((len(self.columns), self._initial))
        self.n = 0

    def rows(self) -> np.ndarray:
        """A copy of every row, (n_columns, n)."""
        return self._data[:, :self.n].copy()


class Ema:
    """Exponential moving average: s = w·s + (1 − w)·value, seeded by the first value.

    A non-finite value (a diverged batch) gives a NaN point and leaves the average alone,
    so one bad batch does not blank the smoothed line for good.
    """

    def __init__(self, weight: float, value: float | None = None) -> None:
        self.weight = weight
        self.value = value

    def extend(self, values: np.ndarray) -> np.ndarray:
        out = np.empty(len(values))
        weight, value = self.weight, self.value
        for i, new in enumerate(values.tolist()):
            if not math.isfinite(new):
                out[i] = math.nan
                continue
            value = new if value is None else weight * value + (1 - weight) * new
            out[i] = value
        self.value = value
        return out


def _last_finite(values: np.ndarray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(finite[-1]) if finite.size else None


def _highest(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else -math.inf


class History:
    """One run's batches and epochs, its smoothing, best epoch, overfitting and blow-up.

    Events (psygnal, synchronous; a History is touched on one thread only):
    ``grew`` — batches, an epoch or a blow-up were recorded; ``trimmed(epoch)`` — what lay right
    of ``epoch`` went (a new run carries on from there); ``started`` — a new history began: another
    network, or the same one on another dataset or task, so nothing of the old curves is about it.
    """

    grew = Signal()
    trimmed = Signal(int)
    started = Signal()

    def __init__(self, regression: bool = False, *, smoothing: float = SMOOTHING,
                 patience: int = OVERFIT_PATIENCE, initial_capacity: int = INITIAL_CAPACITY) -> None:
        if not 0.0 <= smoothing < 1.0:
            raise ValueError(f"smoothing must be at least 0 and below 1, not {smoothing}")
        if patience < 1:
            raise ValueError(f"the overfitting patience must be at least 1 epoch, not {patience}")
        self.regression = bool(regression)
        self.smoothing, self.patience = smoothing, int(patience)
        self.batches = Table(("x", "loss", "score", "smoothed_loss", "smoothed_score"), initial_capacity)
        self.epochs = Table(("epoch", "loss", "score"), max(16, initial_capacity // 64))
        # The training loss rides along with each validation: the overfitting rule compares both.
        self.validation = Table(("epoch", "loss", "score", "train_loss"), max(16, initial_capacity // 64))
        self._reset_derived()

    def _reset_derived(self) -> None:
        self._emas = {metric: Ema(self.smoothing) for metric in METRICS}
        self._tops = {metric: -math.inf for metric in METRICS}
        self._best: tuple[int, float] | None = None
        self._overfit_since: int | None = None
        self.blow_up: BlowUpPoint | None = None

    # -- what is known ------------------------------------------------------------------------
    @property
    def best_epoch(self) -> int | None:
        """The epoch with the lowest validation loss so far (the earliest on ties)."""
        return None if self._best is None else self._best[0]

    @property
    def best_validation_loss(self) -> float | None:
        return None if self._best is None else self._best[1]

    @property
    def overfitting_since(self) -> int | None:
        """The best validation epoch, once validation loss has risen at each of the last ``patience``
        epochs while training loss fell; None again after a new best."""
        return self._overfit_since

    @property
    def last_x(self) -> float | None:
        """The rightmost point on the epoch axis (batch, epoch or validation), None when empty."""
        ends = [self.batches["x"][-1]] if len(self.batches) else []
        ends += [table["epoch"][-1] for table in (self.epochs, self.validation) if len(table)]
        return float(max(ends)) if ends else None

    @property
    def is_empty(self) -> bool:
        return not (len(self.batches) or len(self.epochs) or len(self.validation)) and self.blow_up is None

    @property
    def score_name(self) -> str:
        """The score in words: "accuracy" or "mean absolute error"."""
        return "mean absolute error" if self.regression else "accuracy"

    @property
    def score_word(self) -> str:
        """The score's short name in labels and exported series: "accuracy" or "MAE"."""
        return "MAE" if self.regression else "accuracy"

    def highest(self, metric: str) -> float:
        """The largest finite value on ``metric``'s curves (the blow-up's excepted); −inf when none."""
        return self._tops[metric]

    def curve(self, metric: str, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) of one curve as recorded (accuracy in 0..1); a blow-up's loss ends the curve it
        happened on. Read-only views, or a fresh copy when the blow-up is appended."""
        if metric not in METRICS or name not in CURVES:
            raise ValueError(f"no curve {metric}.{name}: metrics are {METRICS}, curves {CURVES}")
        if name in ("train_batch", "train_smoothed"):
            column = metric if name == "train_batch" else f"smoothed_{metric}"
            x, y = self.batches["x"], self.batches[column]
        else:
            table = self.epochs if name == "train_epoch" else self.validation
            x, y = table["epoch"], table[metric]
        blow_up = self.blow_up
        if metric == "loss" and blow_up is not None and blow_up.curve == name:
            x, y = np.append(x, blow_up.x), np.append(y, blow_up.loss)
        return x, y

    def rows(self) -> Iterator[tuple[str, float, float]]:
        """Every curve as rows (series, epoch, value), as the CSV export writes them: series is
        ``<loss|accuracy|MAE>.<curve>``, e.g. ``loss.val_epoch``; accuracy in percent."""
        for metric in METRICS:
            word = "loss" if metric == "loss" else self.score_word
            scale = 100.0 if metric == "score" and not self.regression else 1.0
            for name in CURVES:
                x, y = self.curve(metric, name)
                for a, b in zip(x.tolist(), (y * scale if scale != 1.0 else y).tolist()):
                    yield f"{word}.{name}", a, b

    # -- recording ----------------------------------------------------------------------------
    def add_batches(self, records: Iterable) -> None:
        """Append batch records (the engine's ``BatchProgress``: ``epoch``, ``batch``, ``n_batches``,
        ``loss``, and ``accuracy`` in 0..1 — or ``mean_absolute_error`` for a regression history)."""
        records = list(records)
        if not records:
            return
        rows = np.empty((5, len(records)))
        score = "mean_absolute_error" if self.regression else "accuracy"
        rows[0] = [r.epoch - 1 + r.batch / r.n_batches for r in records]
        rows[1] = [r.loss for r in records]
        rows[2] = [getattr(r, score) for r in records]
        rows[3] = self._emas["loss"].extend(rows[1])
        rows[4] = self._emas["score"].extend(rows[2])
        self.batches.append(rows)
        self._raise_tops(rows[1], rows[2])
        self.grew.emit()

    def add_epoch(self, epoch: int, train_loss: float, train_score: float,
                  val_loss: float = math.nan, val_score: float = math.nan) -> None:
        """Append one epoch's means (scores: accuracy in 0..1, or the mean absolute error); a NaN
        validation loss (no validation part) adds no validation point."""
        self.epochs.append(np.array([[epoch], [train_loss], [train_score]], dtype=float))
        self._raise_tops(np.array([train_loss]), np.array([train_score]))
        if math.isfinite(val_loss):
            self.validation.append(np.array([[epoch], [val_loss], [val_score], [train_loss]], dtype=float))
            self._raise_tops(np.array([val_loss]), np.array([val_score]))
            self._judge_validation(len(self.validation))
        self.grew.emit()

    def add_result(self, result) -> None:
        """Append the engine's ``EpochResult``, with the score this history keeps."""
        if self.regression:
            self.add_epoch(result.epoch, result.train_loss, result.train_mean_absolute_error,
                           result.val_loss, result.val_mean_absolute_error)
        else:
            self.add_epoch(result.epoch, result.train_loss, result.train_accuracy,
                           result.val_loss, result.val_accuracy)

    def record_blow_up(self, blow_up) -> None:
        """The engine's ``BlowUp`` (``x``, ``loss``, ``restored_epoch``, ``batch`` None for a validation's):
        the run diverged and the weights of ``restored_epoch`` were put back. One per history: the next
        run carries on from the restored epoch, and that trims it (:meth:`carry_on_from`)."""
        self.blow_up = BlowUpPoint(float(blow_up.x), float(blow_up.loss), int(blow_up.restored_epoch),
                                   blow_up.batch is None)
        self.grew.emit()

    def carry_on_from(self, epoch: int) -> None:
        """A new run carries on from the end of ``epoch``: what lies right of it (a stopped epoch's
        batches, the epochs a blow-up discarded) and the blow-up go — those weights were not kept,
        and the new run draws that stretch again. Emits ``trimmed`` only when something went."""
        limit = epoch + _EPSILON
        right = (self.batches["x"] > limit, self.epochs["epoch"] > limit, self.validation["epoch"] > limit)
        if self.blow_up is None and not any(mask.any() for mask in right):
            return
        for table, mask in zip((self.batches, self.epochs, self.validation), right):
            if mask.any():
                table.keep(~mask)
        self._rederive()
        self.trimmed.emit(int(epoch))

    def start_new(self, regression: bool | None = None) -> None:
        """Forget everything: a new history begins (for a network that predicts numbers when
        ``regression``; unchanged when None). Always emits ``started``."""
        if regression is not None:
            self.regression = bool(regression)
        for table in (self.batches, self.epochs, self.validation):
            table.clear()
        self._reset_derived()
        self.started.emit()

    # -- the rules ----------------------------------------------------------------------------
    def _raise_tops(self, loss: np.ndarray, score: np.ndarray) -> None:
        self._tops["loss"] = max(self._tops["loss"], _highest(loss))
        self._tops["score"] = max(self._tops["score"], _highest(score))

    def _judge_validation(self, n: int) -> None:
        """The best epoch and the overfitting notice after the first ``n`` validations."""
        epoch, val_loss = int(self.validation["epoch"][n - 1]), float(self.validation["loss"][n - 1])
        if self._best is None or val_loss < self._best[1]:
            self._best, self._overfit_since = (epoch, val_loss), None
        elif self._overfit_since is None and self._rising_while_training_falls(n):
            self._overfit_since = self._best[0]

    def _rising_while_training_falls(self, n: int) -> bool:
        """Validation loss rose at each of the last ``patience`` epochs, training loss fell overall."""
        if n <= self.patience:
            return False
        window = slice(n - self.patience - 1, n)
        val, train = self.validation["loss"][window], self.validation["train_loss"][window]
        return bool(np.all(np.diff(val) > 0)) and train[-1] < train[0]

    def _rederive(self) -> None:
        """Everything derived, again from the records kept: the averages carry on from the last kept
        point, the axis tops and the best epoch are those of the kept points alone."""
        self._reset_derived()
        for metric in METRICS:
            self._emas[metric].value = _last_finite(self.batches[f"smoothed_{metric}"])
        self._raise_tops(self.batches["loss"], self.batches["score"])
        self._raise_tops(self.epochs["loss"], self.epochs["score"])
        self._raise_tops(self.validation["loss"], self.validation["score"])
        for n in range(1, len(self.validation) + 1):
            self._judge_validation(n)

    # -- keeping ------------------------------------------------------------------------------
    def copy(self) -> "History":
        """An independent history with the same records (a branch starts as its parent's)."""
        return History.from_arrays(self.to_arrays(), smoothing=self.smoothing, patience=self.patience)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The records as plain arrays (for a session file): nothing derived, nothing pickled."""
        blow_up = self.blow_up
        return {"regression": np.array(self.regression), "batches": self.batches.rows(),
                "epochs": self.epochs.rows(), "validation": self.validation.rows(),
                "blow_up": np.array([] if blow_up is None else
                                    [blow_up.x, blow_up.loss, blow_up.restored_epoch, blow_up.during_validation],
                                    dtype=float)}

    @classmethod
    def from_arrays(cls, arrays: dict, **options) -> "History":
        """A history from :meth:`to_arrays`' arrays; a ValueError names what does not fit."""
        history = cls(bool(np.asarray(arrays.get("regression", False))), **options)
        for key, table in (("batches", history.batches), ("epochs", history.epochs),
                           ("validation", history.validation)):
            rows = np.asarray(arrays.get(key, np.empty((len(table.columns), 0))), dtype=float)
            if rows.ndim != 2 or rows.shape[0] != len(table.columns):
                raise ValueError(f"history {key}: expected {len(table.columns)} rows "
                                 f"({', '.join(table.columns)}), got an array of shape {rows.shape}")
            if not np.isfinite(rows[0]).all():
                raise ValueError(f"history {key}: the epoch axis holds a number that is not finite")
            table.append(rows)
        blow_up = np.asarray(arrays.get("blow_up", []), dtype=float).ravel()
        if blow_up.size not in (0, 4):
            raise ValueError(f"history blow_up: expected 4 numbers (x, loss, restored epoch, during "
                             f"validation), got {blow_up.size}")
        history._rederive()
        if blow_up.size:
            history.blow_up = BlowUpPoint(float(blow_up[0]), float(blow_up[1]), int(blow_up[2]), bool(blow_up[3]))
        return history
