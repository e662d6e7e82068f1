import numpy as np
import pytest

from nnlab.data.dataset import Dataset
from nnlab.data.splits import Splits, split_dataset


def make_dataset(counts, name="demo"):
    y = np.repeat(np.arange(len(counts)), counts)
    x = np.arange(len(y) * 4, dtype=np.float32).reshape(len(y), 4)
    return Dataset(name, x, y, [f"c{k}" for k in range(len(counts))], (2, 2), "mnist")


def row_ids(part):
    return (part.x[:, 0] // 4).astype(int)


def test_parts_are_disjoint_and_cover_everything():
    ds = make_dataset([100, 60, 40])
    s = split_dataset(ds)
    ids = [row_ids(p) for p in (s.train, s.validation, s.test)]
    joined = np.concatenate(ids)
    assert len(joined) == len(ds) and len(np.unique(joined)) == len(ds)
    for part, rows in zip((s.train, s.validation, s.test), ids):
        assert np.array_equal(part.y, ds.y[rows])


def test_sizes_and_stratification_follow_fractions():
    ds = make_dataset([500] * 10)
    s = split_dataset(ds, (0.7, 0.15, 0.15))
    assert (len(s.train), len(s.validation), len(s.test)) == (3500, 750, 750)
    for part, share in ((s.train, 350), (s.validation, 75), (s.test, 75)):
        assert np.bincount(part.y, minlength=10).tolist() == [share] * 10


def test_uneven_classes_keep_their_ratio():
    ds = make_dataset([300, 100])
    s = split_dataset(ds, (0.6, 0.2, 0.2))
    for part in (s.train, s.validation, s.test):
        counts = np.bincount(part.y)
        assert counts[0] == 3 * counts[1]


def test_every_class_with_three_samples_reaches_every_part():
    ds = make_dataset([3, 4, 50, 1, 2])
    s = split_dataset(ds, (0.8, 0.1, 0.1))
    for part in (s.validation, s.test, s.train):
        present = set(part.y.tolist())
        assert {0, 1, 2} <= present
    assert {3, 4} <= set(s.train.y.tolist())


def test_parts_keep_metadata_and_are_named():
    ds = make_dataset([10, 10], name="digits")
    s = split_dataset(ds)
    assert isinstance(s, Splits)
    assert (s.train.name, s.validation.name, s.test.name) == ("digits (train)", "digits (validation)",
                                                               "digits (test)")
    for part in (s.train, s.validation, s.test):
        assert part.classes == ds.classes and part.input_shape == (2, 2) and part.preprocess == "mnist"


def test_zero_fraction_gives_empty_part():
    ds = make_dataset([20, 20])
    s = split_dataset(ds, (0.8, 0.2, 0.0))
    assert len(s.test) == 0 and s.test.x.shape == (0, 4)
    assert len(s.train) == 32 and len(s.validation) == 8


def test_seed_decides_the_split():
    ds = make_dataset([50, 50])
    a, b, c = split_dataset(ds, seed=1), split_dataset(ds, seed=1), split_dataset(ds, seed=2)
    assert np.array_equal(a.test.x, b.test.x) and np.array_equal(a.train.x, b.train.x)
    assert not np.array_equal(np.sort(row_ids(a.test)), np.sort(row_ids(c.test)))


def test_parts_are_shuffled_across_classes():
    s = split_dataset(make_dataset([200, 200]))
    first_half = s.train.y[: len(s.train) // 2]
    assert 0.3 < first_half.mean() < 0.7


@pytest.mark.parametrize("fractions", [(0.0, 0.5, 0.5), (0.7, 0.2, 0.2), (0.7, 0.4, -0.1), (0.5, 0.5),
                                       (float("nan"), 0.5, 0.5)])
def test_bad_fractions_raise(fractions):
    with pytest.raises(ValueError, match="fraction"):
        split_dataset(make_dataset([10, 10]), fractions)


def test_empty_dataset_raises():
    empty = Dataset("none", np.zeros((0, 4)), np.zeros(0), ["a"], (2, 2))
    with pytest.raises(ValueError, match="empty"):
        split_dataset(empty)
