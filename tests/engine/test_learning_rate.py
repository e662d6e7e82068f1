"""One rule for a learning rate, in ``Optimizer.learning_rate``'s setter, on every path that sets one."""
import re

import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.optimizer_steps import apply_one_step
from nnlab.engine.optimizers import OPTIMIZERS, SGD, make_optimizer
from nnlab.engine.trainer import TrainConfig, Trainer

BAD = [float("nan"), 0, -1, float("inf")]


def refused(value) -> str:
    """The whole message, as a pattern: "… not nan", "… not 0.0", "… not -1.0", "… not inf"."""
    return "^" + re.escape(f"the learning rate must be a number above 0, not {float(value)!r}") + "$"


def small_problem():
    x = np.random.default_rng(0).normal(size=(12, 2)).astype(np.float32)
    return Network(2, [LayerSpec(3, "tanh"), LayerSpec(2, "softmax")], seed=0), x, np.arange(12) % 2


@pytest.mark.parametrize("bad", BAD)
def test_the_setter_refuses_in_one_sentence_and_keeps_the_old_rate(bad):
    optimizer = SGD(0.1)
    with pytest.raises(ValueError, match=refused(bad)):
        optimizer.learning_rate = bad
    assert optimizer.learning_rate == 0.1


@pytest.mark.parametrize("huge", [10**400, -10**400, 10**5000], ids=["1e400", "-1e400", "1e5000"])
def test_a_whole_number_past_floats_range_is_refused_in_the_same_way(huge):
    optimizer = SGD(0.1)
    with pytest.raises(ValueError, match=r"^the learning rate must be a number above 0, not a whole number past "
                                         r"1\.8e308$"):
        optimizer.learning_rate = huge
    assert optimizer.learning_rate == 0.1


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
@pytest.mark.parametrize("bad", BAD)
def test_every_optimizer_refuses_a_bad_rate_when_made(name, bad):
    with pytest.raises(ValueError, match=refused(bad)):
        make_optimizer(name, bad)


@pytest.mark.parametrize("good", [np.float32(0.01), np.float64(0.5), 1, 2.5])
def test_any_real_number_above_0_is_a_learning_rate(good):
    """A float32 from a NumPy array is a number too (it was refused as "not a positive number")."""
    optimizer = SGD(good)
    assert optimizer.learning_rate == float(good) and type(optimizer.learning_rate) is float


def test_words_and_flags_are_not_numbers():
    for value in ("0.1", None, True):
        with pytest.raises(ValueError, match=f"^the learning rate must be a number above 0, not {value!r}$"):
            SGD(value)


@pytest.mark.parametrize("bad", BAD)
def test_a_trainer_refuses_a_bad_rate_also_for_an_optimizer_it_carries_on(bad):
    """A carried-on optimizer (Adam's moments kept across Start) took the config's rate unchecked: NaN trained."""
    net, x, y = small_problem()
    with pytest.raises(ValueError, match=refused(bad)):
        Trainer(net, x, y, TrainConfig(learning_rate=bad, epochs=1))
    carried = make_optimizer("adam", 0.01)
    with pytest.raises(ValueError, match=refused(bad)):
        Trainer(net, x, y, TrainConfig(learning_rate=bad, epochs=1), optimizer=carried)
    assert carried.learning_rate == 0.01


@pytest.mark.parametrize("bad", BAD)
def test_one_debugger_step_refuses_a_bad_rate(bad):
    net, x, y = small_problem()
    gradients = net.gradients(x[:1], [[1.0, 0.0]], "cross_entropy")
    with pytest.raises(ValueError, match=refused(bad)):
        apply_one_step(net, gradients.weights, gradients.biases, "sgd", bad)


def test_a_rate_changed_mid_run_is_the_one_the_next_step_uses():
    """SGD's next step is exactly −η·g with the new η (a NumPy float32 is a rate too)."""
    net, x, y = small_problem()
    trainer = Trainer(net, x, y, TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=12, epochs=3))
    run = trainer.run()
    next(run)
    trainer.optimizer.learning_rate = np.float32(0.25)
    before = net.params.copy()
    gradients = net.gradients(x, np.eye(2)[y], "cross_entropy")
    next(run)  # the epoch's record
    next(run)  # the next batch, stepped with the new rate
    expected = before - 0.25 * np.concatenate([np.concatenate([w.T.ravel(), b]) for w, b in
                                               zip(gradients.weights, gradients.biases)])
    np.testing.assert_allclose(net.params, expected, rtol=1e-5, atol=1e-7)
