"""What a valid weight-file ``meta`` is, apart from how the file is stored.

A weight file's JSON meta promises a network: format and version, input shape, layers,
loss, class names, preprocessing and (optionally) dtype. Version 1 holds dense layers only; version 2
adds a ``type`` to each layer (dense, conv2d, maxpool2d, avgpool2d, flatten — a layer without one is
dense). A dense-only network is still written as version 1, so every NN Lab that reads weight files
reads it; a network with convolutions or pooling is written as version 2. Whether that promise is coherent is one
question; whether the zip and its ``.npy`` members keep it is another (``weights_file``).
Keeping the rules here lets them be read — and changed for a new format version — in one
place, and lets saving run exactly the checks loading runs on the meta it is about to write.

Problems are raised as :class:`FileProblem` (one sentence, no path); ``weights_file`` turns
them into a ``WeightFileError`` naming the file.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from nnlab.engine import ACTIVATIONS, LOSSES
from nnlab.engine.conv_geometry import PADDINGS
from nnlab.engine.layers import (AVGPOOL2D, CONV2D, DENSE, FLATTEN, LAYER_KINDS, MAXPOOL2D, ConvSpec, FlattenSpec,
                                 PoolSpec, is_dense_only, layer_shapes, with_flatten)
from nnlab.engine.network import MAX_PARAMETERS, MAX_UNITS, LayerSpec, validate_architecture

from .meta_checks import FileProblem, check_header, check_values, counted, first_sentence, printable_text
from .meta_checks import short as _short

FORMAT = "nnlab-weights"
VERSION = 2  # the newest this NN Lab reads and writes; DENSE_VERSION for a dense-only network
DENSE_VERSION = 1
PREPROCESS_MODES = ("mnist", "faces", "resize", "none")
DTYPES = ("float32", "float64")
MAX_INPUT_DIMS = 4

# The one list of keys a meta must have; docs/weight-file-format.md lists the same (a test compares them).
REQUIRED_KEYS = ("format", "version", "input_shape", "layers", "loss", "classes", "preprocess")
# dtype is derived state (the arrays carry it): optional, and when present it must agree with them.
# Saving still writes it, so NN Lab 0.1, which required it, opens our files.
OPTIONAL_MODEL_KEYS = ("dtype",)
MODEL_KEYS = REQUIRED_KEYS + OPTIONAL_MODEL_KEYS  # what the loader reads itself; the rest is ``extra``
_LAYER_KEYS = ("units", "activation", "dropout", "frozen")  # version 1's, all dense
# Version 2's keys by type: required ones first, then the optional ones with their defaults.
_TYPED_KEYS = {
    DENSE: (("units", "activation"), {"dropout": 0.0, "frozen": False}),
    CONV2D: (("filters", "kernel", "activation"), {"stride": 1, "padding": "same", "frozen": False}),
    MAXPOOL2D: (("size",), {}),
    AVGPOOL2D: (("size",), {}),
    FLATTEN: ((), {}),
}
@dataclass
class MetaSpec:
    """What a valid meta describes, before any array is read."""

    input_shape: tuple[int, ...]
    layers: list[LayerSpec]
    loss: str
    classes: list[str]
    preprocess: str
    dtype: str | None  # None: take the arrays' own dtype
    extra: dict

    def array_shapes(self) -> dict[str, tuple[int, ...]]:
        """``layers.{i}.weight`` and ``layers.{i}.bias`` of every layer with parameters, ``i`` counting every
        layer: dense (out, in) and (out,), conv2d (filters, in_channels, K, K) and (filters,)."""
        if is_dense_only(self.layers):
            shapes, fan_in = {}, math.prod(self.input_shape)
            for i, spec in enumerate(self.layers):
                shapes[f"layers.{i}.weight"] = (spec.units, fan_in)
                shapes[f"layers.{i}.bias"] = (spec.units,)
                fan_in = spec.units
            return shapes
        shapes = {}
        for i, shape in enumerate(layer_shapes(self.input_shape, self.layers, MAX_UNITS)):
            if shape.spec.has_parameters:
                shapes[f"layers.{i}.weight"] = shape.weight_shape
                shapes[f"layers.{i}.bias"] = shape.bias_shape
        return shapes

    @property
    def n_parameters(self) -> int:
        return sum(math.prod(shape) for shape in self.array_shapes().values())


def layers_meta(layers) -> tuple[int, list[dict]]:
    """(format version, meta's layer list) for a network's layers: version 1's untyped dense layers when
    every layer is dense, else version 2's, each with its ``type``."""
    if is_dense_only(layers):
        return DENSE_VERSION, [{"units": s.units, "activation": s.activation, "dropout": s.dropout,
                                "frozen": s.frozen} for s in layers]
    described = []
    for s in layers:
        if s.kind == DENSE:
            described.append({"type": DENSE, "units": s.units, "activation": s.activation, "dropout": s.dropout,
                              "frozen": s.frozen})
        elif s.kind == CONV2D:
            described.append({"type": CONV2D, "filters": s.filters, "kernel": s.kernel, "stride": s.stride,
                              "padding": s.padding, "activation": s.activation, "frozen": s.frozen})
        elif s.kind == FLATTEN:
            described.append({"type": FLATTEN})
        else:
            described.append({"type": s.kind, "size": s.size})
    return VERSION, described


def parse_meta(meta) -> MetaSpec:
    """Check a decoded meta object in reading order and describe the network it promises.

    Every value is checked for type and range before it is converted or compared with anything,
    so a hostile value (10**400, a bool for a number, a lone surrogate) ends in a FileProblem.
    """
    if not isinstance(meta, dict):
        raise FileProblem(f"meta must be a JSON object, not {_short(meta)}")
    check_values(meta)
    version = check_header(meta, file_format=FORMAT, kind="weight", versions=(DENSE_VERSION, VERSION),
                           required=REQUIRED_KEYS, short=_short)
    input_shape = _parse_input_shape(meta["input_shape"])
    layers = _parse_layers(meta["layers"]) if version == DENSE_VERSION else _parse_typed_layers(meta["layers"])
    loss = meta["loss"]
    if not isinstance(loss, str) or loss not in LOSSES:
        raise FileProblem(f"meta's loss is {_short(loss)}; expected one of {', '.join(LOSSES)}")
    try:
        validate_architecture(math.prod(input_shape) if is_dense_only(layers) else input_shape, layers, loss)
    except ValueError as exc:
        raise FileProblem(f"its architecture is impossible: {first_sentence(exc)}") from None
    implied = with_flatten(layers)
    if implied != layers:
        i = next(i for i, (a, b) in enumerate(zip(layers, implied)) if a != b)
        raise FileProblem(f"meta's layers[{i}] is a dense layer right after a convolution or pooling: a "
                          '{"type": "flatten"} layer must come between them, so that layers.{i} count every layer')
    classes = meta["classes"]
    if not isinstance(classes, list) or not all(isinstance(name, str) for name in classes):
        raise FileProblem("meta's classes must be a list of names")
    for k, name in enumerate(classes):
        printable_text(name, f"classes[{k}]")
    output = layers[-1]
    binary = output.units == 1 and len(classes) == 2 and output.activation == "sigmoid"
    if len(classes) != output.units and not binary:
        raise FileProblem(f"it names {counted(len(classes), 'class', 'classes')} but the output layer "
                          f"has {counted(output.units, 'unit')}")
    if meta["preprocess"] not in PREPROCESS_MODES:
        raise FileProblem(f"meta's preprocess is {_short(meta['preprocess'])}; expected one of "
                          f"{', '.join(PREPROCESS_MODES)}")
    dtype = meta.get("dtype")
    if "dtype" in meta and dtype not in DTYPES:
        raise FileProblem(f"meta's dtype is {_short(dtype)}; expected float32 or float64")
    extra = {key: value for key, value in meta.items() if key not in MODEL_KEYS}
    return MetaSpec(input_shape, layers, loss, classes, meta["preprocess"], dtype, extra)


def _parse_input_shape(value) -> tuple[int, ...]:
    if (not isinstance(value, list) or not 1 <= len(value) <= MAX_INPUT_DIMS
            or not all(type(n) is int and 1 <= n <= MAX_PARAMETERS for n in value)):
        raise FileProblem(f"meta's input_shape must be a list of 1 to {MAX_INPUT_DIMS} positive whole "
                          f"numbers, not {_short(value)}")
    return tuple(value)


def _parse_layers(value) -> list[LayerSpec]:
    if not isinstance(value, list) or not value:
        raise FileProblem(f"meta's layers must be a non-empty list, not {_short(value)}")
    layers = []
    for i, layer in enumerate(value):
        if not isinstance(layer, dict) or not {"units", "activation"} <= layer.keys():
            raise FileProblem(f"meta's layers[{i}] must be an object with units and activation")
        unknown = [key for key in layer if key not in _LAYER_KEYS]
        units, activation = layer["units"], layer["activation"]
        dropout, frozen = layer.get("dropout", 0.0), layer.get("frozen", False)
        if unknown:
            problem = f"has an unknown key {_short(unknown[0])}"
        elif type(units) is not int:  # type(True) is bool, so true is not a width
            problem = f"has units {_short(units)}, not a whole number"
        elif not isinstance(activation, str) or activation not in ACTIVATIONS:
            problem = f"has activation {_short(activation)}; expected one of {', '.join(ACTIVATIONS)}"
        elif type(dropout) not in (int, float):
            problem = f"has dropout {_short(dropout)}, not a number"
        elif not 0 <= dropout < 1:  # compared before float(): float(10**400) overflows
            problem = f"has dropout {_short(dropout)}; dropout is at least 0 and below 1"
        elif type(frozen) is not bool:
            problem = f"has frozen {_short(frozen)}, not true or false"
        else:
            layers.append(LayerSpec(units, activation, float(dropout), frozen))
            continue
        raise FileProblem(f"meta's layers[{i}] {problem}")
    return layers


def _parse_typed_layers(value) -> list:
    """Version 2's layers: each an object with a ``type`` (none: dense) and that type's keys, checked for
    type and range before anything is converted; the shapes are checked with the architecture."""
    if not isinstance(value, list) or not value:
        raise FileProblem(f"meta's layers must be a non-empty list, not {_short(value)}")
    layers = []
    for i, layer in enumerate(value):
        if not isinstance(layer, dict):
            raise FileProblem(f"meta's layers[{i}] must be an object, not {_short(layer)}")
        kind = layer.get("type", DENSE)
        if not isinstance(kind, str) or kind not in LAYER_KINDS:
            raise FileProblem(f"meta's layers[{i}] has type {_short(kind)}; expected one of {', '.join(LAYER_KINDS)}")
        required, optional = _TYPED_KEYS[kind]
        missing = [key for key in required if key not in layer]
        unknown = [key for key in layer if key != "type" and key not in required and key not in optional]
        if missing:
            raise FileProblem(f"meta's layers[{i}] ({kind}) is missing {', '.join(repr(key) for key in missing)}")
        if unknown:
            raise FileProblem(f"meta's layers[{i}] ({kind}) has an unknown key {_short(unknown[0])}")
        values = {**optional, **{key: item for key, item in layer.items() if key != "type"}}
        problem = _typed_problem(values)
        if problem:
            raise FileProblem(f"meta's layers[{i}] ({kind}) {problem}")
        if kind == DENSE:
            layers.append(LayerSpec(values["units"], values["activation"], float(values["dropout"]), values["frozen"]))
        elif kind == CONV2D:
            layers.append(ConvSpec(values["filters"], values["kernel"], values["stride"], values["padding"],
                                   values["activation"], values["frozen"]))
        elif kind == FLATTEN:
            layers.append(FlattenSpec())
        else:
            layers.append(PoolSpec(values["size"], kind))
    return layers


def _typed_problem(values: dict) -> str:
    """What is wrong with one layer's values (each key its own rule), or ""."""
    for key in ("units", "filters", "kernel", "stride", "size"):
        if key in values and type(values[key]) is not int:  # ranges: the architecture's check
            return f"has {key} {_short(values[key])}, not a whole number"
    activation = values.get("activation", "relu")
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        return f"has activation {_short(activation)}; expected one of {', '.join(ACTIVATIONS)}"
    padding = values.get("padding", "same")
    if not isinstance(padding, str) or padding not in PADDINGS:
        return f"has padding {_short(padding)}; expected one of {', '.join(PADDINGS)}"
    dropout = values.get("dropout", 0.0)
    if type(dropout) not in (int, float):
        return f"has dropout {_short(dropout)}, not a number"
    if not 0 <= dropout < 1:
        return f"has dropout {_short(dropout)}; dropout is at least 0 and below 1"
    if type(values.get("frozen", False)) is not bool:
        return f"has frozen {_short(values['frozen'])}, not true or false"
    return ""
