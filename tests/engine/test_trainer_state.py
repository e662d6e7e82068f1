"""A trainer's whole state carries a run on bit for bit: N epochs straight are k epochs (or k epochs and b
batches), ``state()``, a NEW trainer on a new network and new arrays restored from it, and the rest — every
weight, every optimizer array and every number each record reports — through bytes and another process too.

The runs shuffle, drop out, augment (all three draw from ``trainer.rng``) and add an L2 penalty.
"""
import io
import math
import os
import subprocess
import sys
from dataclasses import fields, is_dataclass
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.augment import AugmentConfig, make_augmenter
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.trainer import BatchProgress, EpochResult, TrainConfig, Trainer, TrainingEnded
from nnlab.engine.trainer_state import TrainerState

SIDE = 6  # 6×6 images, so the augmenter has something to shift
N_TRAIN, N_VAL, BATCH = 100, 30, 16  # 7 batches an epoch, the last one of 4 samples
AUGMENT = make_augmenter((SIDE, SIDE), AugmentConfig(shift_px=1, noise=0.05))
OPTIMIZERS = ["sgd", "momentum", "adam"]
DTYPES = [np.float32, np.float64]
RATES = {"sgd": 0.1, "momentum": 0.05, "adam": 0.01}


def images(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Three classes of 6×6 images, each a bright band in its own rows, with noise."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    pictures = rng.random((n, SIDE, SIDE)) * 0.3
    for i, label in enumerate(labels):
        pictures[i, 2 * label:2 * label + 2, :] += 0.7
    return pictures.reshape(n, -1).astype(np.float32), labels


def points(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A regression set: two real-valued targets of four inputs."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    y = np.stack([x @ [0.5, -1.0, 0.3, 0.0], np.sin(x[:, 0]) + 0.1 * x[:, 3]], axis=1)
    return x, y + rng.normal(0, 0.05, y.shape)


def new_trainer(optimizer: str, dtype, epochs: int, params: np.ndarray | None = None, regression: bool = False,
                patience: int | None = 50, learning_rate: float | None = None, batch_size: int = BATCH,
                n_train: int = N_TRAIN, lr_schedule: str = "constant") -> Trainer:
    """A trainer on a new network (with ``params`` copied in, if given) and new data arrays."""
    if regression:
        layers = [LayerSpec(10, "tanh", dropout=0.1), LayerSpec(2, "linear")]
        network = Network(4, layers, dtype=dtype, seed=3)
        (x, y), (x_val, y_val), augment, loss = points(n_train, 1), points(N_VAL, 2), None, "mse"
    else:
        layers = [LayerSpec(12, "relu", dropout=0.2), LayerSpec(8, "tanh", dropout=0.1), LayerSpec(3, "softmax")]
        network = Network(SIDE * SIDE, layers, dtype=dtype, seed=3)
        (x, y), (x_val, y_val), augment, loss = images(n_train, 1), images(N_VAL, 2), AUGMENT, "cross_entropy"
    if params is not None:
        network.params[...] = params
    config = TrainConfig(loss=loss, optimizer=optimizer, learning_rate=learning_rate or RATES[optimizer],
                         batch_size=batch_size,
                         epochs=epochs, seed=7, l2=1e-3, early_stopping_patience=patience, blas_threads=1,
                         lr_schedule=lr_schedule)
    return Trainer(network, x, y, config, x_val, y_val, augment=augment)


def numbers(record) -> list:
    """Every number a record reports, as exact text (NaN included), but the seconds it took."""
    if is_dataclass(record):
        return [(item.name, numbers(getattr(record, item.name))) for item in fields(record)
                if item.name != "seconds"]
    if isinstance(record, np.ndarray):
        return [record.dtype.str, record.shape, record.tobytes()]
    return repr(record)


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def records_until(trainer: Trainer, epochs: int, batches: int) -> list:
    """Run until ``epochs`` whole epochs and then ``batches`` batches are done, and leave the generator there
    (a paused run, closed as the window's Stop closes it)."""
    records, generator = [], trainer.run()
    for record in generator:
        records.append(record)
        done = (isinstance(record, EpochResult) and record.epoch == epochs and batches == 0) or \
            (isinstance(record, BatchProgress) and record.epoch == epochs + 1 and record.batch == batches)
        if done:
            break
    generator.close()
    return records


def assert_same_run(straight: Trainer, straight_records: list, carried: Trainer, carried_records: list) -> None:
    assert same_bits(straight.network.params, carried.network.params)
    ours, theirs = straight.optimizer.state(), carried.optimizer.state()
    assert ours.scalars == theirs.scalars and ours.arrays.keys() == theirs.arrays.keys()
    assert all(same_bits(ours.arrays[name], theirs.arrays[name]) for name in ours.arrays)
    assert len(straight_records) == len(carried_records)
    for mine, other in zip(straight_records, carried_records):
        assert numbers(mine) == numbers(other)


TOTAL = 4


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
@pytest.mark.parametrize("completed, batches", [(2, 0), (1, 3)], ids=["between-epochs", "mid-epoch"])
def test_a_new_trainer_restored_from_the_state_carries_on_bit_for_bit(optimizer, dtype, completed, batches):
    straight = new_trainer(optimizer, dtype, TOTAL)
    straight_records = list(straight.run())
    first = new_trainer(optimizer, dtype, TOTAL)
    records = records_until(first, completed, batches)
    state = first.state()
    assert state.completed_epochs == completed and state.mid_epoch == (batches > 0)
    assert state.batches_done == batches
    # A run restored mid-epoch counts finishing that epoch as the first of its epochs.
    second = new_trainer(optimizer, dtype, TOTAL - completed, params=first.network.params.copy())
    second.restore(state)
    records += list(second.run())
    assert records[-1] == TrainingEnded("finished", f"trained {TOTAL} epochs", TOTAL, straight.best_epoch)
    assert_same_run(straight, straight_records, second, records)


def test_without_the_state_a_new_trainer_does_not_carry_on():
    """The rule above is not trivially true: a new trainer draws its shuffles and dropout from the seed again."""
    straight = new_trainer("adam", np.float32, TOTAL)
    list(straight.run())
    first = new_trainer("adam", np.float32, TOTAL)
    records_until(first, 2, 0)
    second = new_trainer("adam", np.float32, 2, params=first.network.params.copy())
    second.optimizer.restore(first.optimizer.state())
    second.epoch = second.completed_epochs = 2
    list(second.run())
    assert not np.array_equal(straight.network.params, second.network.params)


def test_a_stop_mid_epoch_carries_on_from_the_next_batch():
    """Stop (the flag checked between batches) ends the run mid-epoch; the state finishes that epoch."""
    straight = new_trainer("momentum", np.float32, 3)
    straight_records = list(straight.run())
    first = new_trainer("momentum", np.float32, 3)
    batches = []

    def stop_after_ten():
        return len(batches) >= 10

    records = []
    for record in first.run(stop_after_ten):
        if isinstance(record, TrainingEnded):
            assert record.reason == "stopped" and record.epochs_done == 1
            break
        records.append(record)
        batches += [record] if isinstance(record, BatchProgress) else []
    state = first.state()
    assert (state.completed_epochs, state.batches_done, state.samples_seen) == (1, 3, 3 * BATCH)
    second = new_trainer("momentum", np.float32, 2, params=first.network.params.copy())
    second.restore(state)
    records += list(second.run())
    assert_same_run(straight, straight_records, second, records)


@pytest.mark.parametrize("dtype", DTYPES, ids=["float32", "float64"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_a_regression_run_carries_on_bit_for_bit(optimizer, dtype):
    straight = new_trainer(optimizer, dtype, TOTAL, regression=True)
    straight_records = list(straight.run())
    assert straight.regression and math.isnan(straight_records[0].accuracy)
    first = new_trainer(optimizer, dtype, TOTAL, regression=True)
    records = records_until(first, 1, 5)
    second = new_trainer(optimizer, dtype, 3, params=first.network.params.copy(), regression=True)
    second.restore(first.state())
    records += list(second.run())
    assert_same_run(straight, straight_records, second, records)


@pytest.mark.parametrize("completed, batches", [(10, 0), (10, 2), (11, 0)],
                         ids=["waiting", "mid-epoch", "between-the-epoch-and-the-check"])
def test_early_stopping_carries_its_wait_and_the_best_weights(completed, batches):
    """Momentum with patience 2 stops after epoch 11 and keeps epoch 9's weights — also when the run was
    carried on from epoch 10, or from epoch 11's result before the check that stops it."""
    straight = new_trainer("momentum", np.float32, 30, patience=2)
    straight_records = list(straight.run())
    assert straight_records[-1].reason == "early_stopping" and straight_records[-1].epochs_done == 11
    assert straight.best_epoch == 9
    first = new_trainer("momentum", np.float32, 30, patience=2)
    records = records_until(first, completed, batches)
    state = first.state()
    assert state.best_epoch == 9 and state.early_stopping_wait == completed - 9
    second = new_trainer("momentum", np.float32, 30 - completed, params=first.network.params.copy(), patience=2)
    second.restore(state)
    records += list(second.run())
    assert_same_run(straight, straight_records, second, records)


def test_the_divergence_check_carries_on_from_where_the_run_started():
    """Momentum at η = 0.5 blows up in epoch 8, measured against the loss of the run's very first batch."""
    straight = new_trainer("momentum", np.float32, 10, regression=True, learning_rate=0.5)
    straight_records = list(straight.run())
    ended = straight_records[-1]
    assert ended.reason == "diverged" and (ended.blow_up.epoch, ended.blow_up.batch) == (8, 4)
    first = new_trainer("momentum", np.float32, 10, regression=True, learning_rate=0.5)
    records = records_until(first, 5, 3)
    state = first.state()
    assert math.isfinite(state.exploded_above)
    second = new_trainer("momentum", np.float32, 5, regression=True, learning_rate=0.5,
                         params=first.network.params.copy())
    second.restore(state)
    records += list(second.run())
    assert_same_run(straight, straight_records, second, records)
    assert same_bits(records[-1].blow_up.wrecked_params, ended.blow_up.wrecked_params)


def test_a_diverged_run_leaves_a_state_that_starts_the_epoch_again():
    """The weights go back to the last completed epoch's, the optimizer's moments go, the check re-arms."""
    trainer = new_trainer("momentum", np.float32, 10, regression=True, learning_rate=0.5)
    assert list(trainer.run())[-1].reason == "diverged"
    state = trainer.state()
    assert state.completed_epochs == 7 and not state.mid_epoch and math.isnan(state.exploded_above)
    assert state.optimizer.scalars["steps"] == 0 and not state.optimizer.arrays


def through_bytes(state: TrainerState) -> TrainerState:
    buffer = io.BytesIO()
    np.savez(buffer, **state.to_arrays())
    buffer.seek(0)
    with np.load(buffer, allow_pickle=False) as loaded:
        return TrainerState.from_arrays({name: loaded[name] for name in loaded.files})


@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_the_state_survives_a_round_trip_through_npz_bytes_without_pickle(optimizer):
    straight = new_trainer(optimizer, np.float32, TOTAL)
    straight_records = list(straight.run())
    first = new_trainer(optimizer, np.float32, TOTAL)
    records = records_until(first, 2, 4)
    state = through_bytes(first.state())
    second = new_trainer(optimizer, np.float32, 2, params=first.network.params.copy())
    second.restore(state)
    records += list(second.run())
    assert_same_run(straight, straight_records, second, records)


def test_the_state_as_arrays_is_only_numbers_and_text():
    first = new_trainer("adam", np.float64, TOTAL)
    records_until(first, 1, 2)
    arrays = first.state().to_arrays()
    assert all(isinstance(value, np.ndarray) and value.dtype.kind in "iufU" for value in arrays.values())
    assert {"optimizer.scaled_m", "optimizer.scaled_v", "order", "rng_state", "epoch_params"} <= set(arrays)
    assert arrays["order"].shape == (N_TRAIN,) and arrays["rng_state"].dtype.kind == "U"
    assert int(arrays["rng_state"].item()) >= 2 ** 64  # a real 128-bit state, kept whole


# -- in another process -----------------------------------------------------------------------------
def carry_on_in_this_process(state_file: str, out_file: str) -> None:
    """Run in a child process: read the state and the weights, train the rest, write the weights and records."""
    with np.load(state_file, allow_pickle=False) as saved:
        arrays = {name: saved[name] for name in saved.files}
    params = arrays.pop("network.params")
    state = TrainerState.from_arrays(arrays)
    trainer = new_trainer("adam", np.float32, TOTAL - state.completed_epochs, params=params)
    trainer.restore(state)
    records = list(trainer.run())
    losses = [r.loss for r in records if isinstance(r, BatchProgress)]
    val = [r.val_loss for r in records if isinstance(r, EpochResult)]
    np.savez(out_file, params=trainer.network.params, losses=np.array(losses), val=np.array(val),
             **{f"optimizer.{k}": v for k, v in trainer.optimizer.state().arrays.items()})


def test_a_new_process_carries_on_bit_for_bit(tmp_path):
    straight = new_trainer("adam", np.float32, TOTAL)
    straight_records = list(straight.run())
    first = new_trainer("adam", np.float32, TOTAL)
    records = records_until(first, 1, 5)
    np.savez(tmp_path / "state.npz", **first.state().to_arrays(), **{"network.params": first.network.params})
    here = Path(__file__).resolve()
    script = (f"import importlib.util, sys\n"
              f"spec = importlib.util.spec_from_file_location('carry_on', {str(here)!r})\n"
              f"module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
              f"module.carry_on_in_this_process(sys.argv[1], sys.argv[2])\n")
    root = here.parents[2]
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "state.npz"), str(tmp_path / "out.npz")],
                   check=True, cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, timeout=120)
    with np.load(tmp_path / "out.npz", allow_pickle=False) as out:
        assert same_bits(out["params"], straight.network.params)
        for name, value in straight.optimizer.state().arrays.items():
            assert same_bits(out[f"optimizer.{name}"], value)
        batch_losses = [r.loss for r in records if isinstance(r, BatchProgress)] + out["losses"].tolist()
        val_losses = [r.val_loss for r in records if isinstance(r, EpochResult)] + out["val"].tolist()
    assert batch_losses == [r.loss for r in straight_records if isinstance(r, BatchProgress)]
    assert val_losses == [r.val_loss for r in straight_records if isinstance(r, EpochResult)]
