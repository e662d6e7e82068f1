"""The desktop entry point: builds the QApplication and shows the main window."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None, startup_probe: bool = False) -> int:
    """Open the lab. ``startup_probe`` prints the wall-clock time the window was first shown,
    then quits: the start-up benchmark measures launch → window with it."""
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnlab.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(["nnlab", *(argv or [])])
    app.setApplicationName("NN Lab")
    app.setOrganizationName("NN Lab")
    app.setApplicationDisplayName("NN Lab")
    window = MainWindow()
    window.show()
    if startup_probe:
        def report_and_quit() -> None:
            print(f"shown {time.time():.6f}", flush=True)
            window.session.set_dirty(False)
            window.close()
            app.quit()

        QTimer.singleShot(0, report_and_quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
