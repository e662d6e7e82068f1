"""The Neuron tab: one neuron's weights, its sum written out, its activation, and its favourite samples."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from nnlab.engine.explain import ACTIVATION_NAMES, neuron_lines
from nnlab.engine.network import ForwardTrace, Network

from .activation_plot import ActivationPlot
from .numbers_label import NumbersLabel
from .top_samples_view import TopSamplesView
from .weights_view import WeightsView


def describe_neuron(network: Network, layer: int, unit: int, classes: list[str] | None) -> str:
    if layer == 0:
        return f"Input {unit + 1} of {network.input_size}"
    spec = network.layers[layer - 1]
    kind = ACTIVATION_NAMES.get(spec.activation, spec.activation)
    if layer == len(network.layers):
        name = f" — “{classes[unit]}”" if classes and len(classes) == network.n_outputs else ""
        return f"Output layer ({kind}), neuron {unit + 1} of {spec.units}{name}"
    return f"Hidden layer {layer} ({kind}), neuron {unit + 1} of {spec.units}"


class NeuronView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold")
        self.header.setWordWrap(True)
        self.dead = QLabel()
        self.dead.setStyleSheet("color: #b02020; font-weight: bold")
        self.dead.setWordWrap(True)
        self.formula = NumbersLabel()
        self.weights = WeightsView()
        self.weights.setFixedWidth(230)
        self.plot = ActivationPlot()
        self.plot.setFixedSize(190, 150)
        self.top = TopSamplesView()
        text = QVBoxLayout()
        text.addWidget(self.header)
        text.addWidget(self.dead)
        text.addWidget(self.formula, 1)
        row = QHBoxLayout(self)
        row.addWidget(self.weights)
        row.addLayout(text, 1)
        side = QVBoxLayout()
        side.addWidget(self.plot)
        side.addStretch(1)
        row.addLayout(side)
        row.addWidget(self.top)

    def show_neuron(self, network: Network, trace: ForwardTrace, layer: int, unit: int,
                    classes: list[str] | None, image_shape: tuple[int, int] | None) -> None:
        self.header.setText(describe_neuron(network, layer, unit, classes))
        self.formula.set_lines(neuron_lines(network, trace, layer, unit, classes),
                               neuron_lines(network, trace, layer, unit, classes, digits=None))
        if layer == 0:
            self.weights.hide()
            self.plot.hide()
            return
        self.weights.show()
        self.plot.show()
        self.weights.show_weights(network.weights[layer - 1][unit], float(network.biases[layer - 1][unit]),
                                  image_shape if layer == 1 else None)
        name = network.layers[layer - 1].activation
        z = float(trace.pre_activations[layer - 1][0, unit])
        a = float(trace.activations[layer][0, unit])
        if name == "softmax":  # p = σ(z − log Σ_{j≠k} e^{z_j}): the other logits held fixed
            others = np.delete(trace.pre_activations[layer - 1][0].astype(np.float64), unit)
            shift = float(np.log(np.exp(others - others.max()).sum()) + others.max()) if others.size else -math.inf
            self.plot.show_point(name, z - shift if math.isfinite(shift) else z, a)
        else:
            self.plot.show_point(name, z, a)

    def show_dead(self, dead: bool | None, pool: str = "validation samples") -> None:
        self.dead.setText(f"Dead ReLU: zero for every one of the {pool}" if dead else "")
