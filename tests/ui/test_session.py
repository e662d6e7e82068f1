"""The lab session: Start after Stop carries on with the optimizer as it carries on with the weights."""
import gc
import weakref

import numpy as np
import pytest

from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment
from nnlab.engine import TrainConfig
from nnlab.ui.session import LabSession


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


def test_start_after_stop_carries_on_with_the_optimizer(session):
    first = run(session, experiment())
    second = session.make_trainer(experiment())
    assert second.optimizer is first.optimizer and second.optimizer.steps > 0


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
