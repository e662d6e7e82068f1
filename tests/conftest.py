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


def train_digits_model(epochs: int = 12):
    """(network, test part): a 784-128-64-10 ReLU network trained with Adam on the digits set's 80 %
    split (seed 0), ~94 % on the other 20 %. The drawn-digit and squared-paper checks measure
    their pictures against it; ``python tests/...`` scripts import it from here."""
    from nnlab.data.builtin import load_builtin
    from nnlab.data.splits import split_dataset
    from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer

    splits = split_dataset(load_builtin("digits"), (0.8, 0.0, 0.2), seed=0)
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
