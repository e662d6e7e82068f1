import numpy as np
import pytest

from nnlab.data.sketch_faces import NONFACE_STYLES, make_sketch_faces, render_sketch


@pytest.fixture(scope="module")
def sketches():
    return make_sketch_faces(n_samples=400, seed=0)


def test_dataset_layout(sketches):
    assert sketches.name == "sketch-faces"
    assert sketches.classes == ["not a face", "face"]
    assert sketches.input_shape == (28, 28) and sketches.preprocess == "mnist"
    assert sketches.x.shape == (400, 784) and sketches.x.dtype == np.float32
    assert np.bincount(sketches.y).tolist() == [200, 200]


def test_ink_on_black_within_unit_range(sketches):
    x = sketches.x
    assert x.min() >= 0.0 and x.max() <= 1.0
    assert np.all(x.max(axis=1) > 0.9)
    ink = x.sum(axis=1)
    assert ink.min() > 15
    assert np.median((x > 0.5).mean(axis=1)) < 0.3


def test_strokes_are_antialiased(sketches):
    partial = ((sketches.x > 0.05) & (sketches.x < 0.95)).sum(axis=1)
    assert np.all(partial > 5)


def test_sketches_are_centred_like_mnist(sketches):
    images = sketches.x.reshape(-1, 28, 28)
    border = np.concatenate([images[:, :2].reshape(len(images), -1), images[:, -2:].reshape(len(images), -1),
                             images[:, :, :2].reshape(len(images), -1), images[:, :, -2:].reshape(len(images), -1)],
                            axis=1)
    assert border.max() < 0.05
    grid = np.arange(28) + 0.5
    mass = images.sum(axis=(1, 2))
    cy = (images.sum(axis=2) * grid).sum(axis=1) / mass
    cx = (images.sum(axis=1) * grid).sum(axis=1) / mass
    assert np.all(np.abs(cy - 14) < 5) and np.all(np.abs(cx - 14) < 5)


def test_faces_have_a_dark_gap_between_outline_and_features(sketches):
    faces = sketches.x[sketches.y == 1].reshape(-1, 28, 28)
    row = faces[:, 14, :]
    transitions = (np.diff((row > 0.5).astype(int), axis=1) == 1).sum(axis=1)
    assert np.median(transitions) >= 2


def test_same_seed_same_images_other_seed_differs():
    a, b, c = make_sketch_faces(50, seed=7), make_sketch_faces(50, seed=7), make_sketch_faces(50, seed=8)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


def test_odd_count_is_still_balanced():
    ds = make_sketch_faces(n_samples=11)
    assert sorted(np.bincount(ds.y).tolist()) == [5, 6]


@pytest.mark.parametrize("bad", [1, 0, 2.0, True])
def test_bad_sample_count_raises(bad):
    with pytest.raises(ValueError, match="n_samples"):
        make_sketch_faces(n_samples=bad)


@pytest.mark.parametrize("kind", ["face", "not a face", *NONFACE_STYLES])
def test_render_one_at_canvas_resolution(kind):
    image = render_sketch(kind, np.random.default_rng(5), size=280)
    assert image.shape == (280, 280) and image.dtype == np.float32
    assert image.min() == 0.0 and image.max() == 1.0
    rows, cols = np.nonzero(image > 0.5)
    assert rows.min() > 20 and rows.max() < 260 and cols.min() > 20 and cols.max() < 260
    assert np.ptp(rows) > 100 or np.ptp(cols) > 100


def test_render_is_resolution_independent():
    big = render_sketch("face", np.random.default_rng(3), size=280)
    small = render_sketch("face", np.random.default_rng(3), size=28)
    pooled = big.reshape(28, 10, 28, 10).mean(axis=(1, 3))
    assert np.abs(pooled - small).mean() < 0.05


def test_render_rejects_unknown_kind_and_size():
    with pytest.raises(ValueError, match="kind"):
        render_sketch("cat", np.random.default_rng(0))
    with pytest.raises(ValueError, match="size"):
        render_sketch("face", np.random.default_rng(0), size=4)


def test_a_thousand_sketches_cost_what_their_pixels_do(time_ratio):
    """Sketches are drawn a batch of primitives at a time: 1,000 take 9–11× as long as 100 (linear; a
    step repeated per sketch over all before it would make it ~100×) and 9–13× one np.hypot over an
    (8,000, 784) table — eight primitives a sketch, every pixel's distance to each (a Python loop
    per pixel would be hundreds of times that)."""
    def thousand():
        assert len(make_sketch_faces(n_samples=1000, seed=1)) == 1000

    table = np.random.default_rng(0).random((2, 8_000, 784), dtype=np.float32)
    per_pixels = time_ratio(thousand, lambda: np.hypot(*table), rounds=3)
    assert per_pixels < 60, f"1,000 sketches took {per_pixels:.0f}× as long as one distance per pixel and primitive"
    linear = time_ratio(thousand, lambda: make_sketch_faces(n_samples=100, seed=1), rounds=3)
    assert linear < 20, f"1,000 sketches took {linear:.0f}× as long as 100"
