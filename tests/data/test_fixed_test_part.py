"""A dataset with its own test part (MNIST's official 10,000): every split tests on exactly those rows."""
import numpy as np
import pytest

from nnlab.data.dataset import Dataset
from nnlab.data.splits import split_dataset


def dataset_with_fixed_test(n_learn=600, n_test=100):
    """Rows numbered in feature 0; labels cycle through 3 classes; the last n_test rows are the set's test part."""
    n = n_learn + n_test
    x = np.repeat(np.arange(n, dtype=np.float32)[:, None], 4, axis=1)
    y = np.arange(n) % 3
    return Dataset("demo", x, y, ["a", "b", "c"], (2, 2), fixed_test=np.arange(n) >= n_learn)


def row_ids(part):
    return part.x[:, 0].astype(int).tolist()


@pytest.mark.parametrize("fractions", [(0.70, 0.15, 0.15), (0.8, 0.2, 0.0), (0.5, 0.0, 0.5)])
def test_the_test_part_is_the_marked_rows_in_order_whatever_the_test_share(fractions):
    splits = split_dataset(dataset_with_fixed_test(), fractions, seed=3)
    assert row_ids(splits.test) == list(range(600, 700))
    learned = row_ids(splits.train) + row_ids(splits.validation)
    assert sorted(learned) == list(range(600))  # every other row, once


def test_train_and_validation_share_the_other_rows_as_their_shares_say_and_keep_every_class():
    splits = split_dataset(dataset_with_fixed_test(), (0.70, 0.15, 0.15), seed=0)
    assert len(splits.validation) == 105  # 200 a class × 15/85 = 35.3 → 35 each (not 15 % of all 700)
    assert len(splits.train) == 600 - len(splits.validation)
    assert np.bincount(splits.validation.y).tolist() == [35, 35, 35]
    assert splits.test.fixed_test.all() and not splits.train.fixed_test.any()


def test_a_subset_keeps_which_of_its_rows_are_test_rows():
    ds = dataset_with_fixed_test()
    subset = ds.subset(np.array([650, 3, 699, 10]))
    assert subset.fixed_test.tolist() == [True, False, True, False]
    assert row_ids(split_dataset(subset, (0.5, 0.5, 0.0)).test) == [650, 699]


def test_marks_for_another_number_of_rows_are_refused():
    with pytest.raises(ValueError, match="3 samples but its test rows are marked by shape"):
        Dataset("demo", np.zeros((3, 1)), [0, 1, 0], ["a", "b"], (1,), fixed_test=[True, False])
