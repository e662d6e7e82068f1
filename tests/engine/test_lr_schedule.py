"""The learning-rate schedule: its rate per epoch written out, refusal of a schedule it does not know, the
rate every batch of a run trains with, and that a run carried on part-way stays on the same curve."""
import math

import numpy as np
import pytest

from nnlab.engine.trainer import BatchProgress, TrainConfig
from nnlab.engine.trainer_schedule import COSINE_FLOOR, scheduled_learning_rate

from .test_trainer_state import assert_same_run, new_trainer, records_until

TOTAL = 4


def test_cosine_falls_from_the_rate_to_its_floor_over_the_run():
    """5 epochs from 2e-3: the rate each epoch's first batch trains with, worked out by hand with
    cos(0.2π) = 0.809017 and cos(0.4π) = 0.309017, floor 1e-4."""
    assert COSINE_FLOOR == 0.05
    rates = [scheduled_learning_rate("cosine", 2e-3, epoch / 5) for epoch in range(5)]
    assert rates == pytest.approx([2.0e-3, 1.818566e-3, 1.343566e-3, 7.564339e-4, 2.814339e-4], rel=1e-6)
    assert scheduled_learning_rate("cosine", 2e-3, 1.0) == pytest.approx(1e-4)
    assert scheduled_learning_rate("cosine", 2e-3, 1.7) == pytest.approx(1e-4)  # past the end: the last rate


def test_constant_keeps_the_rate():
    assert [scheduled_learning_rate("constant", 2e-3, p) for p in (0.0, 0.5, 1.0)] == [2e-3] * 3


@pytest.mark.parametrize("bad", ["cos", "Cosine", "", None, 1])
def test_a_schedule_it_does_not_know_is_refused_in_one_sentence(bad):
    with pytest.raises(ValueError, match=r"^the learning-rate schedule must be one of constant, cosine, not "):
        TrainConfig(lr_schedule=bad).validate()


def rates_of_a_run(trainer) -> list[float]:
    """The rate each batch trained with: the optimizer's, read after every batch."""
    return [trainer.optimizer.learning_rate for record in trainer.run() if isinstance(record, BatchProgress)]


def test_each_batch_of_a_cosine_run_trains_at_its_point_on_the_curve():
    trainer = new_trainer("adam", np.float32, TOTAL)
    trainer.config.lr_schedule = "cosine"
    rates = rates_of_a_run(trainer)
    n = trainer.n_batches
    assert len(rates) == TOTAL * n
    along = [b / (TOTAL * n) for b in range(TOTAL * n)]  # batch b trains at this share of the run
    assert rates == [pytest.approx(0.01 * (COSINE_FLOOR + (1 - COSINE_FLOOR) * 0.5 * (1 + math.cos(math.pi * p))))
                     for p in along]
    # A second run on the same trainer begins a schedule of its own, from the configured rate again.
    again = rates_of_a_run(trainer)
    assert again[0] == 0.01 and again == rates


def test_without_a_schedule_the_rate_is_the_configured_one():
    trainer = new_trainer("adam", np.float32, 2)
    assert set(rates_of_a_run(trainer)) == {0.01}


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
@pytest.mark.parametrize("completed, batches", [(2, 0), (1, 3), (3, 6)],
                         ids=["between-epochs", "mid-epoch", "in-the-last-epoch"])
def test_a_run_restored_part_way_carries_on_along_the_same_curve_bit_for_bit(optimizer, completed, batches):
    straight = new_trainer(optimizer, np.float32, TOTAL, lr_schedule="cosine")
    straight_records = list(straight.run())
    first = new_trainer(optimizer, np.float32, TOTAL, lr_schedule="cosine")
    records = records_until(first, completed, batches)
    state = first.state()
    assert (state.schedule_start, state.schedule_epochs) == (0, TOTAL)
    # The carried-on run is asked for the epochs left, as the window and `nnlab train --resume` ask.
    second = new_trainer(optimizer, np.float32, TOTAL - completed, params=first.network.params.copy(),
                         lr_schedule="cosine")
    second.restore(state)
    records += list(second.run())
    assert_same_run(straight, straight_records, second, records)


def test_across_the_end_of_one_schedule_and_the_start_of_the_next_bit_for_bit():
    """Two runs of 2 epochs on one trainer are two schedules; a trainer restored between them begins the second."""
    straight = new_trainer("adam", np.float32, 2, lr_schedule="cosine")
    straight_records = list(straight.run()) + list(straight.run())
    first = new_trainer("adam", np.float32, 2, lr_schedule="cosine")
    records = list(first.run())
    second = new_trainer("adam", np.float32, 2, params=first.network.params.copy(), lr_schedule="cosine")
    second.restore(first.state())
    records += list(second.run())
    assert second.state().schedule_start == 2
    assert_same_run(straight, straight_records, second, records)


def test_without_the_schedule_in_the_state_a_restored_run_leaves_the_curve():
    """The rule above is not trivially true: a state without its schedule begins a new one over the epochs left."""
    straight = new_trainer("adam", np.float32, TOTAL, lr_schedule="cosine")
    list(straight.run())
    first = new_trainer("adam", np.float32, TOTAL, lr_schedule="cosine")
    records_until(first, 2, 0)
    state = first.state()
    forgotten = type(state).from_arrays({k: v for k, v in state.to_arrays().items()
                                         if k not in ("schedule_start", "schedule_epochs")})
    assert (forgotten.schedule_start, forgotten.schedule_epochs) == (0, 0)  # as a state saved before schedules
    second = new_trainer("adam", np.float32, 2, params=first.network.params.copy(), lr_schedule="cosine")
    second.restore(forgotten)
    list(second.run())
    assert not np.array_equal(straight.network.params, second.network.params)
