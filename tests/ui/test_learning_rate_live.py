"""A learning-rate change from the window goes through the optimizer's one rule: a bad rate is refused in
one sentence and the run keeps the rate it had."""
import re

import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.trainer import TrainConfig, Trainer
from nnlab.lab import RunSettings
from nnlab.ui.training.controller import TrainingController

BAD = [float("nan"), 0, -1, float("inf")]


def refused(value) -> str:
    return "^" + re.escape(f"the learning rate must be a number above 0, not {float(value)!r}") + "$"


@pytest.fixture
def controller(qtbot):
    made = TrainingController(RunSettings())
    yield made
    made.stop()


def paused_run(controller) -> Trainer:
    x = np.random.default_rng(0).normal(size=(40, 2)).astype(np.float32)
    network = Network(2, [LayerSpec(4, "tanh"), LayerSpec(2, "softmax")], seed=0)
    trainer = Trainer(network, x, (x[:, 0] > 0).astype(int), TrainConfig(learning_rate=0.01, epochs=50))
    controller.start(trainer, paused=True)
    return trainer


@pytest.mark.parametrize("bad", BAD)
def test_a_live_change_refuses_a_bad_rate_and_keeps_the_old_one(controller, bad):
    trainer = paused_run(controller)
    with pytest.raises(ValueError, match=refused(bad)):
        controller.set_learning_rate(bad)
    assert trainer.optimizer.learning_rate == 0.01
    controller.set_learning_rate(0.25)
    assert trainer.optimizer.learning_rate == 0.25


@pytest.mark.parametrize("bad", BAD)
def test_with_no_run_a_bad_rate_is_still_refused(controller, bad):
    """With no run it was dropped without a word."""
    with pytest.raises(ValueError, match=refused(bad)):
        controller.set_learning_rate(bad)
    controller.set_learning_rate(0.5)  # a good one is simply for the next run
