"""What a valid weight-file ``meta`` is, apart from how the file is stored.

A weight file's JSON meta promises a network: format and version, input shape, layers,
loss, class names, preprocessing and dtype. Whether that promise is coherent is one
question; whether the zip and its ``.npy`` members keep it is another (``weights_file``).
Keeping the rules here lets them be read — and changed for a new format version — in one
place, and lets saving run exactly the checks loading runs on the meta it is about to write.

Problems are raised as :class:`FileProblem` (one sentence, no path); ``weights_file`` turns
them into a ``WeightFileError`` naming the file.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass

from nnlab.engine.network import MAX_PARAMETERS, LayerSpec, validate_architecture

FORMAT = "nnlab-weights"
VERSION = 1
PREPROCESS_MODES = ("mnist", "faces", "resize", "none")
DTYPES = ("float32", "float64")
MAX_INPUT_DIMS = 4

MODEL_KEYS = ("format", "version", "input_shape", "layers", "loss", "classes", "preprocess", "dtype")
_LAYER_KEYS = ("units", "activation", "dropout", "frozen")


class FileProblem(Exception):
    """The first problem found in a weight file (meta or arrays), worded for WeightFileError."""


@dataclass
class MetaSpec:
    """What a valid meta describes, before any array is read."""

    input_shape: tuple[int, ...]
    layers: list[LayerSpec]
    loss: str
    classes: list[str]
    preprocess: str
    dtype: str
    extra: dict

    def array_shapes(self) -> dict[str, tuple[int, ...]]:
        shapes, fan_in = {}, math.prod(self.input_shape)
        for i, spec in enumerate(self.layers):
            shapes[f"layers.{i}.weight"] = (spec.units, fan_in)
            shapes[f"layers.{i}.bias"] = (spec.units,)
            fan_in = spec.units
        return shapes


def parse_meta(meta) -> MetaSpec:
    """Check a decoded meta object in reading order and describe the network it promises."""
    if not isinstance(meta, dict):
        raise FileProblem(f"meta must be a JSON object, not {_short(meta)}")
    if meta.get("format") != FORMAT:
        found = f"format {_short(meta['format'])}" if "format" in meta else 'no "format" key'
        raise FileProblem(f"this is not an NN Lab weight file (meta has {found}, expected {_short(FORMAT)})")
    version = meta.get("version")
    if type(version) is not int:
        raise FileProblem(f"meta's version must be a whole number, not {_short(version)}")
    if version > VERSION:
        raise FileProblem(f"it was made by a newer NN Lab (weight format version {version}; "
                          f"this NN Lab reads version {VERSION}), so update NN Lab to open it")
    if version != VERSION:
        raise FileProblem(f"it has unknown weight format version {version}; "
                          f"this NN Lab reads version {VERSION}")
    missing = [key for key in MODEL_KEYS if key not in meta]  # format and version are present
    if missing:
        raise FileProblem(f"meta is missing {', '.join(repr(key) for key in missing)}")
    input_shape = _parse_input_shape(meta["input_shape"])
    layers = _parse_layers(meta["layers"])
    loss = meta["loss"]
    if not isinstance(loss, str):
        raise FileProblem(f"meta's loss must be a name, not {_short(loss)}")
    try:
        validate_architecture(math.prod(input_shape), layers, loss)
    except ValueError as exc:
        raise FileProblem(f"its architecture is impossible: {first_sentence(exc)}") from None
    classes = meta["classes"]
    if not isinstance(classes, list) or not all(isinstance(name, str) for name in classes):
        raise FileProblem("meta's classes must be a list of names")
    output = layers[-1]
    binary = output.units == 1 and len(classes) == 2 and output.activation == "sigmoid"
    if len(classes) != output.units and not binary:
        raise FileProblem(f"it names {counted(len(classes), 'class', 'classes')} but the output layer "
                          f"has {counted(output.units, 'unit')}")
    if meta["preprocess"] not in PREPROCESS_MODES:
        raise FileProblem(f"meta's preprocess is {_short(meta['preprocess'])}; expected one of "
                          f"{', '.join(PREPROCESS_MODES)}")
    if meta["dtype"] not in DTYPES:
        raise FileProblem(f"meta's dtype is {_short(meta['dtype'])}; expected float32 or float64")
    extra = {key: value for key, value in meta.items() if key not in MODEL_KEYS}
    return MetaSpec(input_shape, layers, loss, classes, meta["preprocess"], meta["dtype"], extra)


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
            raise FileProblem(f"meta's layer {i} must be an object with units and activation")
        unknown = [key for key in layer if key not in _LAYER_KEYS]
        units, activation = layer["units"], layer["activation"]
        dropout, frozen = layer.get("dropout", 0.0), layer.get("frozen", False)
        if unknown:
            problem = f"has an unknown key {unknown[0]!r}"
        elif type(units) is not int:
            problem = f"has units {_short(units)}, not a whole number"
        elif not isinstance(activation, str):
            problem = f"has activation {_short(activation)}, not a name"
        elif type(dropout) not in (int, float):
            problem = f"has dropout {_short(dropout)}, not a number"
        elif type(frozen) is not bool:
            problem = f"has frozen {_short(frozen)}, not true or false"
        else:
            layers.append(LayerSpec(units, activation, float(dropout), frozen))
            continue
        raise FileProblem(f"meta's layer {i} {problem}")
    return layers


# -- wording (shared with weights_file) ---------------------------------------------------------
def _short(value) -> str:
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``counted(3, "unit")`` -> ``"3 units"``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def first_sentence(exc: BaseException) -> str:
    """The first sentence of a low-level error, so our message stays one sentence."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = str(exc).strip() or type(exc).__name__
    text = text.split(". ")[0].rstrip(".")
    return text if len(text) <= 160 else text[:157] + "..."
