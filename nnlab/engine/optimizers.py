"""Optimizers that own their state and update a flat parameter vector in place.

Each works on the whole flat ``params``/``grads`` pair (or on the trainable
segments of it when some layers are frozen), so one step is a handful of
whole-array passes. All scalars are Python floats: a NumPy float64 scalar in a
float32 in-place op forces a slow float64 loop.
``learning_rate`` is a plain attribute, read at every step, so the UI may change
it while training runs.
"""
from __future__ import annotations

import math

import numpy as np

# Values this small turn subnormal within a few hundred decays and make float32
# arithmetic ~10× slower; zeroing them every so often changes nothing visible.
_SUBNORMAL_GUARD = 1e-30
_FLUSH_EVERY = 128


class Optimizer:
    name = "optimizer"

    def __init__(self, learning_rate: float):
        if not (isinstance(learning_rate, (int, float)) and math.isfinite(learning_rate)
                and learning_rate > 0):
            raise ValueError(f"the learning rate must be a positive number, not {learning_rate!r}")
        self.learning_rate = float(learning_rate)
        self.steps = 0

    def step(self, params: np.ndarray, grads: np.ndarray,
             segments: list[tuple[int, int]] | None = None) -> None:
        """Update ``params`` in place from ``grads``; only inside ``segments`` if given."""
        self.steps += 1
        if segments is None:
            self._update(params, grads, slice(None))
        else:
            for start, stop in segments:
                self._update(params, grads, slice(start, stop))

    def _update(self, params, grads, where: slice) -> None:
        raise NotImplementedError

    def _buffer(self, params: np.ndarray, attr: str) -> np.ndarray:
        buffer = getattr(self, attr, None)
        if buffer is None or buffer.shape != params.shape or buffer.dtype != params.dtype:
            buffer = np.zeros_like(params)
            setattr(self, attr, buffer)
        return buffer

    def state(self) -> dict[str, np.ndarray]:
        """Copies of the optimizer's state arrays, for saving a session or showing a step."""
        return {}


class SGD(Optimizer):
    """w ← w − η·g"""

    name = "sgd"

    def _update(self, params, grads, where):
        scratch = self._buffer(params, "_scratch")[where]
        np.multiply(grads[where], self.learning_rate, out=scratch)
        params[where] -= scratch


class Momentum(Optimizer):
    """v ← μ·v + g;  w ← w − η·v  (PyTorch's form of SGD with momentum)."""

    name = "momentum"

    def __init__(self, learning_rate: float, momentum: float = 0.9):
        super().__init__(learning_rate)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be at least 0 and below 1, not {momentum}")
        self.momentum = float(momentum)

    def _update(self, params, grads, where):
        velocity = self._buffer(params, "velocity")[where]
        scratch = self._buffer(params, "_scratch")[where]
        velocity *= self.momentum
        velocity += grads[where]
        np.multiply(velocity, self.learning_rate, out=scratch)
        params[where] -= scratch
        if self.steps % _FLUSH_EVERY == 0:
            _flush_tiny(velocity)

    def state(self):
        return {"velocity": self.velocity.copy()} if hasattr(self, "velocity") else {}


class Adam(Optimizer):
    """m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − η·m̂ / (√v̂ + ε)."""

    name = "adam"

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)

    def _update(self, params, grads, where):
        m = self._buffer(params, "m")[where]
        v = self._buffer(params, "v")[where]
        scratch = self._buffer(params, "_scratch")[where]
        g = grads[where]
        # Bias corrections folded into two scalars: the same numbers as PyTorch's Adam
        # with fewer passes over the arrays.
        correction1 = 1.0 - self.beta1 ** self.steps
        root_correction2 = math.sqrt(1.0 - self.beta2 ** self.steps)
        step_size = self.learning_rate * root_correction2 / correction1
        m -= g
        m *= self.beta1
        m += g
        np.multiply(g, g, out=scratch)
        scratch *= 1.0 - self.beta2
        v *= self.beta2
        v += scratch
        np.sqrt(v, out=scratch)
        scratch += self.epsilon * root_correction2
        np.divide(m, scratch, out=scratch)
        scratch *= step_size
        params[where] -= scratch
        if self.steps % _FLUSH_EVERY == 0:
            _flush_tiny(m)
            _flush_tiny(v)

    def state(self):
        if not hasattr(self, "m"):
            return {}
        return {"m": self.m.copy(), "v": self.v.copy(), "steps": np.array(self.steps)}


def _flush_tiny(values: np.ndarray) -> None:
    values[np.abs(values) < _SUBNORMAL_GUARD] = 0.0


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, learning_rate: float, **options) -> Optimizer:
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(OPTIMIZERS)
        raise ValueError(f"unknown optimizer {name!r}; choose one of: {known}") from None
    return cls(learning_rate, **options)
