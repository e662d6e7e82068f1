"""Two-dimensional toy sets in the spirit of TensorFlow Playground, and one curve to fit.

Small enough to train in a blink and to draw as a decision map (or, for the curve, as the
network's line through the points); every set is seeded, shuffled and scaled to roughly
[-1, 1], and the class sets are balanced between classes.
"""
from __future__ import annotations

import numpy as np

from nnlab.data.dataset import Dataset

XOR_GAP = 0.06


def _check(n_samples: int, noise: float, n_classes: int = 2, why: str = "one per class") -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
        raise ValueError(f"n_samples must be a whole number, got {n_samples!r}")
    if n_samples < n_classes:
        raise ValueError(f"n_samples must be at least {n_classes} ({why}), got {n_samples}")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number ≥ 0, got {noise!r}")


def _per_class(n_samples: int, n_classes: int) -> np.ndarray:
    """Class sizes (n_classes,) differing by at most one."""
    return np.full(n_classes, n_samples // n_classes) + (np.arange(n_classes) < n_samples % n_classes)


def _finish(name: str, points: np.ndarray, labels: np.ndarray, classes: list[str], noise: float,
            rng: np.random.Generator, description: str, seed: int) -> Dataset:
    """Add Gaussian jitter to points (n, 2), shuffle rows and wrap them as a Dataset."""
    if noise > 0:
        points = points + rng.normal(0.0, noise, points.shape)
    order = rng.permutation(len(points))
    return Dataset(name, points[order], labels[order], classes, (2,), "none", description,
                   {"noise": float(noise), "seed": int(seed)})


def xor(n_samples: int = 400, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Quadrant pattern: label 1 where x·y > 0, with a gap of XOR_GAP around both axes.

    The gap keeps every noise-free point clear of the decision boundary, so a
    2-4-1 network can classify all of them. Labels come from the noise-free
    positions, so noise shows up as points drifting across the axes.
    """
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    sizes = _per_class(n_samples, 2)
    parts, labels = [], []
    for label, size in enumerate(sizes):
        mag = rng.uniform(XOR_GAP, 1.0, (size, 2))
        sx = rng.choice([-1.0, 1.0], size)
        sy = sx if label == 1 else -sx
        parts.append(mag * np.stack([sx, sy], axis=1))
        labels.append(np.full(size, label))
    return _finish("xor", np.concatenate(parts), np.concatenate(labels), ["0", "1"], noise, rng,
                   "XOR: class 1 where x and y have the same sign", seed)


def circles(n_samples: int = 400, noise: float = 0.0, seed: int = 0) -> Dataset:
    """A disc (class 1, radius ≤ 0.5) inside a ring (class 0, radius 0.7 … 1.0)."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    n_ring, n_disc = _per_class(n_samples, 2)
    radius = np.concatenate([rng.uniform(0.7, 1.0, n_ring), rng.uniform(0.0, 0.5, n_disc)])
    angle = rng.uniform(0.0, 2 * np.pi, n_samples)
    points = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    labels = np.r_[np.zeros(n_ring, np.int64), np.ones(n_disc, np.int64)]
    return _finish("circles", points, labels, ["0", "1"], noise, rng,
                   "Circles: a disc (class 1) inside a ring (class 0)", seed)


def spirals(n_samples: int = 400, noise: float = 0.0, seed: int = 0) -> Dataset:
    """Two interleaved spirals of 1.75 turns each, radius growing from 0 to 1."""
    _check(n_samples, noise)
    rng = np.random.default_rng(seed)
    parts, labels = [], []
    for label, size in enumerate(_per_class(n_samples, 2)):
        r = np.arange(size) / size
        t = 1.75 * 2 * np.pi * r + np.pi * label
        parts.append(r[:, None] * np.stack([np.sin(t), np.cos(t)], axis=1))
        labels.append(np.full(size, label))
    return _finish("spirals", np.concatenate(parts), np.concatenate(labels), ["0", "1"], noise, rng,
                   "Spirals: two interleaved spiral arms", seed)


def blobs(n_samples: int = 400, noise: float = 0.0, seed: int = 0, n_classes: int = 3) -> Dataset:
    """n_classes Gaussian clusters (std 0.12) centred on a circle of radius 0.6.

    The circle is turned by a seeded random angle so each seed gives a different layout.
    """
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or not 2 <= n_classes <= 10:
        raise ValueError(f"n_classes must be a whole number from 2 to 10, got {n_classes!r}")
    _check(n_samples, noise, n_classes)
    rng = np.random.default_rng(seed)
    sizes = _per_class(n_samples, n_classes)
    angle = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(n_classes) / n_classes
    centres = 0.6 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    labels = np.repeat(np.arange(n_classes), sizes)
    points = centres[labels] + rng.normal(0.0, 0.12, (n_samples, 2))
    return _finish("blobs", points, labels, [str(c) for c in range(n_classes)], noise, rng,
                   f"Blobs: {n_classes} clusters of points", seed)


CURVE_NOISE = 0.1  # std of the noise on y: R² stays below ~0.98 however well the curve is fitted


def wave(x: np.ndarray) -> np.ndarray:
    """The curve the ``curve`` set samples: one and a half swings, so a straight line cannot fit it."""
    return np.sin(1.5 * np.pi * x) * (0.6 + 0.4 * x)


def curve(n_samples: int = 200, noise: float = CURVE_NOISE, seed: int = 0) -> Dataset:
    """Regression: points (x, y) on :func:`wave` for x in [-1, 1], y jittered by Gaussian noise.

    One input, one number to predict — "y = mx + c" grown into a curve. A network with one hidden
    layer of a few tanh units bends a line to fit it (the universal approximation idea); the
    noise is what no network should learn.
    """
    _check(n_samples, noise, 2, "a curve needs two points")
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1.0, 1.0, n_samples)
    y = wave(x) + (rng.normal(0.0, noise, n_samples) if noise > 0 else 0.0)
    return Dataset.regression("curve", x[:, None], y[:, None], ["y"], (1,),
                              "Curve: predict y from x on a noisy wave",
                              {"noise": float(noise), "seed": int(seed)})
