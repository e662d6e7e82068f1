"""'What excites this neuron': the nine samples that drive it hardest, as thumbnails."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from nnlab.engine.numbers import format_full, format_number

THUMB = 44
HINT_WIDTH = 200


def thumbnail(values: np.ndarray, shape: tuple[int, int]) -> QPixmap:
    """A grey picture of one sample (values in [0, 1]), scaled up without smoothing."""
    pixels = np.ascontiguousarray((np.clip(values.reshape(shape), 0, 1) * 255).astype(np.uint8))
    image = QImage(pixels.data, shape[1], shape[0], shape[1], QImage.Format.Format_Grayscale8).copy()
    return QPixmap.fromImage(image).scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.FastTransformation)


class TopSamplesView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel("What excites this neuron")
        self.title.setWordWrap(True)  # two lines rather than a wider inspector
        grid = self.grid = QGridLayout()
        grid.setSpacing(2)
        self.cells: list[QLabel] = []
        for index in range(9):
            cell = QLabel()
            cell.setAlignment(Qt.AlignmentFlag.AlignCenter)
            cell.setMinimumSize(THUMB + 6, THUMB + 18)
            grid.addWidget(cell, index // 3, index % 3)
            self.cells.append(cell)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addLayout(grid)
        layout.addStretch(1)

    def sizeHint(self) -> QSize:
        """As wide as the cells (thumbnails, or the numbers of 2-D samples), not the title: it wraps,
        and the neuron's sum keeps the room."""
        return QSize(max(self.grid.sizeHint().width(), HINT_WIDTH), super().sizeHint().height())

    def clear(self, message: str = "") -> None:
        self.title.setText("What excites this neuron" + (f": {message}" if message else ""))
        for cell in self.cells:
            cell.clear()
            cell.setToolTip("")

    def show_samples(self, x: np.ndarray, activations: np.ndarray, answers: np.ndarray, classes: list[str],
                     image_shape: tuple[int, int] | None, pool: str) -> None:
        """x: (k ≤ 9, n_features) samples, activations: (k,), largest first; answers: their labels (k,), or
        for a set of numbers to predict their targets (k, n_outputs), with ``classes`` naming the outputs."""
        self.clear()
        self.title.setText(f"What excites this neuron (top {len(x)} of the {pool})")
        for cell, row, value, answer in zip(self.cells, x, activations, answers):
            if image_shape is not None:
                cell.setPixmap(_with_caption(thumbnail(row, image_shape), f"{format_number(value)}", self.palette()))
            else:
                cell.setText(f"({', '.join(format_number(v) for v in row[:4])}{'…' if len(row) > 4 else ''})\n"
                             f"a = {format_number(value)}")
            cell.setToolTip(f"{_answer_text(answer, classes)}; activation {format_full(value)}")


def _answer_text(answer, classes: list[str]) -> str:
    """"class 7" for a label, "y = 0.53" for the target of a set of numbers to predict."""
    if np.ndim(answer):
        return ", ".join(f"{name} = {format_number(float(v))}" for name, v in zip(classes, np.ravel(answer)))
    label = int(answer)
    return f"class {classes[label] if 0 <= label < len(classes) else label}"


def _with_caption(pixmap: QPixmap, text: str, palette: QPalette) -> QPixmap:
    """The thumbnail over its caption, on the window's own colours (light or dark)."""
    canvas = QPixmap(pixmap.width() + 6, pixmap.height() + 16)
    canvas.fill(palette.color(QPalette.ColorRole.Window))
    painter = QPainter(canvas)
    painter.setPen(palette.color(QPalette.ColorRole.WindowText))
    painter.drawPixmap(3, 0, pixmap)
    painter.drawText(0, pixmap.height(), canvas.width(), 16, Qt.AlignmentFlag.AlignCenter, text)
    painter.end()
    return canvas
