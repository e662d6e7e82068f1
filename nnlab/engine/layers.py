"""The kinds of layer a network is made of, the shape each one gives, and the words that name them.

A network is a list of layer specs, read left to right:

- ``LayerSpec(units, activation, dropout, frozen)`` — a dense layer, kind ``"dense"``;
- ``ConvSpec(filters, kernel, stride, padding, activation, frozen)`` — kind ``"conv2d"``;
- ``PoolSpec(size, kind)`` — kind ``"maxpool2d"`` or ``"avgpool2d"``, windows of size × size, stride size;
- ``FlattenSpec()`` — kind ``"flatten"``: (C, H, W) maps become one row of C·H·W values, in that order
  (PyTorch's ``nn.Flatten()``).

Every spec has ``kind``, ``activation``, ``dropout`` and ``frozen`` (pooling and flatten: ``"linear"``,
0 and False, as class constants) so code that walks the layers reads them alike; ``has_parameters``
tells the layers with weights from those without. Shapes are (channels, height, width) throughout.
The legal order is: convolution and pooling layers, one flatten, dense layers, a dense output layer;
:func:`with_flatten` writes the flatten in where it is implied (before the first dense layer after
a convolution or pooling).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import ClassVar, Union

import numpy as np

from .activations import get_activation
from .conv_geometry import PADDINGS, conv_output_size

DENSE, CONV2D, MAXPOOL2D, AVGPOOL2D, FLATTEN = "dense", "conv2d", "maxpool2d", "avgpool2d", "flatten"
LAYER_KINDS = (DENSE, CONV2D, MAXPOOL2D, AVGPOOL2D, FLATTEN)
POOL_KINDS = (MAXPOOL2D, AVGPOOL2D)
SPATIAL_KINDS = (CONV2D, *POOL_KINDS)  # layers that take and give (C, H, W) maps
STRIDES = (1, 2)
MAX_FILTERS = 1024
"""Why 1,024: eight times the widest layer of the networks a course trains on MNIST-sized images (VGG's
first blocks use 64–128); past it one 3×3 layer on a 28×28 map costs ~10⁹ multiply-adds a sample."""
MAX_KERNEL = 31  # a kernel as wide as a 28×28 digit plus padding; larger ones fit no built-in image
MAX_MAP_VALUES = 2 ** 22
"""Values a sample's input or any layer's maps may hold (4,194,304): 64 filters on a 256×256 image. A
weight file may promise any shape, and a forward pass allocates maps of these sizes for every sample."""
MAX_TOTAL_MAP_VALUES = 2 ** 24
"""All layers' maps together, per sample (64 MiB in float32): each convolution or pooling keeps buffers
of its own size, so a file of a thousand small layers on a large image must not pass one by one."""


@dataclass(frozen=True)
class LayerSpec:
    """One dense layer: its width, activation, dropout on its output (training only), frozen or not."""

    units: int
    activation: str = "relu"
    dropout: float = 0.0
    frozen: bool = False
    kind: ClassVar[str] = DENSE
    has_parameters: ClassVar[bool] = True


@dataclass(frozen=True)
class ConvSpec:
    """A 2-D convolution: ``filters`` feature maps from ``kernel`` × ``kernel`` windows; padding
    ``"same"`` (odd kernels; K // 2 zeros each side) or ``"valid"``; stride 1 or 2."""

    filters: int
    kernel: int
    stride: int = 1
    padding: str = "same"
    activation: str = "relu"
    frozen: bool = False
    kind: ClassVar[str] = CONV2D
    dropout: ClassVar[float] = 0.0
    has_parameters: ClassVar[bool] = True


@dataclass(frozen=True)
class PoolSpec:
    """Max- or average-pooling over ``size`` × ``size`` windows with stride ``size`` (sizes floored)."""

    size: int
    kind: str = MAXPOOL2D
    activation: ClassVar[str] = "linear"
    dropout: ClassVar[float] = 0.0
    frozen: ClassVar[bool] = False
    has_parameters: ClassVar[bool] = False


@dataclass(frozen=True)
class FlattenSpec:
    """(C, H, W) maps → one row of C·H·W values, channel by channel, row by row."""

    kind: ClassVar[str] = FLATTEN
    activation: ClassVar[str] = "linear"
    dropout: ClassVar[float] = 0.0
    frozen: ClassVar[bool] = False
    has_parameters: ClassVar[bool] = False


AnyLayer = Union[LayerSpec, ConvSpec, PoolSpec, FlattenSpec]


@dataclass(frozen=True)
class LayerShape:
    """Layer ``spec``'s input and output shapes per sample, and its parameters' shapes (both () without)."""

    spec: AnyLayer
    input_shape: tuple[int, ...]
    output_shape: tuple[int, ...]
    weight_shape: tuple[int, ...]
    bias_shape: tuple[int, ...]

    @property
    def n_parameters(self) -> int:
        if not self.spec.has_parameters:
            return 0
        return math.prod(self.weight_shape) + math.prod(self.bias_shape)


def is_dense_only(layers) -> bool:
    return all(spec.kind == DENSE for spec in layers)


def with_flatten(layers: list) -> list:
    """``layers`` with a FlattenSpec before the first dense layer that follows a convolution or pooling."""
    result, spatial = [], False
    for spec in layers:
        if spec.kind == DENSE and spatial:
            result.append(FlattenSpec())
        if spec.kind in SPATIAL_KINDS:
            spatial = True
        elif spec.kind in (DENSE, FLATTEN):
            spatial = False
        result.append(spec)
    return result


def input_shape_for(shape, layers) -> tuple[int, ...]:
    """The per-sample input shape a network of ``layers`` works on, from an int (features) or a dataset's
    shape: (features,) for dense layers; (C, H, W) when a convolution or pooling comes first — a
    grey-scale image (H, W) is (1, H, W)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (int(shape),)
    try:
        shape = tuple(shape)
    except TypeError:
        raise ValueError(f"the input shape must be a whole number or a tuple of them, not {shape!r}") from None
    if not shape or not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1
                            for n in shape):
        raise ValueError(f"the input size must be whole numbers of at least 1, not {shape!r}")
    shape = tuple(int(n) for n in shape)
    first = next((spec for spec in layers if spec.kind != DENSE), None)
    if first is None or layers[0].kind == DENSE:
        return (math.prod(shape),)
    if len(shape) == 1:
        values = shape[0]
        raise ValueError(f"layer 1 ({layer_word(layers[0])}) needs images, and each sample here is "
                         f"{values:,} number{'s' * (values != 1)} without rows and columns: use dense layers")
    if len(shape) > 3:
        raise ValueError(f"layer 1 ({layer_word(layers[0])}) needs images of (height, width) or (channels, "
                         f"height, width), not samples of shape {shape}")
    return shape if len(shape) == 3 else (1, *shape)


def layer_shapes(input_shape, layers: list, max_units: int) -> list[LayerShape]:
    """Every layer's shapes for samples of ``input_shape`` (see :func:`input_shape_for`), or a ValueError
    in one sentence naming the first layer that cannot be: wrong order, a kernel larger than its input,
    pooling to nothing, a bad setting."""
    shape = input_shape_for(input_shape, layers)
    if len(shape) == 3 and math.prod(shape) > MAX_MAP_VALUES:
        raise ValueError(f"an input of {'×'.join(map(str, shape))} values is larger than the "
                         f"{MAX_MAP_VALUES:,} a convolutional network here takes")
    shapes: list[LayerShape] = []
    last, total = len(layers) - 1, 0
    for index, spec in enumerate(layers):
        where = _where(index, last, spec)
        kind = getattr(spec, "kind", None)
        if kind not in LAYER_KINDS:
            raise ValueError(f"{where} is a {type(spec).__name__}, not a layer spec")
        if index == last and kind != DENSE:
            raise ValueError(f"the output layer must be a dense layer, not {layer_word(spec)}: its units "
                             "are the answers")
        if kind == DENSE:
            if len(shape) != 1:
                raise ValueError(f"{where} needs a flatten layer before it")
            units = spec.units
            if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or not 1 <= units <= max_units:
                raise ValueError(f"{where} must have between 1 and {max_units} units, not {units!r}")
            out = (int(units),)
            shapes.append(LayerShape(spec, shape, out, (out[0], shape[0]), out))
        elif kind == FLATTEN:
            if index == 0 or layers[index - 1].kind not in SPATIAL_KINDS:
                raise ValueError(f"{where} (flatten) must follow a convolution or pooling layer")
            out = (math.prod(shape),)
            shapes.append(LayerShape(spec, shape, out, (), ()))
        else:
            if len(shape) != 3:
                previous = layers[index - 1].kind if index else "input"
                raise ValueError(f"{where} ({layer_word(spec)}) needs (channels, height, width) maps, and the "
                                 f"{previous} before it gives one row of numbers")
            out = _spatial_output(spec, shape, where)
            if math.prod(out) > MAX_MAP_VALUES:
                raise ValueError(f"{where} ({layer_word(spec)}) would give {math.prod(out):,} values a sample; "
                                 f"the limit is {MAX_MAP_VALUES:,}")
            total += math.prod(shape) + math.prod(out)
            if total > MAX_TOTAL_MAP_VALUES:
                raise ValueError(f"the layers up to {where} ({layer_word(spec)}) would hold over "
                                 f"{MAX_TOTAL_MAP_VALUES:,} values a sample in their maps, the limit")
            if kind == CONV2D:
                weight = (int(spec.filters), shape[0], int(spec.kernel), int(spec.kernel))
                shapes.append(LayerShape(spec, shape, out, weight, (int(spec.filters),)))
            else:
                shapes.append(LayerShape(spec, shape, out, (), ()))
        activation = get_activation(spec.activation)
        if index < last and not activation.hidden_allowed:
            raise ValueError(f"{where} cannot use {spec.activation}: it is an output-only activation")
        if not 0.0 <= spec.dropout < 1.0:
            raise ValueError(f"{where} has dropout {spec.dropout}; it must be at least 0 and below 1")
        if spec.dropout and index == last:
            raise ValueError("the output layer cannot use dropout: it would drop the answer itself")
        shape = out
    return shapes


def _spatial_output(spec, shape: tuple[int, int, int], where: str) -> tuple[int, int, int]:
    channels, height, width = shape
    if spec.kind == CONV2D:
        for name in ("filters", "kernel", "stride"):
            value = getattr(spec, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{where} has {name} {value!r}; it must be a whole number of at least 1")
        if spec.filters > MAX_FILTERS:
            raise ValueError(f"{where} has {spec.filters:,} filters; the limit is {MAX_FILTERS:,}")
        if spec.stride not in STRIDES:
            raise ValueError(f"{where} has stride {spec.stride}; a convolution here steps 1 or 2 pixels")
        if spec.padding not in PADDINGS:
            raise ValueError(f"{where} has padding {spec.padding!r}; choose one of: {', '.join(PADDINGS)}")
        k = spec.kernel
        if k > MAX_KERNEL:
            raise ValueError(f"{where} has a {k}×{k} kernel; the largest is {MAX_KERNEL}×{MAX_KERNEL}")
        if spec.padding == "same" and k % 2 == 0:
            raise ValueError(f"{where} has an even {k}×{k} kernel, and padding 'same' needs an odd one "
                             "(it pads kernel // 2 on every side): use padding 'valid' or an odd kernel")
        if k > min(height, width):  # with "same" padding most of its taps would only ever read zeros
            raise ValueError(f"{where} has a {k}×{k} kernel, larger than its {height}×{width} input: "
                             "use a smaller kernel or pool less before it")
        return (int(spec.filters), conv_output_size(height, k, spec.stride, spec.padding),
                conv_output_size(width, k, spec.stride, spec.padding))
    size = spec.size
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"{where} has pooling size {size!r}; it must be a whole number of at least 1")
    if size > min(height, width):
        raise ValueError(f"{where} pools {size}×{size} windows of a {height}×{width} map, which would leave "
                         "nothing: use a smaller size")
    return channels, height // size, width // size


def _where(index: int, last: int, spec) -> str:
    return "the output layer" if index == last else f"layer {index + 1}"


# -- words: "conv8x5", "conv16x3s2valid", "maxpool2", "avgpool2", "flatten", "64" -------------------------------
_CONV_WORD = re.compile(r"conv(\d{1,6})x(\d{1,4})(?:s(\d{1,3}))?(valid|same)?\Z")
_POOL_WORD = re.compile(r"(max|avg)pool(\d{1,4})\Z")
LAYER_WORD_HELP = ("conv{F}x{K} (F filters of K×K; add s2 for stride 2 and 'valid' for no padding, e.g. "
                   "conv16x3s2valid), maxpool{N}, avgpool{N}, or a whole number for a dense layer")


def layer_word(spec) -> str:
    """The short word for a layer: "conv8x5", "conv8x5s2valid", "maxpool2", "flatten", "64"."""
    kind = getattr(spec, "kind", None)
    if kind == CONV2D:
        return (f"conv{spec.filters}x{spec.kernel}" + (f"s{spec.stride}" if spec.stride != 1 else "")
                + ("valid" if spec.padding == "valid" else ""))
    if kind in POOL_KINDS:
        return f"{kind[:3]}pool{spec.size}"
    if kind == FLATTEN:
        return "flatten"
    return str(getattr(spec, "units", "?"))


def parse_layer_word(word, activation: str = "relu", dropout: float = 0.0) -> AnyLayer:
    """A hidden layer from its word (see ``LAYER_WORD_HELP``) — or from a whole number, a dense layer.
    ``activation`` goes to convolutions and dense layers, ``dropout`` to dense layers only."""
    if isinstance(word, (int, np.integer)) and not isinstance(word, bool):
        return LayerSpec(int(word), activation, dropout)
    if not isinstance(word, str):
        raise ValueError(f"a layer is a word like conv8x5 or a whole number, not {word!r}")
    text = word.strip().lower()
    if text.isdigit():
        return LayerSpec(int(text), activation, dropout)
    found = _CONV_WORD.match(text)
    if found:
        filters, kernel, stride, padding = found.groups()
        return ConvSpec(int(filters), int(kernel), int(stride or 1), padding or "same", activation)
    found = _POOL_WORD.match(text)
    if found:
        return PoolSpec(int(found.group(2)), f"{found.group(1)}pool2d")
    if text == "flatten":
        return FlattenSpec()
    raise ValueError(f"{word!r} is not a layer; write {LAYER_WORD_HELP}")


def parse_layer_words(text: str, activation: str = "relu", dropout: float = 0.0) -> list[AnyLayer]:
    """"conv8x5,maxpool2,64" → the hidden layers (an empty text: none)."""
    words = [part.strip() for part in str(text).split(",")]
    if words == [""]:
        return []
    if "" in words:
        raise ValueError(f"{text!r} has an empty layer between two commas")
    return [parse_layer_word(word, activation, dropout) for word in words]


def hidden_layout(layers) -> tuple:
    """The hidden layers as the training panel and ``nnlab train --layers`` write them: a dense layer's width
    (an int), any other layer's word ("conv8x5", "maxpool2"); the flatten a network writes in is left out."""
    return tuple(spec.units if spec.kind == DENSE else layer_word(spec)
                 for spec in layers[:-1] if spec.kind != FLATTEN)


def normalized_hidden(hidden) -> tuple:
    """An experiment's hidden layers (widths and words) as :func:`hidden_layout` writes them: "64" is 64,
    "Conv8x5same" is "conv8x5"; a ValueError names a word that is no layer."""
    return hidden_layout([*(parse_layer_word(item) for item in hidden), LayerSpec(1)])
