"""Lessons: the seed texts' worked networks, as data files in ``resources/lessons``.

A lesson file is JSON (``format: "nnlab-lesson"``, ``version: 1``) holding a small
network's exact weights (or a seed to draw them from), the inputs the text works
through, the words to read beside them, and ``printed``: every number the text prints
for that network, with the true value where the text slipped (``lesson_printed.py``). Everything is float64: a lesson's job is
to reproduce printed numbers digit for digit. Loading checks every part and names the
file and the field that is wrong, so a broken lesson never reaches the window.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.lesson_printed import PrintedNumber, parse_printed
from nnlab.engine.losses import check_pair, is_regression
from nnlab.engine.network import LayerSpec, Network, targets_for, validate_architecture
from nnlab.resources import resource_path

FORMAT, VERSION = "nnlab-lesson", 1


@dataclass(frozen=True)
class LessonSample:
    name: str
    values: np.ndarray  # (n_features,) float64
    label: int
    target: np.ndarray | None = None  # (n_outputs,) when the lesson gives one (regression)


@dataclass
class Lesson:
    key: str
    order: int
    title: str
    summary: str
    explanation: list[str]
    source_note: str
    input_size: int
    layers: list[LayerSpec]
    loss: str
    weights: list[np.ndarray] | None  # (out, in) per layer; None: drawn from ``seed``
    biases: list[np.ndarray] | None
    seed: int
    classes: list[str]
    input_shape: tuple[int, ...]
    samples: list[LessonSample]
    repeat: int | None  # None: the samples are for inspecting only; else the dataset repeats them
    training: dict = field(default_factory=dict)
    select: tuple[int, int] | None = None
    connection: tuple[int, int, int] | None = None
    raw: dict = field(default_factory=dict)
    printed: list[PrintedNumber] = field(default_factory=list)  # the text's own numbers (lesson_printed.py)

    @property
    def trainable(self) -> bool:
        return self.repeat is not None

    def build_network(self) -> Network:
        """A fresh float64 network with the lesson's weights."""
        network = Network(self.input_size, self.layers, dtype=np.float64, seed=self.seed)
        if self.weights is not None:
            for target, source in zip(network.weights, self.weights):
                target[...] = source
            for target, source in zip(network.biases, self.biases):
                target[...] = source
        return network

    def target_for(self, sample: LessonSample) -> np.ndarray:
        """What the output should be for ``sample``: its own target, else the one-hot label."""
        if sample.target is not None:
            return sample.target
        return targets_for(np.array([sample.label]), self.layers[-1].units, np.float64)[0]

    def dataset(self) -> Dataset:
        """The lesson's samples as a Dataset (repeated for a trainable lesson).

        A lesson whose network predicts numbers (a linear output with mse) and whose every sample
        gives its target is a regression set: the targets are the answers, ``classes`` names the outputs.
        """
        x = np.array([s.values for s in self.samples], dtype=np.float64)
        y = np.array([s.label for s in self.samples], dtype=np.int64)
        times = self.repeat or 1
        extra = {"lesson": self.key, "worked_example": not self.trainable}
        if is_regression(self.loss, self.layers[-1].activation) and all(s.target is not None for s in self.samples):
            targets = np.array([s.target for s in self.samples], dtype=np.float64)
            return Dataset.regression(f"lesson: {self.title}", np.tile(x, (times, 1)), np.tile(targets, (times, 1)),
                                      list(self.classes), tuple(self.input_shape), self.summary, extra)
        return Dataset(f"lesson: {self.title}", np.tile(x, (times, 1)), np.tile(y, times), list(self.classes),
                       tuple(self.input_shape), "none", self.summary, extra)


class LessonError(ValueError):
    """A lesson file that cannot be used; the message names the file and the field."""


LESSON_SOURCE_PREFIX = "lesson:"  # a dataset source naming a shipped lesson, e.g. "lesson:dog-cat"


def lesson_source(lesson: "Lesson") -> str:
    return LESSON_SOURCE_PREFIX + lesson.key


def open_lesson_dataset(source: str) -> Dataset:
    """The dataset of the shipped lesson a ``lesson:<key>`` source names (so it can be chosen again)."""
    key = source[len(LESSON_SOURCE_PREFIX):]
    for lesson in load_lessons():
        if lesson.key == key:
            return lesson.dataset()
    raise LessonError(f"there is no lesson called {key!r}")


def lessons_folder() -> Path:
    return resource_path("lessons")


def load_lessons(folder: str | Path | None = None) -> list[Lesson]:
    """Every lesson in ``folder`` (the shipped ones by default), in their ``order``."""
    folder = Path(folder) if folder is not None else lessons_folder()
    if not folder.is_dir():
        raise LessonError(f"the lessons folder {folder} is missing")
    return sorted((load_lesson(path) for path in sorted(folder.glob("*.json"))), key=lambda l: (l.order, l.key))


def load_lesson(path: str | Path) -> Lesson:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise LessonError(f"lesson {path.name}: cannot read it ({error})") from None
    except json.JSONDecodeError as error:
        raise LessonError(f"lesson {path.name}: not valid JSON (line {error.lineno}: {error.msg})") from None
    return parse_lesson(data, path.stem, path.name)


