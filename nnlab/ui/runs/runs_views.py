"""The runs views of one window, made in one place from the lab objects they show.

The window only assembles: it hands over the session, the selection, the run settings and its live
plots, and puts ``curves`` (the plots with the scrubber under them) and ``panel`` in docks. What a
session file keeps of them is ``view_state()``; ``restore_view`` puts it back.
"""
from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from nnlab.lab.comparison import RunComparison
from nnlab.lab.run_follow import SettingsFollowRuns
from nnlab.lab.time_machine import TimeMachine
from nnlab.lab.view_state import restore_view, view_state

from ..widgets.live_plots import LivePlots
from .compare_overlay import CompareOverlay
from .runs_panel import Attempt, RunsPanel
from .scrub_marker import ScrubMarker
from .scrubber import EpochScrubber


class CurvesWithScrubber(QWidget):
    """The live curves with the epoch scrubber under them: one dock's contents."""

    def __init__(self, plots: LivePlots, scrubber: EpochScrubber, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(plots, 1)
        layout.addWidget(scrubber)


class RunsViews:
    def __init__(self, session, selection, run_settings, plots: LivePlots, attempt: Attempt | None = None) -> None:
        self.time_machine = TimeMachine(session.runs, selection)
        self.comparison = RunComparison(session.runs)
        self.scrubber = EpochScrubber(self.time_machine)
        self.marker = ScrubMarker(plots, self.time_machine)
        self.overlay = CompareOverlay(plots, self.comparison)
        self.curves = CurvesWithScrubber(plots, self.scrubber)
        self.panel = RunsPanel(session, self.comparison, self.time_machine, run_settings, attempt)
        self.settings_follow = SettingsFollowRuns(session.runs, run_settings)  # the panel shows the current run's

    def set_training_state(self, state: str) -> None:
        self.panel.set_training_state(state)

    def view_state(self) -> dict:
        return view_state(self.time_machine, self.comparison)

    def restore_view(self, state: dict) -> None:
        restore_view(self.time_machine, self.comparison, state)
