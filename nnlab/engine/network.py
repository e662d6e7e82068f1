"""A network of dense, convolution and pooling layers whose parameters live in one flat array.

``layers[i]`` is layer ``i``'s spec (nnlab/engine/layers.py: dense, conv2d, maxpool2d, avgpool2d,
flatten), and ``weights[i]`` / ``biases[i]`` are *its* parameters, *views* into ``params``: a dense
layer's are (out_features, in_features) and (out_features,) — the layout of PyTorch's ``nn.Linear`` —
a convolution's (filters, in_channels, K, K) and (filters,) — PyTorch's ``nn.Conv2d`` — and a pooling
or flatten layer's are empty (size 0). So index ``i`` means the same thing in ``layers``, ``weights``,
``biases``, ``shapes`` and a weight file's ``layers.{i}``; for a dense-only network it is what it
always was. A dense layer after a convolution or pooling reads the flattened (C, H, W) maps, and
``Network`` writes the ``FlattenSpec`` between them into ``layers`` itself.

Samples are rows (n_samples, n_features) everywhere, a CNN's too: its rows are the images' pixels
in (C, H, W) order, and the first convolution reads them as (n, C, H, W) without a copy.

One flat array (and one for gradients) lets an optimizer update everything in a few whole-array passes; it also means a
parameter array must never be rebound, only written in place, or the optimizer
would silently stop updating it.

In memory each dense weight matrix is stored transposed, (in_features, out_features),
and ``weights[i]`` is the transposed view of it: the forward product
``x @ W_t`` then reads both operands in order, ~20 % faster than ``x @ W.T``.
``weights_t[i]`` / ``grad_weights_t[i]`` are the contiguous (in, out) arrays the
training loop writes into (for a convolution, the same (F, C, K, K) array as ``weights[i]``).
In ``params`` a layer's weights come first, then its bias.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Container, Iterator
from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .architecture import MAX_PARAMETERS, MAX_UNITS, validate_architecture  # noqa: F401 (the public names)
from .initializers import default_initializer, get_initializer
from .layers import (CONV2D, DENSE, FLATTEN, ConvSpec, FlattenSpec, LayerShape, LayerSpec,  # noqa: F401
                     PoolSpec, input_shape_for, is_dense_only, layer_shapes, with_flatten)
from .losses import check_pair, get_loss
from .scaled_bytes import Rows, ScaledBytes

FORWARD_CHUNK_BYTES = 8 * 2**20
"""A CNN's forward pass (and evaluation) runs this many bytes of feature maps at a time: LeNet-style on 28×28
digits keeps ~47 KB a sample, so ~175 samples a chunk. With 4,096 a chunk, evaluating the 10,000 MNIST test
digits peaked at 530 MiB (and its kernels kept 500 MiB of buffers); with this, 20 MiB of buffers stay."""
_KERNEL_BATCH_SIZES = 4  # a layer's kernel keeps buffers per batch size; past this many it starts afresh
_CACHED_BATCH = 1024  # a larger batch gets a kernel of its own, dropped after the pass: its buffers are big


@dataclass
class ForwardTrace:
    """Every layer's pre-activation ``z`` and activation ``a`` for a batch.

    ``activations[0]`` is the input itself, so layer ``i`` maps
    ``activations[i]`` to ``pre_activations[i]`` and ``activations[i + 1]``.
    A convolution's z and a are (n, filters, Ho, Wo) — per feature map — a pooling's (n, C, Ho, Wo) (its
    z is its a: it has no activation), a flatten's (n, C·H·W); a CNN's input is (n, C, H, W).
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


