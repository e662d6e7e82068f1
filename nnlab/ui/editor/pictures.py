"""The editor's picture of the open network: dense units and connections, or a CNN's feature-map tiles.

It follows the session (which network is open) and the selection (the inspected input, the
snapshot, the selected neuron or feature-map pixel) and shades the picture from the snapshot's
forward pass — never from the live network being trained. The legend under it says what the
shading means.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from ..colours import is_dark, quiet_text
from .canvas import NetworkCanvas
from .conv_canvas import ConvCanvas
from .conv_layout import conv_columns
from .feature_field import feature_marks
from .layout_model import columns_for


class NetworkPictures(QStackedWidget):
    """A dense network's ``canvas`` or a convolutional one's ``conv_canvas``, with its ``legend``."""

    def __init__(self, session, selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.selection = session, selection
        self.canvas = NetworkCanvas()
        self.conv_canvas = ConvCanvas()  # a network with convolutions: its feature maps as tiles
        self.addWidget(self.canvas)
        self.addWidget(self.conv_canvas)
        self.legend = QLabel(wordWrap=True)  # the editor places it under the picture
        self.legend.setStyleSheet("padding: 2px 8px;")  # its colour is in its text: quiet_text, light or dark
        session.network_changed.connect(self._on_network_changed)
        # Bound methods, not lambdas, for other objects' signals: Qt drops them with the picture.
        selection.feature_changed.connect(self._on_feature_changed)
        selection.snapshot_changed.connect(self._on_snapshot)
        selection.input_changed.connect(self._on_input_changed)
        selection.neuron_changed.connect(self._on_neuron_changed)
        self._show_legend(None)

    def set_current_layer(self, column: int | None) -> None:
        self.canvas.set_current_layer(column)
        self.conv_canvas.set_current_layer(column)

    def _on_network_changed(self, network) -> None:
        dataset = self.session.dataset
        shape = tuple(dataset.input_shape) if dataset is not None and len(dataset.input_shape) == 2 else None
        classes = list(dataset.classes) if dataset is not None else None
        if network.is_dense:
            self.canvas.set_columns(columns_for(network.sizes, network.layers, classes, shape), network.sizes)
            self.setCurrentWidget(self.canvas)
            inspected = self.selection.input
            self._show_legend(inspected.origin if inspected is not None else None)
        else:
            self.conv_canvas.set_columns(conv_columns(network, classes))
            self.setCurrentWidget(self.conv_canvas)
            self._update_activations()

    def _on_input_changed(self, _inspected) -> None:
        self._update_activations()

    def _on_neuron_changed(self, ref) -> None:
        self.canvas.set_selected_neuron(None if ref is None else (ref.layer, ref.unit))
        self.conv_canvas.set_selected_neuron(None if ref is None else (ref.layer, ref.unit))

    def _on_feature_changed(self, _ref=None) -> None:
        ref, network, inspected = self.selection.feature, self.selection.snapshot, self.selection.input
        if ref is None or network is None or network.is_dense:
            self.conv_canvas.set_selected_feature(None)
            return
        sample = None if inspected is None or np.size(inspected.values) != network.input_size else inspected.values
        self.conv_canvas.set_selected_feature((ref.layer, ref.channel, ref.row, ref.col),
                                              *feature_marks(network, ref, sample))

    def _on_snapshot(self, network) -> None:
        if network is not None and not network.is_dense:
            self._update_activations()
        elif network is not None and self.canvas.set_snapshot(network):
            self._update_activations()

    def _show_legend(self, origin: str | None) -> None:
        palette = self.canvas.palette()
        network = self.session.network
        if network is not None and not network.is_dense:
            high = "light" if is_dark(palette) else "dark"
            shading = f"maps for {origin}: {high} = high, purple = negative" if origin else \
                "select a sample or draw to see the feature maps"
            self.legend.setText(f"<span style='color:{quiet_text(palette).name()}'>{shading} &nbsp;·&nbsp; one "
                                "tile per feature map; pooling's are smaller &nbsp;·&nbsp; click a map's pixel to "
                                "take it apart in the inspector</span>")
            return
        positive, negative = (colour.name() for colour in self.canvas.sign_colours())
        high = "light" if is_dark(palette) else "dark"  # neurons are shaded from the background to the text colour
        shading = f"neurons: {high} = high, purple = negative activation for {origin}" if origin else \
            "select a sample or draw to shade neurons by activation"
        self.legend.setText(f"<span style='color:{quiet_text(palette).name()}'>"
                            f"<span style='color:{positive}'>━</span> positive weight &nbsp; "
                            f"<span style='color:{negative}'>━</span> negative &nbsp;·&nbsp; thicker = larger |w| "
                            f"(strongest {self.canvas.max_connections} drawn; hover one for its value) "
                            f"&nbsp;·&nbsp; {shading}</span>")

    def _update_activations(self) -> None:
        network, inspected = self.selection.snapshot, self.selection.input
        self._show_legend(inspected.origin if inspected is not None else None)
        if network is not None and not network.is_dense:
            self._update_maps(network, inspected)
            return
        if network is None or inspected is None or np.size(inspected.values) != network.input_size \
                or network.sizes != self.canvas.sizes:
            self.canvas.set_activations(None)
            return
        trace = network.forward_trace(np.asarray(inspected.values).reshape(1, -1))
        self.canvas.set_activations([a[0] for a in trace.activations])

    def _update_maps(self, network, inspected) -> None:
        """A CNN's tiles from the snapshot's forward pass on the inspected input (never the live network)."""
        session = self.session.network
        fits = session is not None and not session.is_dense and session.sizes == network.sizes
        if not fits or inspected is None or np.size(inspected.values) != network.input_size:
            self.conv_canvas.set_activations(None)
        else:
            trace = network.forward_trace(np.asarray(inspected.values).reshape(1, -1))
            self.conv_canvas.set_activations([a[0] for a in trace.activations])
        self._on_feature_changed()
