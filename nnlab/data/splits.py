"""Train / validation / test split that keeps every class in every part.

Stratifying matters for the small sets (faces has 100 per class): a plain random
cut can leave a class nearly absent from validation and make its curve meaningless.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab.data.dataset import Dataset

PART_NAMES = ("train", "validation", "test")


@dataclass
class Splits:
    train: Dataset
    validation: Dataset
    test: Dataset


def _check_fractions(fractions: tuple[float, float, float]) -> np.ndarray:
    f = np.asarray(fractions, dtype=np.float64)
    if f.shape != (3,) or not np.all(np.isfinite(f)):
        raise ValueError(f"fractions must be three numbers (train, validation, test), got {fractions!r}")
    if f[0] <= 0 or np.any(f < 0):
        raise ValueError(f"the train fraction must be positive and the others at least 0, got {fractions!r}")
    if abs(f.sum() - 1.0) > 1e-6:
        raise ValueError(f"fractions must add up to 1, got {fractions!r} (sum {f.sum():.6g})")
    return f


def _class_counts(n: int, f: np.ndarray) -> np.ndarray:
    """How many of one class's n samples go to (train, validation, test).

    Rounds n × fraction, then gives each part with a positive fraction at least
    one sample when the class has ≥ 3, and keeps at least one for training.
    """
    counts = np.rint(n * f).astype(np.int64)
    if n >= 3:
        counts[1:] = np.where(f[1:] > 0, np.maximum(counts[1:], 1), 0)
    while counts[1:].sum() > n - 1:
        counts[1 + int(np.argmax(counts[1:]))] -= 1
    counts[0] = n - counts[1:].sum()
    return counts


def split_dataset(ds: Dataset, fractions: tuple[float, float, float] = (0.70, 0.15, 0.15),
                  seed: int = 0) -> Splits:
    """Stratified, seeded split of ds into three Datasets named e.g. "digits (train)".

    Each part's rows are shuffled; together the parts hold every row exactly once.
    A zero fraction gives an empty part with shape (0, n_features).
    A set with its own test part (``ds.fixed_test``, e.g. MNIST's official 10,000) keeps it as the
    test part, in its order, whatever the test share: results compare with published ones, and no
    run trains on those rows. Train and validation then share the other rows in the proportion of
    their shares (70/15 of MNIST's 60,000 training digits: 49,411 and 10,589, rounded class by class).
    """
    f = _check_fractions(fractions)
    if len(ds) == 0:
        raise ValueError(f"dataset {ds.name!r} is empty, so it cannot be split")
    rng = np.random.default_rng(seed)
    if ds.fixed_test is None:
        picked = _stratified(ds.y, np.arange(len(ds)), f, rng)
    else:
        learn = np.array([f[0], f[1], 0.0]) / (f[0] + f[1])
        train, validation, _ = _stratified(ds.y, np.flatnonzero(~ds.fixed_test), learn, rng)
        picked = [train, validation, np.flatnonzero(ds.fixed_test)]
    return Splits(*(ds.subset(idx, f"{ds.name} ({name})") for idx, name in zip(picked, PART_NAMES)))


def _stratified(y: np.ndarray, rows: np.ndarray, f: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    """``rows`` cut into (train, validation, test) indices with every class in each part, each part shuffled."""
    parts: list[list[np.ndarray]] = [[], [], []]
    labels = y[rows]
    for label in np.unique(labels):
        members = rng.permutation(rows[labels == label])
        bounds = np.cumsum(_class_counts(len(members), f))[:-1]
        for part, chunk in zip(parts, np.split(members, bounds)):
            part.append(chunk)
    return [rng.permutation(np.concatenate(p)) if p else np.zeros(0, np.int64) for p in parts]
