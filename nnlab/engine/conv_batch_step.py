"""One training step of a network with convolution or pooling layers, into buffers allocated once per batch size.

The dense-only step (``batch_step.py``) stays as it is, bit for bit and as fast; a network with a
convolution or a pooling takes this one. Layer by layer it does what ``Network.forward_layers`` and
``conv_kernels.backward_through_layers`` do, with the workspace's own kernels and buffers, dropout on
dense layers, frozen layers skipped (their gradient is not computed, nor any δ below the first
trainable layer), and the L1/L2 penalty on every trainable layer's weights.

A batch of at least ``2 × MIN_PART`` samples is cut into two halves, and each half runs the whole forward
and backward pass with buffers and kernels of its own; its gradients are then added to the other's (first
half + second half). With two cores the halves run at once — one on the trainer's thread, one on a helper
thread (side_by_side.py), BLAS on one thread each — and meet once per batch. The cut depends on the batch
size alone, never on the cores or the load, and random draws (augmentation, dropout masks) are made for
the whole batch before it: a run's numbers are the same whether the halves ran at once or one after the
other, on any machine, and a run resumed from a saved state repeats the straight run bit for bit. Against
one pass over the whole batch only the order of the sums over samples differs (float rounding).

Whether the halves run side by side is chosen batch by batch by what was faster lately (side_by_side.py):
with a core to spare they take ~¾ of the time of the halves in turn (each thread's NumPy calls hand Python's
lock to the other), and on a machine whose cores other processes keep busy the scheduler gives the process
one core's share whatever its threads, and side by side is slower than in turn.
Measured, LeNet-style (conv8x5, maxpool2, conv16x5, maxpool2, 64, 10), batch 64, 14,000 MNIST digits, Adam,
seconds an epoch, medians of 3 alternating processes at a 1-minute load of ~1.1 (benchmarks/conv_speed.py
--framework nnlab --ours …): the whole batch in one pass on one thread 1.96 (CPU 1.96); the halves in turn
2.23 (CPU 2.22: smaller products, twice the calls); the halves side by side 1.93 (CPU 2.55: two threads
of one process slow each other — shared caches, waits for Python's lock — and another process had a core);
as chosen batch by batch 1.76; the whole batch with the BLAS pool's two threads for every product 6.3 (its
products are short: handing each over costs more than the second core gains).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from .activations import get_activation
from .blas_threads import BlasThreads
from .conv_kernels import new_kernel
from .layers import CONV2D, DENSE, FLATTEN, MAXPOOL2D
from .losses import get_loss
from .outputs import outputs_to_classes
from .scaled_bytes import GatherScratch, ScaledBytes
from .side_by_side import SideBySideChoice, cores_available, run_side_by_side

MIN_PART = 4  # samples; a smaller batch runs whole: a drawing's batch of one gains nothing from a second thread


@dataclass
class _Part:
    """One part of a batch — samples ``start`` … ``stop`` − 1 — with its own kernels, buffers and gradients.

    Dense layers keep z, a, upstream (and a dropout's kept values) here; convolutions keep z in their
    kernel and a here; pooling and flatten keep nothing (their kernel's buffer). ``grads`` is flat like
    ``Network.grads`` (the first part's is the network's own), ``grad_weights``/``grad_biases`` its views.
    """

    start: int
    stop: int
    kernels: list
    z: list
    a: list
    upstream: list
    dropped: list
    grads: np.ndarray
    grad_weights: list
    grad_biases: list


@dataclass
class SpatialWorkspace:
    """Buffers for one batch size: the gathered batch, its dropout masks, and its parts."""

    x: np.ndarray
    x_scratch: GatherScratch | None
    targets: np.ndarray
    labels: np.ndarray | None
    keep: list
    parts: list[_Part]
    segments: list[tuple[int, int]]  # where in the flat gradients the trainable layers are
    relu_after_pool: list[bool]  # per layer: a max-pooling that applies the ReLU of the convolution before it
    side_by_side: SideBySideChoice = field(default_factory=SideBySideChoice)


def relu_after_pool(net) -> list[bool]:
    """Per layer: True for a max-pooling right after a ReLU convolution. ReLU is monotonic, so pooling z and then
    ReLU gives the numbers of ReLU then pooling — ties too: where the window's largest z is positive the same
    inputs are largest, and where it is not every gradient is 0 either way — on a quarter of the values
    (2×2), and the full-size a is never written. LeNet's ReLU passes fell from ~0.6 to ~0.15 ms a batch."""
    layers = net.layers
    return [i > 0 and spec.kind == MAXPOOL2D and layers[i - 1].kind == CONV2D and layers[i - 1].activation == "relu"
            for i, spec in enumerate(layers)]


def batch_parts(size: int) -> list[tuple[int, int]]:
    """(start, stop) of each part of a batch of ``size`` samples: two halves, or the whole of a small batch."""
    if size < 2 * MIN_PART:
        return [(0, size)]
    half = size // 2
    return [(0, half), (half, size)]


def new_spatial_workspace(net, size: int, x, regression: bool, threads: BlasThreads) -> SpatialWorkspace:
    dtype = net.dtype
    kinds = [spec.kind for spec in net.layers]
    fused = relu_after_pool(net)
    keeps_a = [kind == DENSE or (kind == CONV2D and not (i + 1 < len(fused) and fused[i + 1])) or fused[i]
               for i, kind in enumerate(kinds)]
    parts = []
    for index, (start, stop) in enumerate(batch_parts(size)):
        n = stop - start

        def buffer(shape, wanted: bool = True):
            return np.empty((n, *shape.output_shape), dtype) if wanted else None

        grads = net.grads if index == 0 else np.zeros_like(net.grads)
        grad_weights, grad_biases = net.layer_views(grads)
        parts.append(_Part(
            start, stop,
            kernels=[new_kernel(shape, dtype) if kind not in (DENSE, FLATTEN) else None
                     for shape, kind in zip(net.shapes, kinds)],
            z=[buffer(shape, kind == DENSE) for shape, kind in zip(net.shapes, kinds)],
            a=[buffer(shape, wanted) for shape, wanted in zip(net.shapes, keeps_a)],
            upstream=[buffer(shape, kind in (DENSE, FLATTEN)) for shape, kind in zip(net.shapes, kinds)],
            dropped=[buffer(shape, kind == DENSE and bool(spec.dropout)) for shape, spec, kind
                     in zip(net.shapes, net.layers, kinds)],
            grads=grads, grad_weights=grad_weights, grad_biases=grad_biases))
    return SpatialWorkspace(
        x=np.empty((size, net.input_size), dtype),
        x_scratch=x.scratch_for(size) if isinstance(x, ScaledBytes) else None,
        targets=np.empty((size, net.n_outputs), dtype),
        labels=None if regression else np.empty(size, np.int64),
        keep=[np.empty((size, *shape.output_shape), dtype) if kind == DENSE and spec.dropout else None
              for shape, spec, kind in zip(net.shapes, net.layers, kinds)],
        parts=parts,
        segments=net.trainable_segments(),
        relu_after_pool=fused,
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
    images = first.reshape(size, *net.input_shape)
    last = len(net.layers) - 1
    for i, spec in enumerate(net.layers):  # in layer order, as one pass over the whole batch draws them
        if spec.kind == DENSE and spec.dropout and i < last:
            keep = ws.keep[i]
            keep[...] = rng.random(keep.shape, dtype=keep.dtype) >= spec.dropout
            keep *= 1.0 / (1.0 - spec.dropout)
    one_blas_thread = threads.single()
    results: list = [None] * len(ws.parts)

    def run(index: int) -> None:
        part = ws.parts[index]
        results[index] = _part_forward_backward(net, config, part, images, ws, size)

    if len(ws.parts) == 2 and one_blas_thread and cores_available() > 1:
        together = ws.side_by_side.choose()
        started = time.perf_counter()
        if together:
            run_side_by_side(lambda: run(1), lambda: run(0))
        else:
            run(0)
            run(1)
        ws.side_by_side.record(together, time.perf_counter() - started)
    else:
        for index in range(len(ws.parts)):
            run(index)
    for part in ws.parts[1:]:
        for start, stop in ws.segments:
            net.grads[start:stop] += part.grads[start:stop]
    threads.use(1)
    if config.l1 or config.l2:
        from .network import add_penalty_gradient

        for weight, grad, spec in zip(net.weights_t, net.grad_weights_t, net.layers):
            if spec.has_parameters and not spec.frozen:
                add_penalty_gradient(weight, grad, config.l1, config.l2)
    if len(results) == 1:
        return results[0]
    loss = sum(part_loss * (part.stop - part.start) for (part_loss, _), part in zip(results, ws.parts)) / size
    return loss, sum(part_tally for _, part_tally in results)


def _part_forward_backward(net, config, part: _Part, images: np.ndarray, ws: SpatialWorkspace,
                           size: int) -> tuple[float, float]:
    """Forward and backward of one part of the batch into its own buffers and gradients.

    Returns (the loss over the part's samples, its tally). δ is the whole batch's: the loss is a mean over all
    ``size`` samples, so the part's own mean's δ is scaled by its share of them."""
    a, b = part.start, part.stop
    n = b - a
    inputs = [images[a:b]]
    z: list = [None] * len(net.layers)
    last = len(net.layers) - 1
    fused = ws.relu_after_pool
    for i, spec in enumerate(net.layers):
        kind, current = spec.kind, inputs[i]
        if fused[i]:  # this max-pooling of z, then the convolution's ReLU
            z[i] = part.kernels[i].forward(current)
            inputs.append(get_activation("relu").forward(z[i], out=part.a[i]))
            continue
        if kind == DENSE:
            z[i] = part.z[i]
            np.matmul(current, net.weights_t[i], out=z[i])
            z[i] += net.biases[i]
            out = get_activation(spec.activation).forward(z[i], out=part.a[i])
            if spec.dropout and i < last:
                out = np.multiply(out, ws.keep[i][a:b], out=part.dropped[i])
        elif kind == CONV2D:
            z[i] = part.kernels[i].forward(current, net.weights_t[i], net.biases[i])
            out = z[i] if fused[i + 1] else get_activation(spec.activation).forward(z[i], out=part.a[i])
        elif kind == FLATTEN:
            out = current.reshape(n, -1)
        else:
            out = part.kernels[i].forward(current)
        inputs.append(out)
    output = part.a[last]
    targets = ws.targets[a:b]
    loss, delta = get_loss(config.loss).compute(z[last], output, targets, net.layers[last].activation)
    if n != size:
        delta *= n / size
    if ws.labels is None:
        tally = float(np.abs(output - targets).sum())
    else:
        tally = int((outputs_to_classes(output) == ws.labels[a:b]).sum())
    first_trainable = next(i for i, spec in enumerate(net.layers) if spec.has_parameters and not spec.frozen)
    for i in range(last, first_trainable - 1, -1):
        spec, kind = net.layers[i], net.layers[i].kind
        needs_input_grad = i > first_trainable
        if kind == DENSE:
            if not spec.frozen:
                np.matmul(inputs[i].T, delta, out=part.grad_weights[i])
                np.sum(delta, axis=0, out=part.grad_biases[i])
            if needs_input_grad:
                upstream = np.matmul(delta, net.weights_t[i].T, out=part.upstream[i - 1].reshape(n, -1))
        elif kind == CONV2D:
            upstream = part.kernels[i].backward(delta, net.weights_t[i],
                                                None if spec.frozen else part.grad_weights[i],
                                                None if spec.frozen else part.grad_biases[i], needs_input_grad)
        elif kind == FLATTEN:
            upstream = delta.reshape(inputs[i].shape)
        else:
            if fused[i]:  # the convolution's ReLU, at the pooled z
                delta = get_activation("relu").backward(z[i], part.a[i], delta)
            upstream = part.kernels[i].backward(delta)
        if not needs_input_grad:
            break
        previous = net.layers[i - 1]
        if ws.keep[i - 1] is not None:
            upstream *= ws.keep[i - 1][a:b]
        delta = (get_activation(previous.activation).backward(z[i - 1], part.a[i - 1], upstream)
                 if previous.has_parameters and not fused[i] else upstream)
    return loss, tally
