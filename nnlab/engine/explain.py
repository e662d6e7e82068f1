"""The forward pass written out for one neuron, with the real numbers.

Indexing follows ``nnlab.lab.selection``: ``layer`` indexes ``network.sizes`` (0 is the
input), so neuron ``(layer, unit)`` reads ``network.weights[layer - 1][unit]`` and the
activations of layer ``layer - 1``. Everything here returns plain data and text; the
inspector decides how to show it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import curve_half_range, get_activation
from .network import ForwardTrace, Network
from .numbers import MINUS, format_number, signed

MAX_TERMS = 8  # terms written for a large fan-in; up to ALL_TERMS_UP_TO inputs every term is written
ALL_TERMS_UP_TO = 16
ACTIVATION_NAMES = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "sigmoid": "σ", "tanh": "tanh",
                    "linear": "linear", "softmax": "softmax"}


@dataclass(frozen=True)
class WeightedSum:
    """z = Σ w_i·x_i + b for one neuron and one sample.

    weights, inputs: (fan_in,); shown: indices of the terms written out (the largest by
    |w·x|, in input order); the others are summed into one "smaller terms" figure.
    """

    weights: np.ndarray
    inputs: np.ndarray
    bias: float
    z: float
    shown: np.ndarray

    @property
    def products(self) -> np.ndarray:
        return self.weights * self.inputs

    @property
    def hidden_count(self) -> int:
        return len(self.weights) - len(self.shown)

    @property
    def hidden_sum(self) -> float:
        mask = np.ones(len(self.weights), dtype=bool)
        mask[self.shown] = False
        return float(self.products[mask].sum())

    def text(self, symbol: str = "z", digits: int | None = 3, input_symbol: str = "x") -> str:
        """``z = (0.6 × 0.9) + (0.4 × 0.2) + … − 0.4 = 0.71``."""
        parts = [f"({format_number(self.weights[i], digits)} × {format_number(self.inputs[i], digits)})"
                 for i in self.shown]
        if self.hidden_count:
            word = "term" if self.hidden_count == 1 else "terms"
            parts.append(f"[{self.hidden_count} smaller {word} = {format_number(self.hidden_sum, digits)}]")
        body = " + ".join(parts) if parts else "0"
        if self.bias < 0:
            body += f" {MINUS} {format_number(-self.bias, digits)}"
        else:
            body += f" + {format_number(self.bias, digits)}"
        return f"{symbol} = {body} = {format_number(self.z, digits)}"


def weighted_sum(network: Network, trace: ForwardTrace, layer: int, unit: int,
                 max_terms: int = MAX_TERMS, sample: int = 0) -> WeightedSum:
    """The weighted sum of neuron (layer ≥ 1, unit) for one sample of ``trace``."""
    _check_neuron(network, layer, unit)
    weights = np.asarray(network.weights[layer - 1][unit], dtype=np.float64)
    inputs = np.asarray(trace.activations[layer - 1][sample], dtype=np.float64)
    products = np.abs(weights * inputs)
    if len(weights) <= max(max_terms, ALL_TERMS_UP_TO):
        shown = np.arange(len(weights))
    else:
        shown = np.sort(np.argpartition(-products, max_terms - 1)[:max_terms])
    return WeightedSum(weights, inputs, float(network.biases[layer - 1][unit]),
                       float(trace.pre_activations[layer - 1][sample, unit]), shown)


def activation_text(name: str, z: float, a: float, digits: int | None = 3) -> str:
    """``ReLU(0.71) = 0.71``."""
    return f"{ACTIVATION_NAMES.get(name, name)}({format_number(z, digits)}) = {format_number(a, digits)}"


def activation_slopes(name: str, z: np.ndarray) -> np.ndarray:
    """f′(z) element by element (z: any shape, float64), from the engine's own backward rule."""
    if name == "softmax":
        raise ValueError("softmax has no element-wise derivative; use its Jacobian")
    activation = get_activation(name)
    z = np.asarray(z, dtype=np.float64).reshape(1, -1)
    return activation.backward(z, activation.forward(z), np.ones_like(z)).ravel()


def activation_derivative(name: str, z: float) -> float:
    """f′(z) for an element-wise activation at one point."""
    return float(activation_slopes(name, np.array([z]))[0])


def activation_curve(name: str, around: float, points: int = 121) -> tuple[np.ndarray, np.ndarray]:
    """(z, f(z)) over a range that contains ``around``, for the small function plot."""
    half = curve_half_range(around)
    z = np.linspace(-half, half, points)
    if name == "softmax":  # one logit against a competitor fixed at 0: the logistic curve
        return z, 1.0 / (1.0 + np.exp(-z))
    return z, get_activation(name).forward(z.reshape(1, -1)).ravel()


@dataclass(frozen=True)
class SoftmaxWritten:
    logits: np.ndarray  # (k,)
    exponentials: np.ndarray
    total: float
    probabilities: np.ndarray

    def lines(self, classes: list[str] | None = None, digits: int | None = 3) -> list[str]:
        names = classes if classes and len(classes) == len(self.logits) else \
            [str(k) for k in range(len(self.logits))]
        lines = [f"e^{signed(z, digits)} = {format_number(e, digits)}"
                 for z, e in zip(self.logits, self.exponentials)]
        lines.append("Σ = " + " + ".join(format_number(e, digits) for e in self.exponentials)
                     + f" = {format_number(self.total, digits)}")
        lines += [f"P({name}) = {format_number(e, digits)} / {format_number(self.total, digits)} = "
                  f"{format_number(p, digits)}" for name, e, p in zip(names, self.exponentials, self.probabilities)]
        return lines


def softmax_written(logits: np.ndarray) -> SoftmaxWritten:
    """Softmax with its parts; the exponentials are of the raw logits, as the texts write them
    (the probabilities come from the engine's shifted, overflow-safe softmax)."""
    logits = np.asarray(logits, dtype=np.float64).ravel()
    with np.errstate(over="ignore"):
        exponentials = np.exp(logits)
    probabilities = get_activation("softmax").forward(logits.reshape(1, -1)).ravel()
    return SoftmaxWritten(logits, exponentials, float(exponentials.sum()), probabilities)


def neuron_lines(network: Network, trace: ForwardTrace, layer: int, unit: int,
                 classes: list[str] | None = None, digits: int | None = 3, sample: int = 0) -> list[str]:
    """Everything the forward pass did at one neuron, one line each."""
    _check_neuron(network, layer, unit)
    if layer == 0:
        return [f"x{_sub(unit + 1)} = {format_number(trace.activations[0][sample, unit], digits)} (an input)"]
    spec = network.layers[layer - 1]
    ws = weighted_sum(network, trace, layer, unit, sample=sample)
    lines = [ws.text(f"z{_sub(unit + 1)}", digits)]
    a = float(trace.activations[layer][sample, unit])
    if spec.activation == "softmax":
        lines += softmax_written(trace.pre_activations[layer - 1][sample]).lines(classes, digits)
    else:
        lines.append(f"a{_sub(unit + 1)} = " + activation_text(spec.activation, ws.z, a, digits))
    return lines


def _check_neuron(network: Network, layer: int, unit: int) -> None:
    sizes = network.sizes
    if not 0 <= layer < len(sizes):
        raise ValueError(f"there is no layer {layer}: the network has layers 0 to {len(sizes) - 1}")
    if not 0 <= unit < sizes[layer]:
        raise ValueError(f"layer {layer} has {sizes[layer]} neurons; there is no neuron {unit}")


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(number: int) -> str:
    return str(number).translate(_SUBSCRIPTS)
