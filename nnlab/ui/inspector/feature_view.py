"""The Feature map tab: one map pixel of a convolutional network, taken apart with its real numbers.

Left to right: the layer's input with the pixel's receptive field outlined (the K × K window a
convolution reads; a pooling's window, its winner marked), the feature map with the pixel marked, and
the kernel with its numbers. Underneath, z = Σ w·x + b term by term (every term for one input
channel; one sum per channel beyond that) and a = activation(z) — from ``engine.conv_explain``, on
the selection's snapshot, never the live network.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from nnlab.engine.conv_explain import ConvPixel, explain_pixel, pool_lines, sum_lines
from nnlab.engine.layers import CONV2D, layer_word
from nnlab.lab.selection import FeatureRef, KernelWeightRef

from .grid_image import GridImage
from .numbers_label import NumbersLabel

FIELD_COLOUR = "#e67e22"
WINNER_COLOUR = "#27ae60"
IMAGE_HEIGHT = 140  # the three pictures and an eight-line sum fit the inspector's ~340 px at 1280×720
KERNEL_HEIGHT = 185  # a 5×5 kernel's 25 two-digit numbers need ~37 px cells


def _outline(item: pg.PlotDataItem, top: float, left: float, size: float) -> None:
    item.setData([left, left + size, left + size, left, left], [top, top, top + size, top + size, top])


class FeatureView(QWidget):
    def __init__(self, selection, parent: QWidget | None = None) -> None:
        """``selection``: where a click on the map's pixels selects that pixel (the view reads it too)."""
        super().__init__(parent)
        self.selection = selection
        self.header = QLabel()
        self.header.setStyleSheet("font-weight: bold")
        self.header.setWordWrap(True)
        self.input_caption, self.map_caption, self.kernel_caption = QLabel(), QLabel(), QLabel()
        self.input_image = GridImage(diverging=False)
        self.map_image = GridImage(diverging=True)
        self.kernel_image = GridImage(diverging=True)
        self.field = pg.PlotDataItem(pen=pg.mkPen(FIELD_COLOUR, width=2.5))
        self.winner = pg.PlotDataItem(pen=pg.mkPen(WINNER_COLOUR, width=2.5))
        self.input_image.addItem(self.field)
        self.input_image.addItem(self.winner)
        self.formula = NumbersLabel()
        pictures = QGridLayout()
        pictures.setVerticalSpacing(2)
        for column, (caption, image) in enumerate(((self.input_caption, self.input_image),
                                                   (self.map_caption, self.map_image),
                                                   (self.kernel_caption, self.kernel_image))):
            pictures.addWidget(caption, 0, column)
            pictures.addWidget(image, 1, column)
            pictures.setColumnStretch(column, 1)
        for image in (self.input_image, self.map_image):
            image.setMaximumHeight(IMAGE_HEIGHT)
        self.kernel_image.setMaximumHeight(KERNEL_HEIGHT)
        self.kernel_image.decimals = 2  # "−0.26", "0.09": each fits a 5×5 kernel's cell; the sum has more
        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addLayout(pictures)
        layout.addWidget(self.formula, 1)
        self.shown = None  # the ConvPixel / PoolPixel on show (tests read it)
        self._map_width = 0
        self._kernel_of: tuple[int, int, int, int] | None = None  # (layer, filter, input map, K) of the kernel drawn
        self.map_image.clicked.connect(self._on_map_click)
        self.kernel_image.clicked.connect(self._on_kernel_click)

    def _on_map_click(self, index: int) -> None:
        """Another pixel of the shown map: it becomes the selection's, and every view follows."""
        ref = self.selection.feature
        if ref is not None and self._map_width:
            row, col = divmod(index, self._map_width)
            self.selection.select_feature(FeatureRef(ref.layer, ref.channel, row, col))

    def _on_kernel_click(self, index: int) -> None:
        """A cell of the kernel: that weight becomes the selection's, and the Backprop tab follows its gradient."""
        if self._kernel_of is not None:
            layer, filter, channel, size = self._kernel_of
            self.selection.select_kernel_weight(KernelWeightRef(layer, filter, channel, *divmod(index, size)))

    def show_message(self, text: str) -> None:
        self.header.setText(text)
        self.shown = None
        self._kernel_of = None
        self.formula.set_lines([])
        for caption in (self.input_caption, self.map_caption, self.kernel_caption):
            caption.setText("")

    def show_feature(self, network, sample: np.ndarray, column: int, channel: int, row: int, col: int) -> None:
        """Map pixel (row, col) of map ``channel`` of sizes-column ``column`` (≥ 1) for ``sample`` (one row)."""
        layer = column - 1
        pixel = explain_pixel(network, sample, layer, channel, row, col)
        self.shown = pixel
        spec = network.layers[layer]
        maps = network.shapes[layer].output_shape
        maps_a = None
        for index, z, a in network.forward_layers(np.asarray(sample, network.dtype).reshape(-1), keep=(layer,)):
            if index == layer:
                maps_a = np.array(a)
                break
        self.header.setText(f"Layer {column} ({layer_word(spec)}"
                            + (f", {spec.activation}" if spec.kind == CONV2D else "")
                            + f") — map {channel + 1} of {maps[0]}, pixel (row {row}, column {col})")
        self.map_image.show_values(maps_a[channel], maps_a[channel].shape)
        self._map_width = maps[2]
        self.map_image.mark(row * maps[2] + col)
        self.map_caption.setText(f"map {channel + 1} (a), the pixel marked — click another")
        top, left, size = pixel.window
        if isinstance(pixel, ConvPixel):
            terms = pixel.terms
            # the input channel that adds the most to z is the one drawn (all of them for one channel)
            shown = int(np.argmax(np.abs(terms.channel_sums)))
            source = pixel.input_maps[shown]
            where = "the input" if column == 1 else f"layer {column - 1}'s map {shown + 1}"
            self.input_caption.setText(f"{where}, the {size}×{size} receptive field outlined"
                                       + ("" if len(terms.channel_sums) == 1 else
                                          f" (it adds most of the {len(terms.channel_sums)} maps)"))
            self.kernel_image.show_values(terms.weights[shown], terms.weights[shown].shape)
            size = terms.weights.shape[-1]
            self._kernel_of = (layer, channel, shown, size)
            picked = self.selection.kernel_weight
            self.kernel_image.mark(picked.row * size + picked.col if picked is not None
                                   and (picked.layer, picked.filter, picked.channel) == self._kernel_of[:3] else None)
            self.kernel_caption.setText(f"kernel of filter {channel + 1}"
                                        + ("" if len(terms.channel_sums) == 1 else f", input map {shown + 1}")
                                        + ", click a weight")
            self.kernel_caption.setToolTip("Click a weight of the kernel: the Backprop tab shows its gradient, "
                                           "∂L/∂w summed over the map's positions")
            self.winner.setData([], [])
            self.formula.set_lines(sum_lines(pixel), sum_lines(pixel, digits=None))
        else:
            source = pixel.input_maps[channel]
            self.input_caption.setText(f"layer {column - 1}'s map {channel + 1}: the {size}×{size} window is "
                                       "outlined" + (", the winner in green" if pixel.winner else ""))
            self.kernel_image.show_values(pixel.inputs, pixel.inputs.shape)
            self.kernel_image.mark(None)
            self._kernel_of = None
            self.kernel_caption.setText("the window's values (pooling has no weights)")
            self.kernel_caption.setToolTip("")
            if pixel.winner is not None:
                _outline(self.winner, top + pixel.winner[0], left + pixel.winner[1], 1)
            else:
                self.winner.setData([], [])
            self.formula.set_lines(pool_lines(pixel), pool_lines(pixel, digits=None))
        self.input_image.show_values(source, source.shape)
        self.input_image.mark(None)
        _outline(self.field, top, left, size)
