"""A plain x–y frame painted with QPainter: data → pixels, round ticks, axis titles.

Shared by the two small pictures of a network that predicts numbers — predicted against true
values (Metrics tab) and the fitted curve through the data (Draw dock). They never pan or zoom,
so a paintEvent is all they need (and, like the scatter of the 2-D sets, they own no pyqtgraph
items whose Python wrappers could be collected on the training thread).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen

AXIS_PX = 34  # room left of and below the frame for tick labels
TITLE_PX = 16  # room for an axis title
MARGIN = 0.06  # share of the data's span left free on each side


def padded_bounds(values: np.ndarray, margin: float = MARGIN) -> tuple[float, float]:
    """(low, high) holding every finite value with ``margin`` of the span either side; ±1 when empty."""
    finite = np.asarray(values, np.float64)
    finite = finite[np.isfinite(finite)]
    if not finite.size:
        return -1.0, 1.0
    low, high = float(finite.min()), float(finite.max())
    span = high - low or max(abs(high), 1.0)
    return low - margin * span, high + margin * span


def tick_values(low: float, high: float, at_most: int = 6) -> np.ndarray:
    """Round tick positions (1, 2 or 5 × 10ⁿ apart) inside [low, high], no more than ``at_most``."""
    span = high - low
    if not (span > 0 and math.isfinite(span)):
        return np.array([low])
    raw = span / at_most
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(low / step) * step
    ticks = np.arange(first, high + step * 1e-9, step)
    return np.where(np.abs(ticks) < step * 1e-9, 0.0, ticks)


@dataclass(frozen=True)
class XYFrame:
    """Where the data rectangle (x0…x1, y0…y1) sits in the widget (``rect``, y growing upwards)."""

    rect: QRectF
    x0: float
    x1: float
    y0: float
    y1: float

    def to_widget(self, x: float, y: float) -> QPointF:
        return QPointF(self.rect.left() + (x - self.x0) / (self.x1 - self.x0) * self.rect.width(),
                       self.rect.bottom() - (y - self.y0) / (self.y1 - self.y0) * self.rect.height())

    def to_data(self, point: QPointF) -> tuple[float, float]:
        return (self.x0 + (point.x() - self.rect.left()) / self.rect.width() * (self.x1 - self.x0),
                self.y0 + (self.rect.bottom() - point.y()) / self.rect.height() * (self.y1 - self.y0))


def plot_rect(width: int, height: int, square: bool) -> QRectF:
    """The frame's rectangle in a widget of this size, leaving room for ticks and titles."""
    room_w, room_h = width - AXIS_PX - TITLE_PX - 6, height - AXIS_PX - TITLE_PX - 6
    if square:
        side = max(10.0, min(room_w, room_h))
        return QRectF(AXIS_PX + TITLE_PX + (room_w - side) / 2, 6 + (room_h - side) / 2, side, side)
    return QRectF(AXIS_PX + TITLE_PX, 6, max(10.0, room_w), max(10.0, room_h))


def paint_frame(painter: QPainter, frame: XYFrame, palette: QPalette, x_title: str, y_title: str) -> None:
    """The frame, its round ticks with their numbers, and a title on each axis."""
    text = palette.color(QPalette.ColorRole.Text)
    rect = frame.rect
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(140, 140, 140), 1))
    painter.drawRect(rect)
    painter.setPen(text)
    for value in tick_values(frame.x0, frame.x1):
        at = frame.to_widget(value, frame.y0)
        painter.drawLine(QPointF(at.x(), rect.bottom()), QPointF(at.x(), rect.bottom() + 3))
        painter.drawText(QRectF(at.x() - 24, rect.bottom() + 3, 48, AXIS_PX - 18),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, f"{value:g}")
    for value in tick_values(frame.y0, frame.y1):
        at = frame.to_widget(frame.x0, value)
        painter.drawLine(QPointF(rect.left() - 3, at.y()), QPointF(rect.left(), at.y()))
        painter.drawText(QRectF(rect.left() - AXIS_PX, at.y() - 8, AXIS_PX - 5, 16),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:g}")
    painter.drawText(QRectF(rect.left(), rect.bottom() + AXIS_PX - 16, rect.width(), TITLE_PX),
                     Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, x_title)
    painter.save()
    painter.translate(rect.left() - AXIS_PX - TITLE_PX + 2, rect.center().y())
    painter.rotate(-90)
    painter.drawText(QRectF(-rect.height() / 2, 0, rect.height(), TITLE_PX),
                     Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, y_title)
    painter.restore()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
