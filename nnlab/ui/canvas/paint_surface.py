"""The paper the learner draws on: mouse or tablet strokes into an ``InkSheet``, shown over the model's pixel grid."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QRegion
from PySide6.QtWidgets import QSizePolicy, QWidget

from .ink import DEFAULT_RADIUS, MAX_RADIUS, MIN_RADIUS, InkSheet

MIN_SIDE_PX = 200  # small enough for a 720-pixel-high screen; the paper grows with the dock
RADIUS_STEP = 1.25  # [ and ] scale the brush by this factor
PAPER = QColor(255, 255, 255)
GRID = QColor(70, 110, 200, 40)


class PaintSurface(QWidget):
    changed = Signal()  # the ink changed (a stroke grew, an undo, a clear, a photo)
    stroke_finished = Signal()
    image_dropped = Signal(object)  # QMimeData: the panel decodes it
    brush_changed = Signal(float)
    key_command = Signal(str)  # "paste" or "label:<digit>": the panel's business, not the paper's

    def __init__(self, sheet: InkSheet | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = sheet or InkSheet()
        self.radius = DEFAULT_RADIUS
        self.erasing = False  # the toggle; the right button erases whatever it says
        self.grid_shape: tuple[int, int] | None = (28, 28)
        self._image: QImage | None = None
        self._image_version = -1
        self._hover: QPointF | None = None
        self.setMinimumSize(MIN_SIDE_PX, MIN_SIDE_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMouseTracking(True)
        self.setAcceptDrops(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw with the left button, erase with the right. [ ] brush size, "
                        "Delete clears, Ctrl+Z undoes the last stroke. Drop a picture here.")

    # -- geometry -----------------------------------------------------------------------------------
    def paper_rect(self) -> QRectF:
        """The square paper, centred across and at the top: right under the brush row."""
        side = min(self.width(), self.height())
        return QRectF((self.width() - side) / 2, 0, side, side)

    def picture_rect(self) -> QRectF:
        """The part of the paper that is paper: all of it, or an opened picture fitted into it."""
        rect, scale = self.paper_rect(), self.paper_rect().width() / self.sheet.size
        top, left, height, width = self.sheet.paper_box()
        return QRectF(rect.left() + left * scale, rect.top() + top * scale, width * scale, height * scale)

    def to_sheet(self, pos: QPointF) -> tuple[float, float]:
        rect = self.paper_rect()
        scale = self.sheet.size / rect.width()
        return ((pos.x() - rect.left()) * scale, (pos.y() - rect.top()) * scale)

    # -- brush --------------------------------------------------------------------------------------
    def set_radius(self, radius: float) -> None:
        self.radius = float(np.clip(radius, MIN_RADIUS, MAX_RADIUS))
        self.brush_changed.emit(self.radius)
        self.update()

    def smaller_brush(self) -> None:
        self.set_radius(self.radius / RADIUS_STEP)

    def bigger_brush(self) -> None:
        self.set_radius(self.radius * RADIUS_STEP)

    def set_erasing(self, erasing: bool) -> None:
        self.erasing = bool(erasing)

    def undo(self) -> None:
        if self.sheet.undo():
            self.refresh()

    def clear(self) -> None:
        self.sheet.clear()
        self.refresh()

    def refresh(self) -> None:
        self.update()
        self.changed.emit()

    # -- mouse and tablet -----------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:
        if event.button() not in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            return super().mousePressEvent(event)
        erase = self.erasing or event.button() == Qt.MouseButton.RightButton
        self.sheet.begin_stroke(self.to_sheet(event.position()), self.radius, erase)
        self.refresh()

    def mouseMoveEvent(self, event) -> None:
        self._hover = event.position()
        if self.sheet.drawing:
            self.sheet.extend_stroke(self.to_sheet(event.position()))
            self.refresh()
        else:
            self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self.sheet.drawing:
            self.sheet.extend_stroke(self.to_sheet(event.position()))
            self.sheet.end_stroke()
            self.refresh()
            self.stroke_finished.emit()

    def leaveEvent(self, event) -> None:
        self._hover = None
        self.update()

    # -- keys (only while the paper has focus; [ ] and Delete belong to the whole Draw dock) ---------------
    def _command_for(self, event) -> str | None:
        if event.matches(QKeySequence.StandardKey.Undo):
            return "undo"
        if event.matches(QKeySequence.StandardKey.Paste):
            return "paste"
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return None
        if Qt.Key.Key_0 <= event.key() <= Qt.Key.Key_9:
            return f"label:{event.key() - Qt.Key.Key_0}"
        return None

    def event(self, event) -> bool:
        # Window-wide shortcuts would otherwise take Ctrl+Z or Delete before the canvas sees them.
        if event.type() == QEvent.Type.ShortcutOverride and self._command_for(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        command = self._command_for(event)
        if command == "undo":
            self.undo()
        elif command is not None:
            self.key_command.emit(command)
        else:
            super().keyPressEvent(event)

    # -- drops --------------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        mime = event.mimeData()
        if mime.hasImage() or any(url.isLocalFile() for url in mime.urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        event.acceptProposedAction()
        self.image_dropped.emit(event.mimeData())

    # -- painting -----------------------------------------------------------------------------------
    def _sheet_image(self) -> QImage:
        if self._image is None or self._image_version != self.sheet.version:
            pixels = np.ascontiguousarray((self.sheet.image() * 255.0 + 0.5).astype(np.uint8))
            size = self.sheet.size
            self._image = QImage(pixels.data, size, size, size, QImage.Format.Format_Grayscale8).copy()
            self._image_version = self.sheet.version
        return self._image

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        rect = self.paper_rect()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(rect, self._sheet_image())
        picture = self.picture_rect()
        if picture != rect:  # beside an opened picture is no paper: the network sees the picture alone
            painter.save()
            painter.setClipRegion(QRegion(rect.toAlignedRect()).subtracted(QRegion(picture.toAlignedRect())))
            painter.fillRect(rect, self.palette().window())
            painter.restore()
        if self.grid_shape:
            self._paint_grid(painter, picture)
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.drawRect(picture.adjusted(0, 0, -1, -1))
        if self._hover is not None and rect.contains(self._hover):
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(QPen(QColor(200, 60, 60) if self.erasing else QColor(60, 60, 60), 1))
            r = self.radius * rect.width() / self.sheet.size
            painter.drawEllipse(self._hover, r, r)
        painter.end()

    def _paint_grid(self, painter: QPainter, rect: QRectF) -> None:
        rows, cols = self.grid_shape
        painter.setPen(QPen(GRID, 1))
        for i in range(1, cols):
            x = rect.left() + rect.width() * i / cols
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        for i in range(1, rows):
            y = rect.top() + rect.height() * i / rows
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
