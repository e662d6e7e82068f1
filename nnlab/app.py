"""The desktop entry point: builds the QApplication and shows the main window."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from PySide6.QtWidgets import QApplication

    from nnlab.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv if argv is None else ["nnlab", *argv])
    app.setApplicationName("NN Lab")
    app.setOrganizationName("NN Lab")
    window = MainWindow()
    window.show()
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
