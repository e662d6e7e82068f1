"""The learner's samples on disk: atomic files per sample, per dataset, read back exactly."""
import numpy as np
import pytest

from nnlab.data.dataset import Dataset
from nnlab.data.user_samples import UserSampleStore, dataset_key, with_user_samples


def tiny(name="digits", classes=("0", "1", "2"), shape=(2, 2)) -> Dataset:
    n = int(np.prod(shape))
    return Dataset(name, np.zeros((3, n), np.float32), np.arange(3) % len(classes), list(classes), shape, "resize")


def test_added_samples_are_read_back_in_order_with_their_class(tmp_path):
    data = tiny()
    store = UserSampleStore(tmp_path)
    store.add(data, [0.1, 0.2, 0.3, 0.4], 2)
    store.add(data, np.ones((2, 2)), 0)
    again = UserSampleStore(tmp_path).samples(data)  # a new store: as after a restart
    assert [s.label for s in again] == ["2", "0"]
    np.testing.assert_allclose(again[0].values, [0.1, 0.2, 0.3, 0.4])
    assert again[0].input_shape == (2, 2)
    assert not list(tmp_path.rglob("*.tmp"))


def test_samples_belong_to_their_dataset_only(tmp_path):
    store = UserSampleStore(tmp_path)
    store.add(tiny("digits"), np.zeros(4), 1)
    assert store.samples(tiny("other")) == []
    assert store.samples(tiny("digits", classes=("a", "b", "c"))) == []
    assert dataset_key(tiny("my set/../x")).startswith("my-set-x-2x2-")


def test_training_rows_gain_the_users_samples_at_the_end(tmp_path):
    data = tiny()
    store = UserSampleStore(tmp_path)
    x, y, n = with_user_samples(store, data, data.x, data.y)
    assert n == 0 and x is data.x
    store.add(data, [1, 1, 1, 1], 2)
    x, y, n = with_user_samples(store, data, data.x, data.y)
    assert n == 1 and x.shape == (4, 4) and y.tolist() == [0, 1, 2, 2]
    np.testing.assert_allclose(x[-1], 1.0)
    part = store.training_part(data)
    assert "your own samples" in part.name and len(part) == 1


@pytest.mark.parametrize("values, label, words", [
    (np.zeros(5), 0, "takes 4 values"),
    ([0, 0, np.nan, 0], 0, "not finite"),
    (np.zeros(4), 3, "not one of"),
])
def test_a_bad_sample_is_refused_with_a_reason(tmp_path, values, label, words):
    with pytest.raises(ValueError, match=words):
        UserSampleStore(tmp_path).add(tiny(), values, label)
    assert not list(tmp_path.rglob("*.npz"))


def test_a_damaged_file_is_skipped_and_named(tmp_path):
    data = tiny()
    store = UserSampleStore(tmp_path)
    kept = store.add(data, np.zeros(4), 1)
    (kept.path.parent / "1-0.npz").write_bytes(b"half a file")
    samples = store.samples(data)
    assert [s.path for s in samples] == [kept.path]
    assert len(store.problems) == 1 and "1-0.npz" in store.problems[0]


def test_removing_deletes_only_that_sample(tmp_path):
    data = tiny()
    store = UserSampleStore(tmp_path)
    first = store.add(data, np.zeros(4), 1)
    store.add(data, np.ones(4), 2)
    store.remove(first)
    assert [s.label for s in store.samples(data)] == ["2"]
