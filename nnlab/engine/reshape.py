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

from .layers import FLATTEN, SPATIAL_KINDS, with_flatten
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
    if input_size is None:  # a CNN's (C, H, W): its number of inputs alone would not say where the rows are
        input_size = old.input_size if old.is_dense else old.input_shape
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


def fresh_network(input_size, hidden: list, output: LayerSpec, loss: str,
                  dtype=np.float32, init: str = "auto", seed: int = 0) -> Network:
    """A whole new network within the editor's limits (templates); ``input_size`` is a sample's shape, e.g.
    (28, 28), when ``hidden`` has convolutions or pooling."""
    if len(hidden) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{len(hidden)} hidden layers; the limit is {MAX_HIDDEN_LAYERS}")
    for spec in hidden:
        if spec.kind == "dense":
            check_width(spec.units)
    layers = [*hidden, output]
    validate_architecture(input_size, layers, loss)
    return Network(input_size, layers, dtype=dtype, init=init, seed=seed)


# -- any network: convolution, pooling and dense layers ------------------------------------------------------
def _spatial(layers) -> bool:
    return any(spec.kind in SPATIAL_KINDS for spec in layers)


def rebuild_layers(network: Network, layers: list, sources: list[int | None], input_shape=None,
                   init: str = "auto", seed: int = 0) -> Reshaped:
    """A network of ``layers`` (any kinds; a flatten is written in where it is implied, one given is dropped
    and written again) in which ``layers[i]`` takes old layer ``sources[i]``'s weights when their shapes match.

    ``input_shape``: a sample's shape, e.g. a dataset's (28, 28) — needed when a convolution comes into a
    network that had none (a dense network knows only its number of inputs). ``reset`` names the new
    layers with weights that were drawn afresh (pooling and flatten have none to draw).
    """
    kept = [(spec, source) for spec, source in zip(layers, sources) if spec.kind != FLATTEN]
    plain = [spec for spec, _ in kept]
    if len([spec for spec in plain[:-1] if spec.kind == "dense"]) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"a network here has at most {MAX_HIDDEN_LAYERS} hidden dense layers; "
                         "deeper plain dense networks barely train")
    for spec in plain[:-1]:
        if spec.kind == "dense":
            check_width(spec.units)
    if not _spatial(plain):
        shape = network.input_size
    else:
        shape = tuple(input_shape) if input_shape is not None else tuple(network.input_shape)
        if len(shape) == 1:
            raise ValueError(f"a convolution or pooling needs images, and each sample here is {shape[0]:,} "
                             "numbers without rows and columns: use dense layers")
    full = with_flatten(plain)
    carried, source_of = {}, iter([source for _, source in kept])
    for index, spec in enumerate(full):
        source = None if spec.kind == FLATTEN else next(source_of)
        if source is not None:
            carried[index] = source
    result = _rebuild(network, full, carried, init, seed, input_size=shape)
    reset = tuple(index for index in result.reset if full[index].has_parameters)
    return Reshaped(result.network, reset)


def insert_any(network: Network, position: int, spec, input_shape=None, init: str = "auto",
               seed: int = 0) -> Reshaped:
    """``spec`` (a dense, convolution or pooling layer) before ``network.layers[position]``."""
    if not 0 <= position < len(network.layers):
        raise ValueError(f"a layer can go at positions 1 to {len(network.layers)}, not {position + 1}")
    layers = [*network.layers[:position], spec, *network.layers[position:]]
    sources = [*range(position), None, *range(position, len(network.layers))]
    return rebuild_layers(network, layers, sources, input_shape, init, seed)


def remove_any(network: Network, index: int, init: str = "auto", seed: int = 0) -> Reshaped:
    """Drop ``network.layers[index]`` (not the output layer, not the flatten written in for the dense layers)."""
    _check_hidden(network, index, "remove")
    if network.layers[index].kind == FLATTEN:
        raise ValueError("the flatten layer comes with the first dense layer after the convolutions and pooling: "
                         "it goes when they do")
    layers = [*network.layers[:index], *network.layers[index + 1:]]
    sources = [*range(index), *range(index + 1, len(network.layers))]
    return rebuild_layers(network, layers, sources, None, init, seed)


def replace_any(network: Network, index: int, spec, init: str = "auto", seed: int = 0) -> Reshaped:
    """``network.layers[index]`` becomes ``spec`` ("conv8x5" → "conv16x3"); it keeps its weights when their
    shape survives, and the layers after it keep theirs when their input's shape does."""
    _check_hidden(network, index, "change")
    if network.layers[index].kind == FLATTEN:
        raise ValueError("the flatten layer has nothing to change: it only lays the maps out in one row")
    layers = list(network.layers)
    layers[index] = spec
    return rebuild_layers(network, layers, list(range(len(layers))), None, init, seed)


def set_hidden_layers(network: Network, hidden: list, input_shape=None, init: str = "auto",
                      seed: int = 0) -> Reshaped:
    """Every hidden layer at once from specs of any kind (the training panel's "conv8x5, maxpool2, 64"):
    a layer keeps its old weights by position when its shape survives."""
    old = [spec for spec in network.layers[:-1] if spec.kind != FLATTEN]
    old_index = [i for i, spec in enumerate(network.layers[:-1]) if spec.kind != FLATTEN]
    sources = [old_index[i] if i < len(old) and old[i].kind == spec.kind else None for i, spec in enumerate(hidden)]
    return rebuild_layers(network, [*hidden, network.layers[-1]], [*sources, len(network.layers) - 1],
                          input_shape, init, seed)
