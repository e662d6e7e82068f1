"""A small plot of a neuron's activation function with the point it is at now."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from nnlab.engine.activations import curve_half_range
from nnlab.engine.explain import ACTIVATION_NAMES, activation_curve

from ..colours import plot_colours
from .themed_plot import ThemedPlot

SHRINK_BELOW = 4.0
KEEP_SHARE = 0.9  # a point in the outer tenth of the curve's range gets a wider curve


def _range_for(z: float) -> float:
    """How far either side of 0 a curve drawn around z shows points before it must be redrawn."""
    return KEEP_SHARE * curve_half_range(z)


class ActivationPlot(ThemedPlot):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setMinimumSize(160, 120)
        self.setMouseEnabled(False, False)
        self.hideButtons()
        self.showGrid(x=True, y=True, alpha=0.2)
        self.curve = self.plot()
        self.point = pg.ScatterPlotItem(size=9, brush=pg.mkBrush("#d04020"), pen=None)
        self.addItem(self.point)
        self._name = None
        self._range = None
        self._title_colour = None
        self._apply_palette()

    def restyle(self, palette) -> None:
        self._title_colour = plot_colours(palette)[1]
        self.curve.setPen(pg.mkPen(self._title_colour, width=2))
        if self._name is not None:
            self._show_title(self._name)

    def _show_title(self, name: str) -> None:
        self.setTitle(f"{ACTIVATION_NAMES.get(name, name)}", size="9pt", color=self._title_colour)

    def show_point(self, name: str, z: float, a: float) -> None:
        """The curve of ``name`` around z, and a dot at (z, a); the curve is redrawn only when it must be:
        when z leaves the range, or needs less than 1/SHRINK_BELOW of it (another network or input — a
        range grown to a blown-up neuron's z = 3,000 would show an ordinary one as a dot on a flat line)."""
        if name != self._name or self._range is None or abs(z) > self._range \
                or self._range > SHRINK_BELOW * _range_for(z):
            zs, ys = activation_curve(name, z)
            self.curve.setData(zs, ys)
            self._name, self._range = name, _range_for(z)
            self._show_title(name)
            self.setXRange(zs[0], zs[-1], padding=0.02)
            self.setYRange(float(np.min(ys)), float(np.max(ys)), padding=0.08)
        self.point.setData([z], [a])
