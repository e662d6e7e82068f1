import numpy as np
import pytest

from nnlab.data import toy
from nnlab.data.toy import XOR_GAP

MAKERS = [toy.xor, toy.circles, toy.spirals, toy.blobs]


@pytest.mark.parametrize("make", MAKERS)
def test_shape_dtype_and_scale(make):
    ds = make()
    assert ds.x.shape == (400, 2) and ds.x.dtype == np.float32
    assert ds.y.dtype == np.int64
    assert ds.input_shape == (2,) and ds.preprocess == "none"
    assert np.abs(ds.x).max() <= 1.5
    assert np.abs(ds.x).max() >= 0.7


@pytest.mark.parametrize("make", MAKERS)
def test_classes_are_balanced(make):
    ds = make(n_samples=301)
    counts = np.bincount(ds.y, minlength=ds.n_classes)
    assert counts.sum() == 301
    assert counts.max() - counts.min() <= 1


@pytest.mark.parametrize("make", MAKERS)
def test_same_seed_same_data_other_seed_differs(make):
    a, b, c = make(noise=0.1, seed=3), make(noise=0.1, seed=3), make(noise=0.1, seed=4)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize("make", MAKERS)
def test_noise_adds_variance_of_its_std_squared(make):
    clean, noisy = make(seed=1), make(noise=0.2, seed=1)
    added = noisy.x.var(axis=0).mean() - clean.x.var(axis=0).mean()
    assert added == pytest.approx(0.04, abs=0.025)


@pytest.mark.parametrize("make", MAKERS)
@pytest.mark.parametrize("bad", [{"n_samples": 1}, {"noise": -0.1}, {"noise": float("nan")}, {"n_samples": 2.5}])
def test_bad_arguments_raise(make, bad):
    with pytest.raises(ValueError):
        make(**bad)


def test_xor_labels_follow_sign_of_product_and_keep_a_gap():
    ds = toy.xor(n_samples=1000)
    product = ds.x[:, 0] * ds.x[:, 1]
    assert np.array_equal(ds.y, (product > 0).astype(np.int64))
    assert np.abs(ds.x).min() >= XOR_GAP - 1e-6
    assert ds.classes == ["0", "1"]
    quadrant = (ds.x[:, 0] > 0) * 2 + (ds.x[:, 1] > 0)
    assert np.bincount(quadrant, minlength=4).min() > 200


def test_xor_noise_flips_points_across_the_axes():
    ds = toy.xor(n_samples=1000, noise=0.3)
    wrong_side = ds.y != (ds.x[:, 0] * ds.x[:, 1] > 0)
    assert 0.02 < wrong_side.mean() < 0.4


def test_circles_inner_disc_is_class_one():
    ds = toy.circles(n_samples=500)
    radius = np.hypot(ds.x[:, 0], ds.x[:, 1])
    assert radius[ds.y == 1].max() <= 0.5 + 1e-6
    assert radius[ds.y == 0].min() >= 0.7 - 1e-6


def test_spiral_arms_are_point_reflections_of_each_other():
    ds = toy.spirals(n_samples=400)
    arm0 = {tuple(np.round(p, 4)) for p in ds.x[ds.y == 0]}
    arm1 = {tuple(np.round(-p, 4)) for p in ds.x[ds.y == 1]}
    assert len(arm0 & arm1) >= 190
    assert np.hypot(*ds.x.T).max() <= 1.0


def test_blobs_cluster_around_distinct_centres():
    ds = toy.blobs(n_samples=600, n_classes=4)
    assert ds.classes == ["0", "1", "2", "3"]
    centres = np.array([ds.x[ds.y == k].mean(axis=0) for k in range(4)])
    assert np.allclose(np.hypot(*centres.T), 0.6, atol=0.05)
    nearest = np.argmin(((ds.x[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    assert (nearest == ds.y).mean() > 0.97


@pytest.mark.parametrize("n_classes", [1, 11, 2.0])
def test_blobs_rejects_bad_class_count(n_classes):
    with pytest.raises(ValueError, match="n_classes"):
        toy.blobs(n_classes=n_classes)
