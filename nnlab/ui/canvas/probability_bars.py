"""One horizontal bar per class, the top class named with its confidence above them."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_PX = 18
MIN_ROW_PX = 12  # rows squeeze this far on a small screen before the dock scrolls
LABEL_PX = 70
TOP = QColor(40, 110, 200)
OTHER = QColor(150, 170, 200)


class ProbabilityBars(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.classes: list[str] = []
        self.probabilities: np.ndarray | None = None
        self.message = "Draw something."
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def set_classes(self, classes: list[str]) -> None:
        self.classes = list(classes)
        self.probabilities = None
        self.updateGeometry()
        self.update()

    def set_probabilities(self, probabilities: np.ndarray | None, message: str = "") -> None:
        self.probabilities = None if probabilities is None else np.asarray(probabilities, dtype=float)
        self.message = message
        self.update()

    def headline(self) -> str:
        """"7 — 93 %": the top class and its confidence, or why there is none."""
        p = self.probabilities
        if p is None or not len(p):
            return self.message
        top = int(np.argmax(p))
        return f"{self.classes[top] if top < len(self.classes) else top} — {100 * p[top]:.0f} %"

    def sizeHint(self) -> QSize:
        return QSize(200, ROW_PX * (len(self.classes) + 1) + 8)

    def minimumSizeHint(self) -> QSize:
        return QSize(140, MIN_ROW_PX * (len(self.classes) + 1) + 8)

    def _room_px(self) -> float:
        """One row's height when the headline takes one row: ``ROW_PX`` with room, less when the dock is short."""
        return max(MIN_ROW_PX, min(ROW_PX, (self.height() - 8) / (len(self.classes) + 1)))

    def head_px(self) -> float:
        """The headline's height: one row for the top class in large bold type; why there is none ("No
        drawing found in this picture.") in ordinary text wrapped to the width, the rows making room."""
        head = self._room_px() + 4
        if self.probabilities is None or not len(self.probabilities):
            wrapped = self.fontMetrics().boundingRect(QRect(0, 0, max(self.width(), 1), 1000),
                                                      Qt.TextFlag.TextWordWrap, self.headline())
            head = max(head, wrapped.height() + 4)
        return head

    def row_px(self) -> float:
        """The height of one class's row: what is left under the headline, at most one row's room."""
        left = (self.height() - 6 - self.head_px()) / max(len(self.classes), 1)
        return max(MIN_ROW_PX, min(self._room_px(), left))

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        font = painter.font()
        p = self.probabilities
        head = QRectF(0, 0, self.width(), self.head_px())
        if p is None or not len(p):
            painter.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                             | Qt.TextFlag.TextWordWrap, self.headline())
        else:
            bold = painter.font()
            bold.setBold(True)
            bold.setPointSizeF(font.pointSizeF() * 1.3)
            painter.setFont(bold)
            painter.drawText(head, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.headline())
            painter.setFont(font)
        row_px = self.row_px()
        top = int(np.argmax(p)) if p is not None and len(p) else -1
        bar_width = max(10.0, self.width() - LABEL_PX - 48)
        for row, name in enumerate(self.classes):
            y = head.bottom() + row_px * row + 2
            gap = 3 if row_px >= ROW_PX else 2
            painter.setPen(self.palette().windowText().color())
            painter.drawText(QRectF(0, y, LABEL_PX - 6, row_px), Qt.AlignmentFlag.AlignRight
                             | Qt.AlignmentFlag.AlignVCenter, name)
            painter.fillRect(QRectF(LABEL_PX, y + gap, bar_width, row_px - 2 * gap), QColor(0, 0, 0, 18))
            if p is None or row >= len(p):
                continue
            painter.fillRect(QRectF(LABEL_PX, y + gap, bar_width * float(p[row]), row_px - 2 * gap),
                             TOP if row == top else OTHER)
            painter.drawText(QRectF(LABEL_PX + bar_width + 4, y, 44, row_px), Qt.AlignmentFlag.AlignLeft
                             | Qt.AlignmentFlag.AlignVCenter, f"{100 * p[row]:.0f} %")
        painter.end()
