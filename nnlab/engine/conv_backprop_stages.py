"""The step-debugger's script for a convolutional network: forward and backward through every layer kind.

Stage for stage as ``build_stages`` writes a dense network's (input, forward through each layer, the
loss, backward through each layer, the update), with a convolution's or pooling's numbers summed up per
map: the maps are too many to write out, and one pixel is taken apart beside the script (the selected
map pixel's δ, the selected kernel weight's gradient). ``layer`` of a stage is the sizes-column, as in
``FeatureRef``; the dense layers after the convolutions get the dense script.
"""
from __future__ import annotations

import numpy as np

from .backprop_stages import (Stage, dense_backward_stage, dense_forward_stage, loss_stage, update_stage,
                              vector_text)
from .conv_backprop_steps import ConvBackpropWalk
from .explain import ACTIVATION_NAMES
from .layers import CONV2D, DENSE, FLATTEN, MAXPOOL2D, layer_word
from .numbers import format_number

MAPS_WRITTEN = 4  # per-map figures written for the first maps of a layer; the rest are counted


def _maps(shape) -> str:
    channels, height, width = shape
    return f"{channels} map{'s' * (channels != 1)} of {height}×{width}"


def _range(values: np.ndarray, digits) -> str:
    return f"from {format_number(values.min(), digits)} to {format_number(values.max(), digits)}"


def build_conv_stages(walk: ConvBackpropWalk, classes: list[str] | None = None, optimizer: str = "sgd",
                      learning_rate: float = 0.01, digits: int | None = 3) -> list[Stage]:
    network = walk.network
    image = walk.a[0]
    stages = [Stage("input", 0, "Input", [f"x: {_maps(image.shape)} ({image.size} values), {_range(image, digits)}",
                                          f"target y = {vector_text(walk.target, digits)}"])]
    for column, spec in enumerate(network.layers, start=1):
        if spec.kind == DENSE:
            stages.append(dense_forward_stage(walk, column, classes, digits))
        else:
            stages.append(_forward(walk, column, digits))
    stages.append(loss_stage(walk, classes, digits))
    for column in range(len(network.layers), 0, -1):
        if network.layers[column - 1].kind == DENSE:
            stages.append(dense_backward_stage(walk, column, digits))
        else:
            stages.append(_backward(walk, column, digits))
    stages.append(update_stage(walk, optimizer, learning_rate, digits))
    return stages


def _forward(walk: ConvBackpropWalk, column: int, digits) -> Stage:
    network, layer = walk.network, column - 1
    spec, a = network.layers[layer], walk.a[column]
    title = f"Forward: layer {column} ({layer_word(spec)})"
    if spec.kind == FLATTEN:
        return Stage("forward", column, title, [f"{_maps(walk.a[layer].shape)} laid out in one row of {a.size} "
                                                "values, map by map, row by row", f"a = {vector_text(a, digits)}"])
    if spec.kind == CONV2D:
        weight = network.weights[layer]
        name = ACTIVATION_NAMES.get(spec.activation, spec.activation)
        lines = [f"each pixel: z = Σ w·x over {weight.shape[1]}×{spec.kernel}×{spec.kernel} inputs + b, "
                 f"a = {name}(z) → {_maps(a.shape)}"]
        z = walk.z[layer]
        for channel in range(min(len(a), MAPS_WRITTEN)):
            lines.append(f"map {channel + 1}: z {_range(z[channel], digits)}; a > 0 at "
                         f"{int(np.count_nonzero(a[channel] > 0))} of {a[channel].size} pixels")
    else:
        word = "the largest" if spec.kind == MAXPOOL2D else "the mean"
        lines = [f"each pixel: {word} of a {spec.size}×{spec.size} window of layer {column - 1}'s map → "
                 f"{_maps(a.shape)}"]
        for channel in range(min(len(a), MAPS_WRITTEN)):
            lines.append(f"map {channel + 1}: a {_range(a[channel], digits)}")
    if len(a) > MAPS_WRITTEN:
        lines.append(f"… and {len(a) - MAPS_WRITTEN} more maps")
    lines.append("click a map pixel in the editor: the Feature map tab writes its sum")
    return Stage("forward", column, title, lines)


def _backward(walk: ConvBackpropWalk, column: int, digits) -> Stage:
    network, layer = walk.network, column - 1
    spec, delta = network.layers[layer], walk.deltas[layer]
    title = f"Backward: layer {column} ({layer_word(spec)})"
    if spec.kind == FLATTEN:
        return Stage("backward", column, title, [
            f"∂L/∂a of the {delta.size} flattened values = Wᵀ·δ of layer {column + 1}: "
            f"{vector_text(delta, digits)}", f"laid back as {_maps(walk.a[layer].shape)} for layer {column - 1}"])
    nonzero = int(np.count_nonzero(delta))
    lines = [f"δ: {_maps(delta.shape)}, {_range(delta, digits)}; not 0 at {nonzero} of {delta.size} pixels"]
    if spec.kind == CONV2D:
        name = ACTIVATION_NAMES.get(spec.activation, spec.activation)
        lines.insert(0, f"δ = {name}′(z) · ∂L/∂a, ∂L/∂a from layer {column + 1}")
        gradient, bias = walk.weight_gradients()[layer], walk.bias_gradients()[layer]
        positions = delta.shape[1] * delta.shape[2]
        shape = " × ".join(map(str, gradient.shape))
        lines += [f"∂L/∂w = Σ over {positions} positions of δ·x: {shape} numbers, "
                  f"largest |g| = {format_number(np.abs(gradient).max(), digits)}",
                  f"∂L/∂b = Σ δ per map = {vector_text(bias, digits)}"]
    elif spec.kind == MAXPOOL2D and layer > 0:
        routed = int(np.count_nonzero(walk.upstream[layer - 1]))
        lines.append(f"max-pooling hands each δ to the one input that won its window, 0 to the other "
                     f"{spec.size ** 2 - 1}: {routed} of {walk.a[layer].size} inputs of layer {column - 1} get a δ")
    elif layer > 0:
        lines.append(f"average-pooling hands δ / {spec.size ** 2} to each input of the window")
    return Stage("backward", column, title, lines)
