"""A fully-connected network whose parameters live in one flat array.

Layer ``i`` has ``weights[i]`` of shape (out_features, in_features) and
``biases[i]`` of shape (out_features,) — the layout of PyTorch's ``nn.Linear`` —
both *views* into ``params``. One flat array (and one for gradients) lets an
optimizer update everything in a few whole-array passes; it also means a
parameter array must never be rebound, only written in place, or the optimizer
would silently stop updating it.

In memory each weight matrix is stored transposed, (in_features, out_features),
and ``weights[i]`` is the transposed view of it: the forward product
``x @ W_t`` then reads both operands in order, ~20 % faster than ``x @ W.T``.
``weights_t[i]`` / ``grad_weights_t[i]`` are the contiguous (in, out) arrays the
training loop writes into.
"""
from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .initializers import default_initializer, get_initializer
from .losses import check_pair, get_loss
from .scaled_bytes import Rows, ScaledBytes

MAX_PARAMETERS = 50_000_000
MAX_UNITS = 100_000


@dataclass(frozen=True)
class LayerSpec:
    """One dense layer: its width, activation, dropout on its output (training only), frozen or not."""

    units: int
    activation: str = "relu"
    dropout: float = 0.0
    frozen: bool = False


@dataclass
class ForwardTrace:
    """Every layer's pre-activation ``z`` and activation ``a`` for a batch.

    ``activations[0]`` is the input itself, so layer ``i`` maps
    ``activations[i]`` to ``pre_activations[i]`` and ``activations[i + 1]``.
    """

    pre_activations: list[np.ndarray]
    activations: list[np.ndarray]

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]


@dataclass
class Gradients:
    """Loss and dL/dparameter for one batch; arrays are copies the caller may keep."""

    loss: float
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray] = field(default_factory=list)


def validate_architecture(input_size: int, layers: list[LayerSpec], loss: str | None = None) -> None:
    """Raise ValueError naming the first impossible part of an architecture."""
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


