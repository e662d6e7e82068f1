"""The lab session, without a window: the split lock, the trainer state carried on, a network kept for a new
dataset, the checks for a set of numbers to predict."""
import gc
import weakref

import numpy as np
import pytest

from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment
from nnlab.engine import LayerSpec, Network, TrainConfig
from nnlab.lab.session import LabSession


def experiment(optimizer="adam"):
    return Experiment(dataset="xor", hidden=[4], train=TrainConfig(optimizer=optimizer, epochs=1, batch_size=16))


@pytest.fixture
def session():
    lab = LabSession()
    lab.load_dataset("xor")
    return lab


def run(session, exp):
    trainer = session.make_trainer(exp)
    list(trainer.run())
    session.epochs_trained = trainer.epoch
    return trainer


def same_state(a, b) -> bool:
    ours, theirs = a.to_arrays(), b.to_arrays()
    return ours.keys() == theirs.keys() and all(ours[k].tobytes() == theirs[k].tobytes() for k in ours)


def test_start_after_stop_carries_on_with_the_trainer_state(session):
    first = run(session, experiment())
    second = session.make_trainer(experiment())
    assert second.optimizer is not first.optimizer and second.optimizer.steps == first.optimizer.steps > 0
    assert same_state(second.state(), first.state()) and second.best_epoch == 1


@pytest.mark.parametrize("change", ["reset", "new network", "edited network", "other optimizer", "diverged",
                                    "kept for another dataset"])
def test_a_changed_network_or_optimizer_starts_a_fresh_one(session, change):
    first = run(session, experiment())
    exp = experiment()
    if change == "kept for another dataset":  # Adam's moments were measured on xor
        session.use_dataset(session.prepare_dataset("circles"))
        session.keep_network()
    elif change == "reset":
        session.reset_weights(seed=1)
    elif change == "new network":
        session.new_network(exp)
    elif change == "edited network":
        session.set_network(session.network.copy(), session.loss)
    elif change == "other optimizer":
        exp = experiment("momentum")
    else:
        first.optimizer._scaled_m[0] = np.nan
    second = session.make_trainer(exp)
    assert second.optimizer is not first.optimizer and second.optimizer.steps == 0
    assert second.best_epoch is None and second.state().rng_state != first.state().rng_state


@pytest.mark.parametrize("replace", ["new network", "edited network"])
def test_a_replaced_network_is_not_kept_alive_for_its_optimizer(session, replace):
    first = run(session, experiment())
    old = weakref.ref(first.network)
    del first
    if replace == "new network":
        session.new_network(experiment())
    else:
        session.set_network(session.network.copy(), session.loss)
    gc.collect()
    assert old() is None


