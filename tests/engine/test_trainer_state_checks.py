"""A trainer state read from a file may hold anything: every malformed field is refused with a ValueError that
names it, and a state that cannot belong to a run is refused by ``Trainer.restore``, which then changes nothing."""
import numpy as np
import pytest

from nnlab.engine.trainer_state import TrainerState

from .test_trainer_state import new_trainer, records_until, same_bits


@pytest.fixture(scope="module")
def arrays() -> dict:
    """An Adam run's state after epoch 1 and 3 batches of epoch 2, as named arrays."""
    trainer = new_trainer("adam", np.float32, 4)
    records_until(trainer, 1, 3)
    return trainer.state().to_arrays()


def changed(arrays: dict, name: str, value) -> dict:
    bad = {key: array.copy() for key, array in arrays.items()}
    if value is None:
        del bad[name]
    else:
        bad[name] = value
    return bad


def duplicated(order: np.ndarray) -> np.ndarray:
    bad = order.copy()
    bad[1] = bad[0]
    return bad


MALFORMED = [
    ("completed_epochs", None, "has no field 'completed_epochs'"),
    ("surprise", np.array(1), "'surprise', which is no field"),
    ("batches_done", np.array(2.5), "'batches_done' must be one whole number"),
    ("batches_done", np.array([3]), "'batches_done' must be one whole number"),
    ("batches_done", np.array(99), "'batches_done' must be a whole number from 0 to 7"),
    ("batches_done", 3, "'batches_done' is not an array"),
    ("samples_seen", np.array(5), "'samples_seen' (5) does not match 3 batches of 16"),
    ("completed_epochs", np.array(-1), "'completed_epochs' must be a whole number at least 0"),
    ("rng_state", np.array("12x"), "'rng_state' must be a whole number below 2**128"),
    ("rng_state", np.array(str(2 ** 128)), "'rng_state' must be a whole number below 2**128"),
    ("rng_state", np.array(12), "'rng_state' must be one piece of text"),
    ("rng_increment", np.array("12"), "'rng_increment' must be odd"),
    ("rng_has_uint32", np.array(2), "'rng_has_uint32' must be a whole number from 0 to 1"),
    ("order", "duplicated", "'order' must hold each sample index 0 to 99 once"),
    ("order", np.arange(100).reshape(10, 10), "'order' must be one row of whole numbers"),
    ("order", np.arange(100.0), "'order' must be one row of whole numbers"),
    ("order", np.array([object()] * 100), "'order' must be one row of whole numbers"),
    ("best_epoch", np.array(9), "'best_epoch' (9) is past the completed epochs (1)"),
    ("best_val_loss", np.array(np.nan), "'best_val_loss' must be a finite number of 0 or more"),
    ("best_params", np.zeros(3, np.float32), "'best_params' (3 float32 numbers) and 'epoch_params' (575 float32)"),
    ("epoch_params", np.zeros(3, np.float32), "and 'epoch_params' (3 float32) must be of one length"),
    ("epoch_params", np.zeros((3, 3), np.float32), "'epoch_params' must be one row of float32 or float64"),
    ("loss_sum", np.array(-1.0), "'loss_sum' must be a number of 0 or more"),
    ("loss_sum", np.array(np.nan), "'loss_sum' must be a number of 0 or more"),
    ("epoch_seconds", np.array(np.inf), "'epoch_seconds' must be a finite number"),
    ("early_stopping_wait", np.array(5), "'early_stopping_wait' (5) counts more epochs than were completed"),
    ("exploded_above", np.array(-1.0), "'exploded_above' must be a number above 0"),
    ("batch_size", np.array(0), "'batch_size' must be a whole number at least 1"),
    ("schedule_epochs", np.array(-1), "'schedule_epochs' must be a whole number at least 0"),
    ("schedule_start", np.array(1), "has no learning-rate schedule ('schedule_epochs' 0), so 'schedule_start' "
                                    "must be 0, not 1"),
    ("optimizer.name", np.array("rmsprop"), "'name' must be one of sgd, momentum, adam, not 'rmsprop'"),
    ("optimizer.name", None, "optimizer state has no field 'name'"),
    ("optimizer.steps", np.array(-1), "'steps' must be a whole number at least 0"),
    ("optimizer.learning_rate", np.array(0.0), "'learning_rate': the learning rate must be a number above 0"),
    ("optimizer.beta1", np.array(np.inf), "'beta1' must be a finite number"),
    ("optimizer.scaled_v", np.full(1, -1.0, np.float32), "'scaled_v'"),
    ("optimizer.scaled_m", None, "must hold the arrays ['scaled_m', 'scaled_v']"),
    ("optimizer.velocity", np.zeros(1, np.float32), "'velocity', which is no field"),
]


