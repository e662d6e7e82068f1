"""Where the time machine is, on the curves: a line at the scrubbed epoch on both plots, hidden while live.

The line can be dragged: it scrubs to the nearest whole epoch, as the slider under the curves does. It is
bound to a :class:`TimeMachine` like the slider (a drag sets it; its ``changed`` event places the line)
and drawn on a :class:`LivePlots` through the plots' overlay methods.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QSignalBlocker

from nnlab.lab.time_machine import TimeMachine

from ..widgets.live_plots import PLOT_NAMES, LivePlots
from ..widgets.plot_parts import palette_colours

LINE_ALPHA = 170  # of the text colour: plain on the plot, yet lighter than the curves it crosses
ON_TOP = 20  # above every live series and the best-epoch line, so it can be grabbed anywhere


class ScrubMarker(QObject):
    def __init__(self, plots: LivePlots, time_machine: TimeMachine) -> None:
        super().__init__(plots)
        self.plots, self.time_machine = plots, time_machine
        self.lines = {plot: pg.InfiniteLine(angle=90, movable=True) for plot in PLOT_NAMES}
        self.label = pg.InfLineLabel(self.lines["loss"], "shown: epoch {value:.0f}", position=0.92,
                                     anchors=[(0, 0), (0, 0)])
        for plot, line in self.lines.items():
            plots.add_overlay(plot, line)
            line.setZValue(ON_TOP)
            line.setToolTip("The epoch every view shows: drag to go back or on (L in the scrubber: live)")
            line.sigDragged.connect(self._on_dragged)
        plots.installEventFilter(self)
        self._style()
        time_machine.changed.connect(self.show_place)
        self.show_place()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.plots and event.type() in (QEvent.Type.PaletteChange,
                                                      QEvent.Type.ApplicationPaletteChange):
            self._style()
        return False

    def _style(self) -> None:
        colours = palette_colours(self.plots.palette())
        colour = colours.text
        colour.setAlpha(LINE_ALPHA)
        hover = colours.text
        for line in self.lines.values():
            line.setPen(pg.mkPen(colour, width=2))
            line.setHoverPen(pg.mkPen(hover, width=3))
        self.label.setColor(colours.text)

    def _on_dragged(self, line: pg.InfiniteLine) -> None:
        self.time_machine.scrub_to(round(line.value()))

    def show_place(self) -> None:
        tm = self.time_machine
        shown = tm.shown_epoch
        for line in self.lines.values():
            line.setVisible(shown is not None)
            if shown is None:
                continue
            with QSignalBlocker(line):
                line.setBounds((tm.first_epoch, tm.last_epoch))
                line.setValue(shown)
        self.label.valueChanged()

    @property
    def epoch(self) -> float | None:
        """Where the line stands (None: hidden, live)."""
        line = self.lines["loss"]
        return line.value() if line.isVisible() else None
