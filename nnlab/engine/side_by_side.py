"""Two pieces of NumPy work at once: one on the calling thread, one on a helper thread kept for the process.

NumPy lets go of Python's lock inside BLAS products, copies and ufunc loops over large arrays, so two
threads that each work on their own arrays use two cores. The helper is one long-lived thread (starting
a thread per call costs ~100 µs); callers from several threads share it, each waiting for its own job.
"""
from __future__ import annotations

import os
import statistics
import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

import numpy as np

_helper: ThreadPoolExecutor | None = None
_helper_thread_ids: set[int] = set()
_starting = threading.Lock()


def cores_available() -> int:
    """The cores this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def _remember_helper() -> None:
    _helper_thread_ids.add(threading.get_ident())


def _the_helper() -> ThreadPoolExecutor:
    global _helper
    with _starting:
        if _helper is None:
            _helper = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nnlab-helper",
                                         initializer=_remember_helper)
    return _helper


def run_side_by_side(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Run ``first`` on the helper thread while ``second`` runs here; re-raise either's exception.

    ``first`` runs under this thread's floating-point error settings (``np.errstate`` is per thread).
    Called on the helper thread itself, both run here one after the other (the helper cannot wait for itself).
    """
    if threading.get_ident() in _helper_thread_ids:
        first()
        second()
        return
    settings = np.geterr()

    def with_settings() -> None:
        with np.errstate(**settings):
            first()

    pending = _the_helper().submit(with_settings)
    try:
        second()
    finally:
        pending.result()


class SideBySideChoice:
    """Whether two pieces of work whose results do not depend on it should run side by side: the way that was
    faster lately, and every ``TRY_EVERY``-th time the other, to notice when the machine changes.

    With a core to spare, a LeNet batch took ~7.5 ms as two halves side by side against ~10 ms one after the
    other (per half, /proc/thread-self/schedstat: CPU ~4.9 → ~6.2 ms, and 1–1.8 ms waiting for Python's lock,
    which every NumPy call hands over); with other processes keeping both cores busy, an epoch side by side
    took 1.5–1.7× as long as in turn (~10 ms a batch waiting for a core): Linux's scheduler gives a process (a
    session, with autogroup) its share of the CPU however many threads it runs, and a thread that waits for a
    core while it holds Python's lock keeps the other waiting for the lock.
    """

    TRY_EVERY = 32  # times between tries of the other way
    TRY_FOR = 3  # times a try lasts: its first is not counted
    KEEP = 6  # the last KEEP counted times of each way; their medians are compared

    def __init__(self) -> None:
        self._seconds: dict[bool, deque] = {True: deque(maxlen=self.KEEP), False: deque(maxlen=self.KEEP)}
        self._calls = 0
        self._ways: deque = deque([None, None], maxlen=2)  # the way before, and this time's

    def choose(self) -> bool:
        self._calls += 1
        unmeasured = [way for way in (True, False) if not self._seconds[way]]
        if unmeasured:
            way = unmeasured[0]
        else:
            faster = statistics.median(self._seconds[True]) <= statistics.median(self._seconds[False])
            way = (not faster) if self._calls % self.TRY_EVERY < self.TRY_FOR else faster
        self._ways.append(way)
        return way

    def record(self, side_by_side: bool, seconds: float) -> None:
        """How long the work took the way ``choose`` said. Only a time that followed one of the same way counts:
        the first time (buffers allocated), and the first after a change of way (a helper thread woken after a
        rest, caches filled by the other way), are not what that way costs when it is kept."""
        if self._calls > 1 and self._ways[0] == side_by_side:
            self._seconds[side_by_side].append(seconds)
