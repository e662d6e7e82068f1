"""One training step's forward and backward pass on a mini-batch, into buffers allocated once per batch size.

Kept apart from the loop in ``trainer.py`` (which decides which samples, when to stop, what to report):
this is the arithmetic, the part every benchmark measures.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .activations import get_activation
from .blas_threads import BlasThreads
from .conv_batch_step import SpatialWorkspace, new_spatial_workspace, spatial_forward_backward
from .losses import get_loss
from .network import Network, add_penalty_gradient
from .outputs import outputs_to_classes
from .scaled_bytes import GatherScratch, ScaledBytes
from .training_records import TrainConfig

Augmenter = Callable[[np.ndarray, np.random.Generator], np.ndarray]


@dataclass
class Workspace:
    """Buffers for one batch size, allocated once and reused by every step."""

    x: np.ndarray
    x_scratch: GatherScratch | None  # for gathering the batch's bytes, when the training rows are ScaledBytes
    targets: np.ndarray
    labels: np.ndarray | None  # None for a network that predicts numbers
    z: list[np.ndarray]
    a: list[np.ndarray]
    upstream: list[np.ndarray]
    threads: list[int]  # BLAS threads for each layer's products
    keep: list[np.ndarray | None] = field(default_factory=list)
    dropped: list[np.ndarray | None] = field(default_factory=list)


def new_workspace(net: Network, size: int, x, regression: bool, threads: BlasThreads) -> Workspace:
    """The buffers for batches of ``size`` samples of ``x`` (rows, or ScaledBytes) through ``net``
    (a network with convolution or pooling layers gets conv_batch_step's)."""
    if not net.is_dense:
        return new_spatial_workspace(net, size, x, regression, threads)
    dtype = net.dtype
    widths = [spec.units for spec in net.layers]
    return Workspace(
        x=np.empty((size, net.input_size), dtype),
        x_scratch=x.scratch_for(size) if isinstance(x, ScaledBytes) else None,
        targets=np.empty((size, net.n_outputs), dtype),
        labels=None if regression else np.empty(size, np.int64),
        z=[np.empty((size, w), dtype) for w in widths],
        a=[np.empty((size, w), dtype) for w in widths],
        upstream=[np.empty((size, w), dtype) for w in widths],
        threads=[threads.threads_for(size * w.size) for w in net.weights_t],
        keep=[np.empty((size, s.units), dtype) if s.dropout else None for s in net.layers],
        dropped=[np.empty((size, s.units), dtype) if s.dropout else None for s in net.layers],
    )


def forward_backward(net: Network, config: TrainConfig, ws: Workspace, x, targets: np.ndarray, y: np.ndarray,
                     indices: np.ndarray, augment: Augmenter | None, rng: np.random.Generator,
                     threads: BlasThreads) -> tuple[float, float]:
    """Forward and backward on the samples at ``indices``; fills ``net.grads``.

    x: (n, n_features) rows or ScaledBytes; targets: (n, n_outputs); y: labels (n,) or real targets.
    Augmentation and dropout draw from ``rng``. Returns (loss, tally): the batch's hits, or for a network
    that predicts numbers its summed absolute error |output − target| over samples and outputs.
    """
    if isinstance(ws, SpatialWorkspace):
        return spatial_forward_backward(net, config, ws, x, targets, y, indices, augment, rng, threads)
    if ws.x_scratch is not None:
        x.gather_into(indices, ws.x, ws.x_scratch)
    else:
        np.take(x, indices, axis=0, out=ws.x, mode="clip")
    np.take(targets, indices, axis=0, out=ws.targets, mode="clip")
    if ws.labels is not None:
        np.take(y, indices, axis=0, out=ws.labels, mode="clip")
    inputs = [augment(ws.x, rng) if augment else ws.x]
    last = len(net.layers) - 1
    for i, spec in enumerate(net.layers):
        threads.use(ws.threads[i])
        np.matmul(inputs[i], net.weights_t[i], out=ws.z[i])
        ws.z[i] += net.biases[i]
        get_activation(spec.activation).forward(ws.z[i], out=ws.a[i])
        if spec.dropout and i < last:
            keep = ws.keep[i]
            keep[...] = rng.random(keep.shape, dtype=keep.dtype) >= spec.dropout
            keep *= 1.0 / (1.0 - spec.dropout)
            np.multiply(ws.a[i], keep, out=ws.dropped[i])
            inputs.append(ws.dropped[i])
        else:
            inputs.append(ws.a[i])
    loss, delta = get_loss(config.loss).compute(ws.z[last], ws.a[last], ws.targets,
                                                net.layers[last].activation)
    if ws.labels is None:
        tally = float(np.abs(ws.a[last] - ws.targets).sum())
    else:
        tally = int((outputs_to_classes(ws.a[last]) == ws.labels).sum())
    first_trainable = next(i for i, spec in enumerate(net.layers) if not spec.frozen)
    for i in range(last, first_trainable - 1, -1):
        threads.use(ws.threads[i])
        if not net.layers[i].frozen:
            np.matmul(inputs[i].T, delta, out=net.grad_weights_t[i])
            np.sum(delta, axis=0, out=net.grad_biases[i])
        if i == first_trainable:
            break
        upstream = ws.upstream[i - 1]
        np.matmul(delta, net.weights_t[i].T, out=upstream)
        if ws.keep[i - 1] is not None:
            upstream *= ws.keep[i - 1]
        delta = get_activation(net.layers[i - 1].activation).backward(ws.z[i - 1], ws.a[i - 1], upstream)
    threads.use(1)  # the optimizer's element-wise passes gain nothing from BLAS threads
    if config.l1 or config.l2:  # the reported loss stays the data loss, comparable with validation
        for weight, grad, spec in zip(net.weights_t, net.grad_weights_t, net.layers):
            if not spec.frozen:
                add_penalty_gradient(weight, grad, config.l1, config.l2)
    return loss, tally
