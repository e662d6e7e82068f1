"""Run by test_runs_in_window.py in a fresh interpreter: a window trains digits (shuffling, dropout and
augmentation all drawing from the trainer's RNG) and keeps what it did.

    straight OUT.npz          4 epochs in one go
    first SESSION.nnlab       2 epochs, then File → Save Session
    second SESSION.nnlab OUT.npz   File → Open Session, then 2 more epochs

OUT.npz holds the final weights and every epoch's numbers as the window's curves have them.
"""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from nnlab.app import prefer_single_threaded_blas  # noqa: E402

prefer_single_threaded_blas()  # as the app's own process, before NumPy loads

import numpy as np  # noqa: E402
from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnlab.ui.main_window import MainWindow  # noqa: E402

SETTINGS = {"hidden": (24,), "activation": "relu", "dropout": 0.2, "augment": True, "optimizer": "adam",
            "learning_rate": 0.003, "batch_size": 128, "seed": 11}
TIMEOUT_MS = 300_000


def train(window: MainWindow, epochs: int) -> None:
    window.run_settings.epochs = epochs
    loop = QEventLoop()
    window.training.finished.connect(lambda _ended: loop.quit())
    window.training.errored.connect(lambda message: (print(message, file=sys.stderr), loop.quit()))
    QTimer.singleShot(TIMEOUT_MS, loop.quit)
    if not window.start_training():
        raise SystemExit("Start refused")
    loop.exec()


def keep(window: MainWindow, path: str) -> None:
    history = window.history
    np.savez(path, params=window.session.network.params, epochs=history.epochs.rows(),
             validation=history.validation.rows(), runs=np.array(len(window.session.runs)),
             last_epoch=np.array(window.session.runs.current.last_epoch))


def main(mode: str, *paths: str) -> int:
    app = QApplication([])  # noqa: F841 — the window needs it
    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.show()
    if mode in ("straight", "first"):
        if not window.choose_dataset("digits"):
            raise SystemExit("digits did not open")
        window.run_settings.apply(**SETTINGS)
        train(window, 4 if mode == "straight" else 2)
        if mode == "straight":
            keep(window, paths[0])
        elif not window.sessions.save_session_to(paths[0]):
            raise SystemExit("Save Session failed")
    else:
        if not window.sessions.open_session_path(paths[0], ask=False):
            raise SystemExit("Open Session failed")
        train(window, 2)
        keep(window, paths[1])
    window.session.set_dirty(False)
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
