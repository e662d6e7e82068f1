"""The numbers a seed text prints for a lesson's network, each recomputed by the engine.

Hand arithmetic slips: the 16-4-3-2 "1" prints z₂ = 0.11 where its sixteen products add up to
0.64. So a lesson lists every number its text prints for the network, written exactly as the text
writes it ("0.210" keeps its three decimals), with the quantity the engine computes for it; where
the text slipped, the entry also records the true value. A printed number *agrees* when the
engine's value is within half a unit of its last printed decimal. The window shows each printed
number beside the engine's, and a test holds every lesson to its marks, so a lesson can never
silently disagree with its text.

Indexing follows ``NeuronRef``: ``layer`` indexes ``network.sizes`` (1 is the first hidden layer);
a weight is named by the neuron it feeds (``layer``, ``unit``) and its ``source`` in layer − 1.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.explain import softmax_written, weighted_sum
from nnlab.engine.losses import LOSSES, check_pair
from nnlab.engine.optimizer_steps import explain_update

if TYPE_CHECKING:
    from nnlab.data.lessons import Lesson

# quantity -> (does it name a layer (else the output layer), its unit: "one" neuron, "any" (one, or the whole
# layer when left out) or "none", does it name a weight's source, what it is)
QUANTITIES: dict[str, tuple[bool, str, bool, str]] = {
    "products": (True, "one", False, "every w·x of one neuron's sum"),
    "weighted_sum": (True, "one", False, "Σ w·x, before the bias"),
    "pre_activation": (True, "any", False, "z = Σ w·x + b"),
    "activation": (True, "any", False, "a = f(z)"),
    "exp": (True, "any", False, "e^z of a softmax layer"),
    "exp_sum": (True, "none", False, "Σ e^z of a softmax layer"),
    "error": (False, "any", False, "a − y at the output"),
    "squared_error": (False, "any", False, "(a − y)² at the output"),
    "squared_error_sum": (False, "none", False, "Σ (a − y)² at the output, without the ½"),
    "loss": (False, "none", False, "the loss (``loss``, else the lesson's)"),
    "delta": (True, "one", False, "δ = ∂L/∂z"),
    "weight_gradient": (True, "one", True, "∂L/∂w"),
    "weight_step": (True, "one", True, "−η·∂L/∂w, one SGD step"),
    "updated_weight": (True, "one", True, "w − η·∂L/∂w, one SGD step"),
}
USES_LOSS = {"loss", "delta", "weight_gradient", "weight_step", "updated_weight"}
USES_LEARNING_RATE = {"weight_step", "updated_weight"}
FIELDS = {"what", "from", "printed", "true", "note", "quantity", "sample", "layer", "unit", "source", "loss",
          "learning_rate"}
DECIMAL = re.compile(r"-?\d+(\.\d+)?")
MINUS = "\u2212"


@dataclass(frozen=True)
class PrintedNumber:
    """One statement of the text: the number(s) it prints for one quantity of one sample."""

    what: str  # words for the learner: "hidden layer 1, neuron 2: z₂"
    source: str  # the passage it comes from, quoted
    printed: tuple[str, ...]  # as the text writes them
    quantity: str
    sample: int
    layer: int | None
    unit: int | None
    weight_source: int | None
    loss: str | None
    learning_rate: float | None
    true: tuple[str, ...] | None  # the true values, where the text slipped
    note: str = ""
    is_list: bool = False  # the text prints a list ("[2.04, 0.11, 0.19, 0.26]"), not one number


def decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def agrees(value: float, text: str) -> bool:
    """``value`` rounds to ``text`` at the decimals ``text`` shows (half a unit of its last place)."""
    half_unit = 0.5 * 10.0 ** -decimals(text)
    return abs(float(value) - float(text)) <= half_unit * (1 + 1e-9) + 1e-12


def typographic(text: str) -> str:
    return text.replace("-", MINUS)


def at_places(value: float, places: int) -> str:
    """``value`` with exactly ``places`` decimals and a typographic minus (never "−0.00")."""
    text = f"{float(value):.{places}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return typographic(text)


def parse_printed(items, sizes: list[int], activations: list[str], n_samples: int, training: dict,
                  fail) -> list[PrintedNumber]:
    """Check a lesson's ``printed`` list against its network; ``fail(message)`` raises for the lesson."""
    if items is None:
        return []
    if not isinstance(items, list):
        fail("'printed' must be a list of the numbers the text prints")
    numbers = []
    for index, item in enumerate(items):
        numbers.append(_parse_one(item, f"printed[{index}]", sizes, activations, n_samples, training, fail))
    return numbers