@pytest.mark.parametrize("name, value, words", MALFORMED, ids=[f"{n}-{w[:20]}" for n, _, w in MALFORMED])
def test_a_malformed_field_is_refused_by_name(arrays, name, value, words):
    if isinstance(value, str) and value == "duplicated":
        value = duplicated(arrays[name])
    if name == "optimizer.scaled_v" and value is not None:
        value = np.full_like(arrays[name], -1.0)
    with pytest.raises(ValueError) as caught:
        TrainerState.from_arrays(changed(arrays, name, value))
    assert words in str(caught.value)


def test_a_schedule_that_began_after_the_epochs_completed_is_refused(arrays):
    bad = {**arrays, "schedule_start": np.array(3), "schedule_epochs": np.array(4)}
    with pytest.raises(ValueError, match=r"'schedule_start' \(3\) is past the completed epochs \(1\)"):
        TrainerState.from_arrays(bad)


def test_a_state_saved_before_schedules_existed_has_none_running(arrays):
    older = {name: value for name, value in arrays.items() if not name.startswith("schedule_")}
    state = TrainerState.from_arrays(older)
    assert (state.schedule_start, state.schedule_epochs) == (0, 0)


def test_fields_not_named_by_text_are_refused(arrays):
    with pytest.raises(ValueError, match="fields must be named by text"):
        TrainerState.from_arrays({**arrays, 3: np.array(1)})


def test_the_unchanged_arrays_are_accepted(arrays):
    state = TrainerState.from_arrays(arrays)
    assert state.mid_epoch and state.batches_done == 3 and state.optimizer.name == "adam"


# -- a state that cannot belong to the run ------------------------------------------------------------
def adam_state_mid_epoch():
    trainer = new_trainer("adam", np.float32, 4)
    records_until(trainer, 1, 3)
    return trainer.state()


REFUSED = [
    (dict(optimizer="sgd"), "this run trains with sgd; the state to carry on from was trained with adam"),
    (dict(dtype=np.float64), "holds 575 float32 weights, and the network has 575 float64 parameters"),
    (dict(batch_size=10), "stopped mid-epoch over 100 samples in batches of 16; this run has 100 samples in "
                          "batches of 10"),
    (dict(n_train=90), "this run has 90 samples in batches of 16"),
    (dict(regression=True), "holds 575 float32 weights, and the network has 72 float32 parameters"),
]


@pytest.mark.parametrize("other, words", REFUSED, ids=[w[:30] for _, w in REFUSED])
def test_a_state_of_another_run_is_refused_and_changes_nothing(other, words):
    state = adam_state_mid_epoch()
    options = {"optimizer": "adam", "dtype": np.float32, **other}
    trainer = new_trainer(options.pop("optimizer"), options.pop("dtype"), 2, **options)
    before = trainer.state().to_arrays()
    with pytest.raises(ValueError) as caught:
        trainer.restore(state)
    assert words in str(caught.value)
    after = trainer.state().to_arrays()
    assert before.keys() == after.keys() and all(same_bits(before[k], after[k]) for k in before)


def test_momentum_of_another_amount_is_another_kind():
    trainer = new_trainer("momentum", np.float32, 2)
    records_until(trainer, 0, 2)
    state = trainer.state()
    other = new_trainer("momentum", np.float32, 2)
    other.config.momentum = 0.5
    with pytest.raises(ValueError, match="trains with momentum 0.5; the state to carry on from was trained with "
                                         "momentum 0.9"):
        other.restore(state)


def test_a_state_between_epochs_carries_on_over_another_batch_size():
    """``between_epochs`` drops the stopped epoch's place: the recipe's way when the batch size changed."""
    state = adam_state_mid_epoch().between_epochs()
    assert not state.mid_epoch and state.completed_epochs == 1
    trainer = new_trainer("adam", np.float32, 1, batch_size=10)
    trainer.restore(state)
    records = list(trainer.run())
    assert records[0].epoch == 2 and records[0].batch == 1 and records[-1].epochs_done == 2
