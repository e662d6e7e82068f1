"""One training step of a network with convolution or pooling layers, into buffers allocated once per batch size.

The dense-only step (``batch_step.py``) stays as it is, bit for bit and as fast; a network with a
convolution or a pooling takes this one. Layer by layer it does what ``Network.forward_layers`` and
``conv_kernels.backward_through_layers`` do, with the workspace's own kernels and buffers, dropout on
dense layers, frozen layers skipped (their gradient is not computed, nor any δ below the first
trainable layer), and the L1/L2 penalty on every trainable layer's weights.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .blas_threads import BlasThreads
from .conv_kernels import new_kernel
from .layers import CONV2D, DENSE, FLATTEN
from .losses import get_loss
from .outputs import outputs_to_classes
from .scaled_bytes import GatherScratch, ScaledBytes


@dataclass
class SpatialWorkspace:
    """Buffers and kernels for one batch size: dense layers keep z, a, upstream (and dropout masks) here;
    convolutions keep z in their kernel and a here; pooling and flatten keep nothing (their kernel's buffer)."""

    x: np.ndarray
    x_scratch: GatherScratch | None
    targets: np.ndarray
    labels: np.ndarray | None
    kernels: list
    z: list
    a: list
    upstream: list
    keep: list
    dropped: list
    threads: list[int]


def new_spatial_workspace(net, size: int, x, regression: bool, threads: BlasThreads) -> SpatialWorkspace:
    dtype = net.dtype

    def buffer(shape, wanted: bool = True):
        return np.empty((size, *shape.output_shape), dtype) if wanted else None

    kinds = [spec.kind for spec in net.layers]
    return SpatialWorkspace(
        x=np.empty((size, net.input_size), dtype),
        x_scratch=x.scratch_for(size) if isinstance(x, ScaledBytes) else None,
        targets=np.empty((size, net.n_outputs), dtype),
        labels=None if regression else np.empty(size, np.int64),
        kernels=[new_kernel(shape, dtype) if kind not in (DENSE, FLATTEN) else None
                 for shape, kind in zip(net.shapes, kinds)],
        z=[buffer(shape, kind == DENSE) for shape, kind in zip(net.shapes, kinds)],
        a=[buffer(shape, kind in (DENSE, CONV2D)) for shape, kind in zip(net.shapes, kinds)],
        upstream=[buffer(shape, kind == DENSE or (kind == FLATTEN)) for shape, kind in zip(net.shapes, kinds)],
        keep=[buffer(shape, bool(spec.dropout)) for shape, spec in zip(net.shapes, net.layers)],
        dropped=[buffer(shape, bool(spec.dropout)) for shape, spec in zip(net.shapes, net.layers)],
        threads=[threads.threads_for(size * w.size) for w in net.weights_t],
    )


def spatial_forward_backward(net, config, ws: SpatialWorkspace, x, targets: np.ndarray, y: np.ndarray,
                             indices: np.ndarray, augment, rng: np.random.Generator,
                             threads: BlasThreads) -> tuple[float, float]:
    """``batch_step.forward_backward`` for a network with convolution or pooling layers; same contract."""
    if ws.x_scratch is not None:
        x.gather_into(indices, ws.x, ws.x_scratch)
    else:
        np.take(x, indices, axis=0, out=ws.x, mode="clip")
    np.take(targets, indices, axis=0, out=ws.targets, mode="clip")
    if ws.labels is not None:
        np.take(y, indices, axis=0, out=ws.labels, mode="clip")
    size = len(indices)
    first = augment(ws.x, rng) if augment else ws.x
    inputs = [first.reshape(size, *net.input_shape)]
    z: list = [None] * len(net.layers)
    last = len(net.layers) - 1
    for i, spec in enumerate(net.layers):
        kind, current = spec.kind, inputs[i]
        threads.use(ws.threads[i])
        if kind == DENSE:
            z[i] = ws.z[i]
            np.matmul(current, net.weights_t[i], out=z[i])
            z[i] += net.biases[i]
            out = get_activation(spec.activation).forward(z[i], out=ws.a[i])
            if spec.dropout and i < last:
                keep = ws.keep[i]
                keep[...] = rng.random(keep.shape, dtype=keep.dtype) >= spec.dropout
                keep *= 1.0 / (1.0 - spec.dropout)
                out = np.multiply(out, keep, out=ws.dropped[i])
        elif kind == CONV2D:
            z[i] = ws.kernels[i].forward(current, net.weights_t[i], net.biases[i])
            out = get_activation(spec.activation).forward(z[i], out=ws.a[i])
        elif kind == FLATTEN:
            out = current.reshape(size, -1)
        else:
            out = ws.kernels[i].forward(current)
        inputs.append(out)
    output = ws.a[last]
    loss, delta = get_loss(config.loss).compute(z[last], output, ws.targets, net.layers[last].activation)
    if ws.labels is None:
        tally = float(np.abs(output - ws.targets).sum())
    else:
        tally = int((outputs_to_classes(output) == ws.labels).sum())
    first_trainable = next(i for i, spec in enumerate(net.layers) if spec.has_parameters and not spec.frozen)
    for i in range(last, first_trainable - 1, -1):
        spec, kind = net.layers[i], net.layers[i].kind
        threads.use(ws.threads[i])
        needs_input_grad = i > first_trainable
        if kind == DENSE:
            if not spec.frozen:
                np.matmul(inputs[i].T, delta, out=net.grad_weights_t[i])
                np.sum(delta, axis=0, out=net.grad_biases[i])
            if needs_input_grad:
                upstream = np.matmul(delta, net.weights_t[i].T, out=ws.upstream[i - 1].reshape(size, -1))
        elif kind == CONV2D:
            upstream = ws.kernels[i].backward(delta, net.weights_t[i],
                                              None if spec.frozen else net.grad_weights_t[i],
                                              None if spec.frozen else net.grad_biases[i], needs_input_grad)
        elif kind == FLATTEN:
            upstream = delta.reshape(inputs[i].shape)
        else:
            upstream = ws.kernels[i].backward(delta)
        if not needs_input_grad:
            break
        previous = net.layers[i - 1]
        if ws.keep[i - 1] is not None:
            upstream *= ws.keep[i - 1]
        delta = (get_activation(previous.activation).backward(z[i - 1], ws.a[i - 1], upstream)
                 if previous.has_parameters else upstream)
    threads.use(1)
    if config.l1 or config.l2:
        from .network import add_penalty_gradient

        for weight, grad, spec in zip(net.weights_t, net.grad_weights_t, net.layers):
            if spec.has_parameters and not spec.frozen:
                add_penalty_gradient(weight, grad, config.l1, config.l2)
    return loss, tally
