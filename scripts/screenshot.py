"""Render the lab window mid-training to docs/screenshot.png (offscreen; no display needed).

    python scripts/screenshot.py [--dataset digits] [--epochs 3] [--out docs/screenshot.png]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--epochs", type=int, default=3, help="epochs finished before the picture")
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "docs" / "screenshot.png")
    args = parser.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from nnlab.ui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.resize(1440, 900)
    window.show()
    window.choose_dataset(args.dataset)
    window.panel.epochs.setValue(args.epochs + 5)  # still running when the picture is taken
    window.panel.train_percent.setValue(70)
    loop = QEventLoop()
    epochs = []
    window.training.epoch_finished.connect(lambda r: (epochs.append(r), len(epochs) >= args.epochs and loop.quit()))
    window.start_training()
    loop.exec()
    settle = QEventLoop()
    QTimer.singleShot(150, settle.quit)  # mid-epoch: the live curve has moved past the last marker
    settle.exec()
    window.plots.flush()
    window.evaluation.show_latest()
    app.processEvents()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out))
    window.stop_training()
    window.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
