"""The one recipe from an Experiment to a ready Trainer — the window's Start and ``nnlab train`` both follow it.

Given a dataset and its split, the recipe keeps the network it is handed (or builds the one the
experiment describes), carries on from the previous run's trainer state when it may, refuses what
cannot be done (augmenting points, training a worked example), adds the learner's own samples to a
classifier's training part and wires the trainer with the experiment's loss. It changes nothing it
is given but the trainer it returns, so a refused run leaves the session as it was.
"""
from __future__ import annotations

from dataclasses import dataclass

from nnlab.data.augment import AugmentConfig, Augmenter, make_augmenter
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment, build_network, open_dataset
from nnlab.data.splits import Splits, split_dataset
from nnlab.data.user_samples import UserSampleStore, with_user_samples
from nnlab.engine import Network, Trainer
from nnlab.engine.trainer import TrainConfig
from nnlab.engine.trainer_state import TrainerState


@dataclass(frozen=True)
class Run:
    """A trainer ready to run, and what the recipe chose on the way."""

    trainer: Trainer
    network: Network  # the network handed in, or the one built: the trainer writes it in place
    built: bool  # no network was handed in: this one is new, initialised from the experiment's seed
    user_samples_used: int  # the learner's own samples added to the training part


def make_run(experiment: Experiment, dataset: Dataset, splits: Splits, *, network: Network | None = None,
             state: TrainerState | None = None, user_samples: UserSampleStore | None = None,
             epochs_trained: int = 0) -> Run:
    """Wire one training run; raises ValueError naming the first thing that cannot be done.

    network: the one to keep training, or None to build the experiment's. state: the previous run's
    trainer state (its RNG, optimizer, best epoch, the epoch it stopped in), carried on when
    :func:`state_to_carry_on` allows — then the run continues exactly as if it had never stopped.
    user_samples: the learner's samples, added to a classifier's training part (a regression
    set's targets are numbers, and the samples are drawings or points of a class).
    epochs_trained: where the epoch count carries on from, when no state is carried on.
    """
    refuse_worked_example(dataset)
    augment = augmenter_for(experiment, dataset)
    built = network is None
    if built:
        network = build_network(experiment, dataset)
    train, validation = splits.train, splits.validation
    if dataset.is_regression:
        x, y, used = train.x, train.answers, 0
    else:
        x, y, used = with_user_samples(user_samples, dataset, train.x, train.y)
    config = experiment.train_config()
    trainer = Trainer(network, x, y, config, validation.x, validation.answers, n_classes=dataset.n_classes,
                      augment=augment)
    state = None if built else state_to_carry_on(state, config, len(trainer.x))
    if state is None:
        trainer.epoch = trainer.completed_epochs = epochs_trained
    else:
        trainer.restore(state)
    return Run(trainer, network, built, used)


def refuse_worked_example(dataset: Dataset) -> None:
    if dataset.extra.get("worked_example"):
        raise ValueError("this lesson is a worked example on its own sample, and training would change the "
                         "numbers its text explains: step through it on the Backprop tab (Apply this step "
                         "takes one step), or choose a dataset to train on")


def augmenter_for(experiment: Experiment, dataset: Dataset) -> Augmenter | None:
    """The ±2 px shifts for an image set; None without augmentation; a points set is refused, not skipped."""
    if not experiment.augment:
        return None
    if len(dataset.input_shape) != 2:
        raise ValueError(f"augmentation shifts images by up to ±2 px, but {dataset.name!r} holds points of "
                         f"{dataset.n_features} number{'s' * (dataset.n_features != 1)}: turn augmentation off")
    return make_augmenter(dataset.input_shape, AugmentConfig())


def state_to_carry_on(state: TrainerState | None, config: TrainConfig, n_train: int) -> TrainerState | None:
    """Start after Stop carries on with the whole trainer state as it carries on with the weights — unless
    this run asks for another optimizer, or the state holds NaN or inf (a diverged run). An epoch stopped
    mid-way is finished first, unless the batch size or the number of training samples changed since:
    then a new epoch begins (the stopped one's batches stay in the weights)."""
    if state is None or not state.optimizer.same_kind(config.optimizer, config.momentum) or not state.is_finite():
        return None
    if state.mid_epoch and (state.batch_size != config.batch_size or state.order.size != n_train):
        return state.between_epochs()
    return state


@dataclass(frozen=True)
class Prepared:
    dataset: Dataset
    splits: Splits
    network: Network
    trainer: Trainer


def prepare(experiment: Experiment, dataset: Dataset | None = None) -> Prepared:
    """A fresh run as a new session's Start makes it: open the experiment's dataset (or take
    ``dataset``), split it with the experiment's shares and seed, and follow the recipe."""
    dataset = dataset if dataset is not None else open_dataset(experiment.dataset, experiment.train.seed)
    splits = split_dataset(dataset, experiment.split, seed=experiment.train.seed)
    run = make_run(experiment, dataset, splits)
    return Prepared(dataset, splits, run.network, run.trainer)
