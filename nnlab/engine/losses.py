"""Loss functions, looked up by name.

Every loss is the mean over samples of a per-sample loss, so the learning rate
means the same thing whatever the batch size. Each loss returns its value and the
gradient with respect to the output layer's pre-activation ``z``: cross-entropy
is fused with softmax and binary cross-entropy with sigmoid, which is both
numerically stable (it works from the logits) and the textbook ``δ = p − y``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .activations import get_activation
from .lookup import by_name
from .outputs import is_regression  # lives in outputs.py; callers that import it from here keep working

_LOG_EPS = 1e-12


def _mse(z, a, y, activation: str):
    """½·Σ_k (a_k − y_k)² per sample, as the seed texts write it."""
    n = a.shape[0]
    diff = a - y
    value = 0.5 * float(np.einsum("ij,ij->", diff, diff)) / n
    diff /= n
    return value, get_activation(activation).backward(z, a, diff)


def _cross_entropy(z, a, y, activation: str):
    """−Σ_k y_k·log p_k per sample, from the logits (log-sum-exp)."""
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    value = -float(np.einsum("ij,ij->", y, shifted - log_norm)) / n
    delta = a - y
    delta /= n
    return value, delta


def _binary_cross_entropy(z, a, y, activation: str):
    """−Σ_k [y·log p + (1−y)·log(1−p)] per sample, from the logits (softplus form)."""
    n = z.shape[0]
    per_unit = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))
    value = float(per_unit.sum()) / n
    delta = a - y
    delta /= n
    return value, delta


@dataclass(frozen=True)
class Loss:
    name: str
    # compute(z, a, y, output_activation) -> (mean loss, dL/dz of the output layer)
    compute: Callable[..., tuple[float, np.ndarray]]
    output_activations: tuple[str, ...]
    formula: str


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("mse", _mse, ("linear", "sigmoid", "tanh", "softmax", "relu", "leaky_relu"),
             "L = ½·Σ_k (a_k − y_k)²"),
        Loss("cross_entropy", _cross_entropy, ("softmax",), "L = −Σ_k y_k·log(p_k)"),
        Loss("binary_cross_entropy", _binary_cross_entropy, ("sigmoid",),
             "L = −Σ_k [y_k·log(p_k) + (1 − y_k)·log(1 − p_k)]"),
    )
}


def get_loss(name: str) -> Loss:
    return by_name(LOSSES, name, "loss")


def check_pair(loss: str, output_activation: str, units: int | None = None) -> None:
    """Refuse output/loss pairs whose gradient would be wrong or meaningless.

    ``units``: the output layer's width, when known. Softmax over one unit is always 1, so
    cross-entropy on it is identically 0 while its fused gradient ``a − y`` still moves the
    weights: a one-unit output takes a sigmoid with binary cross-entropy instead.
    """
    allowed = get_loss(loss).output_activations
    get_activation(output_activation)
    if output_activation not in allowed:
        raise ValueError(
            f"loss {loss!r} needs the output activation to be one of {', '.join(allowed)}, "
            f"not {output_activation!r}"
        )
    if loss == "cross_entropy" and units == 1:
        raise ValueError(ONE_UNIT_SOFTMAX)


# Kept under 160 characters: weight-file errors quote a low-level message only that far.
ONE_UNIT_SOFTMAX = ("cross_entropy cannot train a one-unit output (a softmax of one unit is always 1, so the loss "
                    "is always 0): use one sigmoid unit with binary_cross_entropy")


def check_predicts_numbers(loss: str, output_activation: str, what: str = "the targets") -> None:
    """Refuse a classifier for real-valued targets: it would score numbers as classes."""
    if not is_regression(loss, output_activation):
        raise ValueError(f"{what} are numbers to predict (regression), so the output layer must be linear "
                         f"and the loss mse; a {output_activation} output with {loss} predicts classes")


def loss_value(name: str, z: np.ndarray, a: np.ndarray, y: np.ndarray, activation: str) -> float:
    """The loss alone, for evaluation."""
    value, _ = get_loss(name).compute(z, a, y, activation)
    return value


DEFAULT_OUTPUT_ACTIVATION = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid", "mse": "linear"}


def output_units(loss: str, n_classes: int) -> int:
    """Output width: one per class (or per number predicted); one sigmoid unit for a two-class
    binary cross-entropy. Refuses cross-entropy over a single unit (see :func:`check_pair`)."""
    get_loss(loss)
    units = 1 if loss == "binary_cross_entropy" and n_classes == 2 else n_classes
    if loss == "cross_entropy" and units == 1:
        raise ValueError(ONE_UNIT_SOFTMAX)
    return units
