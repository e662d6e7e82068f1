"""A small image of numbers (weights, activations) that says which cell is under the mouse.

Rows and columns are laid out as the data is shaped; a diverging colour map is
centred on zero for signed numbers, so the sign of a weight reads at a glance.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QFont, QFontMetricsF, QPalette

from nnlab.engine.numbers import MINUS, format_number

from ..colours import plot_colours, sign_colours
from .themed_plot import ThemedPlot

_SEQUENTIAL = pg.colormap.get("viridis")
MAX_LABELLED = 36
LABEL_SHARE = 0.8
"""A cell's number takes at most this share of the cell's width on screen: at 1280×720 the Feature map tab's
5×5 kernel has ~35-px cells and "−0.19" in the default font is ~33 px, so "−0.19−0.31" read as one."""
MIN_LABEL_POINTS = 6.0  # smaller is unreadable: the numbers may then touch rather than vanish


def diverging_map(palette: QPalette) -> pg.ColorMap:
    """Most negative … zero … most positive: the sign colours either side of the plot's background,
    so a weight of zero looks like no weight, on a light palette and a dark one."""
    positive, negative = sign_colours(palette)
    return pg.ColorMap([0.0, 0.5, 1.0], [negative, plot_colours(palette)[0], positive])


def grid_shape(n: int) -> tuple[int, int]:
    """(rows, columns) of a near-square grid holding n cells."""
    columns = max(1, math.ceil(math.sqrt(n)))
    return math.ceil(n / columns), columns


class GridImage(ThemedPlot):
    hovered = Signal(int)  # flat index under the mouse, -1 when none
    clicked = Signal(int)

    def __init__(self, parent=None, diverging: bool = True) -> None:
        super().__init__(parent)
        self.setMinimumSize(120, 120)
        self.hideAxis("left")
        self.hideAxis("bottom")
        self.hideButtons()
        self.setMouseEnabled(False, False)
        self.setAspectLocked(True)
        self.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.addItem(self.image)
        self.marker = pg.PlotDataItem()  # an outline around the chosen cell
        self.addItem(self.marker)
        self._diverging = diverging
        self.digits = 3  # significant digits of the numbers written in small grids' cells
        self.decimals: int | None = None  # or a fixed number of decimals, so every cell's text is as wide
        self._shape = (0, 0)
        self._count = 0
        self._labels: list[pg.TextItem] = []
        self._shown: tuple[np.ndarray, tuple[int, int] | None] | None = None
        self.getPlotItem().vb.sigResized.connect(self._fit_labels)  # a resize changes the cells' size
        self.getPlotItem().vb.sigRangeChanged.connect(self._fit_labels)
        self.scene().sigMouseMoved.connect(self._on_move)
        self.scene().sigMouseClicked.connect(self._on_click)
        self._apply_palette()

    def restyle(self, palette: QPalette) -> None:
        self.image.setColorMap(diverging_map(palette) if self._diverging else _SEQUENTIAL)
        self.marker.setPen(pg.mkPen(plot_colours(palette)[1], width=3))
        if self._shown is not None:  # the cells' numbers take the new text colour
            self.show_values(*self._shown)

    def show_values(self, values: np.ndarray, shape: tuple[int, int] | None = None) -> None:
        """values: (n,), drawn as ``shape`` (rows, columns) or a near-square grid padded with NaN."""
        values = np.asarray(values, dtype=np.float64).ravel()
        self._shown = (values, shape)
        self._count = len(values)
        rows, columns = shape if shape is not None else grid_shape(len(values))
        grid = np.full(rows * columns, np.nan)
        grid[:len(values)] = values
        grid = grid.reshape(rows, columns)
        finite = values[np.isfinite(values)]
        if self._diverging:
            top = float(np.max(np.abs(finite))) if finite.size else 1.0
            levels = (-top or -1.0, top or 1.0)
        else:
            low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
            levels = (low, high if high > low else low + 1.0)
        self.image.setImage(np.nan_to_num(grid, nan=levels[0] if not self._diverging else 0.0),
                            levels=levels, autoLevels=False)
        if (rows, columns) != self._shape:
            self._shape = (rows, columns)
            self.setRange(xRange=(0, columns), yRange=(0, rows), padding=0.02)
        self._label_cells(values, columns, levels)

    def _label_cells(self, values: np.ndarray, columns: int, levels: tuple[float, float]) -> None:
        """Small grids carry their numbers in the cells, so they read like the texts' diagrams."""
        for label in self._labels:
            self.removeItem(label)
        self._labels = []
        if len(values) > MAX_LABELLED:
            return
        middle = sum(levels) / 2
        text = plot_colours(self.palette())[1]  # a diverging map is the background near zero
        for index, value in enumerate(values):
            row, column = divmod(index, columns)
            colour = text if self._diverging else "w" if value < middle else "k"  # viridis: dark to light
            label = pg.TextItem(self.cell_text(value), color=colour, anchor=(0.5, 0.5))
            label.setPos(column + 0.5, row + 0.5)
            self.addItem(label)
            self._labels.append(label)
        self._fit_labels()

    def _fit_labels(self, *_args) -> None:
        """Every cell's number in one font no wider than ``LABEL_SHARE`` of a cell on screen (never larger
        than the widget's font), so neighbouring numbers keep a gap."""
        if not self._labels:
            return
        pixel = self.getPlotItem().vb.viewPixelSize()[0]
        if not pixel > 0:
            return
        font = QFont(self.font())
        widest = max(QFontMetricsF(font).horizontalAdvance(label.toPlainText()) for label in self._labels)
        if widest > 0:
            font.setPointSizeF(max(MIN_LABEL_POINTS, font.pointSizeF() * min(1.0, LABEL_SHARE / (pixel * widest))))
        for label in self._labels:
            label.setFont(font)

    def cell_text(self, value: float) -> str:
        """A cell's number: significant digits, or fixed decimals ("−0.09", not "−0.089", beside "0.23")."""
        if self.decimals is None:
            return format_number(value, self.digits)
        text = f"{value:.{self.decimals}f}"
        return "0" if float(text) == 0 else text.replace("-", MINUS)

    def mark(self, index: int | None) -> None:
        if index is None or not 0 <= index < self._count:
            self.marker.setData([], [])
            return
        row, column = divmod(index, self._shape[1])
        self.marker.setData([column, column + 1, column + 1, column, column], [row, row, row + 1, row + 1, row])

    def _index_at(self, scene_pos: QPointF) -> int:
        point = self.getPlotItem().vb.mapSceneToView(scene_pos)
        column, row = math.floor(point.x()), math.floor(point.y())
        rows, columns = self._shape
        if 0 <= row < rows and 0 <= column < columns and row * columns + column < self._count:
            return row * columns + column
        return -1

    def _on_move(self, scene_pos: QPointF) -> None:
        self.hovered.emit(self._index_at(scene_pos))

    def _on_click(self, event) -> None:
        index = self._index_at(event.scenePos())
        if index >= 0:
            self.clicked.emit(index)
