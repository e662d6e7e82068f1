"""Backpropagation through a convolutional network for one sample, written plainly, layer kind by layer kind.

A second implementation of the chain rule beside ``conv_kernels.backward_through_layers`` — loops over
kernel taps and pooling windows, no im2col — so the step-debugger can take any δ or kernel gradient
apart, and a test can hold it against ``Network.gradients`` and central differences. The rules:

- through max-pooling, only the input that won a window gets that window's δ; the others get exactly 0;
- through average-pooling, each of the N² inputs gets δ / N²;
- through flatten → dense, input i gets Σ_k W[k, i]·δ_k (flatten only lays the maps out in a row);
- through a convolution, input pixel (c, y, x) gets Σ over the kernel taps that read it of w·δ;
- a kernel weight's gradient is Σ over the output positions of δ · (the input its tap read there).

Indexing: ``deltas[i]`` is ∂L/∂z of ``network.layers[i]`` in that layer's own shape — (F, Ho, Wo) for a
convolution, (C, Ho, Wo) for a pooling (its z is its output: no activation), flat for flatten and dense.
A feature-map pixel is named as ``FeatureRef`` names it: sizes-column ``column`` = layer index + 1.
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .backprop_steps import FINITE_DIFFERENCE_STEP, BackpropWalk
from .conv_geometry import padding_width
from .explain import activation_slopes
from .layers import AVGPOOL2D, CONV2D, DENSE, FLATTEN, MAXPOOL2D
from .losses import loss_value
from .network import Network


def pool_winners(maps: np.ndarray, size: int) -> np.ndarray:
    """(C, Ho, Wo): the winner of each size × size window, 0 … size²−1 row-major — the first of equal
    maxima, as PyTorch and the engine's kernel choose."""
    channels, height, width = maps.shape
    rows, cols = height // size, width // size
    windows = maps[:, :rows * size, :cols * size].reshape(channels, rows, size, cols, size)
    return windows.transpose(0, 1, 3, 2, 4).reshape(channels, rows, cols, size * size).argmax(axis=-1)


def max_pool_routing(maps: np.ndarray, delta: np.ndarray, size: int) -> np.ndarray:
    """∂L/∂(pool input) (C, H, W): each window's δ to its winner, 0 everywhere else."""
    routed = np.zeros_like(maps, dtype=np.float64)
    winners = pool_winners(maps, size)
    channels, rows, cols = np.indices(winners.shape)
    win_row, win_col = np.divmod(winners, size)
    routed[channels, rows * size + win_row, cols * size + win_col] = delta
    return routed


def avg_pool_routing(maps: np.ndarray, delta: np.ndarray, size: int) -> np.ndarray:
    """∂L/∂(pool input) (C, H, W): δ / size² to each input of its window (rows past the floor get 0)."""
    routed = np.zeros_like(maps, dtype=np.float64)
    _, rows, cols = delta.shape
    spread = np.repeat(np.repeat(delta, size, axis=1), size, axis=2) / size ** 2
    routed[:, :rows * size, :cols * size] = spread
    return routed


def conv_taps(maps: np.ndarray, kernel: int, stride: int, pad: int, out_rows: int, out_cols: int) -> np.ndarray:
    """(K, K, C, Ho, Wo): what tap (i, j) reads at every output position — 0 on the padding."""
    channels = maps.shape[0]
    framed = np.pad(maps, ((0, 0), (pad, pad + kernel), (pad, pad + kernel)))
    taps = np.empty((kernel, kernel, channels, out_rows, out_cols))
    for i in range(kernel):
        for j in range(kernel):
            taps[i, j] = framed[:, i:i + stride * (out_rows - 1) + 1:stride, j:j + stride * (out_cols - 1) + 1:stride]
    return taps


