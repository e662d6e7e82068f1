"""NN Lab's main window (the lab's docks arrive with the window issue)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMessageBox

from nnlab import __version__


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("MainWindow")
        self.setWindowTitle("NN Lab")
        self.resize(1100, 720)
        welcome = QLabel("<h2>NN Lab</h2><p>Build a network, train it and watch it learn.</p>"
                         "<p>Training from the command line: <code>nnlab train --help</code></p>")
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(welcome)
        self._build_menus()
        self.statusBar().showMessage("Ready")

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About NN Lab", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def show_about(self) -> None:
        QMessageBox.about(self, "About NN Lab",
                          f"<b>NN Lab {__version__}</b><p>See neural networks learn, number by number.</p>"
                          "<p>Built on Qt (PySide6, LGPL), pyqtgraph (MIT) and NumPy (BSD).</p>")
