"""One pixel of a convolutional network's maps explained with the numbers the forward pass used.

The inspector writes z = Σ w·x + b term by term for a convolution's output pixel, and shows which input
won a max-pooling window (or the mean of an average-pooling one). Everything here reads one sample and
a network snapshot, and is checked against ``Network.forward_trace`` by the tests: the written terms
must add up to the z the forward pass computed.

``layer`` is a ``network.layers`` index (the layer whose output holds the pixel); ``sample`` one row
(n_features,) in the network's (C, H, W) order.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .numbers import format_number
from .conv_record import PixelSum, pixel_sum, record_max_pool
from .layers import CONV2D, MAXPOOL2D, POOL_KINDS


@dataclass(frozen=True)
class ConvPixel:
    """A convolution's output pixel: its sum term by term, its activation and the input it reads."""

    terms: PixelSum
    activation: str
    a: float
    input_maps: np.ndarray  # (C, H, W): the layer's input, for drawing the receptive field on it

    @property
    def z(self) -> float:
        return self.terms.z

    @property
    def window(self) -> tuple[int, int, int]:
        """(top, left, K): the receptive field on the layer's input (top/left negative on the padding)."""
        return self.terms.top, self.terms.left, self.terms.weights.shape[-1]


@dataclass(frozen=True)
class PoolPixel:
    """A pooling's output pixel: its window of inputs, the value it gives and — max-pooling — the winner."""

    kind: str
    channel: int
    top: int
    left: int
    inputs: np.ndarray       # (N, N): the window of the channel's input map
    value: float
    winner: tuple[int, int] | None  # (row, col) within the window, max-pooling only
    input_maps: np.ndarray   # (C, H, W)

    @property
    def window(self) -> tuple[int, int, int]:
        return self.top, self.left, self.inputs.shape[0]


def layer_input(network, sample: np.ndarray, layer: int) -> np.ndarray:
    """The maps (C, H, W) layer ``layer`` reads for ``sample`` (one row), from the forward pass's own loop."""
    if layer == 0:
        return np.asarray(sample, network.dtype).reshape(network.input_shape).copy()
    for index, _, a in network.forward_layers(np.asarray(sample, network.dtype).reshape(-1), keep=(layer - 1,)):
        if index == layer - 1:
            return np.array(a)
    raise ValueError(f"there is no layer {layer + 1}")


def explain_pixel(network, sample: np.ndarray, layer: int, channel: int, row: int, col: int) -> ConvPixel | PoolPixel:
    """Output pixel (``row``, ``col``) of map ``channel`` of ``network.layers[layer]`` for ``sample``;
    ValueError naming what does not exist (a dense layer has no maps)."""
    if not 0 <= layer < len(network.layers):
        raise ValueError(f"there is no layer {layer + 1}; the network has {len(network.layers)}")
    spec, shape = network.layers[layer], network.shapes[layer]
    if spec.kind not in (CONV2D, *POOL_KINDS):
        raise ValueError(f"layer {layer + 1} is a {spec.kind} layer, without feature maps")
    channels, height, width = shape.output_shape
    if not (0 <= channel < channels and 0 <= row < height and 0 <= col < width):
        raise ValueError(f"layer {layer + 1} has {channels} maps of {height}×{width}; there is no map "
                         f"{channel + 1} pixel ({row}, {col})")
    maps = layer_input(network, sample, layer)
    if spec.kind == CONV2D:
        terms = pixel_sum(maps, network.weights[layer], network.biases[layer], channel, row, col,
                          spec.stride, spec.padding)
        a = float(get_activation(spec.activation).forward(np.array([terms.z]))[0])
        return ConvPixel(terms, spec.activation, a, maps)
    size = spec.size
    top, left = row * size, col * size
    window = maps[channel, top:top + size, left:left + size].copy()
    if spec.kind == MAXPOOL2D:
        _, winners = record_max_pool(maps, size)  # the pooling kernel's own choice among equal maxima
        winner = divmod(int(winners[channel, row, col]), size)
        value = float(window[winner])
    else:
        winner, value = None, float(window.mean())
    return PoolPixel(spec.kind, channel, top, left, window, value, winner, maps)


TERMS_PER_LINE = 5  # one kernel row of a 5×5 kernel per line: the written sum reads like the kernel


def sum_lines(pixel: ConvPixel, digits: int | None = 3) -> list[str]:
    """z = Σ w·x + b written out: every term for one input channel (a row of the kernel per line), one
    sum per channel beyond that; then a = activation(z). ``digits=None``: every digit (the copy text)."""
    terms = pixel.terms
    n = lambda value: format_number(value, digits)  # noqa: E731
    lines = []
    if terms.inputs.shape[0] == 1:
        written = [f"{n(w)}·{n(x)}" for w, x in zip(terms.weights[0].reshape(-1), terms.inputs[0].reshape(-1))]
        for start in range(0, len(written), TERMS_PER_LINE):
            lead = "z = " if start == 0 else "  + "
            lines.append(lead + " + ".join(written[start:start + TERMS_PER_LINE]))
    else:
        lines.append(f"z = Σ over {terms.inputs.shape[0]} input maps of Σ w·x ({terms.weights.shape[-1]}×"
                     f"{terms.weights.shape[-1]} terms each) + b")
        sums = [f"map {c + 1}: {n(value)}" for c, value in enumerate(terms.channel_sums)]
        for start in range(0, len(sums), 4):
            lines.append("    " + ",  ".join(sums[start:start + 4]))
    lines.append(f"  + b ({n(terms.bias)})  =  {n(terms.z)}")
    name = pixel.activation
    lines.append(f"a = {name}(z) = {n(pixel.a)}")
    outside = int((~terms.inside).sum())
    if outside:
        lines.append(f"({outside} of the {terms.inside.size} taps lie on the zero padding: their x is 0)")
    return lines


def pool_lines(pixel: PoolPixel, digits: int | None = 3) -> list[str]:
    """max (or mean) of the window, with the winner named."""
    n = lambda value: format_number(value, digits)  # noqa: E731
    values = ", ".join(n(v) for v in pixel.inputs.reshape(-1))
    if pixel.winner is None:
        return [f"a = mean({values}) = {n(pixel.value)}"]
    row, col = pixel.winner
    return [f"a = max({values}) = {n(pixel.value)}",
            f"the winner: input pixel ({pixel.top + row}, {pixel.left + col}) of map {pixel.channel + 1} — only it "
            "gets this pixel's gradient in backprop"]
