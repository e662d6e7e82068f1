"""Optimizers that own their state and update a flat parameter vector in place.

Each works on the whole flat ``params``/``grads`` pair (or on the trainable
segments of it when some layers are frozen), so one step is a handful of
whole-array passes. All scalars are Python floats: a NumPy float64 scalar in a
float32 in-place op forces a slow float64 loop.
``learning_rate`` is read at every step, so the UI may change it while training runs;
its setter is the one place a learning rate is checked (:func:`check_learning_rate`).
:meth:`Optimizer.state` gives the whole state as plain data (:class:`OptimizerState`), and
:meth:`Optimizer.restore` puts it into a fresh optimizer of the same kind, so a run can carry on bit for bit.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from .lookup import by_name
from .plain_arrays import FLOAT_DTYPES, as_array, check_whole, read_real, read_text, read_vector, read_whole, \
    refuse_unknown

# Values this small turn subnormal within a few hundred decays and make float32
# arithmetic ~10× slower; zeroing them every so often changes nothing visible.
_SUBNORMAL_GUARD = 1e-30
_FLUSH_EVERY = 128


def check_learning_rate(value) -> float:
    """``value`` as a float, or a ValueError in one sentence: the rule every path that sets a learning
    rate goes through — a new run, a carried-on optimizer, a change while training, one debugger step."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    try:
        rate = float(value) if real else math.nan
    except OverflowError:  # a whole number past float's range (10**400)
        raise ValueError("the learning rate must be a number above 0, not a whole number past 1.8e308") from None
    if not (math.isfinite(rate) and rate > 0):
        raise ValueError(f"the learning rate must be a number above 0, not {repr(rate) if real else repr(value)}")
    return rate


