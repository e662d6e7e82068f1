"""Every question the window asks the user, in one place: tests answer them by replacing a method.

A mixin of ``MainWindow`` (it uses the window's session, status bar and ``save``).
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from nnlab import __version__


class Questions:
    def _may_discard(self) -> bool:
        """True when there is nothing unsaved, or the user saved it or chose to discard it."""
        if not self.session.dirty:
            return True
        answer = self._ask_save_changes()
        if answer == "save":
            return self.save()
        return answer == "discard"

    def _ask_save_changes(self) -> str:
        buttons = QMessageBox.StandardButton
        answer = QMessageBox.question(self, "Unsaved weights", "The network has changed since it was saved. "
                                      "Save the weights first?", buttons.Save | buttons.Discard | buttons.Cancel,
                                      buttons.Save)
        return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")

    def _ask_open_path(self, title: str, filters: str) -> str:
        return QFileDialog.getOpenFileName(self, title, "", filters)[0]

    def _ask_save_path(self, title: str, filters: str) -> str:
        return QFileDialog.getSaveFileName(self, title, "", filters)[0]

    def _show_error(self, title: str, error) -> None:
        text = str(error)
        self.status.show_message(text)
        QMessageBox.warning(self, title, (text[0].upper() + text[1:]).rstrip(".") + "." if text else title)

    def show_about(self) -> None:
        QMessageBox.about(self, "About NN Lab",
                          f"<b>NN Lab {__version__}</b><p>See neural networks learn, number by number.</p>"
                          "<p>Built with Qt for Python (PySide6, LGPLv3), pyqtgraph (MIT) and NumPy (BSD). "
                          "Digits: MNIST (LeCun, Cortes, Burges; CC BY-SA 3.0). Faces: LFW crops via "
                          "scikit-image (BSD).</p>")
