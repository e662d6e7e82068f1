"""Runs you can keep, in the window: the epoch scrubber (time machine), the Runs dock's list, and the
compared runs' curves over the live ones. Each view is given the lab objects it shows, never the window."""
from .compare_overlay import CompareOverlay
from .run_recording import RunRecording
from .runs_panel import RunsPanel
from .runs_views import RunsViews
from .scrub_marker import ScrubMarker
from .scrubbed_metrics import ScrubbedMetrics
from .scrubber import EpochScrubber
from .session_commands import SessionCommands

__all__ = ["CompareOverlay", "EpochScrubber", "RunRecording", "RunsPanel", "RunsViews", "ScrubMarker", "ScrubbedMetrics",
           "SessionCommands"]
