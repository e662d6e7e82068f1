"""The built-in full MNIST: the shipped bytes, their provenance, the official split and the rebuild script."""
import gzip
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.builtin import BUILTIN_DATASETS, load_builtin
from nnlab.data.splits import split_dataset
from nnlab.engine.scaled_bytes import ScaledBytes
from nnlab.resources import resource_path

REPO = Path(__file__).resolve().parents[2]
SHARED_MNIST = REPO.parent / "shared" / "mnist" / "mnist.npz"
SHIPPED = resource_path("datasets", "mnist.npz")
ARRAYS = ("x_train", "y_train", "x_test", "y_test")
IDX_NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}


def shipped_arrays():
    with np.load(SHIPPED) as data:
        return {key: data[key] for key in ARRAYS}


def recorded_sha256():
    notes = resource_path("datasets", "mnist-PROVENANCE.md").read_text(encoding="utf-8")
    return re.search(r"SHA-256: `([0-9a-f]{64})`", notes).group(1)


def test_mnist_is_listed_as_70000_digits_that_are_slower():
    info = BUILTIN_DATASETS["mnist"]
    assert info.kind == "image" and "70,000" in info.description and "slower" in info.description
    assert list(BUILTIN_DATASETS)[0] == "digits"  # the quick set stays the default


def test_mnist_loads_as_bytes_with_the_official_test_rows_last():
    ds = load_builtin("mnist")
    assert len(ds) == 70_000 and ds.input_shape == (28, 28) and ds.preprocess == "mnist"
    assert ds.classes == [str(d) for d in range(10)]
    assert isinstance(ds.x, ScaledBytes) and ds.x.store.dtype == np.uint8  # no float copy of 70,000×784
    assert ds.fixed_test.tolist() == [False] * 60_000 + [True] * 10_000


def test_the_split_tests_on_the_official_10000_and_trains_on_the_60000():
    shipped = shipped_arrays()
    splits = split_dataset(load_builtin("mnist"), (0.70, 0.15, 0.15), seed=0)
    assert np.array_equal(splits.test.x.store[splits.test.x.rows], shipped["x_test"].reshape(10_000, 784))
    assert np.array_equal(splits.test.y, shipped["y_test"])
    assert (len(splits.train), len(splits.validation)) == (49_411, 10_589)  # 70:15 of 60,000, class by class
    learned = np.concatenate([splits.train.x.rows, splits.validation.x.rows])
    assert np.array_equal(np.sort(learned), np.arange(60_000))


def test_the_shipped_file_matches_the_sha256_its_provenance_records():
    assert hashlib.sha256(SHIPPED.read_bytes()).hexdigest() == recorded_sha256()


def test_the_shipped_arrays_are_the_shared_mnist_byte_for_byte():
    if not SHARED_MNIST.exists():
        pytest.skip(f"the shared MNIST is not at {SHARED_MNIST} (only the project's machines have it)")
    shipped = shipped_arrays()
    with np.load(SHARED_MNIST) as shared:
        for key in ARRAYS:
            assert shipped[key].dtype == shared[key].dtype == np.uint8
            assert shipped[key].shape == shared[key].shape
            assert shipped[key].tobytes() == shared[key].tobytes(), key


def run_build(*args):
    return subprocess.run([sys.executable, str(REPO / "scripts" / "build_mnist.py"), *map(str, args)],
                          capture_output=True, text=True, cwd=REPO)


def write_idx(path: Path, array: np.ndarray) -> None:
    """MNIST's IDX layout: magic (0, 0, 0x08 unsigned bytes, ndim), big-endian sizes, the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in array.shape)
    if path.suffix == ".gz":
        path.write_bytes(gzip.compress(header + array.tobytes(), compresslevel=1))  # level 9 takes 15 s
    else:
        path.write_bytes(header + array.tobytes())


@pytest.mark.slow
@pytest.mark.parametrize("ext", [".gz", ""])
def test_the_script_rebuilds_the_shipped_file_bit_for_bit_from_the_four_idx_files(tmp_path, ext):
    for key, array in shipped_arrays().items():
        write_idx(tmp_path / (IDX_NAMES[key] + ext), array)
    out = tmp_path / "mnist.npz"
    result = run_build("--idx", tmp_path, "--out", out, "--no-md5")
    assert result.returncode == 0, result.stderr + result.stdout
    assert out.read_bytes() == SHIPPED.read_bytes()
    assert "equal to the one recorded" in result.stdout


def test_the_script_refuses_gz_files_that_are_not_the_published_ones(tmp_path):
    for key, array in shipped_arrays().items():
        write_idx(tmp_path / (IDX_NAMES[key] + ".gz"), array[:2])
    result = run_build("--idx", tmp_path, "--out", tmp_path / "mnist.npz")
    assert result.returncode != 0 and "is not the published file (its MD5 is not" in result.stderr
    assert not (tmp_path / "mnist.npz").exists()


@pytest.mark.slow
def test_the_script_rebuilds_the_shipped_file_bit_for_bit_from_the_shared_npz(tmp_path):
    if not SHARED_MNIST.exists():
        pytest.skip(f"the shared MNIST is not at {SHARED_MNIST} (only the project's machines have it)")
    out = tmp_path / "mnist.npz"
    result = run_build("--npz", SHARED_MNIST, "--out", out)
    assert result.returncode == 0, result.stderr + result.stdout
    assert out.read_bytes() == SHIPPED.read_bytes()