class Network:
    """Dense layers on a flat parameter vector. X is always (n_samples, n_features)."""

    def __init__(self, input_size: int, layers: list[LayerSpec], *, dtype=np.float32,
                 init: str = "auto", seed: int = 0):
        layers = [spec if isinstance(spec, LayerSpec) else LayerSpec(**spec) for spec in layers]
        validate_architecture(input_size, layers)
        self.input_size = int(input_size)
        self.layers = layers
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, not {self.dtype}")
        self.params, self.weights_t, self.biases = self._allocate()
        self.grads, self.grad_weights_t, self.grad_biases = self._allocate()
        self.initialize(init, seed)

    # -- structure ---------------------------------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        """[input, hidden..., output] widths."""
        return [self.input_size, *(spec.units for spec in self.layers)]

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def n_parameters(self) -> int:
        return int(self.params.size)

    def layer_slices(self) -> list[tuple[int, int]]:
        """(start, stop) of each layer's weights+bias in ``params``."""
        bounds, start = [], 0
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            stop = start + fan_out * (fan_in + 1)
            bounds.append((start, stop))
            start = stop
        return bounds

    def trainable_segments(self) -> list[tuple[int, int]]:
        """Contiguous runs of ``params`` that belong to unfrozen layers (adjacent runs merged)."""
        segments: list[tuple[int, int]] = []
        for spec, (start, stop) in zip(self.layers, self.layer_slices()):
            if spec.frozen:
                continue
            if segments and segments[-1][1] == start:
                segments[-1] = (segments[-1][0], stop)
            else:
                segments.append((start, stop))
        return segments

    @property
    def weights(self) -> list[np.ndarray]:
        """(out_features, in_features) views, PyTorch's layout; write them with ``[...] =``."""
        return [w.T for w in self.weights_t]

    @property
    def grad_weights(self) -> list[np.ndarray]:
        return [g.T for g in self.grad_weights_t]

    def _allocate(self):
        """A flat vector and its per-layer views: (in, out) weights and (out,) biases."""
        flat = np.zeros(sum(stop - start for start, stop in self.layer_slices()), dtype=self.dtype)
        weights_t, biases = [], []
        for (start, _), fan_in, fan_out in zip(self.layer_slices(), self.sizes[:-1], self.sizes[1:]):
            split = start + fan_in * fan_out
            weights_t.append(flat[start:split].reshape(fan_in, fan_out))
            biases.append(flat[split:split + fan_out])
        return flat, weights_t, biases

    def initialize(self, init: str = "auto", seed: int = 0, only: list[int] | None = None) -> None:
        """Fill weights with a seeded random scheme and biases with zeros.

        ``only`` re-initialises just those layers (an edit that invalidates one layer
        should not wipe what the others learned); the draw for each layer depends on
        the seed and the layer's index alone, so it is the same whichever layers are redone.
        """
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"the seed must be a whole number of 0 or more, not {seed!r}")
        for index, spec in enumerate(self.layers):
            if only is not None and index not in only:
                continue
            name = default_initializer(spec.activation) if init == "auto" else init
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, index)))
            fan_out, fan_in = self.weights[index].shape
            self.weights[index][...] = get_initializer(name)(rng, fan_out, fan_in)
            self.biases[index][...] = 0.0

    def copy(self) -> "Network":
        """An independent network with the same architecture and parameter values."""
        twin = Network.__new__(Network)
        twin.input_size, twin.layers, twin.dtype = self.input_size, list(self.layers), self.dtype
        twin.params, twin.weights_t, twin.biases = twin._allocate()
        twin.grads, twin.grad_weights_t, twin.grad_biases = twin._allocate()
        twin.params[...] = self.params
        return twin

    # -- forward -----------------------------------------------------------------------------
    def _as_input(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"the network takes {self.input_size} inputs per sample, got shape {x.shape}")
        return x

    def forward(self, x: Rows, chunk_size: int = 4096) -> np.ndarray:
        """Outputs (n_samples, n_outputs) for inputs (n_samples, n_features); no dropout.

        ``chunk_size`` rows at a time; ``ScaledBytes`` rows are scaled a chunk at a time too.
        """
        if isinstance(x, ScaledBytes):
            return np.concatenate([self.forward(x[i:i + chunk_size], chunk_size)
                                   for i in range(0, max(len(x), 1), chunk_size)])
        x = self._as_input(x)
        if len(x) <= chunk_size:
            return self._output(x)
        return np.concatenate([self._output(x[i:i + chunk_size]) for i in range(0, len(x), chunk_size)])

    def forward_with_logits(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(z, a) of the output layer, (n_samples, n_outputs) each; what losses need."""
        for _, z, a in self.forward_layers(self._as_input(x), keep=(len(self.layers) - 1,)):
            pass
        return z, a

    def predict_one(self, x: np.ndarray) -> np.ndarray:
        """Outputs (n_outputs,) for one sample (n_features,): the canvas's live path."""
        return self._output(np.asarray(x, dtype=self.dtype).reshape(-1))

    def forward_trace(self, x: np.ndarray) -> ForwardTrace:
        """Forward pass that keeps every layer's z and a (inspector, step-debugger)."""
        a = self._as_input(x)
        zs, activations = [], [a.copy()]
        for _, z, a in self.forward_layers(a, keep=range(len(self.layers))):
            zs.append(z)
            activations.append(a)
        return ForwardTrace(zs, activations)

    def forward_layers(self, a: np.ndarray, keep: Container[int] = ()) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """The one forward loop: yields (index, z, a) of every layer in turn, for inputs a: (n, n_features).

        A consumer may stop early (the neuron statistics stop at the layer they need). To save
        memory the activation is written over ``z``: a yielded ``z`` is its own array only for
        the layer indices in ``keep`` (``forward_trace`` keeps all, ``forward_with_logits`` the last).
        A 1-D ``a`` (one sample) works too and yields 1-D arrays.
        """
        for index, spec in enumerate(self.layers):
            z = self._pre_activation(index, a)
            a = get_activation(spec.activation).forward(z, out=None if index in keep else z)
            yield index, z, a

    def _pre_activation(self, index: int, a: np.ndarray) -> np.ndarray:
        """Layer ``index``'s z for its input a, as a fresh array the activation may overwrite.

        The one place that knows what a layer computes before its activation: a layer of
        another kind (convolution, pooling) answers here, and every forward path follows.
        """
        z = a @ self.weights_t[index]
        z += self.biases[index]
        return z

    def _output(self, a: np.ndarray) -> np.ndarray:
        """The last layer's activation for a (n, n_features) or (n_features,)."""
        for _, _, a in self.forward_layers(a):
            pass
        return a

    # -- backward ----------------------------------------------------------------------------
    def gradients(self, x: np.ndarray, targets: np.ndarray, loss: str,
                  l1: float = 0.0, l2: float = 0.0) -> Gradients:
        """Loss and every parameter's gradient for one batch (no dropout, nothing updated).

        targets: (n_samples, n_outputs) — one-hot rows for classification.
        Frozen layers still get their true gradient here; the trainer is what skips them.
        """
        check_pair(loss, self.layers[-1].activation, self.n_outputs)
        trace = self.forward_trace(x)
        targets = np.asarray(targets, dtype=self.dtype).reshape(trace.output.shape)
        value, delta = get_loss(loss).compute(trace.pre_activations[-1], trace.output,
                                              targets, self.layers[-1].activation)
        grad_w: list[np.ndarray] = [None] * len(self.layers)  # type: ignore[list-item]
        grad_b: list[np.ndarray] = [None] * len(self.layers)  # type: ignore[list-item]
        deltas: list[np.ndarray] = [None] * len(self.layers)  # type: ignore[list-item]
        for i in reversed(range(len(self.layers))):
            deltas[i] = delta
            grad_w[i] = delta.T @ trace.activations[i]
            grad_b[i] = delta.sum(axis=0)
            if i > 0:
                upstream = delta @ self.weights[i]
                delta = get_activation(self.layers[i - 1].activation).backward(
                    trace.pre_activations[i - 1], trace.activations[i], upstream)
        value += penalty_value(self.weights, l1, l2)
        for weight, grad in zip(self.weights, grad_w):
            add_penalty_gradient(weight, grad, l1, l2)
        return Gradients(float(value), grad_w, grad_b, deltas)


def penalty_value(weights: list[np.ndarray], l1: float, l2: float) -> float:
    """λ1·Σ|w| + ½·λ2·Σw² over all weights (biases are not penalised)."""
    value = 0.0
    for weight in weights:
        if l1:
            value += l1 * float(np.abs(weight).sum())
        if l2:
            value += 0.5 * l2 * float(np.einsum("ij,ij->", weight, weight))
    return value


def add_penalty_gradient(weight: np.ndarray, grad: np.ndarray, l1: float, l2: float) -> None:
    if l1:
        grad += l1 * np.sign(weight)
    if l2:
        grad += l2 * weight


def targets_for(labels: np.ndarray, n_outputs: int, dtype=np.float32) -> np.ndarray:
    """Training targets (n_samples, n_outputs) from class labels (n_samples,)."""
    labels = np.asarray(labels, dtype=np.int64)
    if n_outputs == 1:
        return labels.reshape(-1, 1).astype(dtype)
    targets = np.zeros((len(labels), n_outputs), dtype=dtype)
    targets[np.arange(len(labels)), labels] = 1.0
    return targets


def answer_targets(answers: np.ndarray, n_outputs: int, dtype=np.float32) -> np.ndarray:
    """What the outputs should be, (n_samples, n_outputs), from a dataset's answers.

    answers: class labels (n_samples,) — one-hot rows, or the label itself for one unit —
    or real-valued targets (n_samples, n_outputs) of a regression set, taken as they are.
    """
    answers = np.asarray(answers)
    if answers.ndim == 1:
        return targets_for(answers, n_outputs, dtype)
    if answers.ndim != 2 or answers.shape[1] != n_outputs:
        raise ValueError(f"the targets have shape {answers.shape}; the network has {n_outputs} "
                         f"output{'s' * (n_outputs != 1)}, so they must be (n_samples, {n_outputs})")
    return np.asarray(answers, dtype=dtype)


def has_real_targets(answers: np.ndarray) -> bool:
    """True for a regression set's targets (n_samples, n_outputs); False for class labels (n_samples,)."""
    return np.ndim(answers) == 2
