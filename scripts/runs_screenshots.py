"""Render the runs pictures of docs/ (issue 14): a network scrubbed to epoch 1 beside epoch 20, and two runs
with different learning rates compared. The window is 1280×720; run it under a display or offscreen:

    DISPLAY=:72 QT_QPA_PLATFORM=xcb python scripts/runs_screenshots.py [--out docs]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNLAB_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))

SIZE = (1280, 720)
SETTINGS = {"hidden": (32, 16), "activation": "relu", "optimizer": "adam", "batch_size": 128, "seed": 4}
GAP = 12  # pixels between the two pictures side by side


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtWidgets import QApplication

    from nnlab.lab.selection import NeuronRef
    from nnlab.ui.main_window import MainWindow
    from nnlab.ui.settings import Settings

    app = QApplication([])
    settings = Settings()
    settings.set("start_page_seen", True)
    window = MainWindow(settings=settings, load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.resize(*SIZE)
    window.show()

    def wait(ms: int) -> None:
        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def train(epochs: int) -> None:
        window.run_settings.epochs = epochs
        loop = QEventLoop()
        window.training.finished.connect(lambda _ended: loop.quit())
        window.start_training()
        loop.exec()

    def picture() -> QImage:
        wait(400)
        window.plots.flush()
        app.processEvents()
        return window.grab().toImage()

    window.choose_dataset("digits")
    window.run_settings.apply(learning_rate=0.003, **SETTINGS)
    train(20)
    window.docks["canvas"].raise_()
    window.canvas.draw_stroke([(0.3, 0.22), (0.7, 0.22), (0.45, 0.82)])  # a 7, drawn as a learner would
    window.canvas.predict_now()
    window.selection.select_neuron(NeuronRef(1, 3))
    machine = window.runs_views.time_machine
    machine.scrub_to(1)
    first = picture()
    machine.to_end()
    last = picture()
    both = QImage(first.width() + GAP + last.width(), max(first.height(), last.height()), QImage.Format.Format_RGB32)
    both.fill(QColor("white"))
    painter = QPainter(both)
    painter.drawImage(0, 0, first)
    painter.drawImage(first.width() + GAP, 0, last)
    painter.end()
    args.out.mkdir(parents=True, exist_ok=True)
    both.save(str(args.out / "runs-scrubbed.png"))

    # Two learning rates from the same start: branch run 1 at epoch 0 with a tenth of its step.
    machine.to_start()
    window.run_settings.learning_rate = 0.0003
    window.runs_views.panel.branch_here()
    train(20)
    window.runs_views.comparison.set_ticked(1, True)
    window.docks["runs"].raise_()
    window.docks["plots"].raise_()
    window.docks["training"].raise_()  # the branch's settings: the learning rate it tries
    window.resizeDocks([window.docks["plots"]], [620], Qt.Orientation.Horizontal)
    picture().save(str(args.out / "runs-compare.png"))
    window.session.set_dirty(False)
    window.close()
    print(f"wrote {args.out / 'runs-scrubbed.png'} and {args.out / 'runs-compare.png'}")


if __name__ == "__main__":
    main()