@dataclass(frozen=True, eq=False)
class OptimizerState:
    """An optimizer's whole state as plain data: what :meth:`Optimizer.restore` needs to carry on bit for bit.

    scalars: "steps" (whole number) and the kind's settings ("momentum"; "beta1", "beta2", "epsilon").
    arrays: copies, flat like ``Network.params`` — "velocity"; "scaled_m", "scaled_v" (Adam's m/(1−β1) and
    v/(1−β2)) — and none before the first step or after :meth:`Optimizer.forget`.
    """

    name: str
    learning_rate: float
    scalars: dict[str, float | int]
    arrays: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kind = _kind(self.name)
        owner = "the optimizer state"
        try:
            check_learning_rate(self.learning_rate)
        except ValueError as error:
            raise ValueError(f"{owner}'s field 'learning_rate': {error}") from None
        wanted = {"steps", *kind.hyperparameters}
        if set(self.scalars) != wanted:
            raise ValueError(f"{owner} of {self.name} must hold the numbers {sorted(wanted)}, "
                             f"not {sorted(self.scalars)}")
        check_whole(self.scalars["steps"], "steps", owner)
        for name in kind.hyperparameters:
            value = self.scalars[name]
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
                raise ValueError(f"{owner}'s field {name!r} must be a finite number, not {value!r}")
        if self.arrays and set(self.arrays) != set(kind.state_arrays):
            raise ValueError(f"{owner} of {self.name} must hold the arrays {sorted(kind.state_arrays)} "
                             f"(or none before the first step), not {sorted(self.arrays)}")
        shapes = {(value.shape, value.dtype) for value in self.arrays.values()}
        for name, value in self.arrays.items():
            if not isinstance(value, np.ndarray) or value.ndim != 1 or value.dtype not in FLOAT_DTYPES:
                raise ValueError(f"{owner}'s field {name!r} must be one row of float32 or float64 numbers")
            if name == "scaled_v" and (value < 0).any():
                raise ValueError(f"{owner}'s field 'scaled_v' holds a negative mean square")
        if len(shapes) > 1:
            raise ValueError(f"{owner}'s arrays differ in length or type: {sorted(map(str, shapes))}")
        if self.arrays and self.scalars["steps"] == 0:
            raise ValueError(f"{owner} holds moments but has taken no step ('steps' is 0)")

    def same_kind(self, name: str, momentum: float) -> bool:
        """Was this state made by an optimizer like ``make_optimizer(name, …, momentum=…)``?"""
        return name == self.name and self.scalars.get("momentum", momentum) == momentum

    def describe(self) -> str:
        """"adam", or "momentum 0.9": the words that tell the kinds apart."""
        return f"momentum {self.scalars['momentum']:g}" if "momentum" in self.scalars else self.name

    def is_finite(self) -> bool:
        """False once a moment or velocity holds NaN or inf (a diverged run): never carry that on."""
        return all(np.isfinite(value).all() for value in self.arrays.values())

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Every field as a named array (see ``plain_arrays``): for an npz, without pickle."""
        return {"name": as_array(self.name), "learning_rate": as_array(self.learning_rate),
                **{name: as_array(value) for name, value in self.scalars.items()},
                **{name: value.copy() for name, value in self.arrays.items()}}

    @classmethod
    def from_arrays(cls, arrays: Mapping) -> "OptimizerState":
        """The state :meth:`to_arrays` wrote; a missing, unknown or malformed field raises ValueError naming it."""
        owner = "the optimizer state"
        name = read_text(arrays, "name", owner)
        kind = _kind(name)
        present = [key for key in kind.state_arrays if key in arrays]
        refuse_unknown(arrays, {"name", "learning_rate", "steps", *kind.hyperparameters, *present}, owner)
        scalars = {"steps": read_whole(arrays, "steps", owner),
                   **{key: read_real(arrays, key, owner) for key in kind.hyperparameters}}
        return cls(name, read_real(arrays, "learning_rate", owner), scalars,
                   {key: read_vector(arrays, key, owner, "f") for key in present})


class Optimizer:
    name = "optimizer"
    hyperparameters: tuple[str, ...] = ()  # settings that make two optimizers of one name different kinds
    state_arrays: dict[str, str] = {}  # state name → the attribute holding that array

    def __init__(self, learning_rate: float):
        self.learning_rate = learning_rate
        self.steps = 0

    @property
    def learning_rate(self) -> float:
        """η. Setting it refuses what is not a finite number above 0 and then keeps the old rate."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = check_learning_rate(value)

    def step(self, params: np.ndarray, grads: np.ndarray,
             segments: list[tuple[int, int]] | None = None) -> None:
        """Update ``params`` in place from ``grads``; only inside ``segments`` if given.

        ``grads`` may be used as scratch space: read gradients before stepping, not after.
        """
        self.steps += 1
        if segments is None:
            self._update(params, grads, slice(None))
        else:
            for start, stop in segments:
                self._update(params, grads, slice(start, stop))

    def _update(self, params, grads, where: slice) -> None:
        raise NotImplementedError

    def same_kind(self, name: str, momentum: float) -> bool:
        """Would ``make_optimizer(name, …, momentum=…)`` build an optimizer like this one?"""
        return name == self.name and getattr(self, "momentum", momentum) == momentum

    def state(self) -> OptimizerState:
        """The whole state as plain data, arrays copied: what this optimizer would need to carry on elsewhere."""
        arrays = {name: getattr(self, attr).copy() for name, attr in self.state_arrays.items()
                  if getattr(self, attr, None) is not None}
        scalars = {"steps": self.steps, **{name: getattr(self, name) for name in self.hyperparameters}}
        return OptimizerState(self.name, self.learning_rate, scalars, arrays)

    def restore(self, state: OptimizerState, like: np.ndarray | None = None) -> None:
        """Carry on from ``state`` (arrays copied); ``like``: the parameters it will update, whose length and
        type its arrays must have. Raises ValueError and changes nothing when the state is of another kind."""
        if state.name != self.name:
            raise ValueError(f"the optimizer state is {state.name}'s, and this optimizer is {self.name}")
        for name in self.hyperparameters:
            if state.scalars[name] != getattr(self, name):
                raise ValueError(f"the optimizer state has {name} {state.scalars[name]:g}, and this optimizer "
                                 f"{getattr(self, name):g}")
        for name, value in state.arrays.items():
            if like is not None and (value.shape != like.shape or value.dtype != like.dtype):
                raise ValueError(f"the optimizer state's {name!r} holds {value.size} {value.dtype} numbers, "
                                 f"and the network {like.size} {like.dtype} parameters")
        self.learning_rate = state.learning_rate
        self.steps = int(state.scalars["steps"])
        for name, attr in self.state_arrays.items():
            setattr(self, attr, state.arrays[name].copy() if name in state.arrays else None)

    def forget(self) -> None:
        """Drop the state (moments, velocity, step count): the next step starts as a fresh optimizer's."""
        for name, value in list(vars(self).items()):
            if isinstance(value, np.ndarray):
                setattr(self, name, None)
        self.steps = 0

    def state_is_finite(self) -> bool:
        """False once a moment or velocity holds NaN or inf (a diverged run): never carry that on."""
        return all(np.isfinite(value).all() for value in vars(self).values() if isinstance(value, np.ndarray))

    def _buffer(self, params: np.ndarray, attr: str) -> np.ndarray:
        buffer = getattr(self, attr, None)
        if buffer is None or buffer.shape != params.shape or buffer.dtype != params.dtype:
            buffer = np.zeros_like(params)
            setattr(self, attr, buffer)
        return buffer


