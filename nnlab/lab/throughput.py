"""How fast a run trains and how long it still needs: samples per second over a sliding window, and the ETA.

Over the last couple of seconds rather than since the start: a run slows down while the learner
drags the window about or another program works, and the figure should say so soon — yet a
window of a few batches would jump with every batch.
"""
from __future__ import annotations

import time
from collections import deque
from typing import Callable

# Long enough to span ~10 of the worker's updates (5 a second), short enough to follow a change of pace.
RATE_WINDOW_SECONDS = 2.0


class Throughput:
    """Samples per second from the batches counted in the last ``window_seconds`` (never fewer than
    the last two), and the seconds to the end of ``last_epoch`` at that pace.

    ``clock``: seconds from any origin (``time.perf_counter``; a test passes its own).
    """

    def __init__(self, samples_per_epoch: int, last_epoch: int, *, window_seconds: float = RATE_WINDOW_SECONDS,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        if samples_per_epoch < 1:
            raise ValueError(f"an epoch needs at least one sample, not {samples_per_epoch}")
        self.samples_per_epoch, self.last_epoch = int(samples_per_epoch), int(last_epoch)
        self.window_seconds, self._clock = float(window_seconds), clock
        self._counted: deque[tuple[float, int]] = deque()  # (time, samples since the start of epoch 1)
        self._position: tuple[int, int] | None = None  # (epoch, samples seen in it) of the last batch

    def count(self, epoch: int, samples_seen: int) -> None:
        """A batch is done: ``samples_seen`` of epoch ``epoch`` (1-based) have been trained on."""
        now = self._clock()
        self._counted.append((now, (epoch - 1) * self.samples_per_epoch + samples_seen))
        while len(self._counted) > 2 and now - self._counted[0][0] > self.window_seconds:
            self._counted.popleft()
        self._position = (epoch, samples_seen)

    @property
    def samples_per_second(self) -> float:
        """0.0 until two batches have been counted at different times."""
        if len(self._counted) < 2:
            return 0.0
        (t0, n0), (t1, n1) = self._counted[0], self._counted[-1]
        return (n1 - n0) / (t1 - t0) if t1 > t0 else 0.0

    @property
    def remaining_samples(self) -> int:
        """Samples still to train on from the last batch counted to the end of ``last_epoch``."""
        epoch, seen = self._position or (1, 0)
        return max(0, (self.last_epoch - epoch + 1) * self.samples_per_epoch - seen)

    @property
    def eta_seconds(self) -> float | None:
        """Seconds to the end of the run at the current pace; None while the pace is unknown."""
        rate = self.samples_per_second
        return self.remaining_samples / rate if rate > 0 else None
