"""Python's cyclic garbage is collected on the GUI thread only.

Automatic collection runs on whichever thread happens to allocate — often the training
worker. There it can free a closed window's parentless Qt objects (pyqtgraph's menus and
widget groups): their destructors take Qt's locks and wait for the GIL while the GUI
thread holds the GIL and waits for those locks — a deadlock seen in the close-during-
training stress test. pyqtgraph's GarbageCollector turns automatic collection off and
collects on a GUI-thread timer instead.
"""
from __future__ import annotations

from pyqtgraph.util.garbage_collector import GarbageCollector

_collector: GarbageCollector | None = None


def collect_on_gui_thread(interval_seconds: float = 1.0) -> GarbageCollector:
    """Install the collector once per process (call on the GUI thread, after QApplication exists)."""
    global _collector
    if _collector is None:
        _collector = GarbageCollector(interval=interval_seconds)
    return _collector
