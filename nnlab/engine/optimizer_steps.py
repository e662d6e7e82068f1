"""One optimizer step written out for one weight, and the same step applied to a network copy.

The words follow ``optimizers.py`` rule for rule; the numbers come from running the
real optimizer class, so what the learner reads is what training would do. Both start
from a fresh optimizer state (step 1: zero velocity, zero moments), which is what a
single debugger step is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .network import Network
from .numbers import MINUS, format_number, format_places, places_to_show, signed
from .optimizers import make_optimizer


@dataclass(frozen=True)
class UpdateWritten:
    old: float
    gradient: float
    new: float
    lines: list[str]


def explain_update(optimizer: str, learning_rate: float, weight: float, gradient: float, *,
                   momentum: float = 0.9, beta1: float = 0.9, beta2: float = 0.999,
                   epsilon: float = 1e-8, digits: int | None = 3) -> UpdateWritten:
    """The first step of ``optimizer`` on one weight, rule by rule with the real numbers."""
    def f(v):
        return format_number(v, digits)
    w, g, lr = float(weight), float(gradient), float(learning_rate)
    if optimizer == "sgd":
        new = w - lr * g
        lines = [f"w ← w {MINUS} η·g"]
        shown = f"w = {f(w)} {MINUS} {f(lr)} × {signed(g, digits)}"
    elif optimizer == "momentum":
        v = momentum * 0.0 + g
        new = w - lr * v
        lines = [f"v ← μ·v + g = {f(momentum)} × 0 + {signed(g, digits)} = {f(v)}", f"w ← w {MINUS} η·v"]
        shown = f"w = {f(w)} {MINUS} {f(lr)} × {signed(v, digits)}"
    elif optimizer == "adam":
        m = (1 - beta1) * g
        v = (1 - beta2) * g * g
        m_hat, v_hat = m / (1 - beta1), v / (1 - beta2)
        new = w - lr * m_hat / (math.sqrt(v_hat) + epsilon)
        g_text = signed(g, digits)
        lines = [f"m ← β1·m + (1 {MINUS} β1)·g = {f(beta1)} × 0 + {f(1 - beta1)} × {g_text} = {f(m)}",
                 f"v ← β2·v + (1 {MINUS} β2)·g² = {f(beta2)} × 0 + {f(1 - beta2)} × {g_text}² = {f(v)}",
                 f"m̂ = m / (1 {MINUS} β1¹) = {f(m_hat)},  v̂ = v / (1 {MINUS} β2¹) = {f(v_hat)}",
                 f"w ← w {MINUS} η·m̂ / (√v̂ + ε)"]
        shown = f"w = {f(w)} {MINUS} {f(lr)} × {signed(m_hat, digits)} / ({f(math.sqrt(v_hat))} + {f(epsilon)})"
    else:
        raise ValueError(f"unknown optimizer {optimizer!r}; choose sgd, momentum or adam")
    places = places_to_show(new - w, digits)
    lines.append(f"{shown} = {format_places(new, places)}")
    return UpdateWritten(w, g, new, lines)


def apply_one_step(network: Network, weight_gradients: list[np.ndarray], bias_gradients: list[np.ndarray],
                   optimizer: str, learning_rate: float, **options) -> Network:
    """A copy of ``network`` after one step of a fresh ``optimizer`` with these gradients.

    weight_gradients: (out, in) per layer; bias_gradients: (out,) per layer. Frozen layers stay put.
    The optimizer is made first, so a bad learning rate is refused (by its setter) before any work.
    """
    step = make_optimizer(optimizer, learning_rate, **options)
    twin = network.copy()
    twin.grads[...] = 0.0
    for target, source in zip(twin.grad_weights, weight_gradients):
        target[...] = source
    for target, source in zip(twin.grad_biases, bias_gradients):
        target[...] = source
    frozen = any(spec.frozen for spec in twin.layers)
    step.step(twin.params, twin.grads, twin.trainable_segments() if frozen else None)
    return twin
