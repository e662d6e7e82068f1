"""Activation functions, looked up by name.

Each entry maps a pre-activation array ``z`` to ``a`` and gives the derivative
``da/dz`` written in terms of ``a`` (and ``z`` where ``a`` is not enough), so the
backward pass never recomputes the forward one. Adding an activation is one entry.
Softmax is an output-only activation: its Jacobian is not diagonal, so the
backward pass handles it through :func:`softmax_backward` (or fuses it with the
cross-entropy loss).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .lookup import by_name

LEAKY_SLOPE = 0.01
CURVE_MIN_HALF_RANGE = 3.0  # sigmoid and tanh do all their bending within z = ±3
CURVE_MARGIN = 1.3  # a point at z sits well inside its plot, not on the edge


def _result(z: np.ndarray, out: np.ndarray | None) -> np.ndarray:
    """The array to write into: ``out``, or a fresh float array shaped like ``z`` (0-d too)."""
    if out is not None:
        return out
    z = np.asarray(z)
    return np.empty(z.shape, dtype=np.result_type(z.dtype, np.float32))


def linear(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(z, 0.0, out=out)


def leaky_relu(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    scaled = z * LEAKY_SLOPE
    return np.maximum(z, scaled, out=out)


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    # 1/(1+e^-z) overflows for very negative z in float32; tanh form is stable everywhere.
    out = np.multiply(z, 0.5, out=_result(z, out))
    np.tanh(out, out=out)
    out += 1.0
    out *= 0.5
    return out


def tanh(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.tanh(z, out=out)


def softmax(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax. z: (n_samples, n_classes) or (n_classes,)."""
    out = np.subtract(z, z.max(axis=-1, keepdims=True), out=_result(z, out))
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)
    return out


def _linear_grad(z, a, grad):
    return grad


def _relu_grad(z, a, grad):
    grad *= z > 0
    return grad


def _leaky_relu_grad(z, a, grad):
    grad *= np.where(z > 0, 1.0, LEAKY_SLOPE).astype(grad.dtype, copy=False)
    return grad


def _sigmoid_grad(z, a, grad):
    grad *= a * (1.0 - a)
    return grad


def _tanh_grad(z, a, grad):
    grad *= 1.0 - a * a
    return grad


def softmax_backward(a: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """Vector-Jacobian product of softmax: dL/dz from dL/da, both (n, k)."""
    return a * (grad - (grad * a).sum(axis=-1, keepdims=True))


def _softmax_grad(z, a, grad):
    grad[...] = softmax_backward(a, grad)
    return grad


@dataclass(frozen=True)
class Activation:
    name: str
    forward: Callable[..., np.ndarray]
    # backward(z, a, grad) multiplies grad (dL/da) in place into dL/dz and returns it.
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    formula: str
    hidden_allowed: bool = True


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("linear", linear, _linear_grad, "a = z"),
        Activation("relu", relu, _relu_grad, "a = max(0, z)"),
        Activation("leaky_relu", leaky_relu, _leaky_relu_grad, f"a = max({LEAKY_SLOPE}·z, z)"),
        Activation("sigmoid", sigmoid, _sigmoid_grad, "a = 1 / (1 + e^(−z))"),
        Activation("tanh", tanh, _tanh_grad, "a = tanh(z)"),
        Activation("softmax", softmax, _softmax_grad, "a_k = e^(z_k) / Σ_j e^(z_j)", hidden_allowed=False),
    )
}


def get_activation(name: str) -> Activation:
    return by_name(ACTIVATIONS, name, "activation")


def curve_half_range(around: float) -> float:
    """How far either side of z = 0 a plot of an activation goes so that it shows the point ``around``:
    the one rule for the curve the inspector draws and for when it must draw it again."""
    return max(CURVE_MIN_HALF_RANGE, abs(float(around)) * CURVE_MARGIN)