def parse_lesson(data, key: str, where: str = "lesson") -> Lesson:
    """Check a lesson's JSON object and turn it into a Lesson; raises LessonError naming the problem."""
    def fail(message: str):
        raise LessonError(f"lesson {where}: {message}")

    if not isinstance(data, dict):
        fail("the file must hold one JSON object")
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        fail(f"format must be {FORMAT!r} version {VERSION}, not {data.get('format')!r} {data.get('version')!r}")
    for name in ("title", "summary"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            fail(f"{name!r} must be some text")
    explanation = data.get("explanation")
    if not isinstance(explanation, list) or not explanation or not all(isinstance(p, str) for p in explanation):
        fail("'explanation' must be a list of paragraphs (text)")
    net = data.get("network")
    if not isinstance(net, dict):
        fail("'network' must be an object with input_size, layers, loss and weights")
    input_size = net.get("input_size")
    layers_data = net.get("layers")
    if not isinstance(layers_data, list) or not all(isinstance(l, dict) for l in layers_data):
        fail("'network.layers' must be a list of {units, activation}")
    try:
        layers = [LayerSpec(int(l["units"]), str(l.get("activation", "relu"))) for l in layers_data]
        validate_architecture(input_size, layers, str(net.get("loss")))
        check_pair(str(net.get("loss")), layers[-1].activation)
    except (KeyError, TypeError, ValueError) as error:
        fail(f"network: {error}")
    sizes = [input_size, *(l.units for l in layers)]
    weights = biases = None
    if "weights" in net or "biases" in net:
        weights = [_array(w, (fan_out, fan_in), f"network.weights[{i}]", fail)
                   for i, (w, fan_in, fan_out) in enumerate(_zip_layers(net.get("weights"), sizes, "weights", fail))]
        biases = [_array(b, (fan_out,), f"network.biases[{i}]", fail)
                  for i, (b, _, fan_out) in enumerate(_zip_layers(net.get("biases"), sizes, "biases", fail))]
        seed = 0
    else:
        seed = (net.get("initialize") or {}).get("seed") if isinstance(net.get("initialize"), dict) else None
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            fail("the network needs 'weights' and 'biases', or 'initialize': {'seed': a whole number ≥ 0}")
    classes = data.get("classes")
    if not isinstance(classes, list) or not classes or not all(isinstance(c, str) for c in classes):
        fail("'classes' must be a list of names")
    shape = data.get("input_shape")
    if not isinstance(shape, list) or not all(isinstance(s, int) and s > 0 for s in shape) \
            or math.prod(shape) != input_size:
        fail(f"'input_shape' {shape!r} must be whole numbers whose product is the input size {input_size}")
    samples_data = data.get("samples")
    if not isinstance(samples_data, list) or not samples_data:
        fail("'samples' must list at least one input")
    samples = []
    for index, item in enumerate(samples_data):
        if not isinstance(item, dict):
            fail(f"samples[{index}] must be an object with values and label")
        values = _array(item.get("values"), (input_size,), f"samples[{index}].values", fail)
        label = item.get("label")
        if not isinstance(label, int) or isinstance(label, bool) or not 0 <= label < len(classes):
            fail(f"samples[{index}].label must be a class index from 0 to {len(classes) - 1}, not {label!r}")
        target = None
        if "target" in item:
            target = _array(item["target"], (layers[-1].units,), f"samples[{index}].target", fail)
        samples.append(LessonSample(str(item.get("name", f"sample {index + 1}")), values, label, target))
    repeat = None
    if "dataset" in data:
        repeat = (data["dataset"] or {}).get("repeat") if isinstance(data["dataset"], dict) else None
        if not isinstance(repeat, int) or isinstance(repeat, bool) or not 1 <= repeat <= 10_000:
            fail("'dataset.repeat' must be a whole number from 1 to 10000")
    select = _indices(data.get("select"), ("layer", "unit"), fail)
    if select is not None and not (0 <= select[0] < len(sizes) and 0 <= select[1] < sizes[select[0]]):
        fail(f"'select' names neuron {select[1]} of layer {select[0]}, which the network does not have")
    connection = _indices(data.get("connection"), ("layer", "source", "target"), fail)
    if connection is not None and not (0 <= connection[0] < len(layers) and 0 <= connection[1] < sizes[connection[0]]
                                       and 0 <= connection[2] < sizes[connection[0] + 1]):
        fail(f"'connection' {connection} is not a weight of this network")
    training = data.get("training", {})
    if not isinstance(training, dict):
        fail("'training' must be an object (optimizer, learning_rate, batch_size, epochs)")
    printed = parse_printed(data.get("printed"), sizes, [l.activation for l in layers], len(samples), training,
                            fail)
    return Lesson(key, int(data.get("order", 99)), data["title"], data["summary"], list(explanation),
                  str(data.get("source_note", "")), int(input_size), layers, str(net["loss"]), weights, biases,
                  int(seed), list(classes), tuple(shape), samples, repeat, dict(training), select, connection,
                  dict(data), printed)


def _zip_layers(values, sizes, name, fail):
    if not isinstance(values, list) or len(values) != len(sizes) - 1:
        fail(f"network.{name} must be a list with one entry per layer ({len(sizes) - 1})")
    return [(value, fan_in, fan_out) for value, fan_in, fan_out in zip(values, sizes[:-1], sizes[1:])]


def _array(value, shape: tuple[int, ...], name: str, fail) -> np.ndarray:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        fail(f"{name} must hold numbers only")
    if array.shape != shape:
        fail(f"{name} has shape {array.shape}; it needs {shape}")
    if not np.all(np.isfinite(array)):
        fail(f"{name} holds a value that is not a finite number")
    return array


def _indices(value, names: tuple[str, ...], fail):
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(n), int) for n in names):
        fail(f"expected {{{', '.join(names)}}} as whole numbers, got {value!r}")
    return tuple(int(value[n]) for n in names)
