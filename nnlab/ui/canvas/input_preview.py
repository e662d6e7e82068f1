"""The drawing as the network receives it: the transformed grid, pixel for pixel."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

SIDE_PX = 140
MIN_SIDE_PX = 56


class InputPreview(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.values: np.ndarray | None = None
        self.shape: tuple[int, int] | None = None
        self._image: QImage | None = None
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Maximum)  # shrinks on a small screen
        self.setToolTip("What the network sees: your drawing after the dataset's transform")

    def sizeHint(self) -> QSize:
        return QSize(SIDE_PX, SIDE_PX)

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_SIDE_PX, MIN_SIDE_PX)

    def set_input(self, values: np.ndarray | None, shape: tuple[int, int] | None) -> None:
        self.values, self.shape, self._image = values, shape, None
        if values is not None and shape is not None:
            h, w = shape
            pixels = np.ascontiguousarray((np.clip(values.reshape(h, w), 0.0, 1.0) * 255 + 0.5).astype(np.uint8))
            self._image = QImage(pixels.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
        self.update()

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(0, 0, 0))
        if self._image is not None:
            h, w = self.shape
            scale = min(self.width() / w, self.height() / h)
            painter.drawImage(QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2,
                                     w * scale, h * scale), self._image)  # no smoothing: pixels stay square
        painter.end()
