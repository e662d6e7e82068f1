import numpy as np
import pytest

from nnlab.data.augment import AugmentConfig, make_augmenter, shift_batch


def centre_of_mass(batch, shape=(28, 28)):
    """(B, 2) row, column centre of the ink."""
    images = batch.reshape(-1, *shape)
    mass = images.sum(axis=(1, 2))
    rows = (images.sum(axis=2) * np.arange(shape[0])).sum(axis=1) / mass
    cols = (images.sum(axis=1) * np.arange(shape[1])).sum(axis=1) / mass
    return np.stack([rows, cols], axis=1)


def blob_batch(n=64):
    """(n, 784) images with a soft blob near the middle, a different one each row."""
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:28, 0:28]
    centres = rng.uniform(11, 17, (n, 2))
    images = np.exp(-((yy - centres[:, :1, None]) ** 2 + (xx - centres[:, 1:, None]) ** 2) / 8.0)
    return images.reshape(n, 784).astype(np.float32)


def test_shift_batch_moves_ink_by_the_given_amount():
    batch = blob_batch(6)
    shifts = np.array([[0, 0], [2, 0], [0, -2], [-3, 1], [1, 1], [4, -4]])
    moved = shift_batch(batch, (28, 28), shifts)
    assert moved.shape == batch.shape and moved.dtype == np.float32
    assert np.allclose(centre_of_mass(moved) - centre_of_mass(batch), shifts, atol=1e-3)
    assert np.allclose(moved.sum(axis=1), batch.sum(axis=1), rtol=1e-3)


def test_shift_batch_fills_with_zero_and_drops_what_leaves():
    image = np.zeros((1, 9), np.float32)
    image[0] = np.arange(1, 10)
    moved = shift_batch(image, (3, 3), np.array([[1, -1]]))
    assert moved.reshape(3, 3).tolist() == [[0, 0, 0], [2, 3, 0], [5, 6, 0]]


def test_augmenter_shifts_stay_within_range_and_use_all_offsets():
    batch = np.zeros((500, 784), np.float32)
    batch[:, 14 * 28 + 14] = 1.0
    out = make_augmenter((28, 28), AugmentConfig(shift_px=2))(batch, np.random.default_rng(1))
    assert np.array_equal(out.sum(axis=1), np.ones(500, np.float32))
    offsets = centre_of_mass(out) - 14
    assert np.array_equal(offsets, np.round(offsets)) and np.abs(offsets).max() == 2
    assert len({tuple(o) for o in offsets.astype(int)}) == 25


def test_augmenter_leaves_its_input_untouched_and_returns_new_array():
    batch = blob_batch()
    before = batch.copy()
    for config in (AugmentConfig(), AugmentConfig(shift_px=0), AugmentConfig(rotate_deg=15, scale=0.1, noise=0.1)):
        out = make_augmenter((28, 28), config)(batch, np.random.default_rng(0))
        assert out is not batch and not np.shares_memory(out, batch)
        assert np.array_equal(batch, before)


def test_successive_outputs_do_not_share_memory():
    augment = make_augmenter((28, 28), AugmentConfig(shift_px=2))
    rng = np.random.default_rng(0)
    first = augment(blob_batch(), rng)
    kept = first.copy()
    augment(blob_batch(), rng)
    assert np.array_equal(first, kept)


def test_all_off_returns_an_equal_copy():
    batch = blob_batch()
    out = make_augmenter((28, 28), AugmentConfig(shift_px=0))(batch, np.random.default_rng(0))
    assert np.array_equal(out, batch)


def test_same_rng_state_same_result():
    batch = blob_batch()
    augment = make_augmenter((28, 28), AugmentConfig(shift_px=3, rotate_deg=10, scale=0.1, noise=0.05))
    assert np.array_equal(augment(batch, np.random.default_rng(4)), augment(batch, np.random.default_rng(4)))


def test_noise_is_clipped_to_unit_range_with_the_requested_spread():
    batch = np.full((64, 784), 0.5, np.float32)
    out = make_augmenter((28, 28), AugmentConfig(shift_px=0, noise=0.1))(batch, np.random.default_rng(0))
    assert out.min() >= 0.0 and out.max() <= 1.0
    assert np.std(out - 0.5) == pytest.approx(0.1, rel=0.05)
    extreme = make_augmenter((28, 28), AugmentConfig(shift_px=0, noise=2.0))(batch, np.random.default_rng(0))
    assert extreme.min() == 0.0 and extreme.max() == 1.0


def test_rotation_keeps_ink_and_distance_from_centre():
    batch = np.zeros((200, 784), np.float32)
    yy, xx = np.mgrid[0:28, 0:28]
    dot = np.exp(-((yy - 13.5) ** 2 + (xx - 21.5) ** 2) / 2.0)
    batch[:] = dot.ravel()
    out = make_augmenter((28, 28), AugmentConfig(shift_px=0, rotate_deg=30))(batch, np.random.default_rng(2))
    com = centre_of_mass(out) - 13.5
    assert np.allclose(np.hypot(*com.T), 8.0, atol=0.15)
    turn = np.degrees(np.arctan2(com[:, 0], com[:, 1]))
    assert np.abs(turn).max() <= 30.5 and turn.max() > 20 and turn.min() < -20
    assert np.allclose(out.sum(axis=1), batch.sum(axis=1), rtol=0.03)


def test_zoom_changes_the_size_of_the_ink():
    batch = blob_batch(300)
    out = make_augmenter((28, 28), AugmentConfig(shift_px=0, scale=0.2))(batch, np.random.default_rng(3))
    ratio = out.sum(axis=1) / batch.sum(axis=1)
    assert 0.6 < ratio.min() < 0.75 and 1.3 < ratio.max() < 1.45


@pytest.mark.parametrize("config, shape", [
    (AugmentConfig(shift_px=-1), (28, 28)),
    (AugmentConfig(shift_px=28), (28, 28)),
    (AugmentConfig(rotate_deg=-5), (28, 28)),
    (AugmentConfig(scale=1.0), (28, 28)),
    (AugmentConfig(noise=-0.1), (28, 28)),
    (AugmentConfig(), (2,)),
])
def test_bad_config_or_shape_raises(config, shape):
    with pytest.raises(ValueError):
        make_augmenter(shape, config)


def test_batch_of_wrong_width_raises():
    augment = make_augmenter((28, 28), AugmentConfig())
    with pytest.raises(ValueError, match="784"):
        augment(np.zeros((4, 625), np.float32), np.random.default_rng(0))


def test_shift_only_augmenter_costs_a_few_whole_batch_shifts(time_ratio):
    """Each image gets its own shift, yet the batch moves in a few whole-array steps: 64 digits take
    41 µs, 2× one np.roll of the whole batch. Rolling them image by image in Python takes 29×."""
    augment = make_augmenter((28, 28), AugmentConfig(shift_px=2))
    batch, rng = blob_batch(), np.random.default_rng(0)
    images = batch.reshape(-1, 28, 28)
    ratio = time_ratio(lambda: augment(batch, rng), lambda: np.roll(images, 1, axis=2), rounds=7, repeats=20)
    assert ratio < 10, f"augmenting took {ratio:.0f}× as long as one shift of the whole batch"
