"""Rows kept as bytes: every read gives the float32 numbers ``bytes / 255`` gave before, bit for bit,
and a run trained on bytes ends with the very weights a run on float rows does."""
import tracemalloc

import numpy as np
import pytest

from nnlab.engine.metrics import evaluate
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.neuron_stats import layer_activations
from nnlab.engine.scaled_bytes import ScaledBytes, as_rows
from nnlab.engine.trainer import EpochResult, TrainConfig, Trainer


def picture_bytes(n=300, side=6, seed=0):
    """n uint8 'pictures' side×side whose class (0–2) sets which third of the picture is bright."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    raw = rng.integers(0, 90, (n, side, side))
    for k in range(3):
        raw[labels == k, :, 2 * k:2 * k + 2] += 160
    return raw.reshape(n, -1).astype(np.uint8), labels


def as_floats(raw):
    """How every image set became float32 rows before: one float32 division."""
    return raw.astype(np.float32) / np.float32(255)


def test_every_byte_value_reads_as_the_float32_division():
    every = np.arange(256, dtype=np.uint8).reshape(4, 64)
    assert np.array_equal(np.asarray(ScaledBytes(every)), as_floats(every))
    # the CSV importer divided in float64 and rounded once to float32: the same 256 numbers
    assert np.array_equal(ScaledBytes(every)[:], (every / 255.0).astype(np.float32))


@pytest.mark.parametrize("key", [3, -1, slice(2, 9), slice(None, None, 4), np.array([5, 0, 5, 299]),
                                 (slice(None), 7), (4, slice(3, 5))], ids=repr)
def test_indexing_gives_scaled_float32_rows(key):
    raw, _ = picture_bytes()
    rows = ScaledBytes(raw)[key]
    assert rows.dtype == np.float32 and np.array_equal(rows, as_floats(raw)[key])


def test_masks_iteration_and_conversions_are_scaled_too():
    raw, labels = picture_bytes()
    rows, floats = ScaledBytes(raw), as_floats(raw)
    assert np.array_equal(rows[labels == 1], floats[labels == 1])
    assert all(np.array_equal(a, b) for a, b in zip(rows, floats))
    assert np.array_equal(np.asarray(rows, dtype=np.float64), floats.astype(np.float64))
    assert np.array_equal(np.concatenate([rows, floats[:2]]), np.concatenate([floats, floats[:2]]))
    assert rows.shape == raw.shape and len(rows) == len(raw) and rows.dtype == np.float32 and rows.ndim == 2
    assert rows.nbytes == raw.size and rows.mean() == pytest.approx(float(floats.mean(dtype=np.float64)))


def test_the_mean_is_summed_from_the_bytes():
    raw, _ = picture_bytes()
    for rows, chosen in ((ScaledBytes(raw), raw), (ScaledBytes(raw).select(np.arange(0, 300, 3)), raw[::3])):
        assert rows.mean() == pytest.approx(chosen.mean(dtype=np.float64) / 255, rel=1e-12)
        assert rows.mean() == pytest.approx(float(as_floats(chosen).mean(dtype=np.float64)), rel=1e-7)
    assert np.isnan(ScaledBytes(raw).select(np.arange(0)).mean())


@pytest.mark.parametrize("implicit", [
    lambda x: x * 255, lambda x: 255 * x, lambda x: x > 0.5, lambda x: x - 1, lambda x: np.abs(x),
    lambda x: np.isfinite(x), lambda x: np.multiply(np.ones((300, 36), np.float32), 2, out=x),
    lambda x: x.reshape(-1, 6, 6), lambda x: x.astype(np.float64), lambda x: x.copy(), lambda x: x.min(),
    lambda x: x.max(), lambda x: x.mean(axis=0),
], ids=["x*255", "255*x", "x>0.5", "x-1", "abs", "isfinite", "out=x", "reshape", "astype", "copy", "min", "max",
        "mean(axis)"])
def test_no_whole_set_float_copy_hides_behind_arithmetic_or_array_methods(implicit):
    """Each of these would quietly make a float32 copy of every row (1.5 GB for 500,000 digits):
    the whole set becomes floats only where a reader asks for it by name, np.asarray(x) or x[:]."""
    raw, _ = picture_bytes()
    with pytest.raises((TypeError, AttributeError)):
        implicit(ScaledBytes(raw))
    assert np.array_equal(np.asarray(ScaledBytes(raw)), as_floats(raw))
    assert np.array_equal(ScaledBytes(raw)[:], as_floats(raw))


def test_a_selection_shares_the_bytes_it_was_selected_from():
    raw, labels = picture_bytes()
    rows = ScaledBytes(raw)
    assert rows.select(slice(0, 10)).rows is None and np.shares_memory(rows.select(slice(0, 10)).store, raw)
    picked = rows.select(np.array([4, 1, 4]))
    assert picked.store is rows.store and picked.rows.tolist() == [4, 1, 4] and len(picked) == 3
    assert np.array_equal(picked[:], as_floats(raw)[[4, 1, 4]]) and picked.nbytes == 3 * 36
    again = rows.select(labels == 2).select(np.array([-1, 0]))  # a selection of a selection, and a mask
    assert again.store is rows.store and np.array_equal(again[:], as_floats(raw)[labels == 2][[-1, 0]])
    with pytest.raises(IndexError):
        rows.select(np.array([300]))


@pytest.mark.parametrize("key", [3, -1, slice(2, 9), slice(None, None, 4), np.array([5, 0, 5, 59]),
                                 (slice(None), 7), (4, slice(3, 5)), (np.array([2, 1]), slice(0, 3))], ids=repr)
def test_a_selection_reads_as_the_float_rows_it_selected(key):
    raw, _ = picture_bytes()
    chosen = np.random.default_rng(1).permutation(300)[:60]
    rows = ScaledBytes(raw).select(chosen)
    assert np.array_equal(rows[key], as_floats(raw)[chosen][key])
    assert np.array_equal(np.asarray(rows), as_floats(raw)[chosen]) and np.array_equal(rows.raw_bytes, raw[chosen])
    assert rows.mean() == pytest.approx(float(as_floats(raw)[chosen].mean(dtype=np.float64)))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("selected", [False, True])
def test_gather_into_a_reused_buffer_matches_gathering_float_rows(dtype, selected):
    raw, _ = picture_bytes()
    chosen = np.arange(299, -1, -2)
    rows, floats = (ScaledBytes(raw).select(chosen), as_floats(raw)[chosen]) if selected else \
        (ScaledBytes(raw), as_floats(raw))
    indices = np.array([7, 0, 149, 7, 100])
    out, scratch = np.empty((5, raw.shape[1]), dtype), rows.scratch_for(5)
    rows.gather_into(indices, out, scratch)
    assert np.array_equal(out, floats[indices].astype(dtype))


def test_only_uint8_rows_can_be_scaled_bytes():
    with pytest.raises(ValueError, match="uint8 rows"):
        ScaledBytes(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="uint8 rows"):
        ScaledBytes(np.zeros(4, np.uint8))
    with pytest.raises(ValueError, match="row numbers"):
        ScaledBytes(np.zeros((3, 4), np.uint8), np.zeros((1, 1), int))
    rows = ScaledBytes(np.zeros((3, 4), np.uint8))
    assert as_rows(rows) is rows and as_rows([[1, 2]], np.float64).dtype == np.float64


def net(dtype=np.float32, dropout=0.0):
    return Network(36, [LayerSpec(12, "relu", dropout), LayerSpec(3, "softmax")], dtype=dtype, seed=3)


def train(network, x, y, x_val, y_val):
    config = TrainConfig(learning_rate=0.01, batch_size=32, epochs=3, seed=5)
    trainer = Trainer(network, x, y, config, x_val, y_val, n_classes=3)
    return [(r.train_loss, r.train_accuracy, r.val_loss) for r in trainer.run() if isinstance(r, EpochResult)]


@pytest.mark.parametrize("dtype,dropout", [(np.float32, 0.0), (np.float32, 0.3), (np.float64, 0.0)])
def test_training_on_bytes_gives_the_same_weights_as_training_on_float_rows(dtype, dropout):
    raw, labels = picture_bytes()
    on_bytes, on_floats = net(dtype, dropout), net(dtype, dropout)
    bytes_epochs = train(on_bytes, ScaledBytes(raw[:240]), labels[:240], ScaledBytes(raw[240:]), labels[240:])
    float_epochs = train(on_floats, as_floats(raw[:240]), labels[:240], as_floats(raw[240:]), labels[240:])
    assert bytes_epochs == float_epochs
    assert np.array_equal(on_bytes.params, on_floats.params)
    assert bytes_epochs[-1][1] > 0.9  # it learned: the comparison is not between two untouched networks


def test_evaluation_and_activations_read_bytes_a_chunk_at_a_time_with_the_same_numbers():
    raw, labels = picture_bytes()
    network = net()
    on_bytes = evaluate(network, ScaledBytes(raw), labels, "cross_entropy", 3, chunk_size=64)
    on_floats = evaluate(network, as_floats(raw), labels, "cross_entropy", 3, chunk_size=64)
    assert on_bytes.loss == on_floats.loss and np.array_equal(on_bytes.predictions, on_floats.predictions)
    for layer in (0, 1, 2):
        assert np.array_equal(layer_activations(network, ScaledBytes(raw), layer, chunk_size=50),
                              layer_activations(network, as_floats(raw), layer, chunk_size=50))


def test_forward_scales_bytes_a_chunk_at_a_time_with_the_same_numbers():
    raw = np.random.default_rng(0).integers(0, 256, (4000, 400), dtype=np.uint8)
    network = Network(400, [LayerSpec(12, "relu"), LayerSpec(3, "softmax")], seed=3)
    expected = network.forward(as_floats(raw), chunk_size=500)
    tracemalloc.start()
    try:
        outputs = network.forward(ScaledBytes(raw), chunk_size=500)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert np.array_equal(outputs, expected)
    assert peak < raw.size, f"peak {peak / raw.size:.2f} bytes a value (a float copy of every row is 4)"
