"""Where a training run is: one name per state instead of strings scattered over the window."""
from __future__ import annotations

from enum import Enum


class TrainingState(str, Enum):
    """IDLE: no run, or a run that ended; RUNNING: the worker trains; PAUSED: a run waits mid-way.

    A ``str`` enum, so a state still reads as its word in messages and settings files.
    """

    IDLE = "idle"
    RUNNING = "running"
    PAUSED = "paused"
