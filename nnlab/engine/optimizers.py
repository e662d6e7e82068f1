"""Optimizers that own their state and update a flat parameter vector in place.

Each works on the whole flat ``params``/``grads`` pair (or on the trainable
segments of it when some layers are frozen), so one step is a handful of
whole-array passes. All scalars are Python floats: a NumPy float64 scalar in a
float32 in-place op forces a slow float64 loop.
``learning_rate`` is read at every step, so the UI may change it while training runs;
its setter is the one place a learning rate is checked (:func:`check_learning_rate`).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .lookup import by_name

# Values this small turn subnormal within a few hundred decays and make float32
# arithmetic ~10× slower; zeroing them every so often changes nothing visible.
_SUBNORMAL_GUARD = 1e-30
_FLUSH_EVERY = 128


def check_learning_rate(value) -> float:
    """``value`` as a float, or a ValueError in one sentence: the rule every path that sets a learning
    rate goes through — a new run, a carried-on optimizer, a change while training, one debugger step."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    try:
        rate = float(value) if real else math.nan
    except OverflowError:  # a whole number past float's range (10**400)
        raise ValueError("the learning rate must be a number above 0, not a whole number past 1.8e308") from None
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"the learning rate must be a number above 0, not {repr(rate) if real else repr(value)}")
    return rate


class Optimizer:
    name = "optimizer"

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self.steps = 0

    @property
    def learning_rate(self) -> float:
        """η. Setting it refuses what is not a finite number above 0 and then keeps the old rate."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_learning_rate(value)

    def step(self, params: np.ndarray, grads: np.ndarray,
             segments: list[tuple[int, int]] | None = None) -> None:
        """Update ``params`` in place from ``grads``; only inside ``segments`` if given.

        ``grads`` may be used as scratch space: read gradients before stepping, not after.
        """
        self.steps += 1
        if segments is None:
            self._update(params, grads, slice(None))
        else:
            for start, stop in segments:
                self._update(params, grads, slice(start, stop))

    def _update(self, params, grads, where: slice) -> None:
        raise NotImplementedError

    def same_kind(self, name: str, momentum: float) -> bool:
        """Would ``make_optimizer(name, …, momentum=…)`` build an optimizer like this one?"""
        return name == self.name and getattr(self, "momentum", momentum) == momentum

    def forget(self) -> None:
        """Drop the state (moments, velocity, step count): the next step starts as a fresh optimizer's."""
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                setattr(self, name, None)
        self.steps = 0

    def state_is_finite(self) -> bool:
        """False once a moment or velocity holds NaN or inf (a diverged run): never carry that on."""
        return all(np.isfinite(value).all() for value in vars(self).values() if isinstance(value, np.ndarray))

    def _buffer(self, params: np.ndarray, attr: str) -> np.ndarray:
        buffer = getattr(self, attr, None)
        if buffer is None or buffer.shape != params.shape or buffer.dtype != params.dtype:
            buffer = np.zeros_like(params)
            setattr(self, attr, buffer)
        return buffer


class SGD(Optimizer):
    """w ← w − η·g"""

    name = "sgd"

    def _update(self, params, grads, where):
        g = grads[where]
        g *= self.learning_rate
        params[where] -= g


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
        g = grads[where]
        velocity *= self.momentum
        velocity += g
        np.multiply(velocity, self.learning_rate, out=g)
        params[where] -= g
        if self.steps % _FLUSH_EVERY == 0:
            _flush_tiny(velocity)


class Adam(Optimizer):
    """m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − η·m̂ / (√v̂ + ε).

    The same numbers as PyTorch's Adam in 10 whole-array passes instead of 12: it keeps
    M = m/(1−β1) and V = v/(1−β2), so each moment update is one scale and one add, and
    every constant (bias corrections, learning rate, the (1−β) factors) folds into two scalars.
    """

    name = "adam"

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)

    def _update(self, params, grads, where):
        big_m = self._buffer(params, "_scaled_m")[where]
        big_v = self._buffer(params, "_scaled_v")[where]
        g = grads[where]
        b1, b2, t = self.beta1, self.beta2, self.steps
        # √v̂ = k·√V with k = √((1−β2)/(1−β2ᵗ)), so  m̂/(√v̂ + ε) = (1−β1)/((1−β1ᵗ)·k) · M/(√V + ε/k).
        k = math.sqrt((1.0 - b2) / (1.0 - b2 ** t))
        step_size = self.learning_rate * (1.0 - b1) / ((1.0 - b1 ** t) * k)
        big_m *= b1
        big_m += g
        # From here on the gradient array is scratch: four arrays instead of five stay in the
        # CPU's L2 cache, which is what bounds this loop.
        g *= g
        big_v *= b2
        big_v += g
        np.sqrt(big_v, out=g)
        g += self.epsilon / k
        np.divide(big_m, g, out=g)
        g *= step_size
        params[where] -= g
        if self.steps % _FLUSH_EVERY == 0:
            _flush_tiny(big_m)
            _flush_tiny(big_v)


def _flush_tiny(values: np.ndarray) -> None:
    values[np.abs(values) < _SUBNORMAL_GUARD] = 0.0


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, learning_rate: float, **options) -> Optimizer:
    return by_name(OPTIMIZERS, name, "optimizer")(learning_rate, **options)
