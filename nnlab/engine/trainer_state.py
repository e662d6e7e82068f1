"""A trainer's whole state as plain data: what ``Trainer.restore`` needs so that a new trainer — in
another window, process or session — does next exactly what the old one would have done.

Only whole numbers, floats, text and NumPy arrays, so :meth:`TrainerState.to_arrays` can go into an npz
without pickle and :meth:`TrainerState.from_arrays` can check a loaded one field by field (a session
file may hold anything). "None" is spelled in the same plain values: best epoch 0 with an infinite
best loss, an empty array for weights not kept, NaN for a divergence threshold not set yet.
"""
from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

import numpy as np

from .optimizers import OptimizerState
from .plain_arrays import FLOAT_DTYPES, as_array, check_whole, read_real, read_text, read_vector, read_whole, \
    refuse_unknown

OWNER = "the trainer state"
BIT_GENERATOR = "PCG64"  # what np.random.default_rng draws with
_UINT128 = 2 ** 128
_OPTIMIZER_PREFIX = "optimizer."


@dataclass(frozen=True, eq=False)
class TrainerState:
    """Everything that decides what a trainer's next batch does, beyond the network's weights.

    rng_*: the PCG64 bit generator that shuffles, drops out and augments (its 128-bit state and increment as
    decimal text). best_*: the best validation epoch so far (0: none) and its weights (empty: none).
    exploded_above / smoothed_loss: the divergence check (NaN: armed by the next batch).
    The epoch in progress, when taken mid-epoch (``order`` not empty): its sample order, the batches done
    (of ``batch_size`` samples), the running sums and seconds, and the weights it started from — what a
    divergence before its end puts back. schedule_*: the learning-rate schedule under way (trainer_schedule.py),
    so that a run stopped part-way carries on along the same curve.
    """

    completed_epochs: int
    rng_state: str
    rng_increment: str
    rng_has_uint32: int
    rng_uinteger: int
    optimizer: OptimizerState
    best_epoch: int
    best_val_loss: float
    best_params: np.ndarray
    early_stopping_wait: int
    exploded_above: float
    smoothed_loss: float
    batch_size: int
    order: np.ndarray
    batches_done: int
    samples_seen: int
    loss_sum: float
    tally: float  # hits, or for a network that predicts numbers its summed absolute error
    epoch_seconds: float
    epoch_params: np.ndarray
    schedule_start: int = 0  # the completed epochs when the learning-rate schedule running now began
    schedule_epochs: int = 0  # its length in epochs; 0: no schedule is running

    def __post_init__(self) -> None:
        for name in ("completed_epochs", "best_epoch", "early_stopping_wait", "batch_size", "batches_done",
                     "samples_seen", "schedule_start", "schedule_epochs"):
            check_whole(getattr(self, name), name, OWNER, 1 if name == "batch_size" else 0)
        if self.schedule_epochs and self.schedule_start > self.completed_epochs:
            raise ValueError(f"{OWNER}'s field 'schedule_start' ({self.schedule_start}) is past the completed "
                             f"epochs ({self.completed_epochs})")
        if not self.schedule_epochs and self.schedule_start:
            raise ValueError(f"{OWNER} has no learning-rate schedule ('schedule_epochs' 0), so 'schedule_start' "
                             f"must be 0, not {self.schedule_start}")
        for name in ("rng_state", "rng_increment"):
            _check_uint128(getattr(self, name), name)
        if int(self.rng_increment) % 2 == 0:
            raise ValueError(f"{OWNER}'s field 'rng_increment' must be odd, as every PCG64 increment is")
        check_whole(self.rng_has_uint32, "rng_has_uint32", OWNER, 0, 1)
        check_whole(self.rng_uinteger, "rng_uinteger", OWNER, 0, 2 ** 32 - 1)
        if not isinstance(self.optimizer, OptimizerState):
            raise ValueError(f"{OWNER}'s field 'optimizer' must be an OptimizerState")
        self._check_best()
        if self.early_stopping_wait > self.completed_epochs:
            raise ValueError(f"{OWNER}'s field 'early_stopping_wait' ({self.early_stopping_wait}) counts more "
                             f"epochs than were completed ({self.completed_epochs})")
        if not isinstance(self.exploded_above, float) or not (math.isnan(self.exploded_above)
                                                               or self.exploded_above > 0):
            raise ValueError(f"{OWNER}'s field 'exploded_above' must be a number above 0 (or NaN: not set yet), "
                             f"not {self.exploded_above!r}")
        _check_real(self.smoothed_loss, "smoothed_loss", may_overflow=True)
        self._check_epoch_in_progress()
        kept = {"best_params": self.best_params, "epoch_params": self.epoch_params,
                **{f"optimizer.{name}": value for name, value in self.optimizer.arrays.items()}}
        kept = {name: value for name, value in kept.items() if value.size}
        if kept:
            first, *others = kept
            for name in others:
                if (kept[name].size, kept[name].dtype) != (kept[first].size, kept[first].dtype):
                    raise ValueError(f"{OWNER}'s fields {first!r} ({kept[first].size} {kept[first].dtype} numbers) "
                                     f"and {name!r} ({kept[name].size} {kept[name].dtype}) must be of one length "
                                     f"and type: one per network parameter")

    def _check_best(self) -> None:
        _check_params(self.best_params, "best_params")
        if self.best_epoch == 0:
            if self.best_val_loss != math.inf or self.best_params.size:
                raise ValueError(f"{OWNER} has no best epoch ('best_epoch' 0), so 'best_val_loss' must be inf "
                                 f"and 'best_params' empty")
            return
        if self.best_epoch > self.completed_epochs:
            raise ValueError(f"{OWNER}'s field 'best_epoch' ({self.best_epoch}) is past the completed epochs "
                             f"({self.completed_epochs})")
        _check_real(self.best_val_loss, "best_val_loss")
        if not self.best_params.size:
            raise ValueError(f"{OWNER}'s field 'best_params' is empty, but epoch {self.best_epoch} is the best")

    def _check_epoch_in_progress(self) -> None:
        order = self.order
        if not isinstance(order, np.ndarray) or order.ndim != 1 or order.dtype != np.int64:
            raise ValueError(f"{OWNER}'s field 'order' must be one row of int64 sample indices")
        _check_params(self.epoch_params, "epoch_params")
        for name in ("loss_sum", "tally"):
            _check_real(getattr(self, name), name, may_overflow=True)
        _check_real(self.epoch_seconds, "epoch_seconds")
        if not order.size:
            if self.batches_done or self.samples_seen or self.loss_sum or self.tally or self.epoch_seconds \
                    or self.epoch_params.size:
                raise ValueError(f"{OWNER} is between epochs (its 'order' is empty), so 'batches_done', "
                                 f"'samples_seen', 'loss_sum', 'tally' and 'epoch_seconds' must be 0 and "
                                 f"'epoch_params' empty")
            return
        if order.min() < 0 or order.max() >= order.size or np.bincount(order, minlength=order.size).max() != 1:
            raise ValueError(f"{OWNER}'s field 'order' must hold each sample index 0 to {order.size - 1} once")
        n_batches = math.ceil(order.size / self.batch_size)
        check_whole(self.batches_done, "batches_done", OWNER, 0, n_batches)
        if self.samples_seen != min(self.batches_done * self.batch_size, order.size):
            raise ValueError(f"{OWNER}'s field 'samples_seen' ({self.samples_seen}) does not match "
                             f"{self.batches_done} batches of {self.batch_size} of {order.size} samples")
        if not self.epoch_params.size:
            raise ValueError(f"{OWNER} is mid-epoch but its field 'epoch_params' is empty")

    @property
    def mid_epoch(self) -> bool:
        """Taken between two batches of an epoch: carrying on finishes that epoch first."""
        return self.order.size > 0

    def rng_state_dict(self) -> dict:
        """The state as ``np.random.PCG64().state`` takes it."""
        return {"bit_generator": BIT_GENERATOR,
                "state": {"state": int(self.rng_state), "inc": int(self.rng_increment)},
                "has_uint32": self.rng_has_uint32, "uinteger": self.rng_uinteger}

    def is_finite(self) -> bool:
        """False when the optimizer's moments hold NaN or inf (a diverged run): never carry that on."""
        return self.optimizer.is_finite()

    def between_epochs(self) -> "TrainerState":
        """This state without the epoch in progress: carrying on starts a new epoch (the stopped one's
        batches stay in the weights), for a run whose batch size or training set changed meanwhile."""
        empty = np.empty(0, self.epoch_params.dtype)
        return replace(self, order=np.empty(0, np.int64), batches_done=0, samples_seen=0, loss_sum=0.0,
                        tally=0.0, epoch_seconds=0.0, epoch_params=empty)

    # -- as named arrays ------------------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every field as a named array (the optimizer's under "optimizer."), for an npz without pickle."""
        arrays = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "optimizer":
                arrays.update({_OPTIMIZER_PREFIX + key: array for key, array in value.to_arrays().items()})
            else:
                arrays[item.name] = value.copy() if isinstance(value, np.ndarray) else as_array(value)
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping) -> "TrainerState":
        """The state :meth:`to_arrays` wrote (e.g. read back with ``np.load(…, allow_pickle=False)``);
        a missing, unknown or malformed field raises ValueError naming it, before anything is built."""
        names = list(arrays)
        if not all(isinstance(name, str) for name in names):
            raise ValueError(f"{OWNER}'s fields must be named by text, not {names!r}"[:300])
        optimizer = OptimizerState.from_arrays({name[len(_OPTIMIZER_PREFIX):]: arrays[name] for name in names
                                                if name.startswith(_OPTIMIZER_PREFIX)})
        own = {name: arrays[name] for name in names if not name.startswith(_OPTIMIZER_PREFIX)}
        own_names = [item.name for item in fields(cls) if item.name != "optimizer"]
        refuse_unknown(own, set(own_names), OWNER)
        values = {}
        for name in own_names:
            if name in _ADDED_LATER and name not in own:
                continue  # a state saved before the field existed: the field's default
            kind = _FIELD_KINDS[name]
            if kind == "whole":
                values[name] = read_whole(own, name, OWNER)
            elif kind == "real":
                values[name] = read_real(own, name, OWNER)
            elif kind == "text":
                values[name] = read_text(own, name, OWNER)
            else:
                values[name] = read_vector(own, name, OWNER, kind)
        return cls(optimizer=optimizer, **values)


