"""Shared test set-up: no display is needed, and shared/ material is optional."""
import os
from pathlib import Path

import pytest

# The offscreen screen is 800×800 unless told otherwise, and the window fits itself to its screen: tests
# run on a 1920×1200 one, where the sizes they ask for (1280×800, 1400×860) fit — also when the shell
# already asks for plain "offscreen", as headless CI often does. A path with ':' or ',' cannot be passed to Qt.
SCREEN = Path(__file__).resolve().parent / "offscreen_screen.json"
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen" and not set(str(SCREEN)) & {":", ","}:
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={SCREEN}"
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from nnlab.app import prefer_single_threaded_blas  # noqa: E402

prefer_single_threaded_blas()  # as in the window's process: tests train on worker threads

SHARED_MNIST = Path(__file__).resolve().parents[1].parent / "shared" / "mnist" / "mnist.npz"


@pytest.fixture(scope="session")
def full_mnist():
    """The full MNIST database from ../shared, scaled to [0, 1]; skipped where it is absent."""
    if not SHARED_MNIST.exists():
        pytest.skip(f"full MNIST not found at {SHARED_MNIST} (only the project's CI machines have it)")
    import numpy as np

    with np.load(SHARED_MNIST) as data:
        return {
            "x_train": data["x_train"].reshape(-1, 784).astype(np.float32) / 255.0,
            "y_train": data["y_train"].astype(np.int64),
            "x_test": data["x_test"].reshape(-1, 784).astype(np.float32) / 255.0,
            "y_test": data["y_test"].astype(np.int64),
        }


def digits_splits():
    """The digits set split 80/0/20 with seed 0: the test part's 1,000 digits are the ones every model
    here is measured on (clean, drawn, on squared paper)."""
    from nnlab.data.builtin import load_builtin
    from nnlab.data.splits import split_dataset

    return split_dataset(load_builtin("digits"), (0.8, 0.0, 0.2), seed=0)


def train_digits_model(epochs: int = 12):
    """(network, test part): a 784-128-64-10 ReLU network trained with Adam on the digits set's 80 %
    split (seed 0), ~94 % on the other 20 %. The drawn-digit and squared-paper checks measure
    their pictures against it; ``python tests/...`` scripts import it from here."""
    from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer

    splits = digits_splits()
    network = Network(784, [LayerSpec(128, "relu"), LayerSpec(64, "relu"), LayerSpec(10, "softmax")], seed=0)
    config = TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=1e-3, batch_size=64,
                         epochs=epochs, seed=0)
    for _ in Trainer(network, splits.train.x, splits.train.y, config, n_classes=10).run():
        pass
    return network, splits.test


@pytest.fixture(scope="session")
def trained_digits_model():
    """``train_digits_model()``, trained once a session: tests read it and never train it further."""
    return train_digits_model()


LENET_STYLE = "conv8x5,maxpool2,conv16x5,maxpool2,64"  # the editor's "LeNet-style digits", less its output


def lenet_style_network(seed: int = 0):
    """conv8x5 (same) → max-pool 2 → conv16x5 (same) → max-pool 2 → 64 → 10, ReLU, for 28×28 digits."""
    from nnlab.engine import LayerSpec, Network
    from nnlab.engine.layers import parse_layer_words

    return Network((28, 28), [*parse_layer_words(LENET_STYLE), LayerSpec(10, "softmax")], seed=seed)


def mnist_training_digits(held_out):
    """The built-in mnist's 60,000 training digits less those whose pixels equal a row of ``held_out``
    (a ScaledBytes part of another set): the digits set is 5,000 of MNIST's training digits, so a
    network trained on all 60,000 would have seen the digits it is measured on."""
    import numpy as np

    from nnlab.data.builtin import load_builtin

    def as_bytes(part):
        return part.store if part.rows is None else part.store[part.rows]

    mnist = load_builtin("mnist")
    seen = {row.tobytes() for row in as_bytes(held_out)}
    pixels = as_bytes(mnist.x)
    keep = [i for i in np.flatnonzero(~mnist.fixed_test) if pixels[i].tobytes() not in seen]
    return mnist.subset(np.asarray(keep))


CNN_EPOCHS = 5
"""Measured with ``benchmarks/cnn_drawn_accuracy.py`` (drawn accuracy, the tests' drawing, seeds 0–2): one MNIST epoch
95.5–96.7 %, two 97.2–97.5 %, five 97.9 % for each (seeds 3–4: 97.5, 97.8 %; over three drawings of seeds 0–4,
96.5–98.3 %, mean 97.6 %) — the cheapest recipe over 97 % with a margin; ~40 s on 2 cores. The 4,000 digits
alone plateau at 95–96.5 % after 10–30 epochs, with ±2 px shifts too; with turns and zooms 95.7–97.4 % at 30."""


@pytest.fixture(scope="session")
def digits_test_part():
    """``digits_splits().test``: the 1,000 digits the drawn-digit checks measure every model on."""
    return digits_splits().test


@pytest.fixture(scope="session")
def cnn_training_digits(digits_test_part):
    """``mnist_training_digits`` of the digits test part: what ``train_digits_cnn`` trains on."""
    return mnist_training_digits(digits_test_part.x)


def train_digits_cnn(epochs: int = CNN_EPOCHS, seed: int = 0):
    """(network, test part): the LeNet-style CNN trained with Adam (lr 1e-3, batch 64) on MNIST's training
    digits less the digits test part, which it is then measured on, as the dense network is (~40 s)."""
    from nnlab.engine import TrainConfig, Trainer

    test = digits_splits().test
    digits = mnist_training_digits(test.x)
    network = lenet_style_network(seed)
    config = TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=1e-3, batch_size=64,
                         epochs=epochs, seed=seed)
    for _ in Trainer(network, digits.x, digits.y, config, n_classes=10).run():
        pass
    return network, test


@pytest.fixture(scope="session")
def trained_digits_cnn():
    """``train_digits_cnn()``, trained once a session: tests read it and never train it further."""
    return train_digits_cnn()


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """Every test gets its own settings file: the user's (and other tests') stay untouched."""
    monkeypatch.setenv("NNLAB_SETTINGS", str(tmp_path / "nnlab-settings.ini"))


@pytest.fixture(autouse=True)
def no_training_thread_left_running():
    """Fail any test that leaves a training thread running (napari does the same)."""
    yield
    import sys

    controller = sys.modules.get("nnlab.ui.training.controller")
    if controller is None:
        return
    running = controller.running_threads()
    controller.stop_all_threads()
    assert not running, f"{len(running)} training thread(s) were left running"


@pytest.fixture(autouse=True)
def no_modal_dialogs(monkeypatch):
    """No test ever blocks on a modal dialog: one that opens unexpectedly is recorded and fails the test."""
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    opened = []

    def record(kind):
        def fake(parent, title, text="", *args, **kwargs):
            opened.append((kind, title, text))
            return QMessageBox.StandardButton.Cancel
        return fake

    for kind in ("question", "warning", "critical", "information", "about"):
        monkeypatch.setattr(QMessageBox, kind, record(kind))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", record("open file"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", record("save file"))
    yield opened
    assert not opened, f"a modal dialog opened during the test: {opened}"
