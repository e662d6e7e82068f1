"""Whether an architecture can be built: the first impossible part of it, in one sentence.

Dense-only networks keep their original checks and wording; a network with convolutions or pooling
goes through ``layers.layer_shapes``, which knows every kind's shapes.
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .layers import LayerShape, is_dense_only, layer_shapes, with_flatten
from .losses import check_pair

MAX_PARAMETERS = 50_000_000
MAX_UNITS = 100_000


def validate_architecture(input_size, layers: list, loss: str | None = None) -> list[LayerShape] | None:
    """Raise ValueError naming the first impossible part of an architecture.

    ``input_size``: the number of features, or a sample's shape — (H, W) or (C, H, W) for a CNN.
    Layers of any kind go through :func:`layers.layer_shapes` (whose shapes are returned).
    """
    if not is_dense_only(layers) or not isinstance(input_size, (int, np.integer)):
        return _validate_any(input_size, layers, loss)
    if not isinstance(input_size, (int, np.integer)) or input_size < 1:
        raise ValueError(f"the input size must be a whole number of at least 1, not {input_size!r}")
    if not layers:
        raise ValueError("a network needs at least an output layer")
    fan_in = int(input_size)
    total = 0
    for index, spec in enumerate(layers):
        where = "the output layer" if index == len(layers) - 1 else f"hidden layer {index + 1}"
        if not isinstance(spec.units, (int, np.integer)) or not 1 <= spec.units <= MAX_UNITS:
            raise ValueError(f"{where} must have between 1 and {MAX_UNITS} units, not {spec.units!r}")
        activation = get_activation(spec.activation)
        if index < len(layers) - 1 and not activation.hidden_allowed:
            raise ValueError(f"{where} cannot use {spec.activation}: it is an output-only activation")
        if not 0.0 <= spec.dropout < 1.0:
            raise ValueError(f"{where} has dropout {spec.dropout}; it must be at least 0 and below 1")
        if spec.dropout and index == len(layers) - 1:
            raise ValueError("the output layer cannot use dropout: it would drop the answer itself")
        total += (fan_in + 1) * spec.units
        fan_in = int(spec.units)
    if total > MAX_PARAMETERS:
        raise ValueError(f"the network would have {total:,} parameters; the limit is {MAX_PARAMETERS:,}")
    if loss is not None:
        check_pair(loss, layers[-1].activation, layers[-1].units)
    return None


def _validate_any(input_size, layers: list, loss: str | None) -> list[LayerShape]:
    if not layers:
        raise ValueError("a network needs at least an output layer")
    shapes = layer_shapes(input_size, with_flatten(list(layers)), MAX_UNITS)
    total = sum(shape.n_parameters for shape in shapes)
    if total > MAX_PARAMETERS:
        raise ValueError(f"the network would have {total:,} parameters; the limit is {MAX_PARAMETERS:,}")
    if loss is not None:
        check_pair(loss, layers[-1].activation, layers[-1].units)
    return shapes
