"""A damaged shipped dataset file (truncated, a member missing, other pixels or labels) is refused in one
sentence naming the dataset, the file and the problem — never a KeyError or BadZipFile — from the loader,
``nnlab train`` and the window's dataset chooser, which keeps the dataset it had.

Each test copies or writes the file into a folder of its own and points the loader's resources there.
"""
import shutil
from pathlib import Path

import numpy as np
import pytest

from nnlab.data import builtin
from nnlab.resources import resource_path


@pytest.fixture
def shipped(tmp_path, monkeypatch) -> Path:
    """A resources folder the built-in loader reads (its cache emptied), holding copies of the shipped files."""
    folder = tmp_path / "datasets"
    folder.mkdir()
    for name in ("digits.npz", "faces.npz"):
        shutil.copy(resource_path("datasets", name), folder / name)
    monkeypatch.setattr(builtin, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(builtin, "_cache", {})
    return folder


def arrays(path: Path) -> dict:
    with np.load(path) as archive:
        return {name: archive[name] for name in archive.files}


def rewrite(path: Path, **changes) -> None:
    """The file's arrays with these replaced or added; None removes one."""
    kept = {**arrays(path), **changes}
    np.savez_compressed(path, **{name: value for name, value in kept.items() if value is not None})


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def small_mnist(path: Path, **changes) -> None:
    rng = np.random.default_rng(0)
    parts = {"x_train": rng.integers(0, 256, (30, 28, 28), dtype=np.uint8), "y_train": np.arange(30) % 10,
             "x_test": rng.integers(0, 256, (10, 28, 28), dtype=np.uint8), "y_test": np.arange(10)}
    kept = {**parts, **changes}
    np.savez(path, **{name: value for name, value in kept.items() if value is not None})


DAMAGES = {
    "truncated": ("digits", lambda f: truncate(f / "digits.npz"), "cannot open it as a .npz archive"),
    "not a zip": ("faces", lambda f: (f / "faces.npz").write_text("404 Not Found"),
                  "cannot open it as a .npz archive"),
    "labels missing": ("digits", lambda f: rewrite(f / "digits.npz", y=None), "array 'y': the archive has no such"),
    "float pixels": ("faces", lambda f: rewrite(f / "faces.npz", x=np.zeros((200, 25, 25), np.float32)),
                     "array 'x': it holds float32 shaped (200, 25, 25), not 8-bit 25×25 images"),
    "pictures of another size": ("digits", lambda f: rewrite(f / "digits.npz", x=np.zeros((5000, 27, 29), np.uint8)),
                                 "array 'x': it holds uint8 shaped (5000, 27, 29), not 8-bit 28×28 images"),
    "fewer labels than pictures": ("digits", lambda f: rewrite(f / "digits.npz", y=np.zeros(4999, np.uint8)),
                                   "array 'y': it holds uint8 shaped (4999,), not 5,000 whole-number labels"),
    "text labels": ("faces", lambda f: rewrite(f / "faces.npz", y=np.array(["face"] * 200)),
                    "array 'y': it holds <U4 shaped (200,), not 200 whole-number labels"),
    "a label past the classes": ("faces", lambda f: rewrite(f / "faces.npz", y=np.r_[np.ones(199, np.uint8), 2]),
                                 "array 'y', sample 199: label 2 is not one of the 2 classes"),
    "mnist without its test images": ("mnist", lambda f: small_mnist(f / "mnist.npz", x_test=None),
                                      "array 'x_test': the archive has no such array"),
    "mnist test labels of another count": ("mnist", lambda f: small_mnist(f / "mnist.npz", y_test=np.arange(9)),
                                           "array 'y_test': it holds int64 shaped (9,), not 10 whole-number"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_shipped_file_is_one_sentence_naming_dataset_file_and_problem(shipped, damage):
    name, spoil, problem = DAMAGES[damage]
    spoil(shipped)
    with pytest.raises(ValueError) as raised:
        builtin.load_builtin(name, n_samples=10)
    message = str(raised.value)
    assert message.startswith(f"the built-in dataset {name} is damaged ({shipped / (name + '.npz')}")
    assert problem in message and message.count("\n") == 0
    assert message.endswith("); reinstall NN Lab (in a source checkout: run `python scripts/"
                            f"{'build_mnist.py' if name == 'mnist' else 'build_datasets.py'}`)")
    assert builtin._cache == {}  # nothing half-read is kept


def test_the_sentence_reads_whole(shipped):
    rewrite(shipped / "digits.npz", y=None)
    with pytest.raises(ValueError) as raised:
        builtin.load_builtin("digits")
    assert str(raised.value) == (f"the built-in dataset digits is damaged ({shipped / 'digits.npz'}, array 'y': "
                                 "the archive has no such array); reinstall NN Lab (in a source checkout: run "
                                 "`python scripts/build_datasets.py`)")


def test_sound_copies_still_load_as_before(shipped):
    small_mnist(shipped / "mnist.npz")
    digits, mnist = builtin.load_builtin("digits"), builtin.load_builtin("mnist")
    assert digits.x.shape == (5000, 784) and np.bincount(digits.y).tolist() == [500] * 10
    assert len(mnist) == 40 and mnist.fixed_test.tolist() == [False] * 30 + [True] * 10
    assert mnist.y.tolist() == [i % 10 for i in range(30)] + list(range(10))


def test_nnlab_train_says_the_sentence_and_exits_2(shipped, tmp_path, capsys):
    from nnlab.cli import main

    rewrite(shipped / "digits.npz", x=None)
    code = main(["train", "--dataset", "digits", "--epochs", "1", "--out", str(tmp_path / "m.npz")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "Traceback" not in err
    assert err.startswith("nnlab train: error: the built-in dataset digits is damaged (")
    assert "array 'x': the archive has no such array" in err and not (tmp_path / "m.npz").exists()
