"""The step-debugger's script: one sample's forward pass, loss and backward pass, stage by stage.

Stages for a network of L layers: the input, forward through layers 1..L, the loss,
backward through layers L..1, and the update — 2·L + 3 in all. Each stage is a title
and the lines to show, written with :mod:`explain` and :class:`BackpropWalk`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop_steps import BackpropWalk
from .explain import ACTIVATION_NAMES, neuron_lines, softmax_written
from .numbers import format_number

MAX_UNITS_WRITTEN = 4
MAX_VALUES = 10


@dataclass(frozen=True)
class Stage:
    kind: str  # "input", "forward", "loss", "backward", "update"
    layer: int | None  # sizes-layer the stage is about (forward/backward)
    title: str
    lines: list[str]


def vector_text(values: np.ndarray, digits: int | None = 3) -> str:
    values = np.asarray(values).ravel()
    shown = ", ".join(format_number(v, digits) for v in values[:MAX_VALUES])
    more = f", … ({len(values) - MAX_VALUES} more)" if len(values) > MAX_VALUES else ""
    return f"[{shown}{more}]"


def build_stages(walk: BackpropWalk, classes: list[str] | None = None, optimizer: str = "sgd",
                 learning_rate: float = 0.01, digits: int | None = 3) -> list[Stage]:
    network, n_layers = walk.network, walk.n_layers
    if not network.is_dense:
        from .conv_backprop_stages import build_conv_stages

        return build_conv_stages(walk, classes, optimizer, learning_rate, digits)
    stages = [Stage("input", 0, "Input", [f"x = {vector_text(walk.x, digits)}",
                                          f"target y = {vector_text(walk.target, digits)}"])]
    stages += [dense_forward_stage(walk, layer, classes, digits) for layer in range(1, n_layers + 1)]
    stages.append(loss_stage(walk, classes, digits))
    stages += [dense_backward_stage(walk, layer, digits) for layer in range(n_layers, 0, -1)]
    stages.append(update_stage(walk, optimizer, learning_rate, digits))
    return stages


def dense_forward_stage(walk: BackpropWalk, layer: int, classes: list[str] | None, digits: int | None) -> Stage:
    """The forward pass through dense sizes-layer ``layer``: its first neurons written out, then z and a."""
    network = walk.network
    spec = network.layers[layer - 1]
    lines = []
    for unit in range(min(spec.units, MAX_UNITS_WRITTEN)):
        written = neuron_lines(network, walk.trace, layer, unit, classes, digits)
        lines += written[:1] if spec.activation == "softmax" else written
    if spec.activation == "softmax":
        lines += softmax_written(walk.z[layer - 1]).lines(classes, digits)
    if spec.units > MAX_UNITS_WRITTEN:
        lines.append(f"… and {spec.units - MAX_UNITS_WRITTEN} more neurons")
    lines += [f"z = {vector_text(walk.z[layer - 1], digits)}", f"a = {vector_text(walk.a[layer], digits)}"]
    kind = ACTIVATION_NAMES.get(spec.activation, spec.activation)
    return Stage("forward", layer, f"Forward: layer {layer} ({spec.units} × {kind})", lines)


def loss_stage(walk: BackpropWalk, classes: list[str] | None, digits: int | None) -> Stage:
    return Stage("loss", None, f"Loss ({walk.loss.replace('_', ' ')})", walk.loss_lines(classes, digits))


def dense_backward_stage(walk: BackpropWalk, layer: int, digits: int | None) -> Stage:
    """The backward pass through dense sizes-layer ``layer``: δ, its first neurons' chain rule, ∂L/∂W."""
    units = walk.network.sizes[layer]
    lines = [f"δ = ∂L/∂z = {vector_text(walk.deltas[layer - 1], digits)}"]
    for unit in range(min(units, MAX_UNITS_WRITTEN)):
        lines += walk.delta_lines(layer, unit, digits)[-1:]
    if units > MAX_UNITS_WRITTEN:
        lines.append(f"… and {units - MAX_UNITS_WRITTEN} more neurons")
    gradient = walk.weight_gradients()[layer - 1]
    lines.append(f"∂L/∂W = δ · a_prevᵀ: {gradient.shape[0]} × {gradient.shape[1]} numbers, "
                 f"largest |g| = {format_number(np.abs(gradient).max(), digits)}")
    return Stage("backward", layer, f"Backward: layer {layer}", lines)


def update_stage(walk: BackpropWalk, optimizer: str, learning_rate: float, digits: int | None) -> Stage:
    return Stage("update", None, f"Update ({optimizer}, η = {format_number(learning_rate, digits)})",
                 ["every weight and bias takes one step against its gradient",
                  f"{walk.network.n_parameters} parameters"])


def reached(stages: list[Stage], current: int, kind: str, layer: int) -> bool:
    """Has the walk reached the ``kind`` stage of ``layer`` by stage ``current``?"""
    return any(s.kind == kind and s.layer == layer for s in stages[:current + 1])