class Network:
    """Layers on a flat parameter vector. X is always (n_samples, n_features).

    ``input_size``: the number of features, or a sample's shape: a dataset's (H, W) image shape is a
    CNN's (1, H, W) input (``input_shape``); a dense network reads any shape as its flat row.
    """

    def __init__(self, input_size, layers: list, *, dtype=np.float32, init: str = "auto", seed: int = 0):
        layers = [spec if hasattr(spec, "kind") else LayerSpec(**spec) for spec in layers]
        layers = with_flatten(layers)
        validate_architecture(input_size, layers)
        self.input_shape = input_shape_for(input_size, layers)
        self.input_size = math.prod(self.input_shape)
        self.layers = layers
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, not {self.dtype}")
        self._set_shapes()
        self.params, self.weights_t, self.biases = self._allocate()
        self.grads, self.grad_weights_t, self.grad_biases = self._allocate()
        self.initialize(init, seed)

    def _set_shapes(self) -> None:
        self.is_dense = is_dense_only(self.layers)
        self.shapes: list[LayerShape] = layer_shapes(self.input_shape, self.layers, MAX_UNITS)
        self._kernels = threading.local()  # per thread: the forward pass's convolution and pooling kernels

    # -- structure ---------------------------------------------------------------------------
    @property
    def sizes(self) -> list[int]:
        """[input, hidden..., output] widths; for a CNN, the number of values each layer gives a sample."""
        if self.is_dense:
            return [self.input_size, *(spec.units for spec in self.layers)]
        return [self.input_size, *(math.prod(shape.output_shape) for shape in self.shapes)]

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def n_parameters(self) -> int:
        return int(self.params.size)

    def layer_slices(self) -> list[tuple[int, int]]:
        """(start, stop) of each layer's weights+bias in ``params``."""
        bounds, start = [], 0
        for shape in self.shapes:
            stop = start + shape.n_parameters
            bounds.append((start, stop))
            start = stop
        return bounds

    def trainable_segments(self) -> list[tuple[int, int]]:
        """Contiguous runs of ``params`` that belong to unfrozen layers (adjacent runs merged)."""
        segments: list[tuple[int, int]] = []
        for spec, (start, stop) in zip(self.layers, self.layer_slices()):
            if spec.frozen or start == stop:
                continue
            if segments and segments[-1][1] == start:
                segments[-1] = (segments[-1][0], stop)
            else:
                segments.append((start, stop))
        return segments

    @property
    def weights(self) -> list[np.ndarray]:
        """Views in PyTorch's layout — dense (out_features, in_features), convolution (F, C, K, K), pooling
        and flatten empty; write them with ``[...] =``."""
        return [w.T if w.ndim == 2 else w for w in self.weights_t]

    @property
    def grad_weights(self) -> list[np.ndarray]:
        return [g.T if g.ndim == 2 else g for g in self.grad_weights_t]

    def _allocate(self):
        """A flat vector and its per-layer views: dense (in, out) weights, conv (F, C, K, K), and biases."""
        flat = np.zeros(sum(stop - start for start, stop in self.layer_slices()), dtype=self.dtype)
        return (flat, *self.layer_views(flat))

    def layer_views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per-layer (weights_t, biases) views of a flat vector laid out as ``params`` (a trainer part's gradients)."""
        weights_t, biases = [], []
        for (start, stop), shape in zip(self.layer_slices(), self.shapes):
            if start == stop:  # pooling, flatten
                weights_t.append(flat[start:start])
                biases.append(flat[start:start])
                continue
            weight_shape = shape.weight_shape[::-1] if len(shape.weight_shape) == 2 else shape.weight_shape
            split = start + math.prod(weight_shape)
            weights_t.append(flat[start:split].reshape(weight_shape))
            biases.append(flat[split:stop])
        return weights_t, biases

    def initialize(self, init: str = "auto", seed: int = 0, only: list[int] | None = None) -> None:
        """Fill weights with a seeded random scheme and biases with zeros.

        ``only`` re-initialises just those layers (an edit that invalidates one layer
        should not wipe what the others learned); the draw for each layer depends on
        the seed and the layer's index alone, so it is the same whichever layers are redone.
        """
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(f"the seed must be a whole number of 0 or more, not {seed!r}")
        for index, spec in enumerate(self.layers):
            if (only is not None and index not in only) or not spec.has_parameters:
                continue
            name = default_initializer(spec.activation) if init == "auto" else init
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0, index)))
            weight = self.weights[index]
            if weight.ndim == 2:
                fan_out, fan_in = weight.shape
                weight[...] = get_initializer(name)(rng, fan_out, fan_in)
            else:  # a convolution: fan-in C·K·K, as PyTorch counts it
                filters = weight.shape[0]
                weight[...] = get_initializer(name)(rng, filters, weight[0].size).reshape(weight.shape)
            self.biases[index][...] = 0.0

    def copy(self) -> "Network":
        """An independent network with the same architecture and parameter values."""
        twin = Network.__new__(Network)
        twin.input_size, twin.layers, twin.dtype = self.input_size, list(self.layers), self.dtype
        twin.input_shape = self.input_shape
        twin._set_shapes()
        twin.params, twin.weights_t, twin.biases = twin._allocate()
        twin.grads, twin.grad_weights_t, twin.grad_biases = twin._allocate()
        twin.params[...] = self.params
        return twin

    # -- forward -----------------------------------------------------------------------------
    def _as_input(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=self.dtype)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim == len(self.input_shape) + 1 and x.shape[1:] == self.input_shape:
            x = x.reshape(len(x), self.input_size)  # a CNN's (n, C, H, W) images, as rows
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ValueError(f"the network takes {self.input_size} inputs per sample, got shape {x.shape}")
        return x

    def forward(self, x: Rows, chunk_size: int = 4096) -> np.ndarray:
        """Outputs (n_samples, n_outputs) for inputs (n_samples, n_features); no dropout.

        ``chunk_size`` rows at a time (a CNN's chunks are also kept within ``FORWARD_CHUNK_BYTES`` of
        feature maps); ``ScaledBytes`` rows are scaled a chunk at a time too.
        """
        chunk_size = self.rows_per_chunk(chunk_size)
        if isinstance(x, ScaledBytes):
            return np.concatenate([self.forward(x[i:i + chunk_size], chunk_size)
                                   for i in range(0, max(len(x), 1), chunk_size)])
        x = self._as_input(x)
        if len(x) <= chunk_size:
            return self._output(x)
        return np.concatenate([self._output(x[i:i + chunk_size]) for i in range(0, len(x), chunk_size)])

    def rows_per_chunk(self, wanted: int) -> int:
        """How many rows a pass should take at a time: ``wanted``, or fewer for a CNN, whose feature maps
        would otherwise take more than ``FORWARD_CHUNK_BYTES`` (evaluation asks this too)."""
        if self.is_dense:
            return wanted
        per_sample = sum(math.prod(shape.output_shape) for shape in self.shapes) * self.dtype.itemsize
        return max(1, min(wanted, FORWARD_CHUNK_BYTES // per_sample))

    def forward_with_logits(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(z, a) of the output layer, (n_samples, n_outputs) each; what losses need."""
        for _, z, a in self.forward_layers(self._as_input(x), keep=(len(self.layers) - 1,)):
            pass
        return z, a

    def predict_one(self, x: np.ndarray) -> np.ndarray:
        """Outputs (n_outputs,) for one sample (n_features,): the canvas's live path."""
        return self._output(np.asarray(x, dtype=self.dtype).reshape(-1))

    def forward_trace(self, x: np.ndarray) -> ForwardTrace:
        """Forward pass that keeps every layer's z and a (inspector, step-debugger); see ForwardTrace."""
        a = self._as_input(x)
        zs, activations = [], [a.copy() if self.is_dense else self._as_maps(a.copy())]
        for _, z, a in self.forward_layers(a, keep=range(len(self.layers))):
            zs.append(z)
            activations.append(a)
        return ForwardTrace(zs, activations)

    def forward_layers(self, a: np.ndarray, keep: Container[int] = ()) -> Iterator[tuple[int, np.ndarray, np.ndarray]]:
        """The one forward loop: yields (index, z, a) of every layer in turn, for inputs a: (n, n_features).

        A consumer may stop early (the neuron statistics stop at the layer they need). To save
        memory the activation is written over ``z``: a yielded ``z`` is its own array only for
        the layer indices in ``keep`` (``forward_trace`` keeps all, ``forward_with_logits`` the last).
        A 1-D ``a`` (one sample) works too and yields 1-D arrays — for a CNN, one sample's maps
        (C, H, W). A pooling or flatten layer has no activation: its z is its a.
        """
        one = not self.is_dense and a.ndim == 1
        if not self.is_dense:
            a = self._as_maps(a[None] if one else a)
        for index, spec in enumerate(self.layers):
            z = self._pre_activation(index, a)
            if spec.has_parameters:
                a = get_activation(spec.activation).forward(z, out=None if index in keep else z)
            else:
                a = z
            yield (index, z[0], a[0]) if one else (index, z, a)

    def _as_maps(self, a: np.ndarray) -> np.ndarray:
        """Rows (n, n_features) as the first layer reads them: (n, C, H, W) before a convolution."""
        return a.reshape(len(a), *self.input_shape) if len(self.input_shape) == 3 else a

    def _pre_activation(self, index: int, a: np.ndarray) -> np.ndarray:
        """Layer ``index``'s z for its input a, as a fresh array the activation may overwrite.

        The one place that knows what a layer computes before its activation: a layer of
        another kind (convolution, pooling) answers here, and every forward path follows.
        """
        kind = self.layers[index].kind
        if kind == DENSE:
            z = a @ self.weights_t[index]
            z += self.biases[index]
            return z
        if kind == FLATTEN:
            return a.reshape(len(a), -1)
        kernel = self._kernel(index, len(a))
        if kind == CONV2D:
            z = np.empty((len(a), *self.shapes[index].output_shape), self.dtype)
            return kernel.forward(a, self.weights_t[index], self.biases[index], out=z)
        return kernel.forward(a).copy()  # pooling's result is its buffer, reused by the next call

    def _kernel(self, index: int, batch: int):
        """This thread's convolution or pooling kernel for layer ``index`` (they keep buffers per batch size)."""
        from .conv_kernels import new_kernel

        if batch > _CACHED_BATCH:
            return new_kernel(self.shapes[index], self.dtype)
        kernels = getattr(self._kernels, "by_layer", None)
        if kernels is None:
            kernels = self._kernels.by_layer = {}
        kernel, sizes = kernels.get(index, (None, set()))
        if kernel is None or (batch not in sizes and len(sizes) >= _KERNEL_BATCH_SIZES):
            kernel, sizes = new_kernel(self.shapes[index], self.dtype), set()
            kernels[index] = (kernel, sizes)
        sizes.add(batch)
        return kernel

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
        if not self.is_dense:
            from .conv_kernels import backward_through_layers

            grad_w, grad_b, deltas = backward_through_layers(self, trace, delta)
            value += penalty_value(self.weights, l1, l2)
            for weight, grad in zip(self.weights, grad_w):
                add_penalty_gradient(weight, grad, l1, l2)
            return Gradients(float(value), grad_w, grad_b, deltas)
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
            flat = weight if weight.ndim == 2 else weight.reshape(1, -1)
            value += 0.5 * l2 * float(np.einsum("ij,ij->", flat, flat))
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
