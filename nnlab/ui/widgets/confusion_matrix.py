"""The confusion matrix as a clickable heat-map, painted directly with QPainter.

Why QPainter rather than pyqtgraph: a 20-class matrix needs 400 numbers, and as
pyqtgraph TextItems that is 400 graphics items to lay out on every update, for a
picture that never pans or zooms. One paintEvent draws cells, counts and labels in
device-independent coordinates, so text stays crisp at any DPI, the font follows the
cell size, and hit-testing a click is plain arithmetic (``cell_at``).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..colours import quiet_text

# A mistake made on this share of a class already gets the strongest red: confusions
# are usually a few percent, and an absolute scale lets students watch them fade.
MISTAKE_SATURATION = 0.25
MIN_FONT_PX, MAX_FONT_PX = 7.0, 15.0
MAX_LABEL_PX = 90.0
AXIS_TITLE_GAP = 4.0
CORRECT_LIGHT, CORRECT_DARK = (18, 110, 60), (70, 190, 110)
MISTAKE_LIGHT, MISTAKE_DARK = (190, 25, 35), (240, 80, 70)


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def relative_luminance(color: QColor) -> float:
    """WCAG relative luminance: how light a colour looks, not its HSL lightness."""
    return (0.2126 * _linear(color.redF()) + 0.7152 * _linear(color.greenF())
            + 0.0722 * _linear(color.blueF()))


def text_color_for(background: QColor) -> QColor:
    """White or black, whichever has the higher WCAG contrast ratio on ``background``."""
    luminance = relative_luminance(background)
    contrast_white = 1.05 / (luminance + 0.05)
    contrast_black = (luminance + 0.05) / 0.05
    return QColor(Qt.GlobalColor.white) if contrast_white > contrast_black else QColor(Qt.GlobalColor.black)


def _rgb(color: QColor) -> np.ndarray:
    return np.array([color.red(), color.green(), color.blue()], np.float64)


@dataclass(frozen=True)
class _Layout:
    origin: float
    left: float
    top: float
    cell: float
    rotate_columns: bool


class ConfusionMatrixView(QWidget):
    """Heat-map of counts: rows are true classes, columns predicted classes.

    Correct cells (the diagonal) shade green with the class's recall; mistakes shade
    red with the share of the class they took, so errors stand out even at 99 %.
    """

    cell_clicked = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts = np.zeros((0, 0), np.int64)
        self._row_totals = np.zeros(0, np.int64)
        self._classes: list[str] = []
        self._selected: tuple[int, int] | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Confusion matrix")

    @property
    def counts(self) -> np.ndarray:
        return self._counts.copy()

    @property
    def classes(self) -> list[str]:
        return list(self._classes)

    @property
    def selected(self) -> tuple[int, int] | None:
        return self._selected

    def set_matrix(self, counts: np.ndarray, classes: list[str] | None = None) -> None:
        counts = np.array(counts, dtype=np.int64)
        if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
            raise ValueError(f"a confusion matrix must be square, got shape {counts.shape}")
        n = counts.shape[0]
        names = [str(name) for name in classes] if classes is not None else [str(i) for i in range(n)]
        if len(names) != n:
            raise ValueError(f"{n} classes in the matrix but {len(names)} names")
        self._counts, self._classes = counts, names
        self._row_totals = counts.sum(axis=1)
        if self._selected and max(self._selected) >= n:
            self._selected = None
        self.updateGeometry()
        self.update()

    def clear(self) -> None:
        self._counts = np.zeros((0, 0), np.int64)
        self._row_totals = np.zeros(0, np.int64)
        self._classes, self._selected = [], None
        self.update()

    def set_selected(self, cell: tuple[int, int] | None) -> None:
        self._selected = cell
        self.update()

    # ---- geometry -----------------------------------------------------------------
    def _label_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.9, 7.0))
        return font

    def _layout(self) -> _Layout:
        n = len(self._classes)
        metrics = QFontMetricsF(self._label_font())
        widest = min(max((metrics.horizontalAdvance(name) for name in self._classes), default=0.0),
                     MAX_LABEL_PX)
        title_band = metrics.height() + AXIS_TITLE_GAP
        left = title_band + widest + 6
        available_w = self.width() - left - 4
        cell_if_flat = max(available_w / max(n, 1), 1.0)
        rotate = widest > cell_if_flat - 4
        column_band = (widest if rotate else metrics.height()) + 6
        top = title_band + column_band
        cell = max(min(available_w, self.height() - top - 4) / max(n, 1), 1.0)
        centring = max((available_w - cell * n) / 2, 0)
        return _Layout(centring, left + centring, top, cell, rotate)

    def cell_rect(self, row: int, col: int) -> QRectF:
        """Where cell (true ``row``, predicted ``col``) is drawn, in widget coordinates."""
        layout = self._layout()
        return QRectF(layout.left + col * layout.cell, layout.top + row * layout.cell,
                      layout.cell, layout.cell)

    def cell_at(self, point: QPoint | QPointF) -> tuple[int, int] | None:
        """(true class, predicted class) under ``point``, or None outside the grid."""
        n = len(self._classes)
        if not n:
            return None
        layout = self._layout()
        col = int(np.floor((point.x() - layout.left) / layout.cell))
        row = int(np.floor((point.y() - layout.top) / layout.cell))
        return (row, col) if 0 <= row < n and 0 <= col < n else None

    # ---- colours --------------------------------------------------------------------
    def _is_dark(self) -> bool:
        return self.palette().color(QPalette.ColorRole.Base).lightness() < 128

    def cell_colors(self) -> np.ndarray:
        """(n, n, 3) uint8 RGB of every cell, computed at once so a repaint stays cheap."""
        palette = self.palette()
        base = _rgb(palette.color(QPalette.ColorRole.Base))
        correct, mistake = (CORRECT_DARK, MISTAKE_DARK) if self._is_dark() else (CORRECT_LIGHT, MISTAKE_LIGHT)
        totals = self._row_totals[:, None]
        shares = np.divide(self._counts, totals, out=np.zeros(self._counts.shape), where=totals > 0)
        diagonal = np.eye(len(self._counts), dtype=bool)
        mistake_strength = 0.15 + 0.85 * np.minimum(1.0, np.sqrt(shares / MISTAKE_SATURATION))
        strength = np.where(diagonal, shares, np.where(self._counts > 0, mistake_strength, 0.0))
        full = np.where(diagonal[..., None], np.array(correct, float), np.array(mistake, float))
        return np.rint(base + (full - base) * strength[..., None]).astype(np.uint8)

    def cell_color(self, row: int, col: int) -> QColor:
        return QColor(*(int(c) for c in self.cell_colors()[row, col]))

    def _text_colors(self, rgb: np.ndarray) -> list[list[QColor]]:
        palette = self.palette()
        quiet = _rgb(palette.color(QPalette.ColorRole.Base)) * 0.55 + _rgb(palette.color(QPalette.ColorRole.Text)) * 0.45
        zero = QColor(*(int(round(c)) for c in quiet))
        return [[zero if self._counts[r, c] == 0 else text_color_for(QColor(*(int(v) for v in rgb[r, c])))
                 for c in range(rgb.shape[1])] for r in range(rgb.shape[0])]

    def text_color(self, row: int, col: int) -> QColor:
        """Black or white for counts (whichever reads better); zeros are drawn quietly."""
        return self._text_colors(self.cell_colors())[row][col]

    # ---- painting ----------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        side = 60 + 34 * max(len(self._classes), 3)
        return QSize(side + 40, side)

    def minimumSizeHint(self) -> QSize:
        side = 60 + 14 * max(len(self._classes), 3)
        return QSize(side, side)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        if not self._classes:
            painter.setPen(quiet_text(self.palette()))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No evaluation yet")
            return
        layout = self._layout()
        self._paint_cells(painter, layout)
        self._paint_labels(painter, layout)

    def _count_font(self, layout: _Layout) -> QFont | None:
        font = QFont(self.font())
        widest = str(int(self._counts.max(initial=0)))
        size = min(max(layout.cell * 0.34, MIN_FONT_PX), MAX_FONT_PX)
        while size >= MIN_FONT_PX:
            font.setPixelSize(int(size))
            if QFontMetricsF(font).horizontalAdvance(widest) <= layout.cell - 3:
                return font
            size -= 1
        return None

    def _paint_cells(self, painter: QPainter, layout: _Layout) -> None:
        """One scaled image for the colours, then the counts grouped by pen: few Qt calls per paint."""
        n = len(self._classes)
        rgb = np.ascontiguousarray(self.cell_colors())
        grid = QRectF(layout.left, layout.top, layout.cell * n, layout.cell * n)
        image = QImage(rgb.data, n, n, 3 * n, QImage.Format.Format_RGB888).copy()
        painter.drawImage(grid, image)
        palette = self.palette()
        if layout.cell >= 12:
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Window), 1))
            painter.drawLines([QLineF(layout.left + i * layout.cell, layout.top, layout.left + i * layout.cell,
                                      grid.bottom()) for i in range(1, n)]
                              + [QLineF(layout.left, layout.top + i * layout.cell, grid.right(),
                                        layout.top + i * layout.cell) for i in range(1, n)])
        font = self._count_font(layout)
        if font is not None:
            painter.setFont(font)
            by_color: dict[int, tuple[QColor, list[tuple[int, int]]]] = {}
            for row, colors in enumerate(self._text_colors(rgb)):
                for col, color in enumerate(colors):
                    by_color.setdefault(color.rgba(), (color, []))[1].append((row, col))
            for color, cells in by_color.values():
                painter.setPen(color)
                for row, col in cells:
                    rect = QRectF(layout.left + col * layout.cell, layout.top + row * layout.cell,
                                  layout.cell, layout.cell)
                    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, str(int(self._counts[row, col])))
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(grid)
        if self._selected is not None:
            row, col = self._selected
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2.5))
            painter.drawRect(QRectF(layout.left + col * layout.cell, layout.top + row * layout.cell,
                                    layout.cell, layout.cell).adjusted(1, 1, -1, -1))

    def _paint_labels(self, painter: QPainter, layout: _Layout) -> None:
        n = len(self._classes)
        font = self._label_font()
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        grid = layout.cell * n
        line = metrics.height()
        names = [metrics.elidedText(name, Qt.TextElideMode.ElideRight, MAX_LABEL_PX) for name in self._classes]
        for row, name in enumerate(names):
            rect = QRectF(layout.origin, layout.top + row * layout.cell,
                          layout.left - layout.origin - 4, layout.cell)
            painter.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, name)
        for col, name in enumerate(names):
            x = layout.left + col * layout.cell
            if layout.rotate_columns:
                painter.save()
                painter.translate(x + layout.cell / 2, layout.top - 4)
                painter.rotate(-90)
                painter.drawText(QRectF(0, -line / 2, MAX_LABEL_PX, line),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
                painter.restore()
            else:
                painter.drawText(QRectF(x, layout.top - line - 4, layout.cell, line),
                                 Qt.AlignmentFlag.AlignCenter, name)
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.drawText(QRectF(layout.left, 0, grid, line), Qt.AlignmentFlag.AlignCenter, "predicted")
        painter.save()
        painter.translate(layout.origin, layout.top + grid / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-grid / 2, 0, grid, line), Qt.AlignmentFlag.AlignCenter, "true")
        painter.restore()

    # ---- interaction ---------------------------------------------------------------------
    def tooltip_text(self, row: int, col: int) -> str:
        count = int(self._counts[row, col])
        total = int(self._row_totals[row])
        true_name, predicted_name = self._classes[row], self._classes[col]
        noun = "sample" if count == 1 else "samples"
        share = f" ({100 * count / total:.1f} % of class {true_name})" if total else ""
        return f"true {true_name}, predicted {predicted_name}: {count} {noun}{share}"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            cell = self.cell_at(event.pos())
            if cell is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.tooltip_text(*cell), self)
            return True
        return super().event(event)

    def mousePressEvent(self, event) -> None:
        cell = self.cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and cell is not None:
            self._activate(cell)
        else:
            super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        """Arrow keys move the selection and Enter opens it, so the matrix works without a mouse."""
        n = len(self._classes)
        moves = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0),
                 Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}
        if n and event.key() in moves:
            row, col = self._selected or (0, 0)
            d_row, d_col = moves[event.key()] if self._selected else (0, 0)
            self.set_selected((min(max(row + d_row, 0), n - 1), min(max(col + d_col, 0), n - 1)))
        elif n and self._selected and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self._activate(self._selected)
        else:
            super().keyPressEvent(event)

    def _activate(self, cell: tuple[int, int]) -> None:
        self.set_selected(cell)
        self.cell_clicked.emit(*cell)
