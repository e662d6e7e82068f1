"""Learning-rate schedules: the rate each batch of a run trains with.

A schedule spans the epochs of the run that began it (``TrainConfig.epochs`` from where the run started),
and the trainer sets ``Optimizer.learning_rate`` from it before every batch. "cosine" falls from the
configured rate along half a cosine to ``COSINE_FLOOR`` × that rate at the end of the run: large steps
while the network is far from good, small ones to settle in at the end. It is what lets the LeNet-style
digits network reach 99 % on MNIST's test digits in 5 epochs from 3e-3 (benchmarks/cnn_accuracy.py).
"""
from __future__ import annotations

import math

LR_SCHEDULES = ("constant", "cosine")
# Where "cosine" ends, as a share of the starting rate: 3e-3 → 1.5e-4 in the LeNet-style MNIST recipe
# (benchmarks/cnn_accuracy.py: seeds 0–2 ended at 99.19, 99.10, 99.18 %; from 2e-3 → 1e-4, 99.10, 98.98, 99.13 %).
# Only this floor was measured; the rate stays large enough that the last epoch still learns.
COSINE_FLOOR = 0.05


def check_lr_schedule(name) -> str:
    if name not in LR_SCHEDULES:
        raise ValueError(f"the learning-rate schedule must be one of {', '.join(LR_SCHEDULES)}, not {name!r}")
    return name


def scheduled_learning_rate(schedule: str, base: float, progress: float) -> float:
    """The rate at ``progress`` through the schedule: 0 at its first batch, 1 at its end (clamped to 0 … 1,
    so epochs trained past the end keep the last rate)."""
    if schedule == "constant":
        return base
    progress = min(max(progress, 0.0), 1.0)
    floor = base * COSINE_FLOOR
    return floor + (base - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))
