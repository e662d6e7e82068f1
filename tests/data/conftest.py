"""Timing without clocks: a test compares its code with a reference operation timed beside it."""
import time

import pytest


def _seconds(work, repeats: int) -> float:
    start = time.perf_counter()
    for _ in range(repeats):
        work()
    return (time.perf_counter() - start) / repeats


@pytest.fixture
def time_ratio():
    """``time_ratio(work, reference)``: how many times as long ``work`` takes as ``reference``.

    The machines are shared and noisy, so no test asserts seconds (the house rule). The two are timed
    in alternating rounds, so a busy neighbour slows both alike, and each keeps its best round: other
    processes only ever add time. A test then asks for a ratio with a generous factor — one that
    still fails if the code becomes pathologically slow (a Python loop per pixel, a quadratic step).
    """
    def ratio(work, reference, rounds: int = 5, repeats: int = 1) -> float:
        work_best = reference_best = float("inf")
        for _ in range(rounds):
            work_best = min(work_best, _seconds(work, repeats))
            reference_best = min(reference_best, _seconds(reference, repeats))
        return work_best / reference_best

    return ratio
