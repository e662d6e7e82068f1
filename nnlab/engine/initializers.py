"""Weight initialisation schemes, looked up by name.

Random initialisation is one of the things the lab teaches, so every scheme is
seeded: the same seed gives the same weights bit for bit. Biases start at zero.
"""
from __future__ import annotations

import numpy as np

from .lookup import by_name

SMALL_UNIFORM_LIMIT = 0.05


def he(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    """Normal with std √(2/fan_in): keeps ReLU activations' variance steady across layers."""
    return rng.standard_normal((fan_out, fan_in)) * np.sqrt(2.0 / fan_in)


def xavier(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    """Glorot uniform ±√(6/(fan_in+fan_out)): suited to sigmoid and tanh."""
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_out, fan_in))


def small_uniform(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    """Uniform ±0.05, the textbook 'small random numbers' (and why deep nets then learn slowly)."""
    return rng.uniform(-SMALL_UNIFORM_LIMIT, SMALL_UNIFORM_LIMIT, (fan_out, fan_in))


INITIALIZERS = {"he": he, "xavier": xavier, "small_uniform": small_uniform}


def default_initializer(activation: str) -> str:
    return "he" if activation in ("relu", "leaky_relu") else "xavier"


def get_initializer(name: str):
    return by_name(INITIALIZERS, name, "initialisation", extra_choices=("auto",))
