"""Backpropagation for one sample, neuron by neuron, with its numbers written out.

This is a second, deliberately plain implementation of the chain rule — per layer,
from the formulas the texts print — so the step-debugger can show each factor and a
test can hold it against ``Network.gradients`` and against central differences.
Indexing follows ``nnlab.lab.selection``: a neuron is (sizes-layer ≥ 1, unit); a
connection (layer, source, target) is ``weights[layer][target, source]``.
"""
from __future__ import annotations

import numpy as np

from .explain import ACTIVATION_NAMES, MAX_TERMS, _sub, activation_derivative, activation_slopes
from .losses import check_pair, loss_value
from .network import Network, penalty_value
from .numbers import MINUS, format_number, signed

FINITE_DIFFERENCE_STEP = 1e-6


def as_float64(network: Network) -> Network:
    """A float64 twin: explanations and difference quotients need the extra digits."""
    twin = Network(network.input_shape, list(network.layers), dtype=np.float64, init="small_uniform")
    twin.params[...] = network.params
    return twin


class BackpropWalk:
    """Forward, loss and backward for one sample x: (n_features,), target: (n_outputs,).

    ``deltas[i]``: (sizes[i + 1],), dL/dz of network layer i (sizes-layer i + 1).
    """

    def __init__(self, network: Network, x: np.ndarray, target: np.ndarray, loss: str,
                 l1: float = 0.0, l2: float = 0.0) -> None:
        check_pair(loss, network.layers[-1].activation, network.n_outputs)
        self.network = as_float64(network)
        self.x = np.asarray(x, dtype=np.float64).reshape(-1)
        self.target = np.asarray(target, dtype=np.float64).reshape(-1)
        if self.target.shape != (network.n_outputs,):
            raise ValueError(f"the target needs {network.n_outputs} values, got {self.target.size}")
        self.loss, self.l1, self.l2 = loss, float(l1), float(l2)
        self.trace = self.network.forward_trace(self.x)
        self.z = [z[0] for z in self.trace.pre_activations]
        self.a = [a[0] for a in self.trace.activations]
        self.deltas = self._backward()
        self._weight_gradients: list[np.ndarray] | None = None

    # -- numbers ------------------------------------------------------------------------------------
    @property
    def output(self) -> np.ndarray:
        return self.a[-1]

    @property
    def n_layers(self) -> int:
        return len(self.network.layers)

    def loss_value(self) -> float:
        data = loss_value(self.loss, self.z[-1][None, :], self.a[-1][None, :], self.target[None, :],
                          self.network.layers[-1].activation)
        return data + penalty_value(self.network.weights, self.l1, self.l2)

    def _output_delta(self) -> np.ndarray:
        a, y, activation = self.a[-1], self.target, self.network.layers[-1].activation
        if self.loss in ("cross_entropy", "binary_cross_entropy"):
            return a - y
        if activation == "softmax":  # ½Σ(a−y)² through the softmax Jacobian: Σ_j (a_j−y_j)·a_j·([j=k]−a_k)
            return np.array([sum((a[j] - y[j]) * a[j] * ((j == k) - a[k]) for j in range(len(a)))
                             for k in range(len(a))])
        return (a - y) * activation_slopes(activation, self.z[-1])

    def _backward(self) -> list[np.ndarray]:
        deltas = [None] * self.n_layers
        deltas[-1] = self._output_delta()
        for i in range(self.n_layers - 2, -1, -1):
            downstream = self.network.weights[i + 1].T @ deltas[i + 1]
            slopes = activation_slopes(self.network.layers[i].activation, self.z[i])
            deltas[i] = slopes * downstream
        return deltas

    def delta(self, layer: int, unit: int) -> float:
        return float(self.deltas[layer - 1][unit])

    def weight_gradient(self, layer: int, source: int, target: int) -> float:
        """∂L/∂w for weights[layer][target, source] = δ_target · a_source (+ the penalty's part)."""
        w = float(self.network.weights[layer][target, source])
        return float(self.deltas[layer][target] * self.a[layer][source]) + self._penalty_slope(w)

    def weight_gradients(self) -> list[np.ndarray]:
        """Every ∂L/∂W, (out, in) per layer, from the walk's own deltas (computed once)."""
        if self._weight_gradients is None:
            self._weight_gradients = [np.outer(delta, a) + self.l1 * np.sign(w) + self.l2 * w
                                      for delta, a, w in zip(self.deltas, self.a[:-1], self.network.weights)]
        return self._weight_gradients

    def bias_gradients(self) -> list[np.ndarray]:
        return [delta.copy() for delta in self.deltas]

    def _penalty_slope(self, w: float) -> float:
        return self.l1 * float(np.sign(w)) + self.l2 * w

    def finite_difference(self, layer: int, source: int, target: int,
                          step: float = FINITE_DIFFERENCE_STEP) -> float:
        """(L(w + h) − L(w − h)) / 2h: the slope measured, not derived."""
        return self._central_difference(lambda net: net.weights[layer], (target, source), step)

    def bias_finite_difference(self, layer: int, unit: int, step: float = FINITE_DIFFERENCE_STEP) -> float:
        """(L(b + h) − L(b − h)) / 2h for neuron ``unit`` of ``layer`` (1-based, as in :meth:`delta`).

        A bias moves z by exactly what it moves itself, so for one sample this measures δ = ∂L/∂z.
        """
        return self._central_difference(lambda net: net.biases[layer - 1], (unit,), step)

    def _central_difference(self, parameter, index: tuple[int, ...], step: float) -> float:
        twin = self.network.copy()
        values_of = parameter(twin)
        original = float(values_of[index])
        values = []
        for shifted in (original + step, original - step):
            values_of[index] = shifted
            z, a = twin.forward_with_logits(self.x)
            values.append(loss_value(self.loss, z, a, self.target[None, :], twin.layers[-1].activation)
                          + penalty_value(twin.weights, self.l1, self.l2))
        return (values[0] - values[1]) / (2 * step)

    # -- words --------------------------------------------------------------------------------------
    def loss_lines(self, classes: list[str] | None = None, digits: int | None = 3) -> list[str]:
        a, y, f = self.a[-1], self.target, lambda v: format_number(v, digits)
        if self.loss == "mse":
            terms = " + ".join(f"({f(ak)} {MINUS} {f(yk)})²" for ak, yk in zip(a, y))
            lines = [f"L = ½·Σ (a {MINUS} y)² = ½·[{terms}]"]
        elif self.loss == "cross_entropy":
            picked = [(k, yk) for k, yk in enumerate(y) if yk]
            terms = " + ".join(f"{f(yk)} × log {f(a[k])}" if yk != 1 else f"log {f(a[k])}" for k, yk in picked)
            lines = [f"L = {MINUS}Σ y·log p = {MINUS}({terms or '0'})"]
        else:
            terms = " + ".join(f"{f(yk)}·log {f(ak)} + {f(1 - yk)}·log {f(1 - ak)}" for ak, yk in zip(a, y))
            lines = [f"L = {MINUS}Σ [y·log p + (1 {MINUS} y)·log(1 {MINUS} p)] = {MINUS}[{terms}]"]
        penalty = penalty_value(self.network.weights, self.l1, self.l2)
        if penalty:
            lines.append(f"+ penalty (L1/L2 on the weights) = {f(penalty)}")
        lines.append(f"L = {f(self.loss_value())}")
        return lines

    def delta_lines(self, layer: int, unit: int, digits: int | None = 3) -> list[str]:
        """δ = ∂L/∂z for one neuron, as the chain rule with its numbers."""
        def f(v):
            return format_number(v, digits)
        i, name = layer - 1, f"δ{_sub(unit + 1)}"
        activation = self.network.layers[i].activation
        value = self.delta(layer, unit)
        if i == self.n_layers - 1:
            a, y = self.a[-1][unit], self.target[unit]
            if self.loss in ("cross_entropy", "binary_cross_entropy"):
                pair = "softmax + cross-entropy" if self.loss == "cross_entropy" else "sigmoid + binary cross-entropy"
                return [f"{name} = ∂L/∂z = p {MINUS} y  ({pair})", f"{name} = {f(a)} {MINUS} {f(y)} = {f(value)}"]
            if activation == "softmax":
                out = self.a[-1]
                terms = " + ".join(
                    f"({f(out[j] - self.target[j])} × {f(out[j])} × {signed((j == unit) - out[unit], digits)})"
                    for j in range(len(out)))
                return [f"{name} = Σ_j (a_j {MINUS} y_j)·a_j·([j = k] {MINUS} a_k)  (squared error through softmax)",
                        f"{name} = {terms} = {f(value)}"]
            slope = activation_derivative(activation, self.z[-1][unit])
            return [f"{name} = (a {MINUS} y) · {ACTIVATION_NAMES[activation]}′(z)",
                    f"{name} = ({f(a)} {MINUS} {f(y)}) × {f(slope)} = {f(value)}"]
        slope = activation_derivative(activation, self.z[i][unit])
        weights, downstream = self.network.weights[i + 1][:, unit], self.deltas[i + 1]
        products = weights * downstream
        order = np.arange(len(products)) if len(products) <= MAX_TERMS else \
            np.sort(np.argsort(-np.abs(products))[:MAX_TERMS])
        terms = [f"({f(weights[k])} × {signed(downstream[k], digits)})" for k in order]
        if len(order) < len(products):
            rest = float(products.sum() - products[order].sum())
            terms.append(f"[{len(products) - len(order)} smaller terms = {f(rest)}]")
        total = float(products.sum())
        return [f"{name} = {ACTIVATION_NAMES[activation]}′(z) · Σ_k w_k·δ_k",
                f"{ACTIVATION_NAMES[activation]}′({f(self.z[i][unit])}) = {f(slope)}",
                f"Σ_k w_k·δ_k = {' + '.join(terms)} = {f(total)}",
                f"{name} = {f(slope)} × {signed(total, digits)} = {f(value)}"]

    def delta_check_line(self, layer: int, unit: int, digits: int | None = 3) -> str:
        """δ measured: nudging the neuron's bias moves z by the same amount."""
        estimate = self.bias_finite_difference(layer, unit)
        return f"central difference on the bias (∂L/∂b = δ), h = 1e{MINUS}6: {format_number(estimate, digits)}"

    def weight_gradient_lines(self, layer: int, source: int, target: int, digits: int | None = 3) -> list[str]:
        def f(v):
            return format_number(v, digits)
        delta, a_prev = self.deltas[layer][target], self.a[layer][source]
        w = float(self.network.weights[layer][target, source])
        gradient = self.weight_gradient(layer, source, target)
        line = f"∂L/∂w = δ · a_prev = {f(delta)} × {signed(a_prev, digits)}"
        penalty = self._penalty_slope(w)
        if penalty:
            line += f" + penalty {signed(penalty, digits)}"
        estimate = self.finite_difference(layer, source, target)
        return [line + f" = {f(gradient)}",
                f"central difference (L(w+h) {MINUS} L(w{MINUS}h)) / 2h, h = 1e{MINUS}6: {f(estimate)}"]
