"""How the curves' axes grow: in round steps, so they change a few times a run, not at every update.

Each change of range re-clips and repaints every curve of both (x-linked) plots.
"""
from __future__ import annotations

import math


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 3, 4, 5, 6, 8 times a power of ten that is at least ``value`` (> 0)."""
    scale = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 3, 4, 5, 6, 8, 10):
        if step * scale >= value * (1 - 1e-12):
            return float(step * scale)
    raise AssertionError("unreachable: 10 × scale exceeds value")


def epoch_axis_end(last: float, planned: float | None) -> float:
    """Where the epoch axis ends with ``last`` epochs done of a run planned to end at ``planned``.

    Up to 4× the epochs done, in round steps, but never past the planned end (a 20-epoch run is
    drawn on 0–4, then 0–20) — unless training goes on past it.
    """
    last = max(last, 1.0)
    if planned is not None and last <= planned:
        return planned if planned <= 4 * last else nice_ceiling(4 * last)
    return nice_ceiling(last)
