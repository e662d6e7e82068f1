"""The window goes first: GUI-thread work the training thread waits out between batches.

Both threads need Python's GIL, and NumPy lets go of it around every small array operation and
takes it straight back, so while the worker trains every paint took 3-6x its idle time. Work
marked with :func:`window_busy` (a repaint of the window, a plot update) runs while the worker
sits between batches instead. The GUI thread is one per process, so the mark is process-wide.
"""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_window_idle = threading.Event()
_window_idle.set()


@contextmanager
def window_busy() -> Iterator[None]:
    """Mark GUI-thread work the training thread should not compete with (nesting is fine)."""
    if not _window_idle.is_set():
        yield
        return
    _window_idle.clear()
    try:
        yield
    finally:
        _window_idle.set()


def is_window_busy() -> bool:
    return not _window_idle.is_set()


def wait_while_window_busy(at_most_seconds: float) -> None:
    """On the training thread: wait until the marked work is done, or ``at_most_seconds``."""
    _window_idle.wait(at_most_seconds)
