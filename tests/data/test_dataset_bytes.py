"""8-bit image sets stay bytes from the file to the trainer, and read as the same float32 numbers as before."""
import tracemalloc

import numpy as np
import pytest

from nnlab.data.builtin import load_builtin
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment
from nnlab.lab.recipe import prepare
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


def test_your_own_samples_join_a_bytes_training_part_with_their_values(tmp_path):
    raw, labels = pictures(30)
    ds = dataset(raw, labels)
    store = UserSampleStore(tmp_path)
    drawn = np.linspace(0, 1, 64, dtype=np.float32)
    store.add(ds, drawn, 2)
    x, y, added = with_user_samples(store, ds, ds.x, ds.y)
    assert added == 1 and np.array_equal(x, np.vstack([as_floats(raw), drawn])) and y[-1] == 2
