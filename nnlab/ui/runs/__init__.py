"""Runs you can keep, in the window: the epoch scrubber (time machine), the Runs dock's list, and the
compared runs' curves over the live ones. Each view is given the lab objects it shows, never the window."""
from .compare_overlay import CompareOverlay
from .runs_panel import RunsPanel
from .scrub_marker import ScrubMarker
from .scrubber import EpochScrubber

__all__ = ["CompareOverlay", "EpochScrubber", "RunsPanel", "ScrubMarker"]
