"""2-D point sets as TF Playground shows them: the points over the network's decision regions.

Painted with QPainter rather than a pyqtgraph plot: a plot item owns parentless QObjects whose
Python wrappers, once the window is gone, may be collected on the training thread.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnlab.engine import Network
from nnlab.engine.outputs import class_probabilities


GRID = 96  # decision-map cells per side: a forward pass of 9,216 points, ~1 ms
CLASS_COLOURS = np.array([(33, 102, 172), (214, 96, 77), (27, 158, 119), (231, 138, 195), (117, 112, 179),
                          (230, 171, 2), (102, 102, 102), (166, 118, 29)], dtype=np.float32)
MARGIN = 0.15
AXIS_PX = 28
POINT_PX, MINE_PX = 3.0, 6.5


def class_colours(n: int) -> np.ndarray:
    return CLASS_COLOURS[np.arange(n) % len(CLASS_COLOURS)]


def decision_image(network: Network, bounds: tuple[float, float, float, float], n_classes: int,
                   cells: int = GRID) -> np.ndarray:
    """(cells, cells, 3) uint8 RGB: each cell the class colours mixed by probability, pale where unsure.

    ``image[i, j]`` is the cell at x = x0 + (i + ½)·width/cells, y = y0 + (j + ½)·height/cells.
    """
    x0, x1, y0, y1 = bounds
    xs = x0 + (np.arange(cells, dtype=np.float32) + 0.5) * np.float32((x1 - x0) / cells)
    ys = y0 + (np.arange(cells, dtype=np.float32) + 0.5) * np.float32((y1 - y0) / cells)
    grid = np.stack(np.meshgrid(xs, ys, indexing="ij"), axis=-1).reshape(-1, 2)
    p = class_probabilities(network.forward(grid))
    colour = p @ class_colours(n_classes)
    certainty = (p.max(axis=1, keepdims=True) - 1.0 / n_classes) / (1.0 - 1.0 / n_classes)
    mixed = 255.0 - (255.0 - colour) * (0.25 + 0.45 * certainty)
    return mixed.reshape(cells, cells, 3).astype(np.uint8)


class ScatterView(QWidget):
    point_clicked = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(180 + AXIS_PX, 180 + AXIS_PX)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Click to add a point of the chosen class")
        self.bounds = (-1.0, 1.0, -1.0, 1.0)
        self.n_classes = 2
        self.points = np.zeros((0, 2), np.float32)
        self.labels = np.zeros(0, np.int64)
        self.mine_points = np.zeros((0, 2), np.float32)
        self.mine_labels = np.zeros(0, np.int64)
        self.regions_image: QImage | None = None

    def set_points(self, x: np.ndarray, y: np.ndarray, n_classes: int, mine_x: np.ndarray | None = None,
                   mine_y: np.ndarray | None = None) -> None:
        """Dataset points x (n, 2) with labels y (n,); ``mine_*`` the learner's own points."""
        self.n_classes = max(2, int(n_classes))
        self.points, self.labels = np.asarray(x, np.float32).reshape(-1, 2), np.asarray(y, np.int64)
        self.mine_points = np.zeros((0, 2), np.float32) if mine_x is None else np.asarray(mine_x, np.float32)
        self.mine_labels = np.zeros(0, np.int64) if mine_y is None else np.asarray(mine_y, np.int64)
        everything = np.concatenate([self.points, self.mine_points])
        if len(everything):
            lo, hi = everything.min(axis=0), everything.max(axis=0)
            centre, half = (lo + hi) / 2, float(max(hi - lo)) * (0.5 + MARGIN) or 1.0
            self.bounds = (float(centre[0] - half), float(centre[0] + half),
                           float(centre[1] - half), float(centre[1] + half))
        self.update()

    def set_network(self, network: Network | None) -> None:
        self.regions_image = None
        if network is not None and network.input_size == 2:
            rgb = decision_image(network, self.bounds, self.n_classes)
            # rows of the picture run top (high y) to bottom, columns left (low x) to right
            pixels = np.ascontiguousarray(rgb.transpose(1, 0, 2)[::-1])
            height, width = pixels.shape[:2]
            self.regions_image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888).copy()
        self.update()

    # -- geometry -----------------------------------------------------------------------------------
    def plot_rect(self) -> QRectF:
        side = max(10.0, min(self.width(), self.height()) - AXIS_PX)
        return QRectF(AXIS_PX + (self.width() - AXIS_PX - side) / 2, (self.height() - AXIS_PX - side) / 2,
                      side, side)

    def to_widget(self, x: float, y: float) -> QPointF:
        rect, (x0, x1, y0, y1) = self.plot_rect(), self.bounds
        return QPointF(rect.left() + (x - x0) / (x1 - x0) * rect.width(),
                       rect.bottom() - (y - y0) / (y1 - y0) * rect.height())

    def to_data(self, point: QPointF) -> tuple[float, float]:
        rect, (x0, x1, y0, y1) = self.plot_rect(), self.bounds
        return (x0 + (point.x() - rect.left()) / rect.width() * (x1 - x0),
                y0 + (rect.bottom() - point.y()) / rect.height() * (y1 - y0))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.plot_rect().contains(event.position()):
            self.point_clicked.emit(*self.to_data(event.position()))

    # -- painting -----------------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        rect = self.plot_rect()
        painter.fillRect(rect, QColor(255, 255, 255))
        if self.regions_image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(rect, self.regions_image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        colours = [QColor(*map(int, c)) for c in class_colours(self.n_classes)]
        painter.setPen(QPen(QColor(255, 255, 255, 200), 1))
        for (x, y), label in zip(self.points, self.labels):
            painter.setBrush(colours[label])
            painter.drawEllipse(self.to_widget(x, y), POINT_PX, POINT_PX)
        painter.setPen(QPen(QColor(0, 0, 0), 1.5))
        for (x, y), label in zip(self.mine_points, self.mine_labels):
            painter.setBrush(colours[label])
            centre = self.to_widget(x, y)
            painter.drawRect(QRectF(centre.x() - MINE_PX, centre.y() - MINE_PX, 2 * MINE_PX, 2 * MINE_PX))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(120, 120, 120), 1))
        painter.drawRect(rect)
        self._paint_ticks(painter, rect)
        painter.end()

    def _paint_ticks(self, painter: QPainter, rect: QRectF) -> None:
        x0, x1, y0, y1 = self.bounds
        step = float(10 ** np.floor(np.log10((x1 - x0) / 2)))
        painter.setPen(self.palette().windowText().color())
        for value in np.arange(np.ceil(x0 / step) * step, x1, step):
            at = self.to_widget(value, y0)
            painter.drawText(QRectF(at.x() - 20, rect.bottom() + 2, 40, AXIS_PX - 4),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, f"{value:g}")
        for value in np.arange(np.ceil(y0 / step) * step, y1, step):
            at = self.to_widget(x0, value)
            painter.drawText(QRectF(rect.left() - AXIS_PX, at.y() - 8, AXIS_PX - 4, 16),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"{value:g}")