def conv_input_gradient(delta: np.ndarray, weight: np.ndarray, input_shape: tuple, stride: int,
                        pad: int) -> np.ndarray:
    """∂L/∂x (C, H, W) of a convolution: each tap (i, j) hands w[f, c, i, j]·δ[f] back to what it read."""
    _, out_rows, out_cols = delta.shape
    channels, height, width = input_shape
    kernel = weight.shape[-1]
    framed = np.zeros((channels, height + 2 * pad + kernel, width + 2 * pad + kernel))
    for i in range(kernel):
        for j in range(kernel):
            framed[:, i:i + stride * (out_rows - 1) + 1:stride, j:j + stride * (out_cols - 1) + 1:stride] += \
                np.einsum("fc,fhw->chw", weight[:, :, i, j], delta)
    return framed[:, pad:pad + height, pad:pad + width]


class ConvBackpropWalk(BackpropWalk):
    """Forward, loss and backward of a CNN for one sample x: (n_features,) in (C, H, W) order."""

    def _backward(self) -> list[np.ndarray]:
        network = self.network
        self.upstream: list[np.ndarray | None] = [None] * self.n_layers  # ∂L/∂a of each layer's output
        self.winners: dict[int, np.ndarray] = {}  # max-pooling layer → pool_winners of its input
        deltas = [None] * self.n_layers
        deltas[-1] = self._output_delta()
        for i in range(self.n_layers - 2, -1, -1):
            upstream = self._carry_back(i + 1, deltas[i + 1])
            self.upstream[i] = upstream
            spec = network.layers[i]
            if spec.has_parameters:
                deltas[i] = activation_slopes(spec.activation, self.z[i]).reshape(upstream.shape) * upstream
            else:
                deltas[i] = upstream
        return deltas

    def _carry_back(self, layer: int, delta: np.ndarray) -> np.ndarray:
        """∂L/∂(the input of ``layer``), shaped like that input, from the layer's δ."""
        spec, maps = self.network.layers[layer], self.a[layer]
        if spec.kind == DENSE:
            return self.network.weights[layer].T @ delta
        if spec.kind == FLATTEN:
            return delta.reshape(maps.shape)
        if spec.kind == MAXPOOL2D:
            self.winners[layer] = pool_winners(maps, spec.size)
            return max_pool_routing(maps, delta, spec.size)
        if spec.kind == AVGPOOL2D:
            return avg_pool_routing(maps, delta, spec.size)
        return conv_input_gradient(delta, self.network.weights[layer], maps.shape, spec.stride, self.padding(layer))

    def padding(self, layer: int) -> int:
        """The zeros each side of convolution ``layer``'s input."""
        spec = self.network.layers[layer]
        return padding_width(spec.kernel, spec.padding)

    # -- gradients ---------------------------------------------------------------------------------
    def taps(self, layer: int) -> np.ndarray:
        """(K, K, C, Ho, Wo) for convolution ``layer``: the inputs each kernel tap read (cached)."""
        cache = self.__dict__.setdefault("_taps", {})
        if layer not in cache:
            spec, (_, rows, cols) = self.network.layers[layer], self.deltas[layer].shape
            cache[layer] = conv_taps(self.a[layer], spec.kernel, spec.stride, self.padding(layer), rows, cols)
        return cache[layer]

    def weight_gradients(self) -> list[np.ndarray]:
        """Every ∂L/∂W in the network's layout (dense (out, in), conv (F, C, K, K), empty for the others)."""
        if self._weight_gradients is None:
            gradients = []
            for i, (spec, weight) in enumerate(zip(self.network.layers, self.network.weights)):
                if spec.kind == DENSE:
                    raw = np.outer(self.deltas[i], self.a[i])
                elif spec.kind == CONV2D:
                    raw = np.einsum("fhw,ijchw->fcij", self.deltas[i], self.taps(i))
                else:
                    raw = np.zeros_like(weight, dtype=np.float64)
                gradients.append(raw + self.l1 * np.sign(weight) + self.l2 * weight)
            self._weight_gradients = gradients
        return self._weight_gradients

    def bias_gradients(self) -> list[np.ndarray]:
        """∂L/∂b per layer: δ for a dense layer, Σ of each map's δ for a convolution, empty otherwise."""
        gradients = []
        for spec, delta, bias in zip(self.network.layers, self.deltas, self.network.biases):
            if spec.kind == DENSE:
                gradients.append(delta.copy())
            elif spec.kind == CONV2D:
                gradients.append(delta.sum(axis=(1, 2)))
            else:
                gradients.append(np.zeros_like(bias, dtype=np.float64))
        return gradients

    def kernel_terms(self, layer: int, filter: int, channel: int, row: int, col: int) -> tuple[np.ndarray, np.ndarray]:
        """(δ[filter] (Ho, Wo), what tap (row, col) of input map ``channel`` read (Ho, Wo)): their products
        summed are ∂L/∂w[filter, channel, row, col] without the penalty."""
        return self.deltas[layer][filter], self.taps(layer)[row, col, channel]

    def penalty_slope(self, weight: float) -> float:
        """The L1/L2 penalty's part of one weight's gradient."""
        return self._penalty_slope(weight)

    def kernel_gradient(self, layer: int, filter: int, channel: int, row: int, col: int) -> float:
        return float(self.weight_gradients()[layer][filter, channel, row, col])

    def kernel_finite_difference(self, layer: int, filter: int, channel: int, row: int, col: int,
                                 step: float = FINITE_DIFFERENCE_STEP) -> float:
        """(L(w + h) − L(w − h)) / 2h for kernel weight w[filter, channel, row, col] of ``layer`` (kept: the
        tab writes it three times, and each costs two forward passes)."""
        measured = self.__dict__.setdefault("_measured", {})
        key = ("w", layer, filter, channel, row, col, step)
        if key not in measured:
            measured[key] = self._central_difference(lambda net: net.weights[layer], (filter, channel, row, col), step)
        return measured[key]

    def conv_bias_finite_difference(self, layer: int, filter: int, step: float = FINITE_DIFFERENCE_STEP) -> float:
        return self._central_difference(lambda net: net.biases[layer], (filter,), step)

    # -- one pixel's δ -----------------------------------------------------------------------------
    def pixel_delta(self, column: int, channel: int, row: int, col: int) -> float:
        return float(self.deltas[column - 1][channel, row, col])

    def pixel_finite_difference(self, column: int, channel: int, row: int, col: int,
                                step: float = FINITE_DIFFERENCE_STEP) -> float:
        """δ measured: (L(z + h) − L(z − h)) / 2h with z of this one map pixel nudged and the layers after
        it run again (a pooling's pixel: its output nudged). The penalty does not depend on z."""
        measured = self.__dict__.setdefault("_measured", {})
        key = ("pixel", column, channel, row, col, step)
        if key not in measured:
            measured[key] = self._pixel_difference(column - 1, channel, row, col, step)
        return measured[key]

    def _pixel_difference(self, layer: int, channel: int, row: int, col: int, step: float) -> float:
        tail = self._tail(layer)
        spec = self.network.layers[layer]
        values = []
        for shift in (step, -step):
            z = np.array(self.z[layer], dtype=np.float64)
            z[channel, row, col] += shift
            if spec.has_parameters:
                z = get_activation(spec.activation).forward(z.reshape(1, -1)).reshape(z.shape)
            logits, out = tail.forward_with_logits(z.reshape(1, -1))
            values.append(loss_value(self.loss, logits, out, self.target[None, :], tail.layers[-1].activation))
        return (values[0] - values[1]) / (2 * step)

    def _tail(self, layer: int) -> Network:
        """The layers after ``layer`` as a network of their own, reading its output (same numbers); a
        flatten right after it is left out (it only lays the maps in a row, which the tail's input is)."""
        cache = self.__dict__.setdefault("_tails", {})
        if layer not in cache:
            network, first = self.network, layer + 1
            shape = network.shapes[layer].output_shape
            if network.layers[first].kind == FLATTEN:
                first, shape = first + 1, int(np.prod(shape))
            tail = Network(shape, network.layers[first:], dtype=np.float64, init="small_uniform")
            tail.params[...] = network.params[network.layer_slices()[first][0]:]
            cache[layer] = tail
        return cache[layer]