_FIELD_KINDS = {"completed_epochs": "whole", "rng_state": "text", "rng_increment": "text",
                "rng_has_uint32": "whole", "rng_uinteger": "whole", "best_epoch": "whole",
                "best_val_loss": "real", "best_params": "f", "early_stopping_wait": "whole",
                "exploded_above": "real", "smoothed_loss": "real", "batch_size": "whole", "order": "i",
                "batches_done": "whole", "samples_seen": "whole", "loss_sum": "real", "tally": "real",
                "epoch_seconds": "real", "epoch_params": "f", "schedule_start": "whole", "schedule_epochs": "whole"}
# Fields a state saved by an earlier NN Lab lacks (session files keep trainer states).
_ADDED_LATER = {"schedule_start", "schedule_epochs"}


def _check_uint128(text, name: str) -> None:
    if not isinstance(text, str) or not text.isascii() or not text.isdigit() or len(text) > 39 \
            or int(text) >= _UINT128:
        raise ValueError(f"{OWNER}'s field {name!r} must be a whole number below 2**128 written in decimal "
                         f"digits, not {text!r}"[:300])


def _check_real(value, name: str, may_overflow: bool = False) -> None:
    """A number of 0 or more: losses, sums of hits or errors, seconds. Only a sum or an average of finite
    losses may have overflowed to inf; nothing here is ever NaN."""
    good = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 \
        and (may_overflow or math.isfinite(value))
    if not good:
        finite = "" if may_overflow else "finite "
        raise ValueError(f"{OWNER}'s field {name!r} must be a {finite}number of 0 or more, not {value!r}")


def _check_params(value, name: str) -> None:
    if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype not in FLOAT_DTYPES:
        raise ValueError(f"{OWNER}'s field {name!r} must be one row of float32 or float64 numbers")
