"""A pyqtgraph plot in the window's palette: its Base colour behind, its Text colour for the axes.

pyqtgraph draws on white with grey axes unless told otherwise, so in a dark palette a plot would
stay a white box. The colours are applied again whenever the palette changes.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtGui import QPalette

from ..colours import plot_colours


class ThemedPlot(pg.PlotWidget):
    """A subclass builds its items, then calls ``_apply_palette()`` once; palette changes call it again."""

    _styled = False  # True once built and styled: Qt sends palette changes while pyqtgraph is still building

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._styled:
            self._apply_palette()

    def _apply_palette(self) -> None:
        self._styled = True
        background, foreground = plot_colours(self.palette())
        self.setBackground(background)
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setPen(foreground)
            axis.setTextPen(foreground)
        self.restyle(self.palette())

    def restyle(self, palette: QPalette) -> None:
        """Recolour what a subclass draws for ``palette`` (called once built, and on every palette change)."""
