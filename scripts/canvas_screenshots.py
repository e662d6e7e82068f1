"""Render docs/canvas-digit.png and docs/canvas-faces.png: the Draw dock after a short training run.

    python scripts/canvas_screenshots.py

Trains the built-in digits and sketch-faces in the real window (a few epochs), draws with the
canvas's own ``draw_stroke`` and grabs the dock offscreen. The user's data folder and settings
are redirected to a temporary folder, so no real drawings are touched.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
_TEMP = Path(tempfile.mkdtemp(prefix="nnlab-shots-"))
os.environ["NNLAB_SETTINGS"] = str(_TEMP / "settings.ini")
os.environ["NNLAB_USER_DATA"] = str(_TEMP / "user-data")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

SIZE = (780, 660)


def train(app, window, dataset: str, epochs: int) -> None:
    window.choose_dataset(dataset)
    window.panel.epochs.setValue(epochs)
    window.start_training()
    deadline = time.monotonic() + 300
    while window.training.state != "idle" and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    app.processEvents()


def arc(cx, cy, rx, ry, start, end, n=40):
    t = np.linspace(start, end, n)
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


def grab(app, window, path: Path) -> None:
    dock = window.docks["canvas"]
    dock.setFloating(True)
    dock.resize(*SIZE)
    dock.show()
    for _ in range(20):
        app.processEvents()
        time.sleep(0.02)
    window.canvas.predict_now()
    app.processEvents()
    window.canvas.grab().save(str(path))
    dock.setFloating(False)
    print(f"wrote {path.relative_to(ROOT)}: {window.canvas.bars.headline()}")


def main() -> None:
    from nnlab.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.show()

    train(app, window, "digits", 8)
    canvas = window.canvas
    canvas.draw_stroke([(0.58, 0.2), (0.52, 0.28)])  # a sample of the user's, for the gallery
    canvas.draw_stroke(arc(0.45, 0.5, 0.22, 0.28, -np.pi / 2, 3 * np.pi / 2))
    canvas.label_picker.setCurrentText("0")
    canvas.add_sample()
    canvas.clear()
    canvas.draw_stroke(arc(0.42, 0.33, 0.13, 0.12, np.pi * 1.05, np.pi * 2.35))  # a "3", drawn off-centre
    canvas.draw_stroke(arc(0.41, 0.58, 0.16, 0.14, -np.pi * 0.6, np.pi * 0.85))
    canvas.label_picker.setCurrentText("3")
    grab(app, window, ROOT / "docs" / "canvas-digit.png")

    train(app, window, "sketch-faces", 10)
    canvas.clear()
    canvas.draw_stroke(arc(0.5, 0.5, 0.3, 0.32, 0, 2 * np.pi, 80))
    canvas.draw_stroke([(0.4, 0.4), (0.4, 0.41)])
    canvas.draw_stroke([(0.6, 0.4), (0.6, 0.41)])
    canvas.draw_stroke(arc(0.5, 0.52, 0.15, 0.13, 0.15 * np.pi, 0.85 * np.pi))
    canvas.label_picker.setCurrentText("face")
    grab(app, window, ROOT / "docs" / "canvas-faces.png")
    window.close()


if __name__ == "__main__":
    main()
