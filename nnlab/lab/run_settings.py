"""The next run's settings: one evented object that the Training panel shows and edits.

Every field is checked when it is assigned: a refused value raises one sentence naming the field and
its rule, and the old value stays. So the settings always describe a run that can be built —
``experiment()`` cannot fail — and everything that reads them (Start, File → New, the Backprop tab's
one step) sees exactly what the panel shows, never a made-up fallback.
Each real change emits ``events.<field>(new, old)`` (psygnal), once; a refused value emits nothing.
"""
from __future__ import annotations

import math
import numbers
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import ClassVar

from psygnal import SignalGroupDescriptor

from nnlab.data.experiment import Experiment
from nnlab.engine import ACTIVATIONS, LOSSES, OPTIMIZERS, TrainConfig
from nnlab.engine.layers import DENSE, LayerSpec, hidden_layout, normalized_hidden, parse_layer_words
from nnlab.engine.optimizers import check_learning_rate
from nnlab.engine.reshape import MAX_HIDDEN_LAYERS, check_width
from nnlab.engine.trainer_schedule import LR_SCHEDULES

HIDDEN_ACTIVATIONS = tuple(name for name, activation in ACTIVATIONS.items() if activation.hidden_allowed)
TRAIN_PERCENT = (10, 98)
"""At least 10 %: less leaves the small built-in sets (xor, blobs) a handful of samples to learn from;
at most 98 %, so validation or test can still have a share."""
VALIDATION_PERCENT = (0, 80)
"""0 % is allowed (no over-fitting watch, no early stopping); above 80 % little is left to train on."""
LEARNING_RATE = (1e-6, 100.0)
"""Above 0 is the optimizer's rule (:func:`check_learning_rate`). The panel shows six decimals, so a
smaller rate would read as 0; up to 100, because trying a rate far too big, and seeing the run
diverge, is part of the lesson."""
BATCH_SIZE = (1, 4096)
"""Up to 4,096: a bigger batch rarely trains better here, and 4,096 MNIST images are already 12 MB of float32."""
EPOCHS = (1, 10_000)
"""10,000 epochs of a toy set at ~100 epochs a second is under two minutes; more is a mistyped number."""
PENALTY_MAX = 1.0
"""An L1 or L2 penalty above 1 outweighs any loss here: every weight is pushed to 0 and nothing is learnt."""
PATIENCE = (1, 100)
SEED_MAX = 2**31 - 1
"""The largest seed the panel's box (a 32-bit signed integer) can show."""

SUGGESTIONS = {
    # A small tanh net trains 2-D points and a curve in seconds, with a larger step and small batches.
    "points": {"hidden": (8, 8), "activation": "tanh", "optimizer": "adam", "learning_rate": 0.03,
               "batch_size": 16, "epochs": 100},
    "regression": {"hidden": (8, 8), "activation": "tanh", "optimizer": "adam", "learning_rate": 0.03,
                   "batch_size": 16, "epochs": 100},
    # 128-64 ReLU with Adam at its default step: the usual first network for small images.
    "image": {"hidden": (128, 64), "activation": "relu", "optimizer": "adam", "learning_rate": 0.001,
              "batch_size": 64, "epochs": 10},
}
NETWORK_SUGGESTIONS = ("hidden", "activation")
TRAINING_KEYS = ("optimizer", "learning_rate", "batch_size", "epochs", "seed", "l1", "l2", "early_stopping")
"""What a lesson's or a file's ``training`` object may set (``early_stopping_patience``, the
TrainConfig name, is read as ``early_stopping``)."""


def widths_from_text(text: str) -> tuple:
    """"128, 64" (or "128; 64"; empty: no hidden layer) as widths, and the CLI's layer words too —
    "conv8x5, maxpool2, 64" is ("conv8x5", "maxpool2", 64); ValueError for anything else (one parser:
    ``engine.layers.parse_layer_words``, as ``nnlab train --layers``)."""
    words = ",".join(part.strip() for part in text.replace(";", ",").split(",") if part.strip())
    try:
        return hidden_layout([*parse_layer_words(words), LayerSpec(1)])
    except ValueError:
        raise ValueError("hidden layers must be widths or layer words separated by commas (128, 64 or conv8x5, "
                         f"maxpool2, 64), not {text!r}") from None