def _parse_one(item, name, sizes, activations, n_samples, training, fail) -> PrintedNumber:
    if not isinstance(item, dict):
        fail(f"{name} must be an object with what, from, printed and quantity")
    unknown = sorted(set(item) - FIELDS)
    if unknown:
        fail(f"{name} has unknown field(s) {', '.join(map(repr, unknown))}; the fields are {', '.join(sorted(FIELDS))}")
    for key in ("what", "from"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            fail(f"{name}.{key} must be some text")
    if "note" in item and not isinstance(item["note"], str):
        fail(f"{name}.note must be text")
    quantity = item.get("quantity")
    if not isinstance(quantity, str) or quantity not in QUANTITIES:
        fail(f"{name}.quantity must be one of {', '.join(QUANTITIES)}, not {quantity!r}")
    names_layer, unit_rule, names_source, _ = QUANTITIES[quantity]
    sample = item.get("sample", 0)
    if not _whole(sample) or not 0 <= sample < n_samples:
        fail(f"{name}.sample must be a sample index from 0 to {n_samples - 1}, not {sample!r}")
    output_layer = len(sizes) - 1
    layer = item.get("layer")
    if names_layer:
        if not _whole(layer) or not 1 <= layer <= output_layer:
            fail(f"{name}.layer must be a layer of the network from 1 to {output_layer}, not {layer!r}")
    elif layer is not None:
        fail(f"{name}.layer is not used by {quantity!r} (it is about the output layer)")
    else:
        layer = output_layer
    if quantity in ("exp", "exp_sum") and activations[layer - 1] != "softmax":
        fail(f"{name}: {quantity!r} needs a softmax layer; layer {layer} is {activations[layer - 1]}")
    unit = item.get("unit")
    if unit_rule == "one" and unit is None:
        fail(f"{name}.unit (a neuron of layer {layer}) is needed for {quantity!r}")
    if unit_rule == "none" and unit is not None:
        fail(f"{name}.unit is not used by {quantity!r}")
    if unit is not None and (not _whole(unit) or not 0 <= unit < sizes[layer]):
        fail(f"{name}.unit must be a neuron of layer {layer} from 0 to {sizes[layer] - 1}, not {unit!r}")
    weight_source = item.get("source")
    if names_source:
        if not _whole(weight_source) or not 0 <= weight_source < sizes[layer - 1]:
            fail(f"{name}.source must be a neuron of layer {layer - 1} from 0 to {sizes[layer - 1] - 1}, "
                 f"not {weight_source!r}")
    elif weight_source is not None:
        fail(f"{name}.source is only for a weight's quantities")
    loss = item.get("loss")
    if loss is not None:
        if quantity not in USES_LOSS:
            fail(f"{name}.loss is not used by {quantity!r}")
        if not isinstance(loss, str) or loss not in LOSSES:
            fail(f"{name}.loss must be one of {', '.join(LOSSES)}, not {loss!r}")
        try:
            check_pair(loss, activations[-1])
        except ValueError as error:
            fail(f"{name}.loss: {error}")
    learning_rate = item.get("learning_rate", training.get("learning_rate") if quantity in USES_LEARNING_RATE
                             else None)
    if "learning_rate" in item and quantity not in USES_LEARNING_RATE:
        fail(f"{name}.learning_rate is only for a weight's step")
    if quantity in USES_LEARNING_RATE and not _positive(learning_rate):
        fail(f"{name}.learning_rate must be a number above 0 (or the lesson's training.learning_rate), "
             f"not {learning_rate!r}")
    length = _length(quantity, sizes, layer, unit)
    printed, is_list = _decimals(item.get("printed"), f"{name}.printed", length, fail)
    true = None
    if "true" in item:
        true, true_is_list = _decimals(item["true"], f"{name}.true", length, fail)
        if true_is_list != is_list:
            fail(f"{name}.true must have the form of {name}.printed (one number or a list of {length})")
    return PrintedNumber(item["what"], item["from"], printed, quantity, int(sample), int(layer),
                         None if unit is None else int(unit), None if weight_source is None else int(weight_source),
                         loss, None if learning_rate is None else float(learning_rate), true,
                         item.get("note", ""), is_list)


def _length(quantity: str, sizes: list[int], layer: int, unit: int | None) -> int:
    if quantity == "products":
        return sizes[layer - 1]
    return sizes[layer] if unit is None and QUANTITIES[quantity][1] == "any" else 1


def _decimals(value, name: str, length: int, fail) -> tuple[tuple[str, ...], bool]:
    """Printed numbers are text, so "0.210" keeps the precision the text printed it with."""
    is_list = isinstance(value, list)
    texts = value if is_list else [value]
    if not all(isinstance(t, str) and DECIMAL.fullmatch(t) for t in texts):
        fail(f"{name} must be a decimal number written as text (\"0.210\", \"-0.438\"), or a list of them, "
             f"not {value!r}")
    if len(texts) != length or (length > 1 and not is_list):
        fail(f"{name} must hold {length} number{'s' if length > 1 else ''}, as the quantity has, not {len(texts)}")
    return tuple(texts), is_list


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


# -- the engine's values ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckedNumber:
    """A printed number beside the engine's value for it."""

    number: PrintedNumber
    values: np.ndarray  # (len(printed),) float64, the engine's

    @property
    def agreeing(self) -> tuple[bool, ...]:
        """For each printed value: does the engine's value round to it?"""
        return tuple(agrees(v, t) for v, t in zip(self.values, self.number.printed))

    @property
    def slipped(self) -> bool:
        return not all(self.agreeing)

    @property
    def marked_right(self) -> bool:
        """Marked a slip exactly when it is one, with a true value the engine gives."""
        true = self.number.true
        if true is None:
            return not self.slipped
        return self.slipped and all(agrees(v, t) for v, t in zip(self.values, true))

    def true_texts(self) -> list[str]:
        """The engine's values, to the decimals of the recorded true value (else of the printed one)."""
        shown = self.number.true or self.number.printed
        return [at_places(v, decimals(t)) for v, t in zip(self.values, shown)]


def check_printed(lesson: "Lesson") -> list[CheckedNumber]:
    """Every number the lesson's text prints, beside the engine's value for it (float64)."""
    network = lesson.build_network()
    walks: dict[tuple[int, str], BackpropWalk] = {}

    def walk(sample: int, loss: str) -> BackpropWalk:
        if (sample, loss) not in walks:
            chosen = lesson.samples[sample]
            walks[sample, loss] = BackpropWalk(network, chosen.values, lesson.target_for(chosen), loss)
        return walks[sample, loss]

    checked = []
    for number in lesson.printed:
        values = engine_values(walk(number.sample, number.loss or lesson.loss), number)
        checked.append(CheckedNumber(number, np.asarray(values, dtype=np.float64).reshape(-1)))
    return checked


def engine_values(walk: BackpropWalk, number: PrintedNumber) -> np.ndarray:
    """The engine's value(s) for one printed statement, from a walk of its sample and loss."""
    q, layer, unit = number.quantity, number.layer, number.unit
    pick = (lambda v: v) if unit is None else (lambda v: v[unit])
    if q in ("products", "weighted_sum"):
        products = weighted_sum(walk.network, walk.trace, layer, unit).products
        return products if q == "products" else products.sum()
    if q == "pre_activation":
        return pick(walk.z[layer - 1])
    if q == "activation":
        return pick(walk.a[layer])
    if q in ("exp", "exp_sum"):
        written = softmax_written(walk.z[layer - 1])
        return pick(written.exponentials) if q == "exp" else written.total
    error = walk.output - walk.target
    if q == "error":
        return pick(error)
    if q == "squared_error":
        return pick(error ** 2)
    if q == "squared_error_sum":
        return float(error @ error)
    if q == "loss":
        return walk.loss_value()
    if q == "delta":
        return walk.delta(layer, unit)
    gradient = walk.weight_gradient(layer - 1, number.weight_source, unit)
    if q == "weight_gradient":
        return gradient
    weight = float(walk.network.weights[layer - 1][unit, number.weight_source])
    new = explain_update("sgd", number.learning_rate, weight, gradient).new
    return new if q == "updated_weight" else new - weight
