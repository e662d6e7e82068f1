"""A one-input, one-output regression set in the Draw dock: the data as dots, the network as a line.

What the Draw dock is for a set of numbers to predict: there is nothing to draw and no class to
colour, but the learner can watch the line bend towards the dots while the network trains — a few
hidden units approximating a curve.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnlab.engine import Network

from ..widgets.xy_plot import XYFrame, padded_bounds, paint_frame, plot_rect

LINE_POINTS = 241  # the network's prediction at this many x across the plot: one forward pass, ~0.1 ms
POINT_PX = 2.6


class CurveView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(200, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.x = np.zeros(0)
        self.y = np.zeros(0)
        self.names = ("x", "y")
        self.x_bounds = self.y_bounds = (-1.0, 1.0)
        self.line: tuple[np.ndarray, np.ndarray] | None = None  # the network's (x, prediction)

    def set_points(self, x: np.ndarray, y: np.ndarray, names: tuple[str, str] = ("x", "y")) -> None:
        """The data: x (n,) inputs and y (n,) targets; the plot's range follows them."""
        self.x, self.y = np.asarray(x, np.float64).ravel(), np.asarray(y, np.float64).ravel()
        self.names = names
        self.x_bounds = padded_bounds(self.x, margin=0.02)
        self.y_bounds = padded_bounds(self.y, margin=0.12)
        self.line = None
        self.update()

    def set_network(self, network: Network | None) -> None:
        """Draw what ``network`` (one input, one output) predicts across the plot; None removes the line."""
        self.line = None
        if network is not None and network.input_size == 1 and network.n_outputs == 1:
            xs = np.linspace(*self.x_bounds, LINE_POINTS)
            with np.errstate(all="ignore"):
                self.line = (xs, network.forward(xs[:, None]).astype(np.float64)[:, 0])
        self.update()

    def frame(self) -> XYFrame:
        return XYFrame(plot_rect(self.width(), self.height(), square=False), *self.x_bounds, *self.y_bounds)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame, palette = self.frame(), self.palette()
        painter.fillRect(frame.rect, palette.color(QPalette.ColorRole.Base))
        dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
        dot = QColor("#5eb0ff" if dark else "#1f63b4")
        dot.setAlpha(190)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dot)
        for x, y in zip(self.x, self.y):
            painter.drawEllipse(frame.to_widget(float(x), float(y)), POINT_PX, POINT_PX)
        if self.line is not None:
            painter.save()
            painter.setClipRect(frame.rect)
            painter.setPen(QPen(QColor("#ffa040" if dark else "#d95f02"), 2.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            finite = np.isfinite(self.line[1])
            painter.drawPolyline(QPolygonF([frame.to_widget(float(x), float(y))
                                            for x, y in zip(self.line[0][finite], self.line[1][finite])]))
            painter.restore()
        paint_frame(painter, frame, palette, f"{self.names[0]} (input)", f"{self.names[1]} (to predict)")
        self._paint_legend(painter, frame, palette, dot, QColor("#ffa040" if dark else "#d95f02"))
        painter.end()

    def _paint_legend(self, painter: QPainter, frame: XYFrame, palette: QPalette, dot: QColor, line: QColor) -> None:
        """"● data  ━ network" in the top-left corner of the plot."""
        left, top = frame.rect.left() + 8, frame.rect.top() + 6
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dot)
        painter.drawEllipse(QPointF(left + 4, top + 8), POINT_PX + 0.5, POINT_PX + 0.5)
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(QPointF(left + 12, top + 12), "data")
        start = left + 16 + painter.fontMetrics().horizontalAdvance("data") + 10
        painter.setPen(QPen(line, 2.5))
        painter.drawLine(QPointF(start, top + 8), QPointF(start + 16, top + 8))
        painter.setPen(palette.color(QPalette.ColorRole.Text))
        painter.drawText(QPointF(start + 22, top + 12), "network" if self.line is not None else "network (none yet)")

    def line_at(self, x: float) -> float:
        """The drawn prediction nearest input ``x`` (tests)."""
        if self.line is None:
            raise ValueError("no network line is drawn")
        return float(self.line[1][np.abs(self.line[0] - x).argmin()])

    def dot_position(self, index: int) -> QPointF:
        return self.frame().to_widget(float(self.x[index]), float(self.y[index]))
