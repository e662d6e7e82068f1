"""A neuron's incoming weights: an image in the input's shape for a first-layer neuron
looking at pictures, a bar chart otherwise; the weight under the mouse in full precision."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from nnlab.engine.numbers import format_full, format_number

from ..colours import sign_colours
from .grid_image import GridImage
from .themed_plot import ThemedPlot


def input_ticks(n: int) -> list[int]:
    """Which of inputs 1…n to number under the bars: whole numbers only, at most ~8 of them."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, n) if s * 8 >= n)
    return [1] + [i for i in range(step, n + 1, step) if i > 1] if n else []


class WeightBars(ThemedPlot):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumSize(120, 120)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.getAxis("left").setWidth(34)
        self.addLine(y=0, pen=pg.mkPen("#888"))
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.8)
        self.addItem(self.bars)
        self._values = np.zeros(0)
        self._apply_palette()

    def restyle(self, palette) -> None:
        self.show_values(self._values)

    def show_values(self, values: np.ndarray) -> None:
        values = self._values = np.asarray(values, dtype=np.float64)
        positive, negative = sign_colours(self.palette())
        brushes = [pg.mkBrush(positive if v >= 0 else negative) for v in values]
        self.bars.setOpts(x=np.arange(1, len(values) + 1), height=values, width=0.8, brushes=brushes, pen=None)
        top = float(np.max(np.abs(values))) if len(values) else 1.0
        self.setYRange(-top or -1, top or 1, padding=0.1)
        self.setXRange(0.4, len(values) + 0.6, padding=0)
        self.getAxis("bottom").setTicks([[(i, str(i)) for i in input_ticks(len(values))]])

    def index_at(self, scene_pos) -> int:
        x = self.getPlotItem().vb.mapSceneToView(scene_pos).x()
        return round(x) - 1


class _PlotStack(QStackedWidget):
    """Sized by the layout around it: a pyqtgraph view's own size hint follows its scene and would make
    the scrolled Neuron tab hundreds of pixels taller than it needs."""

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()


class WeightsView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = _PlotStack()
        self.image = GridImage()
        self.bars = WeightBars()
        self.stack.addWidget(self.image)
        self.stack.addWidget(self.bars)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.hover = QLabel(" ")
        self.hover.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.hover)
        self._weights = np.zeros(0)
        self._shape: tuple[int, int] | None = None
        self.image.hovered.connect(self._show_hovered)
        self.bars.scene().sigMouseMoved.connect(lambda pos: self._show_hovered(self.bars.index_at(pos)))

    def show_weights(self, weights: np.ndarray, bias: float, image_shape: tuple[int, int] | None) -> None:
        """weights: (fan_in,); ``image_shape`` only when they look at an image of that shape."""
        self._weights, self._shape = np.asarray(weights, dtype=np.float64), image_shape
        if image_shape is not None:
            self.image.show_values(self._weights, image_shape)
            self.stack.setCurrentWidget(self.image)
            kind = f"{image_shape[0]}×{image_shape[1]} image (blue +, orange −)"
        else:
            self.bars.show_values(self._weights)
            self.stack.setCurrentWidget(self.bars)
            kind = "bars (blue +, orange −)"
        count = len(self._weights)
        self.caption.setText(f"{count} incoming weight{'s' * (count != 1)} as {kind}; bias b = {format_number(bias)}")
        self.caption.setToolTip(f"b = {format_full(bias)}")

    def _show_hovered(self, index: int) -> None:
        if not 0 <= index < len(self._weights):
            self.hover.setText(" ")
            return
        where = f"row {index // self._shape[1] + 1}, column {index % self._shape[1] + 1}" if self._shape \
            else f"from unit {index + 1}"
        self.hover.setText(f"w{index + 1} ({where}) = {format_full(self._weights[index])}")