def _whole(name: str, value, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not low <= value <= high:
        raise ValueError(f"the {name} must be a whole number from {low:,} to {high:,}, not {value!r}")
    return int(value)


def _real(name: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or not low <= value <= high:
        raise ValueError(f"the {name} must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _one_of(name: str, value, choices) -> str:
    if value not in choices:
        raise ValueError(f"the {name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def _learning_rate(value) -> float:
    rate = check_learning_rate(value)
    low, high = LEARNING_RATE
    if not low <= rate <= high:
        raise ValueError(f"the learning rate must be from {low:g} to {high:g}, not {rate!r}")
    return rate


def _dataset(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"the dataset must be a built-in dataset's name or a file's path, not {value!r}")
    return value


def _dropout(value) -> float:
    """The engine's rule (a layer's dropout): dropping every output would drop the answer itself."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0.0 <= value < 1.0:
        raise ValueError(f"the dropout must be at least 0 and below 1, not {value!r}")
    return float(value)


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"augment must be True or False, not {value!r}")
    return value


def _early_stopping(value) -> int | None:
    return None if value is None else _whole("early-stopping patience (epochs)", value, *PATIENCE)


_CHECKS = {
    "dataset": _dataset,
    "activation": lambda value: _one_of("hidden activation", value, HIDDEN_ACTIVATIONS),
    "loss": lambda value: _one_of("loss", value, tuple(LOSSES)),
    "dropout": _dropout,
    "augment": _flag,
    "train_percent": lambda value: _whole("train share (%)", value, *TRAIN_PERCENT),
    "validation_percent": lambda value: _whole("validation share (%)", value, *VALIDATION_PERCENT),
    "optimizer": lambda value: _one_of("optimizer", value, tuple(OPTIMIZERS)),
    "learning_rate": _learning_rate,
    "lr_schedule": lambda value: _one_of("learning-rate schedule", value, LR_SCHEDULES),
    "batch_size": lambda value: _whole("batch size", value, *BATCH_SIZE),
    "epochs": lambda value: _whole("number of epochs", value, *EPOCHS),
    "seed": lambda value: _whole("seed", value, 0, SEED_MAX),
    "l1": lambda value: _real("L1 penalty", value, 0.0, PENALTY_MAX),
    "l2": lambda value: _real("L2 penalty", value, 0.0, PENALTY_MAX),
    "early_stopping": _early_stopping,
}


@dataclass
class RunSettings:
    """One field per Training-panel field; ``hidden`` is checked by :meth:`_check_hidden` (it needs the
    network's own widths) and the two shares together (the test share is what they leave)."""

    dataset: str = "digits"
    hidden: tuple = (128, 64)  # widths (int) and convolution / pooling words ("conv8x5", "maxpool2")
    activation: str = "relu"
    loss: str = "cross_entropy"
    dropout: float = 0.0
    augment: bool = False
    train_percent: int = 70
    validation_percent: int = 15
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    lr_schedule: str = "constant"  # or "cosine": the rate falls along the run's epochs (engine/trainer_schedule.py)
    batch_size: int = 64
    epochs: int = 10
    seed: int = 0
    l1: float = 0.0
    l2: float = 0.0
    early_stopping: int | None = None

    events: ClassVar[SignalGroupDescriptor] = SignalGroupDescriptor()

    def __post_init__(self) -> None:
        # Not fields (no events, not compared): what the settings followed, not what the learner chose.
        object.__setattr__(self, "_network_widths", None)  # the followed network's own hidden widths
        object.__setattr__(self, "_loss_chosen_for_you", False)  # a regression set's mse or a lesson's loss
        object.__setattr__(self, "_from_lesson", False)  # the training fields are a lesson's

    def __setattr__(self, name: str, value) -> None:
        """Validate first: a refused value raises and changes nothing (psygnal emits after this returns)."""
        if name in _FIELD_NAMES and not getattr(self, "_checked_already", False):
            value = self._checked({name: value})[name]
        super().__setattr__(name, value)

    # -- checking -------------------------------------------------------------------------------------
    def _checked(self, changes: dict) -> dict:
        """``changes`` with every value checked and converted, the two shares checked together with the
        values they will sit beside; ValueError for the first bad one."""
        unknown = [name for name in changes if name not in _FIELD_NAMES]
        if unknown:
            raise ValueError(f"run settings have no {unknown[0]!r}; they are: {', '.join(_FIELD_NAMES)}")
        checked = {name: self._check_hidden(value) if name == "hidden" else _CHECKS[name](value)
                   for name, value in changes.items()}
        train = checked.get("train_percent", getattr(self, "train_percent", None))
        validation = checked.get("validation_percent", getattr(self, "validation_percent", None))
        if train is not None and validation is not None and train + validation > 100:
            raise ValueError(f"the train ({train} %) and validation ({validation} %) shares add up to "
                             f"{train + validation} %, more than 100 %")
        return checked

    def _check_hidden(self, widths) -> tuple:
        if isinstance(widths, (str, bytes)) or not hasattr(widths, "__iter__"):
            raise ValueError(f"hidden layers must be a list of widths, e.g. (128, 64), not {widths!r}")
        widths = tuple(widths)
        if widths and widths == getattr(self, "_network_widths", None):
            return widths  # the network's own: an opened file may be wider
        if len(widths) > MAX_HIDDEN_LAYERS:  # the editor's limits, whichever way new widths arrive
            raise ValueError(f"{len(widths)} hidden layers asked for; the limit is {MAX_HIDDEN_LAYERS}")
        # A dense layer's width as a number, a convolution's or pooling's word ("conv8x5") as the CLI writes it
        return tuple(normalized_hidden([word])[0] if isinstance(word, str) else check_width(word) for word in widths)

    @contextmanager
    def _assigning_checked(self):
        object.__setattr__(self, "_checked_already", True)
        try:
            yield
        finally:
            object.__setattr__(self, "_checked_already", False)

    # -- changing several at once -----------------------------------------------------------------------
    def apply(self, **changes) -> None:
        """Set several fields at once, checked together first (so the two shares may move together):
        one bad value changes nothing; each field that really changes emits its event once."""
        checked = self._checked(changes)
        with self._assigning_checked():
            for name, value in checked.items():
                setattr(self, name, value)

    @classmethod
    def training_fields(cls, training: dict) -> dict:
        """A lesson's or a file's ``training`` object as checked fields; ValueError names a bad or unknown key."""
        if not isinstance(training, dict):
            raise ValueError(f"the training settings must be an object, not {type(training).__name__}")
        fields_ = {}
        for key, value in training.items():
            name = "early_stopping" if key == "early_stopping_patience" else key
            if name not in TRAINING_KEYS:
                raise ValueError(f"the training settings have no {key!r}; they are: {', '.join(TRAINING_KEYS)}")
            fields_[name] = _CHECKS[name](value)
        return fields_

    def apply_training(self, training: dict) -> None:
        """Set what a ``training`` object names (optimizer, learning_rate, batch_size, epochs, …)."""
        self.apply(**self.training_fields(training))

    # -- following the network and the lessons ----------------------------------------------------------
    def follow_network(self, network, loss: str) -> None:
        """The network fields from ``network`` (the editor's, an opened file's, a lesson's), so Start keeps
        its weights. Its own hidden widths pass even beyond the editor's limits; layers that differ in
        activation or dropout show the first hidden layer's — the dropout the first dense one's (a convolution
        takes none: the editor's "every hidden dropout" skips it)."""
        hidden = [spec for spec in network.layers[:-1] if spec.has_parameters]  # pooling has no activation
        dense = [spec for spec in hidden if spec.kind == DENSE]
        object.__setattr__(self, "_network_widths", hidden_layout(network.layers))
        changes = {"hidden": self._network_widths, "loss": loss}
        if hidden:
            changes |= {"activation": hidden[0].activation, "dropout": float(dense[0].dropout) if dense else 0.0}
        self.apply(**changes)

    def follow_lesson(self, network, loss: str, training: dict) -> None:
        """A lesson's network, loss and training settings. They belong to the lesson: the next
        :meth:`suggest_for` (another dataset) replaces them, optimizer and loss included."""
        fields_ = self.training_fields(training)  # refused before anything changes
        self.follow_network(network, loss)
        self.apply(**fields_)
        object.__setattr__(self, "_loss_chosen_for_you", True)
        object.__setattr__(self, "_from_lesson", True)

    @property
    def from_lesson(self) -> bool:
        """True while the training fields are a lesson's (until the next suggestion)."""
        return self._from_lesson

    def suggest_for(self, kind: str, network: bool = True) -> None:
        """Sensible starting points for a new dataset of ``kind`` ("points", "image" or "regression"):
        the optimizer and its step, batch size and epochs, and — with ``network`` — the hidden layers,
        their activation and the loss. mse comes with numbers to predict; cross-entropy comes back after
        a regression set or a lesson, since that loss was chosen for the learner, not by them.
        ``network=False`` (a network kept for the new dataset) leaves the network fields and the loss as
        the kept network's."""
        if kind not in SUGGESTIONS:
            raise ValueError(f"there are suggestions for {', '.join(SUGGESTIONS)} datasets, not {kind!r}")
        changes = dict(SUGGESTIONS[kind])
        if network:
            if kind == "regression":
                changes["loss"] = "mse"
            elif self._loss_chosen_for_you:
                changes["loss"] = "cross_entropy"
        else:
            for name in NETWORK_SUGGESTIONS:
                del changes[name]
        self.apply(**changes)
        if network:
            object.__setattr__(self, "_loss_chosen_for_you", kind == "regression")
        object.__setattr__(self, "_from_lesson", False)

    # -- reading ------------------------------------------------------------------------------------------
    @property
    def test_percent(self) -> int:
        return 100 - self.train_percent - self.validation_percent

    @property
    def split(self) -> tuple[float, float, float]:
        """(train, validation, test) shares as fractions, as ``split_dataset`` takes them."""
        return self.train_percent / 100, self.validation_percent / 100, self.test_percent / 100

    def train_config(self) -> TrainConfig:
        return TrainConfig(loss=self.loss, optimizer=self.optimizer, learning_rate=self.learning_rate,
                           batch_size=self.batch_size, epochs=self.epochs, seed=self.seed, l1=self.l1,
                           l2=self.l2, early_stopping_patience=self.early_stopping, lr_schedule=self.lr_schedule)

    def experiment(self) -> Experiment:
        """The run these settings describe (a new object; nothing here or in it is changed)."""
        return Experiment(dataset=self.dataset, hidden=list(self.hidden), activation=self.activation,
                          loss=self.loss, dropout=self.dropout, augment=self.augment, split=self.split,
                          train=self.train_config())


_FIELD_NAMES = tuple(field.name for field in fields(RunSettings))
