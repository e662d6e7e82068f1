"""Edits to a network's architecture that keep every weight the edit does not invalidate.

An edit never changes the network it is given: it returns a new ``Network`` and the
indices of the layers whose weights were drawn afresh, so the editor can say what
was reset and an undo can put the old network back bit for bit. A layer keeps its
weights whenever its (out, in) shape is unchanged; only a layer whose shape moved
is re-initialised, with the same seeded draw ``Network.initialize`` uses.

Layer indices here are ``network.layers`` indices (0 is the first hidden layer, or the
output layer when there is no hidden layer), not ``network.sizes`` columns.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .losses import check_pair, output_units
from .network import LayerSpec, Network, validate_architecture

MAX_HIDDEN_LAYERS = 10
"""Why 10: a plain dense network (no normalisation, no skip connections) deeper than this
barely trains — gradients vanish or explode through the chain of layers — so more layers
teach the wrong lesson; and 12 columns are what the editor can draw legibly side by side
(~100 px each on a 1280 px window)."""

MAX_HIDDEN_UNITS = 2048
"""Why 2,048: wider than any of the lab's datasets needs (784 inputs at most), and a
2,048 × 2,048 layer is already ~4.2 M weights: a few of them keep an epoch of the built-in
digits under a few seconds on a laptop CPU, and ten of them stay below the engine's
50 M-parameter ceiling. The editor draws a wide layer collapsed either way."""


@dataclass(frozen=True)
class Reshaped:
    """An edit's result: the new network and which of its layers got fresh weights."""

    network: Network
    reset: tuple[int, ...]


def _rebuild(old: Network, layers: list[LayerSpec], carried: dict[int, int],
             init: str, seed: int, input_size: int | None = None) -> Reshaped:
    """New network with ``layers``; new layer i takes old layer ``carried[i]``'s weights if shapes match."""
    input_size = old.input_size if input_size is None else input_size
    validate_architecture(input_size, layers)
    new = Network(input_size, layers, dtype=old.dtype, init=init, seed=seed)
    reset = []
    for index in range(len(layers)):
        source = carried.get(index)
        if source is not None and old.weights[source].shape == new.weights[index].shape:
            new.weights[index][...] = old.weights[source]
            new.biases[index][...] = old.biases[source]
        else:
            reset.append(index)
    return Reshaped(new, tuple(reset))


def _check_hidden(network: Network, index: int, action: str) -> None:
    last = len(network.layers) - 1
    if index == last:
        raise ValueError(f"cannot {action} the output layer: its width is the dataset's number of classes "
                         "and its activation is set with the loss")
    if not 0 <= index < last:
        raise ValueError(f"there is no hidden layer {index + 1}")


def check_width(units) -> int:
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or not 1 <= units <= MAX_HIDDEN_UNITS:
        raise ValueError(f"a hidden layer has between 1 and {MAX_HIDDEN_UNITS:,} units, not {units!r} "
                         "(wider layers are slow to train and no built-in dataset needs them)")
    return int(units)


def insert_layer(network: Network, position: int, spec: LayerSpec, init: str = "auto", seed: int = 0) -> Reshaped:
    """A new hidden layer at ``position`` (0 ≤ position ≤ number of hidden layers).

    Resets the new layer and the one after it (its fan-in changed) — unless the new
    layer is as wide as its input, in which case the next layer's shape is unchanged
    and it keeps its weights.
    """
    hidden = len(network.layers) - 1
    if hidden >= MAX_HIDDEN_LAYERS:
        raise ValueError(f"a network here has at most {MAX_HIDDEN_LAYERS} hidden layers; "
                         "deeper plain dense networks barely train")
    if not 0 <= position <= hidden:
        raise ValueError(f"a hidden layer can go at positions 1 to {hidden + 1}, not {position + 1}")
    check_width(spec.units)
    layers = [*network.layers[:position], spec, *network.layers[position:]]
    carried = {i: i for i in range(position)} | {i + 1: i for i in range(position, len(network.layers))}
    return _rebuild(network, layers, carried, init, seed)


def remove_layer(network: Network, index: int, init: str = "auto", seed: int = 0) -> Reshaped:
    """Drop hidden layer ``index``; the layer after it now reads the layer before it, so it is reset."""
    _check_hidden(network, index, "remove")
    layers = [*network.layers[:index], *network.layers[index + 1:]]
    carried = {i: i for i in range(index)} | {i: i + 1 for i in range(index, len(layers))}
    return _rebuild(network, layers, carried, init, seed)


def set_width(network: Network, index: int, units: int, init: str = "auto", seed: int = 0) -> Reshaped:
    """Resize hidden layer ``index``: its incoming and outgoing weights are reset, no other."""
    _check_hidden(network, index, "resize")
    units = check_width(units)
    layers = list(network.layers)
    layers[index] = replace(layers[index], units=units)
    return _rebuild(network, layers, {i: i for i in range(len(layers))}, init, seed)


def set_hidden_widths(network: Network, widths: list[int], template: LayerSpec,
                      init: str = "auto", seed: int = 0) -> Reshaped:
    """Every hidden width at once (the training panel's field); layers keep their settings by position.

    New layers copy ``template``'s activation and dropout; layers whose shape survives keep their weights.
    """
    if len(widths) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(widths)} hidden layers asked for; the limit is {MAX_HIDDEN_LAYERS}")
    widths = [check_width(units) for units in widths]
    old_hidden = network.layers[:-1]
    layers = [replace(old_hidden[i], units=units) if i < len(old_hidden) else replace(template, units=units)
              for i, units in enumerate(widths)]
    layers.append(network.layers[-1])
    carried = {i: i for i in range(min(len(widths), len(old_hidden)))} | {len(widths): len(network.layers) - 1}
    return _rebuild(network, layers, carried, init, seed)


def set_layer_options(network: Network, index: int, **changes) -> Reshaped:
    """Change a layer's activation, dropout or frozen flag: shapes stay, so every weight is kept."""
    unknown = set(changes) - {"activation", "dropout", "frozen"}
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))} this way")
    if not 0 <= index < len(network.layers):
        raise ValueError(f"there is no layer {index + 1}")
    if index == len(network.layers) - 1 and "activation" in changes:
        raise ValueError("the output activation is chosen together with the loss, as a pair that fits")
    layers = list(network.layers)
    layers[index] = replace(layers[index], **changes)
    return _rebuild(network, layers, {i: i for i in range(len(layers))}, "auto", 0)


def set_output(network: Network, loss: str, activation: str, n_classes: int,
               init: str = "auto", seed: int = 0) -> Reshaped:
    """A new loss and output activation (a pair ``check_pair`` accepts).

    The output width follows the loss (one sigmoid unit for a two-class binary
    cross-entropy), so the output layer is reset only when its width changes.
    """
    check_pair(loss, activation)
    layers = list(network.layers)
    layers[-1] = replace(layers[-1], activation=activation, units=output_units(loss, n_classes))
    return _rebuild(network, layers, {i: i for i in range(len(layers))}, init, seed)


def fresh_network(input_size: int, hidden: list[LayerSpec], output: LayerSpec, loss: str,
                  dtype=np.float32, init: str = "auto", seed: int = 0) -> Network:
    """A whole new network within the editor's limits (templates)."""
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(hidden)} hidden layers; the limit is {MAX_HIDDEN_LAYERS}")
    for spec in hidden:
        check_width(spec.units)
    layers = [*hidden, output]
    validate_architecture(input_size, layers, loss)
    return Network(input_size, layers, dtype=dtype, init=init, seed=seed)
