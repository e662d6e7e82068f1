"""Run by test_stress.py in a fresh interpreter: open, train, close — N times over."""
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from nnlab.app import prefer_single_threaded_blas  # noqa: E402

prefer_single_threaded_blas()  # as the app's own process, before NumPy loads

from PySide6.QtCore import QEventLoop, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnlab.ui.main_window import MainWindow  # noqa: E402
from nnlab.ui.training.controller import running_threads  # noqa: E402


def main(cycles: int) -> int:
    app = QApplication([])
    for cycle in range(cycles):
        window = MainWindow(load_last_dataset=False)
        window.questions.ask_save_changes = lambda: "discard"
        window.show()
        window.choose_dataset("xor" if cycle % 2 else "digits")
        window.panel.epochs.setValue(1000)
        window.start_training()
        loop = QEventLoop()
        QTimer.singleShot(20 + 7 * (cycle % 5), loop.quit)
        loop.exec()
        if not window.close():
            print(f"cycle {cycle}: the window refused to close", file=sys.stderr)
            return 1
        window.deleteLater()
        if running_threads():
            print(f"cycle {cycle}: a training thread is still running", file=sys.stderr)
            return 1
    app.processEvents()
    print(f"closed {cycles} windows during training")
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