class SGD(Optimizer):
    """w ← w − η·g"""

    name = "sgd"

    def _update(self, params, grads, where):
        g = grads[where]
        g *= self.learning_rate
        params[where] -= g


class Momentum(Optimizer):
    """v ← μ·v + g;  w ← w − η·v  (PyTorch's form of SGD with momentum)."""

    name = "momentum"
    hyperparameters = ("momentum",)
    state_arrays = {"velocity": "velocity"}

    def __init__(self, learning_rate: float, momentum: float = 0.9):
        super().__init__(learning_rate)
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be at least 0 and below 1, not {momentum}")
        self.momentum = float(momentum)

    def _update(self, params, grads, where):
        velocity = self._buffer(params, "velocity")[where]
        g = grads[where]
        velocity *= self.momentum
        velocity += g
        np.multiply(velocity, self.learning_rate, out=g)
        params[where] -= g
        if self.steps % _FLUSH_EVERY == 0:
            _flush_tiny(velocity)


class Adam(Optimizer):
    """m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²;  w ← w − η·m̂ / (√v̂ + ε).

    The same numbers as PyTorch's Adam in 10 whole-array passes instead of 12: it keeps
    M = m/(1−β1) and V = v/(1−β2), so each moment update is one scale and one add, and
    every constant (bias corrections, learning rate, the (1−β) factors) folds into two scalars.
    """

    name = "adam"
    hyperparameters = ("beta1", "beta2", "epsilon")
    state_arrays = {"scaled_m": "_scaled_m", "scaled_v": "_scaled_v"}

    def __init__(self, learning_rate: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 epsilon: float = 1e-8):
        super().__init__(learning_rate)
        self.beta1, self.beta2, self.epsilon = float(beta1), float(beta2), float(epsilon)

    def _update(self, params, grads, where):
        big_m = self._buffer(params, "_scaled_m")[where]
        big_v = self._buffer(params, "_scaled_v")[where]
        g = grads[where]
        b1, b2, t = self.beta1, self.beta2, self.steps
        # √v̂ = k·√V with k = √((1−β2)/(1−β2ᵗ)), so  m̂/(√v̂ + ε) = (1−β1)/((1−β1ᵗ)·k) · M/(√V + ε/k).
        k = math.sqrt((1.0 - b2) / (1.0 - b2 ** t))
        step_size = self.learning_rate * (1.0 - b1) / ((1.0 - b1 ** t) * k)
        big_m *= b1
        big_m += g
        # From here on the gradient array is scratch: four arrays instead of five stay in the
        # CPU's L2 cache, which is what bounds this loop.
        g *= g
        big_v *= b2
        big_v += g
        np.sqrt(big_v, out=g)
        g += self.epsilon / k
        np.divide(big_m, g, out=g)
        g *= step_size
        params[where] -= g
        if self.steps % _FLUSH_EVERY == 0:
            _flush_tiny(big_m)
            _flush_tiny(big_v)


def _flush_tiny(values: np.ndarray) -> None:
    values[np.abs(values) < _SUBNORMAL_GUARD] = 0.0


OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def _kind(name: str) -> type[Optimizer]:
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValueError(f"the optimizer state's field 'name' must be one of {', '.join(OPTIMIZERS)}, not {name!r}")
    return OPTIMIZERS[name]


def make_optimizer(name: str, learning_rate: float, **options) -> Optimizer:
    return by_name(OPTIMIZERS, name, "optimizer")(learning_rate, **options)
