"""A diverged run on the loss plot: the blown-up loss clipped at the top of the axis, under a marker.

A diverged run's loss reaches 10⁴–10¹⁰ in one batch: an axis grown to it would flatten every
earlier point to zero, and the learner would see nothing of the good epochs or of the blow-up.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from nnlab.lab.history import BlowUpPoint

from .plot_axes import nice_ceiling
from .plot_parts import PlotColours

# The loss axis stays at HEADROOM × the highest loss before the blow-up (in round steps), so the
# clipped point stands clearly above the curve it ended (the view reaches plot_axes.VIEW_TOP × it).
HEADROOM = 2.0


class BlowUpMark:
    """A cross where the clipped loss meets the ceiling, a line through the plot at the blow-up, its
    words in the legend, and the ceiling the loss curves are clipped to while it is shown.

    The legend covers the plot's top right: a label beside the cross ran under it whenever the run
    blew up in the plot's right half, and the line stays visible below it.
    """

    def __init__(self, plot: pg.PlotWidget, z: float) -> None:
        self.marker = pg.ScatterPlotItem(symbol="x", size=16)
        self.line = pg.InfiniteLine(angle=90, movable=False)
        for item in (self.marker, self.line):
            plot.addItem(item, ignoreBounds=True)
            item.setZValue(z)
        self._plot = plot
        self.text = ""
        self.ceiling = 0.0
        self.point: BlowUpPoint | None = None  # None: nothing shown
        self.hide()

    @property
    def shown(self) -> bool:
        return self.point is not None

    def style(self, colours: PlotColours) -> None:
        self.marker.setPen(pg.mkPen(colours.warning, width=3))
        self.marker.setBrush(pg.mkBrush(colours.warning))
        self.line.setPen(pg.mkPen(colours.warning, width=2))

    def show(self, point: BlowUpPoint, highest_before: float) -> None:
        """The loss blew up at ``point``; the highest loss drawn before it was ``highest_before``."""
        self.point = point
        self.ceiling = nice_ceiling(HEADROOM * highest_before) if highest_before > 0 else 1.0
        self.marker.setData([point.x], [self.ceiling])
        self.line.setValue(point.x)
        self.line.show()
        self._unlist()
        self.text = f"loss blew up ({point.loss:.2g})"  # as wide as the other lines: the legend grows leftwards
        legend = self._plot.getPlotItem().legend
        if legend is not None:
            legend.addItem(self.marker, self.text)

    def hide(self) -> None:
        self.point = None
        self.marker.setData([], [])
        self.line.hide()
        self._unlist()

    def _unlist(self) -> None:
        legend = self._plot.getPlotItem().legend
        if legend is not None and self.text:
            legend.removeItem(self.marker)
        self.text = ""

    def clipped(self, y: np.ndarray) -> np.ndarray:
        """``y`` as drawn: no higher than the ceiling (a NaN stays a gap)."""
        return np.minimum(y, self.ceiling)

