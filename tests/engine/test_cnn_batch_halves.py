"""A CNN's training step in two halves of the batch (conv_batch_step.py): the same gradients as one pass over
the whole batch, the same bits whether the halves ran side by side or one after the other, and the ReLU of a
convolution applied after its max-pooling."""
import threading

import numpy as np
import pytest

import nnlab.engine.conv_batch_step as conv_batch_step
from nnlab.engine import side_by_side
from nnlab.engine.blas_threads import BlasThreads
from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.trainer import TrainConfig, Trainer

from .band_images import SIDE, as_flat_gradients, images


def relu_cnn(dtype=np.float64, dropout=0.0, seed=1) -> Network:
    """conv 3×3 ReLU → max-pool → conv 3×3 ReLU → max-pool → dense → softmax, on 8×8 images."""
    layers = [ConvSpec(3, 3, activation="relu"), PoolSpec(2), ConvSpec(4, 3, activation="relu"), PoolSpec(2),
              LayerSpec(5, "tanh", dropout=dropout), LayerSpec(3, "softmax")]
    return Network((SIDE, SIDE), layers, dtype=dtype, seed=seed)


def one_step_gradients(net: Network, x, labels, batch: int) -> np.ndarray:
    trainer = Trainer(net, x, labels, TrainConfig(optimizer="sgd", learning_rate=0.1, batch_size=batch, epochs=1,
                                                  seed=0, l2=0.01))
    trainer._step(np.arange(batch))
    return net.grads.copy()


def whole_batch_gradients(net: Network, x, labels) -> np.ndarray:
    return as_flat_gradients(net, net.gradients(x, np.eye(3)[labels], "cross_entropy", l2=0.01))


def test_a_batch_is_cut_in_halves_by_its_size_alone():
    assert conv_batch_step.batch_parts(64) == [(0, 32), (32, 64)]
    assert conv_batch_step.batch_parts(13) == [(0, 6), (6, 13)]
    assert conv_batch_step.batch_parts(2 * conv_batch_step.MIN_PART - 1) == [(0, 7)]
    assert conv_batch_step.batch_parts(1) == [(0, 1)]


@pytest.mark.parametrize("batch", [13, 16, 5])
def test_the_halves_together_give_the_whole_batchs_gradient(batch):
    """Uneven halves (6 + 7) too: each half's δ carries its share of the batch's mean."""
    net = relu_cnn()
    x, labels = images(batch, 3)
    np.testing.assert_allclose(one_step_gradients(net.copy(), x, labels, batch), whole_batch_gradients(net, x, labels),
                               rtol=1e-11, atol=1e-14)


def test_relu_after_max_pooling_routes_ties_as_relu_before_it():
    """On a blank image a convolution's z is its bias at every pixel: whole windows tie. A positive bias sends
    each δ to the window's first pixel; a negative one leaves every gradient of that layer 0 — as ReLU, then
    pooling, does."""
    net = relu_cnn()
    x, labels = images(10, 4)
    x[:5] = 0.0
    net.biases[0][...] = [0.2, -0.3, 0.0]
    assert conv_batch_step.relu_after_pool(net) == [False, True, False, True, False, False, False]
    np.testing.assert_allclose(one_step_gradients(net.copy(), x, labels, 10), whole_batch_gradients(net, x, labels),
                               rtol=1e-11, atol=1e-14)


def test_relu_moves_after_the_pooling_only_where_the_numbers_stay_the_same():
    tanh_then_pool = Network((SIDE, SIDE), [ConvSpec(2, 3, activation="tanh"), PoolSpec(2), LayerSpec(2, "softmax")])
    relu_then_average = Network((SIDE, SIDE), [ConvSpec(2, 3), PoolSpec(2, "avgpool2d"), LayerSpec(2, "softmax")])
    pool_first = Network((SIDE, SIDE), [PoolSpec(2), ConvSpec(2, 3), PoolSpec(2), LayerSpec(2, "softmax")])
    assert not any(conv_batch_step.relu_after_pool(tanh_then_pool))
    assert not any(conv_batch_step.relu_after_pool(relu_then_average))
    assert conv_batch_step.relu_after_pool(pool_first) == [False, False, True, False, False]


