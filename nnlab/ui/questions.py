"""Every question the window asks the user, in one object: tests answer them by replacing a method.

Whatever needs an answer (a path, "Save the weights first?") or has to say that something failed
is given this object, not the window: ``parent`` is only the widget the dialogs are centred on.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from nnlab import __version__

from .status import TrainingStatus


class Questions:
    def __init__(self, parent: QWidget, status: TrainingStatus) -> None:
        self.parent, self.status = parent, status

    def ask_save_changes(self) -> str:
        """"save", "discard" or "cancel"."""
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(self.parent, "Unsaved weights", "The network has changed since it was saved. "
                                      "Save the weights first?", buttons.Save | buttons.Discard | buttons.Cancel,
                                      buttons.Save)
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def ask_open_path(self, title: str, filters: str) -> str:
        return QFileDialog.getOpenFileName(self.parent, title, "", filters)[0]

    def ask_save_path(self, title: str, filters: str) -> str:
        return QFileDialog.getSaveFileName(self.parent, title, "", filters)[0]

    def show_error(self, title: str, error) -> None:
        """One sentence in the status bar and in a warning: ``error`` is an exception or a text."""
        text = str(error)
        self.status.show_message(text)
        QMessageBox.warning(self.parent, title, (text[0].upper() + text[1:]).rstrip(".") + "." if text else title)

    def attempt(self, title: str, action: Callable[[], object]) -> bool:
        """Run ``action``; a ValueError or OSError it raises (a bad file, a full disk) is shown under ``title``
        instead of escaping the window. True when it raised none."""
        try:
            action()
        except (ValueError, OSError) as error:
            self.show_error(title, error)
            return False
        return True

    def show_about(self) -> None:
        QMessageBox.about(self.parent, "About NN Lab",
                          f"<b>NN Lab {__version__}</b><p>See neural networks learn, number by number.</p>"
                          "<p>Built with Qt for Python (PySide6, LGPLv3), pyqtgraph (MIT) and NumPy (BSD). "
                          "Digits: MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0). Faces: LFW crops via "
                          "scikit-image (BSD).</p>")
