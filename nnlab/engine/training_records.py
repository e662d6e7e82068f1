"""What a training run is given and what it reports: ``TrainConfig`` in, and the records
``Trainer.run()`` yields — a :class:`BatchProgress` per batch, an :class:`EpochResult` per
epoch, one :class:`TrainingEnded` last (with a :class:`BlowUp` when the run diverged).

Kept apart from the loop in ``trainer.py``: the worker, the CLI and the lab read these records
without needing anything of how a step is computed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .metrics import Evaluation, RegressionEvaluation
from .trainer_schedule import check_lr_schedule


@dataclass
class TrainConfig:
    loss: str = "cross_entropy"
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    momentum: float = 0.9
    batch_size: int = 64
    epochs: int = 10
    seed: int = 0
    l1: float = 0.0
    l2: float = 0.0
    early_stopping_patience: int | None = None
    blas_threads: int | None = None  # None: chosen per matrix product (see blas_threads.py)
    lr_schedule: str = "constant"  # or "cosine", over the epochs of each run: see trainer_schedule.py

    def validate(self) -> None:
        if not isinstance(self.batch_size, int) or self.batch_size < 1:
            raise ValueError(f"the batch size must be a whole number of at least 1, not {self.batch_size!r}")
        if not isinstance(self.epochs, int) or self.epochs < 1:
            raise ValueError(f"the number of epochs must be at least 1, not {self.epochs!r}")
        for name in ("l1", "l2"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"the {name.upper()} penalty must be 0 or more, not {value!r}")
        check_lr_schedule(self.lr_schedule)
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"the seed must be a whole number of 0 or more, not {self.seed!r}")
        if self.early_stopping_patience is not None and self.early_stopping_patience < 1:
            raise ValueError("early-stopping patience must be at least 1 epoch")


@dataclass(frozen=True)
class BatchProgress:
    epoch: int  # 1-based
    batch: int  # 1-based within the epoch
    n_batches: int
    loss: float
    accuracy: float  # NaN for a network that predicts numbers: it has no accuracy
    samples_seen: int
    mean_absolute_error: float = math.nan  # mean |output − target|, for a network that predicts numbers


@dataclass(frozen=True)
class EpochResult:
    epoch: int
    train_loss: float
    train_accuracy: float  # NaN for a network that predicts numbers
    seconds: float
    validation: Evaluation | RegressionEvaluation | None = None
    best_epoch: int | None = None
    train_mean_absolute_error: float = math.nan  # NaN for a classifier

    @property
    def val_loss(self) -> float:
        return self.validation.loss if self.validation else float("nan")

    @property
    def val_accuracy(self) -> float:
        return self.validation.accuracy if self.validation else float("nan")

    @property
    def val_mean_absolute_error(self) -> float:
        return self.validation.mae if isinstance(self.validation, RegressionEvaluation) else float("nan")


@dataclass(frozen=True)
class BlowUp:
    """Where a diverged run's loss blew up, and the weights the trainer put back.

    ``wrecked_params`` is a copy of the weights at the blow-up (the last finite ones when they
    were no longer finite), flat like ``Network.params``: a learner may want to look at them.
    """

    epoch: int
    batch: int | None  # None: the validation loss after ``epoch`` blew up
    n_batches: int
    loss: float  # the loss that blew up: a batch's, or the validation loss; may be inf or NaN
    restored_epoch: int  # the weights now in the network are those at the end of this epoch
    wrecked_params: np.ndarray = field(repr=False, compare=False)

    @property
    def x(self) -> float:
        """The blow-up on a fractional-epoch axis: batch b of n in epoch e sits at e − 1 + b/n."""
        return float(self.epoch) if self.batch is None else self.epoch - 1 + self.batch / self.n_batches


@dataclass(frozen=True)
class TrainingEnded:
    reason: str  # "finished" | "stopped" | "early_stopping" | "diverged"
    message: str
    epochs_done: int
    best_epoch: int | None = None
    blow_up: BlowUp | None = field(default=None, compare=False)  # set when reason is "diverged"


Progress = BatchProgress | EpochResult | TrainingEnded
