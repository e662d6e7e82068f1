"""An Experiment keeps its loss in one place, ``train.loss``, and never writes the TrainConfig it is given."""
from dataclasses import asdict, replace

import pytest

from nnlab.data.experiment import Experiment
from nnlab.lab.recipe import prepare
from nnlab.engine.trainer import TrainConfig


def test_making_an_experiment_leaves_the_train_config_passed_in_untouched():
    shared = TrainConfig(optimizer="sgd", learning_rate=0.05, epochs=2)
    before = asdict(shared)
    regression = Experiment(dataset="curve", loss="mse", hidden=[4], train=shared)
    classifier = Experiment(dataset="xor", loss="binary_cross_entropy", hidden=[4], train=shared)
    assert asdict(shared) == before and shared.loss == "cross_entropy"
    assert regression.train_config().loss == "mse" and classifier.train_config().loss == "binary_cross_entropy"
    assert regression.train_config() is not shared
    assert asdict(regression.train_config()) == {**before, "loss": "mse"}


def test_the_loss_is_kept_once():
    """``experiment.train.loss`` used to stay "cross_entropy" for an mse experiment: two places, one stale."""
    shared = TrainConfig(epochs=2)
    regression = Experiment(dataset="curve", loss="mse", hidden=[4], train=shared)
    assert regression.loss == regression.train.loss == "mse" and shared.loss == "cross_entropy"
    regression.loss = "binary_cross_entropy"
    assert regression.train.loss == regression.train_config().loss == "binary_cross_entropy"
    assert shared.loss == "cross_entropy"
    assert Experiment(train=TrainConfig(loss="mse")).loss == "mse"  # no loss given: the config's stands
    assert replace(regression, hidden=[8]).loss == "binary_cross_entropy"
    assert replace(regression, loss="mse").train.loss == "mse"
    assert "loss" not in regression.describe()["train"]  # a weight file keeps the loss beside the network


def test_the_trainer_trains_with_the_experiments_loss():
    shared = TrainConfig(epochs=1, batch_size=16)
    prepared = prepare(Experiment(dataset="curve", loss="mse", hidden=[4], train=shared))
    assert prepared.trainer.config.loss == "mse" and prepared.trainer.regression
    assert shared.loss == "cross_entropy"


def test_a_bad_setting_still_fails_before_any_data_is_loaded():
    with pytest.raises(ValueError, match="batch size"):
        Experiment(dataset="no-such-set", train=TrainConfig(batch_size=0))
