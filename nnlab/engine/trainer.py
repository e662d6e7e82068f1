"""Mini-batch training as a plain generator the UI can drive from a thread.

``Trainer.run()`` yields a :class:`BatchProgress` after every batch, an
:class:`EpochResult` after every epoch and one :class:`TrainingEnded` last. It
checks ``should_stop`` between batches; a consumer that simply stops calling
``next()`` has paused it, and one that calls ``next()`` until the next
``EpochResult`` has stepped one epoch. The optimizer's ``learning_rate`` may be
changed between batches, unless ``config.lr_schedule`` sets it before every batch (trainer_schedule.py:
a schedule spans the epochs of the run that began it; a run restored part-way carries on along it).
Nothing here knows about Qt.

``Trainer.state()`` between batches (paused, stopped, or between runs) is everything that decides
what the next batch does; a new trainer given it by ``restore`` carries on bit for bit — the rest of
a stopped epoch first.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from .batch_step import Augmenter, Workspace, forward_backward, new_workspace
from .blas_threads import BlasThreads
from .losses import check_pair, check_predicts_numbers
from .metrics import evaluate
from .network import Network, answer_targets, has_real_targets
from .optimizers import Optimizer, make_optimizer
from .outputs import is_regression
from .scaled_bytes import as_rows
from .trainer_schedule import scheduled_learning_rate
from .trainer_state import TrainerState
from .training_records import (BatchProgress, BlowUp, EpochResult, Progress,  # noqa: F401 (re-exported)
                               TrainConfig, TrainingEnded)

_BACKUP_EVERY = 50
# A run whose smoothed batch loss passes EXPLODED_FACTOR × max(its first batch's loss, 1) has diverged
# even while every number is still finite (cross-entropy with Adam at η = 10 reached 4·10⁷): no
# training that is working grows its loss a thousandfold. The floor of 1 keeps a nearly perfect
# network (loss 10⁻⁵) that wobbles to 0.02 from being called diverged.
EXPLODED_FACTOR = 1000.0
_SMOOTHING = 0.9


@dataclass
class _EpochInProgress:
    """An epoch between two of its batches: where it is and what it has summed so far."""

    order: np.ndarray  # the epoch's sample order, drawn from the trainer's RNG when it began
    batches_done: int = 0
    samples_seen: int = 0
    loss_sum: float = 0.0
    tally: float = 0  # hits (an int), or a network that predicts numbers' summed absolute error
    seconds: float = 0.0  # spent on its batches so far, pauses not counted


class Trainer:
    """Trains ``network`` in place on x_train (n, n_features) and its answers.

    y_train: class labels (n,), or a regression set's real-valued targets (n, n_outputs). Whether
    the network classifies or predicts numbers follows ``is_regression(loss, output activation)``;
    real-valued targets need a network that predicts numbers.

    x_train and x_val may be ``ScaledBytes``: they stay bytes, and each batch is scaled as it is gathered.
    """

    def __init__(self, network: Network, x_train: np.ndarray, y_train: np.ndarray, config: TrainConfig,
                 x_val: np.ndarray | None = None, y_val: np.ndarray | None = None,
                 n_classes: int | None = None, augment: Augmenter | None = None,
                 optimizer: Optimizer | None = None):
        """``optimizer``: carry on with a previous run's optimizer (Adam's moments, momentum, step count);
        it must be of the kind ``config`` names, and takes ``config``'s learning rate."""
        config.validate()
        output_activation = network.layers[-1].activation
        check_pair(config.loss, output_activation, network.n_outputs)
        self.regression = is_regression(config.loss, output_activation)
        self.network, self.config, self.augment = network, config, augment
        dtype = network.dtype
        self.x = as_rows(x_train, dtype)
        if self.x.ndim != 2 or self.x.shape[1] != network.input_size:
            raise ValueError(f"the network takes {network.input_size} inputs per sample, "
                             f"the training data has shape {self.x.shape}")
        real_targets = has_real_targets(y_train)
        if real_targets:
            check_predicts_numbers(config.loss, output_activation)
        self.y = np.asarray(y_train, dtype=dtype if real_targets else np.int64)
        if len(self.x) == 0 or len(self.y) != len(self.x):
            raise ValueError("the training data is empty or its labels do not match its samples")
        if real_targets and not np.isfinite(self.y).all():
            raise ValueError("the training targets hold a value that is not a finite number")
        n_labels = max(network.n_outputs, 2)
        if not real_targets and (self.y.min() < 0 or self.y.max() >= n_labels):
            raise ValueError(f"labels run from {self.y.min()} to {self.y.max()} but the output layer can only "
                             f"tell classes 0 to {n_labels - 1} apart")
        self.n_classes = n_classes or (network.n_outputs if real_targets else max(int(self.y.max()) + 1, 2))
        self.targets = answer_targets(self.y, network.n_outputs, dtype)
        self.x_val = None if x_val is None or len(x_val) == 0 else as_rows(x_val, dtype)
        self.y_val = None if self.x_val is None else np.asarray(y_val, dtype=self.y.dtype)
        if optimizer is None:
            optimizer = self._new_optimizer()
        elif not optimizer.same_kind(config.optimizer, config.momentum):
            raise ValueError(f"this run trains with {config.optimizer}; the optimizer to carry on is "
                             f"{optimizer.name}")
        optimizer.learning_rate = config.learning_rate  # the setter refuses a bad rate, also for one carried on
        self.optimizer: Optimizer = optimizer
        self.rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(1,)))
        self.epoch = 0  # the epoch in progress (1-based), or the last one run
        self.completed_epochs = 0
        self.best_epoch: int | None = None
        self.best_val_loss = math.inf
        self._best_params: np.ndarray | None = None
        self._wait = 0  # epochs since the validation loss last improved (early stopping)
        self._in_progress: _EpochInProgress | None = None  # set between two batches of an epoch
        self._workspaces: dict[int, Workspace] = {}
        self._backup = network.params.copy()
        # The weights at the end of the last completed epoch (or where the run started): what a
        # divergence puts back. One flat copy per epoch, never per batch.
        self._epoch_params = network.params.copy()
        self._epoch_params_epoch = self.completed_epochs
        self._exploded_above: float | None = None  # set by the run's first batch
        self._smoothed_loss = 0.0
        self._schedule_start, self._schedule_epochs = 0, 0  # the learning-rate schedule under way (0: none)
        self._threads = BlasThreads(config.blas_threads)

    def _new_optimizer(self) -> Optimizer:
        config = self.config
        options = {"momentum": config.momentum} if config.optimizer == "momentum" else {}
        return make_optimizer(config.optimizer, config.learning_rate, **options)

    def keep_blas_threads_fixed(self) -> None:
        """Never change the BLAS thread count: for a trainer on a worker thread while other
        threads multiply matrices too (OpenBLAS's thread setter is not thread-safe)."""
        self._threads = BlasThreads(fixed=self._threads.original)

    @property
    def n_batches(self) -> int:
        return math.ceil(len(self.x) / self.config.batch_size)

    @property
    def epochs_so_far(self) -> float:
        """The epochs done, counting the batches of one in progress: batch b of n in epoch e is e − 1 + b/n."""
        part = self._in_progress
        return self.completed_epochs + (part.batches_done / self.n_batches if part else 0.0)

    # -- the loop ----------------------------------------------------------------------------
    def run(self, should_stop: Callable[[], bool] = lambda: False) -> Iterator[Progress]:
        """Train for ``config.epochs`` more epochs, yielding progress; see the module docstring."""
        network = self.network
        segments = network.trainable_segments()
        if not segments:
            yield TrainingEnded("stopped", "every layer is frozen: unfreeze at least one to train",
                                self.epoch, self.best_epoch)
            return
        if self._in_progress is None:  # mid-epoch, the weights a divergence restores are the epoch's start
            self._remember_epoch_weights()  # the owner may have set the epoch count or the weights since __init__
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                yield from self._epochs(segments, should_stop)
        finally:
            self._threads.restore()

    def _epochs(self, segments, should_stop) -> Iterator[Progress]:
        network, config = self.network, self.config
        size, n_batches = config.batch_size, self.n_batches
        if self._in_progress is None and self._stops_early():  # stopped between an epoch and this check
            yield self._stop_early()
            return
        self._begin_schedule_if_due()
        for _ in range(config.epochs):
            self.epoch = self.completed_epochs + 1
            if self._in_progress is None:
                self._in_progress = _EpochInProgress(self.rng.permutation(len(self.x)))
            part = self._in_progress
            started = time.perf_counter() - part.seconds
            self._refresh_backup()
            for batch in range(part.batches_done, n_batches):
                if should_stop():
                    yield TrainingEnded("stopped", f"stopped at epoch {self.epoch} batch {batch + 1}",
                                        self.epoch - 1, self.best_epoch)
                    return
                indices = part.order[batch * size:(batch + 1) * size]
                loss, batch_tally = self._step(indices)
                if not math.isfinite(loss):
                    yield self._diverged(f"loss became {_what(loss)} at epoch {self.epoch} batch {batch + 1}",
                                         batch + 1, loss)
                    return
                if self._exploded(loss):
                    yield self._diverged(f"loss grew to {self._smoothed_loss:.3g}, over {EXPLODED_FACTOR:g}× where it "
                                         f"started, by epoch {self.epoch} batch {batch + 1}", batch + 1, loss)
                    return
                self._follow_schedule(batch)
                self.optimizer.step(network.params, network.grads, segments)
                part.loss_sum += loss * len(indices)
                part.tally += batch_tally
                part.samples_seen += len(indices)
                part.batches_done = batch + 1
                part.seconds = time.perf_counter() - started
                if batch % _BACKUP_EVERY == _BACKUP_EVERY - 1:
                    self._refresh_backup()
                accuracy, error = self._figures(batch_tally, len(indices))
                yield BatchProgress(self.epoch, batch + 1, n_batches, loss, accuracy, part.samples_seen, error)
            validation = None
            if self.x_val is not None:
                validation = evaluate(network, self.x_val, self.y_val, config.loss, self.n_classes)
                if not math.isfinite(validation.loss):
                    yield self._diverged(f"validation loss became {_what(validation.loss)} after epoch "
                                         f"{self.epoch}", None, validation.loss)
                    return
                if validation.loss < self.best_val_loss:
                    self.best_val_loss, self.best_epoch, self._wait = validation.loss, self.epoch, 0
                    self._best_params = network.params.copy()
                else:
                    self._wait += 1
            self._in_progress = None
            self.completed_epochs = self.epoch
            self._remember_epoch_weights()
            accuracy, error = self._figures(part.tally, part.samples_seen)
            yield EpochResult(self.epoch, part.loss_sum / part.samples_seen, accuracy,
                              time.perf_counter() - started, validation, self.best_epoch, error)
            if self._stops_early():
                yield self._stop_early()
                return
        yield TrainingEnded("finished", f"trained {self.epoch} epoch{'s' * (self.epoch != 1)}", self.epoch,
                            self.best_epoch)

    def _begin_schedule_if_due(self) -> None:
        """A run with a schedule and none under way (never begun, or ended) begins one over its epochs."""
        if self.config.lr_schedule == "constant":
            return
        ended = self._in_progress is None and self.completed_epochs >= self._schedule_start + self._schedule_epochs
        if not self._schedule_epochs or ended:
            self._schedule_start, self._schedule_epochs = self.completed_epochs, self.config.epochs

    def _follow_schedule(self, batch: int) -> None:
        """Set the rate for the epoch in progress's batch ``batch`` (0-based) from the schedule under way."""
        config = self.config
        if config.lr_schedule == "constant" or not self._schedule_epochs:
            return
        done = self.completed_epochs - self._schedule_start + batch / self.n_batches
        self.optimizer.learning_rate = scheduled_learning_rate(config.lr_schedule, config.learning_rate,
                                                               done / self._schedule_epochs)

    def _stops_early(self) -> bool:
        patience = self.config.early_stopping_patience
        return bool(patience) and self.x_val is not None and self._wait >= patience \
            and self._best_params is not None

    def _stop_early(self) -> TrainingEnded:
        """Put back the best epoch's weights. The wait starts again: a later run trains ``patience`` epochs
        more before it gives up, as a fresh one would."""
        self.network.params[...] = self._best_params
        self._wait = 0
        patience = self.config.early_stopping_patience
        return TrainingEnded("early_stopping",
                             f"validation loss has not improved for {patience} epochs: stopped at epoch "
                             f"{self.completed_epochs} and kept the weights of epoch {self.best_epoch}",
                             self.completed_epochs, self.best_epoch)

    def _figures(self, tally: float, samples: int) -> tuple[float, float]:
        """(accuracy, mean absolute error) from a tally of hits or of absolute errors; the other is NaN."""
        if self.regression:
            return math.nan, tally / (samples * self.network.n_outputs)
        return tally / samples, math.nan

    def _exploded(self, loss: float) -> bool:
        if self._exploded_above is None:
            self._exploded_above = EXPLODED_FACTOR * max(loss, 1.0)
            self._smoothed_loss = loss
        self._smoothed_loss = _SMOOTHING * self._smoothed_loss + (1 - _SMOOTHING) * loss
        return self._smoothed_loss > self._exploded_above

    def _refresh_backup(self) -> None:
        """Remember the weights while they are finite: what a learner is shown of a blow-up that left NaN."""
        if np.isfinite(self.network.params).all():
            np.copyto(self._backup, self.network.params)

    def _remember_epoch_weights(self) -> None:
        np.copyto(self._epoch_params, self.network.params)
        self._epoch_params_epoch = self.completed_epochs

    def _diverged(self, what_happened: str, batch: int | None, loss: float) -> TrainingEnded:
        """Put back the weights of the last completed epoch, forget the optimizer's state, say so in words.

        The weights at the blow-up are finite but wrecked (±100, activations in the thousands), and the
        good epochs before it are what the learner wants to keep. The moments that blew up would blow
        up the next run too (Start after Stop carries them on).
        """
        params = self.network.params
        wrecked = params.copy() if np.isfinite(params).all() else self._backup.copy()
        params[...] = self._epoch_params
        self.optimizer.forget()
        # The next run starts the epoch again from those weights, and measures "where it started" afresh.
        self._in_progress, self._exploded_above = None, None
        restored = self._epoch_params_epoch
        kept = (f"restored the weights of epoch {restored}, the last before the loss blew up" if restored
                else "restored the weights the run started from")
        return TrainingEnded(
            "diverged", f"{what_happened} — lower the learning rate (now {self.optimizer.learning_rate:g}); {kept}",
            self.completed_epochs, self.best_epoch,
            BlowUp(self.epoch, batch, self.n_batches, float(loss), restored, wrecked))

    # -- carrying on elsewhere ----------------------------------------------------------------
    def state(self) -> TrainerState:
        """Everything beyond the weights that decides what the next batch does, as plain data (copies).

        Take it between batches: paused, stopped, or between runs — never while a batch runs.
        """
        rng = self.rng.bit_generator.state
        part = self._in_progress
        no_weights = np.empty(0, self.network.dtype)
        return TrainerState(
            completed_epochs=self.completed_epochs,
            rng_state=str(rng["state"]["state"]), rng_increment=str(rng["state"]["inc"]),
            rng_has_uint32=int(rng["has_uint32"]), rng_uinteger=int(rng["uinteger"]),
            optimizer=self.optimizer.state(),
            best_epoch=self.best_epoch or 0, best_val_loss=float(self.best_val_loss),
            best_params=no_weights if self._best_params is None else self._best_params.copy(),
            early_stopping_wait=self._wait,
            exploded_above=math.nan if self._exploded_above is None else float(self._exploded_above),
            smoothed_loss=float(self._smoothed_loss), batch_size=self.config.batch_size,
            order=np.empty(0, np.int64) if part is None else part.order.copy(),
            batches_done=0 if part is None else part.batches_done,
            samples_seen=0 if part is None else part.samples_seen,
            loss_sum=0.0 if part is None else float(part.loss_sum),
            tally=0.0 if part is None else float(part.tally),
            epoch_seconds=0.0 if part is None else part.seconds,
            epoch_params=no_weights if part is None else self._epoch_params.copy(),
            schedule_start=self._schedule_start, schedule_epochs=self._schedule_epochs)

    def restore(self, state: TrainerState) -> None:
        """Carry on from ``state`` (another trainer's, perhaps in another process) on this trainer's network,
        data and settings — bit for bit when they are the same. The learning rate stays this config's (or
        its schedule's, which carries on from the state's).

        Raises ValueError and changes nothing when the state cannot belong to this run: another optimizer,
        another number of weights, or an epoch in progress over another number of samples or batch size.
        """
        config, params = self.config, self.network.params
        if not state.optimizer.same_kind(config.optimizer, config.momentum):
            wanted = f"momentum {config.momentum:g}" if config.optimizer == "momentum" else config.optimizer
            raise ValueError(f"this run trains with {wanted}; the state to carry on from was trained with "
                             f"{state.optimizer.describe()}")
        for name in ("best_params", "epoch_params"):
            kept = getattr(state, name)
            if kept.size and (kept.size != params.size or kept.dtype != params.dtype):
                raise ValueError(f"the trainer state's {name!r} holds {kept.size} {kept.dtype} weights, and the "
                                 f"network has {params.size} {params.dtype} parameters")
        if state.mid_epoch and (state.order.size != len(self.x) or state.batch_size != config.batch_size):
            raise ValueError(f"the trainer state stopped mid-epoch over {state.order.size} samples in batches of "
                             f"{state.batch_size}; this run has {len(self.x)} samples in batches of "
                             f"{config.batch_size}")
        tally = state.tally
        if not self.regression:
            if tally != int(tally) or tally > state.samples_seen:
                raise ValueError(f"the trainer state's 'tally' ({tally!r}) is not a count of hits among "
                                 f"{state.samples_seen} samples")
            tally = int(tally)
        optimizer = self._new_optimizer()
        optimizer.restore(state.optimizer, like=params)
        rng = np.random.default_rng(np.random.SeedSequence(config.seed, spawn_key=(1,)))
        try:
            rng.bit_generator.state = state.rng_state_dict()
        except (TypeError, ValueError) as error:
            raise ValueError(f"the trainer state's random generator cannot be restored: {error}") from None
        # Everything is checked: from here on nothing can fail.
        optimizer.learning_rate = config.learning_rate
        self.optimizer, self.rng = optimizer, rng
        self.epoch = self.completed_epochs = state.completed_epochs
        self.best_epoch = state.best_epoch or None
        self.best_val_loss = state.best_val_loss
        self._best_params = state.best_params.copy() if state.best_params.size else None
        self._wait = state.early_stopping_wait
        self._exploded_above = None if math.isnan(state.exploded_above) else state.exploded_above
        self._smoothed_loss = state.smoothed_loss
        self._schedule_start, self._schedule_epochs = state.schedule_start, state.schedule_epochs
        self._in_progress = None
        if state.mid_epoch:
            self._in_progress = _EpochInProgress(state.order.copy(), state.batches_done, state.samples_seen,
                                                 state.loss_sum, tally, state.epoch_seconds)
            np.copyto(self._epoch_params, state.epoch_params)
            self._epoch_params_epoch = self.completed_epochs

    # -- one step ----------------------------------------------------------------------------
    def _workspace(self, size: int) -> Workspace:
        ws = self._workspaces.get(size)
        if ws is None:
            ws = self._workspaces[size] = new_workspace(self.network, size, self.x, self.regression, self._threads)
        return ws

    def _step(self, indices: np.ndarray) -> tuple[float, float]:
        """Forward and backward on the samples at ``indices``; fills ``network.grads``. Returns (loss, tally):
        the batch's hits, or for a network that predicts numbers its summed absolute error."""
        return forward_backward(self.network, self.config, self._workspace(len(indices)), self.x, self.targets,
                                self.y, indices, self.augment, self.rng, self._threads)


def _what(value: float) -> str:
    return "NaN" if math.isnan(value) else "infinite"
