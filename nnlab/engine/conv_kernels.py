"""A CNN's layers as kernels with buffers, and the plain backward pass through them (``Network.gradients``).

Each convolution or pooling layer of a network gets a kernel object (``Conv2D``, ``MaxPool2D``,
``AvgPool2D``) that keeps its buffers per batch size and remembers its last input for the backward
pass, so a kernel belongs to one caller at a time: the network's forward passes keep theirs per thread,
and every trainer workspace has its own.
"""
from __future__ import annotations

import numpy as np

from .activations import get_activation
from .conv import Conv2D
from .conv_geometry import ConvGeometry
from .layers import AVGPOOL2D, CONV2D, DENSE, FLATTEN, MAXPOOL2D, LayerShape
from .pooling import AvgPool2D, MaxPool2D


def new_kernel(shape: LayerShape, dtype):
    """The kernel that computes a convolution or pooling layer of these shapes."""
    spec = shape.spec
    if spec.kind == CONV2D:
        channels, height, width = shape.input_shape
        geometry = ConvGeometry(channels, height, width, spec.filters, spec.kernel, spec.stride, spec.padding)
        return Conv2D(geometry, dtype)
    if spec.kind == MAXPOOL2D:
        return MaxPool2D(spec.size, dtype)
    if spec.kind == AVGPOOL2D:
        return AvgPool2D(spec.size, dtype)
    raise ValueError(f"a {spec.kind} layer has no kernel")


def backward_through_layers(network, trace, delta: np.ndarray):
    """(weight gradients, bias gradients, deltas) per layer, from the trace of a forward pass and the
    output layer's δ = ∂L/∂z: fresh arrays, no dropout, frozen layers included. A pooling or flatten
    layer's gradients are empty; its delta is ∂L/∂(its output)."""
    layers = network.layers
    grad_w: list[np.ndarray] = [None] * len(layers)  # type: ignore[list-item]
    grad_b: list[np.ndarray] = [None] * len(layers)  # type: ignore[list-item]
    deltas: list[np.ndarray] = [None] * len(layers)  # type: ignore[list-item]
    for i in reversed(range(len(layers))):
        spec, shape, a_in = layers[i], network.shapes[i], trace.activations[i]
        deltas[i] = delta
        grad_w[i] = np.zeros_like(network.weights[i])
        grad_b[i] = np.zeros_like(network.biases[i])
        upstream = None
        if spec.kind == DENSE:
            grad_w[i] = delta.T @ a_in
            grad_b[i] = delta.sum(axis=0)
            if i > 0:
                upstream = delta @ network.weights[i]
        elif spec.kind == FLATTEN:
            upstream = delta.reshape(a_in.shape)
        elif spec.kind == CONV2D:
            kernel = new_kernel(shape, network.dtype)
            weight = network.weights[i]
            kernel.forward(np.ascontiguousarray(a_in), weight, None)
            grad_w[i] = np.empty_like(weight)
            grad_b[i] = np.empty_like(network.biases[i])
            dx = kernel.backward(np.ascontiguousarray(delta), weight, grad_w[i], grad_b[i], input_grad=i > 0)
            upstream = None if dx is None else dx.copy()
        else:
            kernel = new_kernel(shape, network.dtype)
            kernel.forward(np.ascontiguousarray(a_in))
            upstream = kernel.backward(np.ascontiguousarray(delta)).copy()
        if i > 0:
            previous = layers[i - 1]
            delta = (get_activation(previous.activation).backward(trace.pre_activations[i - 1], a_in, upstream)
                     if previous.has_parameters else upstream)
    return grad_w, grad_b, deltas