def test_a_network_fits_a_dataset_only_for_the_same_task(session):
    """A one-input sigmoid classifier has the curve's shape (1 → … → 1) but cannot learn numbers."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (40, 1)).astype(np.float32)
    session.load_dataset(Dataset("one feature", x, (x[:, 0] > 0).astype(np.int64), ["below", "above"], (1,)))
    session.new_network(Experiment(dataset="one feature", hidden=[3], loss="binary_cross_entropy",
                                   train=TrainConfig(epochs=1)))
    curve = session.prepare_dataset("curve").dataset
    assert session.network.sizes == [1, 3, 1] and curve.n_features == 1 and curve.n_classes == 1
    assert not session.network_fits(curve)
    session.load_dataset("curve")
    session.new_network(Experiment(dataset="curve", hidden=[3], loss="mse", train=TrainConfig(epochs=1)))
    assert session.network_fits(session.prepare_dataset("curve", seed=1).dataset)


class Events:
    """Every signal the session emits, in order, as (name, argument)."""

    def __init__(self, session):
        self.seen = []
        for name in ("dataset_changed", "network_changed", "dirty_changed", "path_changed"):
            getattr(session, name).connect(lambda value, name=name: self.seen.append((name, value)))

    def names(self):
        return [name for name, _ in self.seen]


def test_a_network_that_has_learned_keeps_its_split(session):
    """Drawing a new split after a run would leak training samples into validation and test."""
    run(session, experiment())
    learned_on = session.splits
    other_seed = Experiment(dataset="xor", hidden=[4], split=(0.5, 0.25, 0.25),
                            train=TrainConfig(optimizer="adam", epochs=1, batch_size=16, seed=9))
    session.make_trainer(other_seed)
    assert session.splits is learned_on


@pytest.mark.parametrize("renew", ["reset", "new network"])
def test_new_weights_may_take_a_new_split(session, renew):
    run(session, experiment())
    learned_on = session.splits
    other = Experiment(dataset="xor", hidden=[4], split=(0.5, 0.25, 0.25),
                       train=TrainConfig(optimizer="adam", epochs=1, batch_size=16, seed=9))
    if renew == "reset":
        session.reset_weights(seed=1)
    else:
        session.new_network(other)
    trainer = session.make_trainer(other)
    assert session.splits is not learned_on and len(session.splits.train) == len(trainer.x)
    assert len(session.splits.validation) > len(learned_on.validation)  # 25 % now, 15 % before


def test_the_split_is_drawn_again_only_when_shares_or_seed_change(session):
    before = session.splits
    session.make_trainer(experiment())  # the shares and seed it was opened with
    assert session.splits is before


def test_start_keeps_a_network_of_the_same_widths_and_carries_on_its_epochs(session):
    first = run(session, experiment())
    network, epochs = session.network, session.epochs_trained
    second = session.make_trainer(experiment())
    assert session.network is network and second.network is network and epochs == 1
    assert second.epoch == second.completed_epochs == 1
    wider = session.make_trainer(Experiment(dataset="xor", hidden=[6], train=TrainConfig(epochs=1)))
    assert session.network is not network and session.network.sizes == [2, 6, 2] and wider.epoch == 0
    assert wider.optimizer is not first.optimizer


def test_a_refused_start_changes_nothing(session):
    """Augmenting points is refused (it used to be skipped without a word), before a new network is
    built for the wider layers: the open network, its split and its optimizer stay as they were."""
    first = run(session, experiment())
    network, weights, splits, made_with = session.network, session.network.params.copy(), session.splits, \
        session.experiment
    events = Events(session)
    wider = Experiment(dataset="xor", hidden=[6], augment=True, split=(0.5, 0.25, 0.25),
                       train=TrainConfig(epochs=1, seed=4))
    with pytest.raises(ValueError, match="augmentation shifts images by up to ±2 px, but 'xor' holds points"):
        session.make_trainer(wider)
    assert events.seen == []
    assert session.network is network and np.array_equal(network.params, weights)
    assert session.splits is splits and session.experiment is made_with and session.epochs_trained == 1
    again = session.make_trainer(experiment())
    assert same_state(again.state(), first.state()) and again.epoch == 1


def test_a_kept_network_starts_its_count_again_on_the_new_dataset(session):
    run(session, experiment())
    network, weights = session.network, session.network.params.copy()
    session.use_dataset(session.prepare_dataset("circles"))
    events = Events(session)
    session.keep_network()
    assert session.network is network and np.array_equal(network.params, weights)
    assert session.epochs_trained == 0
    assert events.seen == [("network_changed", network)]


def test_a_classifier_is_refused_for_numbers_to_predict_and_nothing_changes(session):
    session.load_dataset("curve")
    session.new_network(Experiment(dataset="curve", hidden=[3], loss="mse", train=TrainConfig(epochs=1)))
    network = session.network
    events = Events(session)
    with pytest.raises(ValueError, match="curve's targets are numbers to predict"):
        session.new_network(Experiment(dataset="curve", hidden=[3], loss="cross_entropy"))
    classifier = Network(1, [LayerSpec(3, "tanh"), LayerSpec(1, "sigmoid")])
    with pytest.raises(ValueError, match="curve's targets are numbers to predict"):
        session.set_network(classifier, "binary_cross_entropy")
    assert session.network is network and session.loss == "mse" and events.seen == []


def test_the_loss_reaching_the_trainer_is_the_experiments(session):
    session.load_dataset("curve")
    trainer = session.make_trainer(Experiment(dataset="curve", hidden=[3], loss="mse",
                                              train=TrainConfig(epochs=1)))
    assert trainer.config.loss == "mse" and trainer.regression and session.loss == "mse"


def test_a_cnn_fits_only_images_of_the_height_and_width_its_convolutions_read(session):
    """784 flat features are not a 28×28 image: the convolutions would slide over a made-up picture."""
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, 40)
    classes = [str(digit) for digit in range(10)]
    session.load_dataset(Dataset("images", rng.random((40, 784), np.float32), labels, classes, (28, 28)))
    session.new_network(Experiment(dataset="images", hidden=["conv4x3", "maxpool2", 8], train=TrainConfig(epochs=1)))
    assert session.network_misfit(Dataset("more images", rng.random((40, 784), np.float32), labels, classes,
                                          (28, 28))) == ""
    flat = Dataset("flat", rng.random((40, 784), np.float32), labels, classes, (784,))
    assert session.network_misfit(flat) == "flat holds 784 features; the open network reads 28×28 images"
    assert not session.network_fits(flat)
    wide = Dataset("wide", rng.random((40, 784), np.float32), labels, classes, (14, 56))
    assert session.network_misfit(wide) == "wide holds 14×56 images; the open network reads 28×28 images"
    two = Dataset("two", rng.random((40, 784), np.float32), labels % 2, ["a", "b"], (28, 28))
    assert session.network_misfit(two) == "two has 2 classes; the open network has 10 outputs"
