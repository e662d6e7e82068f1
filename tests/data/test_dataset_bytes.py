"""8-bit image sets stay bytes from the file to the trainer, and read as the same float32 numbers as before."""
import tracemalloc

import numpy as np
import pytest

from nnlab.data.builtin import load_builtin
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment
from nnlab.lab.recipe import make_run, prepare
from nnlab.data.splits import split_dataset
from nnlab.data.user_samples import UserSampleStore, with_user_samples
from nnlab.engine.scaled_bytes import ScaledBytes
from nnlab.engine.trainer import TrainConfig
from nnlab.resources import resource_path


def pictures(n=600, side=8, seed=0):
    """n uint8 side×side pictures of 3 classes, each brightening its own band of columns."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    raw = rng.integers(0, 100, (n, side, side), dtype=np.uint8)
    for k in range(3):
        raw[labels == k, :, 2 * k:2 * k + 2] += 150
    return raw.reshape(n, side * side), labels


def as_floats(raw):
    """How image sets became float32 rows before: one float32 division."""
    return raw.astype(np.float32) / np.float32(255)


def dataset(x, y, side=8):
    return Dataset("pictures", x, y, ["a", "b", "c"], (side, side), "resize")


def test_a_uint8_dataset_keeps_one_byte_a_pixel_and_reads_scaled():
    raw, labels = pictures()
    ds = dataset(raw, labels)
    assert isinstance(ds.x, ScaledBytes) and ds.x.nbytes == raw.size
    assert ds.n_features == 64 and len(ds) == 600 and ds.x.dtype == np.float32
    assert np.array_equal(ds.x[:], as_floats(raw)) and np.array_equal(ds.x[5], as_floats(raw)[5])
    floats = dataset(as_floats(raw), labels)
    assert isinstance(floats.x, np.ndarray) and floats.x.dtype == np.float32  # float data stays float32


def test_a_bytes_dataset_checks_its_shape_like_any_other():
    with pytest.raises(ValueError, match="must be \\(n_samples, n_features\\)"):
        dataset(np.zeros(64, np.uint8), [0])
    with pytest.raises(ValueError, match="does not hold 63 features"):
        dataset(np.zeros((2, 63), np.uint8), [0, 1])


@pytest.mark.parametrize("name,side", [("digits", 28), ("faces", 25)])
def test_builtin_image_sets_are_bytes_with_the_numbers_they_had(name, side):
    ds = load_builtin(name)
    with np.load(resource_path("datasets", f"{name}.npz")) as data:
        raw = data["x"].reshape(len(data["x"]), -1)
    assert isinstance(ds.x, ScaledBytes) and ds.x.shape == (len(raw), side * side)
    assert np.array_equal(ds.x[:], as_floats(raw))
    subset = load_builtin(name, n_samples=40, seed=3)
    assert isinstance(subset.x, ScaledBytes) and subset.x.nbytes == 40 * side * side


def test_split_parts_stay_bytes_with_the_rows_a_float_split_has():
    raw, labels = pictures()
    bytes_parts = split_dataset(dataset(raw, labels), seed=4)
    float_parts = split_dataset(dataset(as_floats(raw), labels), seed=4)
    for name in ("train", "validation", "test"):
        part, same = getattr(bytes_parts, name), getattr(float_parts, name)
        assert isinstance(part.x, ScaledBytes) and part.x.store is raw  # no copy: the part lists rows
        assert np.array_equal(part.x[:], same.x) and np.array_equal(part.y, same.y)


@pytest.mark.parametrize("augment,dropout", [(False, 0.0), (True, 0.2)])
def test_a_run_on_bytes_trains_the_weights_a_run_on_float_rows_trains(augment, dropout):
    raw, labels = pictures()
    runs = []
    for x in (raw, as_floats(raw)):
        experiment = Experiment(dataset="pictures", hidden=[16], augment=augment, dropout=dropout,
                                train=TrainConfig(learning_rate=0.01, batch_size=32, epochs=2, seed=7))
        prepared = prepare(experiment, dataset(x, labels))
        records = [r for r in prepared.trainer.run()]
        runs.append((prepared.network.params.copy(), [getattr(r, "val_loss", None) for r in records]))
    (bytes_params, bytes_losses), (float_params, float_losses) = runs
    assert np.array_equal(bytes_params, float_params) and bytes_losses == float_losses
    assert isinstance(prepared.trainer.x, np.ndarray)  # the last run had float rows: both paths ran


def test_training_makes_no_copy_of_the_pictures():
    """A float32 copy of the set would take 4 bytes a pixel (there were two: 8.7 in all), a copy of
    its bytes for the split 1. Now the split's parts list row numbers and the validation pass reads
    one float chunk of 4,096 rows at a time (0.4 bytes a pixel here): 0.7 in all, under 1."""
    n, side = 40_000, 28
    raw, labels = pictures(n, side)
    experiment = Experiment(dataset="pictures", hidden=[8], split=(0.8, 0.2, 0.0),
                            train=TrainConfig(batch_size=256, epochs=1))
    tracemalloc.start()
    try:
        prepared = prepare(experiment, dataset(raw, labels, side))
        for _ in prepared.trainer.run():
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < raw.size, f"peak {peak / raw.size:.2f} bytes a pixel"
    assert isinstance(prepared.trainer.x, ScaledBytes) and isinstance(prepared.trainer.x_val, ScaledBytes)


def test_your_own_samples_join_a_bytes_training_part_as_bytes(tmp_path):
    """They used to turn the part into float32 rows (np.concatenate): four bytes a pixel for the whole
    part. Now they join it as bytes, rounded to the nearest 1/255 as every picture in it was."""
    raw, labels = pictures(30)
    ds = dataset(raw, labels)
    part = ds.x.select(np.arange(0, 30, 2))  # a split's training part: rows of the set's bytes
    store = UserSampleStore(tmp_path)
    drawn = np.linspace(0, 1, 64, dtype=np.float32)
    on_the_grid = as_floats(raw[7])  # a sample that came from bytes comes back exactly
    store.add(ds, drawn, 2)
    store.add(ds, on_the_grid, 1)
    x, y, added = with_user_samples(store, ds, part, ds.y[::2])
    assert added == 2 and isinstance(x, ScaledBytes) and x.nbytes == 17 * 64
    assert np.array_equal(x[:15], as_floats(raw[::2])) and y[-2:].tolist() == [2, 1]
    assert np.abs(x[15] - drawn).max() <= 0.5 / 255 + 1e-7 and np.array_equal(x[16], on_the_grid)
    assert store.samples(ds)[0].values.tolist() == drawn.tolist()  # the file keeps what was drawn


def test_a_sample_outside_a_byte_sets_pixel_range_is_refused_and_a_stored_one_skipped(tmp_path):
    raw, labels = pictures(30)
    ds = dataset(raw, labels)
    store = UserSampleStore(tmp_path)
    with pytest.raises(ValueError, match="pixels lie in 0…1, but value 1.5 at position 3 does not"):
        store.add(ds, np.r_[np.zeros(3), 1.5, np.zeros(60)], 0)
    floats = dataset(as_floats(raw), labels)  # same name, classes and shape: the same folder
    store.add(floats, np.r_[np.zeros(3), 1.5, np.zeros(60)], 0)
    assert store.samples(ds) == [] and "value 1.5 at position 3 is outside the 0…1" in store.problems[0]
    assert len(store.samples(floats)) == 1


def test_your_own_samples_add_one_byte_a_pixel_to_a_training_run(tmp_path):
    """Three samples used to turn the training part into float32 rows: 3.2 bytes a pixel here (the
    80 % training share) held for the run, twice that while np.concatenate copied them. Now the
    part's bytes are copied once with the samples after them (0.8), beside the 0.7 of a run without
    samples (test_training_makes_no_copy_of_the_pictures): 1.4 measured, under 2."""
    n, side = 40_000, 28
    raw, labels = pictures(n, side)
    ds = dataset(raw, labels, side)
    store = UserSampleStore(tmp_path)
    for k in range(3):
        store.add(ds, np.full(side * side, k / 3, np.float32), k)
    experiment = Experiment(dataset="pictures", hidden=[8], split=(0.8, 0.2, 0.0),
                            train=TrainConfig(batch_size=256, epochs=1))
    splits = split_dataset(ds, experiment.split, seed=0)
    tracemalloc.start()
    try:
        run = make_run(experiment, ds, splits, user_samples=store)
        for _ in run.trainer.run():
            pass
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * raw.size, f"peak {peak / raw.size:.2f} bytes a pixel"
    assert run.user_samples_used == 3 and isinstance(run.trainer.x, ScaledBytes)
