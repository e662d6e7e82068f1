"""What every view is looking at: the selected neuron or connection, the inspected input, the weights.

The editor, the canvas and the inspector never talk to each other: each writes here
and listens here. The weights are a *snapshot* (an independent ``Network`` copy), never
the live network a training worker is writing, so any view may run a forward pass on
it at any time. A plain object with psygnal signals (no Qt): its rules are tested without a
window, and a slot runs at once, on the thread that changed the selection (the GUI thread).

Indexing, shared by every view:
- ``NeuronRef(layer, unit)``: ``layer`` indexes ``network.sizes`` (0 is the input layer,
  ``len(sizes) - 1`` the output layer); ``unit`` is the neuron's row in that layer.
- ``ConnectionRef(layer, source, target)``: the weight ``network.weights[layer][target, source]``
  from unit ``source`` of sizes-layer ``layer`` to unit ``target`` of sizes-layer ``layer + 1``.
- ``FeatureRef(layer, channel, row, col)``: pixel (``row``, ``col``) of feature map ``channel`` of a
  convolutional network's sizes-layer ``layer`` — 0 is the input image, ``i`` ≥ 1 is
  ``network.layers[i - 1]``'s output maps (a convolution's or a pooling's).
- ``KernelWeightRef(layer, filter, channel, row, col)``: the kernel weight
  ``network.weights[layer][filter, channel, row, col]`` of convolution ``network.layers[layer]``
  (``layer`` indexes the weights, as ``ConnectionRef.layer`` does).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab.engine import Network

from .events import Signal


@dataclass(frozen=True)
class NeuronRef:
    layer: int
    unit: int


@dataclass(frozen=True)
class ConnectionRef:
    layer: int
    source: int
    target: int


@dataclass(frozen=True)
class FeatureRef:
    layer: int
    channel: int
    row: int
    col: int


@dataclass(frozen=True)
class KernelWeightRef:
    layer: int
    filter: int
    channel: int
    row: int
    col: int


@dataclass(frozen=True)
class InspectedInput:
    """One model input (already transformed) and where it came from.

    values: (n_features,) float array the network takes; image_shape: (h, w) when the
    input is an image, else None; origin: words for the user ("your drawing",
    "validation sample 12"); label: the true class index when known; target: the true
    outputs (n_outputs,) of a regression sample, when known.
    """

    values: np.ndarray
    image_shape: tuple[int, int] | None
    origin: str
    label: int | None = None
    target: np.ndarray | None = None


class Selection:
    neuron_changed = Signal(object)  # NeuronRef | None
    connection_changed = Signal(object)  # ConnectionRef | None
    input_changed = Signal(object)  # InspectedInput | None
    snapshot_changed = Signal(object)  # Network | None: an independent copy, safe to read
    feature_changed = Signal(object)  # FeatureRef | None
    kernel_weight_changed = Signal(object)  # KernelWeightRef | None

    def __init__(self) -> None:
        self.neuron: NeuronRef | None = None
        self.connection: ConnectionRef | None = None
        self.input: InspectedInput | None = None
        self.snapshot: Network | None = None
        self.feature: FeatureRef | None = None
        self.kernel_weight: KernelWeightRef | None = None

    def select_neuron(self, neuron: NeuronRef | None) -> None:
        if neuron != self.neuron:
            self.neuron = neuron
            self.neuron_changed.emit(neuron)

    def select_connection(self, connection: ConnectionRef | None) -> None:
        if connection != self.connection:
            self.connection = connection
            self.connection_changed.emit(connection)

    def select_feature(self, feature: FeatureRef | None) -> None:
        if feature != self.feature:
            self.feature = feature
            self.feature_changed.emit(feature)

    def select_kernel_weight(self, weight: KernelWeightRef | None) -> None:
        if weight != self.kernel_weight:
            self.kernel_weight = weight
            self.kernel_weight_changed.emit(weight)

    def set_input(self, inspected: InspectedInput | None) -> None:
        self.input = inspected
        self.input_changed.emit(inspected)

    def set_snapshot(self, network: Network | None) -> None:
        """Take a network the caller will not write again (copy it first if it might). The picks go when the
        layout changes: its sizes, or its weights' shapes (conv8x5 → conv8x3 keeps every map's size)."""
        if network is not None and self.snapshot is not None and _layout(network) != _layout(self.snapshot):
            self.select_neuron(None)
            self.select_connection(None)
            self.select_feature(None)
            self.select_kernel_weight(None)
        self.snapshot = network
        self.snapshot_changed.emit(network)

    def set_snapshot_arrays(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        """New values for the current snapshot's architecture, from a worker's copies."""
        if self.snapshot is None:
            return
        twin = self.snapshot.copy()
        for target, source in zip(twin.weights, weights):
            target[...] = source
        for target, source in zip(twin.biases, biases):
            target[...] = source
        self.set_snapshot(twin)


def _layout(network: Network) -> tuple:
    """What the picks index: each layer's size and each weight array's shape."""
    return tuple(network.sizes), tuple(weight.shape for weight in network.weights)