def train(monkeypatch, cores: int, dtype=np.float32, ways=None) -> tuple[np.ndarray, list[float], int]:
    """A few epochs with dropout; (weights, batch losses, how many batches ran their halves side by side).
    ``ways``: what the side-by-side choice says, batch by batch (default: always side by side)."""
    monkeypatch.setattr(conv_batch_step, "cores_available", lambda: cores)
    ways = iter(ways or [True] * 100)
    monkeypatch.setattr(side_by_side.SideBySideChoice, "choose", lambda self: next(ways))
    side_by_side_runs = []
    real = conv_batch_step.run_side_by_side

    def counted(first, second):
        side_by_side_runs.append(threading.get_ident())
        real(first, second)

    monkeypatch.setattr(conv_batch_step, "run_side_by_side", counted)
    x, labels = images(90, 5)
    net = relu_cnn(dtype, dropout=0.2)
    trainer = Trainer(net, x, labels, TrainConfig(batch_size=16, epochs=3, learning_rate=0.01, seed=3))
    losses = [record.loss for record in trainer.run() if hasattr(record, "batch")]
    return net.params.copy(), losses, len(side_by_side_runs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_halves_side_by_side_give_the_bits_of_halves_one_after_the_other(monkeypatch, dtype):
    alone, alone_losses, alone_runs = train(monkeypatch, 1, dtype)
    together, together_losses, together_runs = train(monkeypatch, 2, dtype)
    assert alone_runs == 0 and together_runs == 3 * 6  # every batch of 16 and the last one of 10
    assert np.array_equal(alone.view(np.uint8), together.view(np.uint8))
    assert alone_losses == together_losses
    mixed, mixed_losses, mixed_runs = train(monkeypatch, 2, dtype, ways=[True, False, False] * 30)
    assert mixed_runs == 6
    assert np.array_equal(mixed.view(np.uint8), together.view(np.uint8)) and mixed_losses == together_losses


def choices(choice, count: int, side_by_side: float, in_turn: float, first_after_a_change: float | None = None):
    """``count`` times choose a way and record its time; the ways chosen."""
    ways = []
    for _ in range(count):
        way = choice.choose()
        changed = choice._ways[0] is not None and choice._ways[0] != way
        choice.record(way, first_after_a_change if changed and first_after_a_change else
                      (side_by_side if way else in_turn))
        ways.append(way)
    return ways


def test_the_choice_takes_the_faster_way_and_now_and_then_tries_the_other():
    choice = side_by_side.SideBySideChoice()
    assert choices(choice, 1, 9.0, 9.0) == [True]  # the first: buffers allocated, not counted
    assert choices(choice, 3, 0.006, 0.010) == [True, False, False]
    ways = choices(choice, 4 * choice.TRY_EVERY, 0.006, 0.010)
    assert ways.count(False) == 4 * choice.TRY_FOR  # a try of three batches every 32
    ways = choices(choice, 4 * choice.TRY_EVERY, 0.016, 0.010)  # the machine got busy: side by side is slower
    assert ways[-2 * choice.TRY_EVERY:].count(True) == 2 * choice.TRY_FOR


def test_a_time_after_a_change_of_way_is_not_counted():
    """The first batch after a change of way starts cold (a helper thread woken after a rest): counted, it
    would make one after the other look slow here, where kept it is the faster way."""
    choice = side_by_side.SideBySideChoice()
    ways = choices(choice, 5, 0.010, 0.006, first_after_a_change=0.050)
    assert ways == [True, True, False, False, False]
    ways = choices(choice, 2 * choice.TRY_EVERY, 0.010, 0.006, first_after_a_change=0.050)
    assert ways.count(True) == 2 * choice.TRY_FOR


class _CountingLibrary:
    def __init__(self):
        self.calls = []

    def set_num_threads(self, n):
        self.calls.append(n)


def test_a_window_trainer_keeps_its_blas_threads_and_runs_the_halves_one_after_the_other(monkeypatch):
    """The window's trainer must never call OpenBLAS's (not thread-safe) setter; with a BLAS pool of two threads
    two halves side by side would fight over it, so they take turns."""
    monkeypatch.setattr(conv_batch_step, "cores_available", lambda: 2)
    ran = []
    monkeypatch.setattr(conv_batch_step, "run_side_by_side", lambda first, second: ran.append(1))
    x, labels = images(32, 6)
    trainer = Trainer(relu_cnn(np.float32), x, labels, TrainConfig(batch_size=16, epochs=1))
    trainer._threads = BlasThreads(fixed=2)
    trainer._threads.original = trainer._threads.current = 2  # a process whose BLAS pool has two threads
    trainer._threads._library = library = _CountingLibrary()
    list(trainer.run())
    assert library.calls == [] and ran == []


def test_blas_threads_single_switches_to_one_unless_fixed():
    threads = BlasThreads()
    threads.original = threads.current = 2
    threads._library = library = _CountingLibrary()
    assert threads.single() and library.calls == [1]
    fixed = BlasThreads(fixed=2)
    fixed.current = 2
    fixed._library = _CountingLibrary()
    assert not fixed.single() and fixed._library.calls == []


def test_the_helper_runs_under_the_callers_floating_point_settings():
    seen = {}
    with np.errstate(over="ignore", invalid="raise"):
        side_by_side.run_side_by_side(lambda: seen.update(helper=np.geterr()), lambda: None)
    assert seen["helper"]["over"] == "ignore" and seen["helper"]["invalid"] == "raise"


def test_the_helpers_exception_reaches_the_caller_and_the_helper_can_call_itself():
    def fails():
        raise ValueError("the helper's own error")

    with pytest.raises(ValueError, match="the helper's own error"):
        side_by_side.run_side_by_side(fails, lambda: None)
    order = []

    def nested():
        side_by_side.run_side_by_side(lambda: order.append("inner first"), lambda: order.append("inner second"))

    side_by_side.run_side_by_side(nested, lambda: None)  # on the helper: both run there, no deadlock
    assert order == ["inner first", "inner second"]
