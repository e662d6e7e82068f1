"""The Layer tab: every activation of one layer for the current input, as a heat-map; click a cell to inspect it.

A convolution's or pooling's layer is its feature maps, side by side on one colour scale (``map_mosaic``):
hover a pixel for its value, click one to take it apart on the Feature map tab.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from nnlab.engine.layers import CONV2D, POOL_KINDS, layer_word
from nnlab.engine.numbers import format_full, format_number

from ..colours import plot_colours
from .grid_image import GridImage
from .map_mosaic import Mosaic, maps_per_row, mosaic, tile_outlines

MAP_KINDS = (CONV2D, *POOL_KINDS)


class LayerView(QWidget):
    unit_clicked = Signal(int)
    map_pixel_clicked = Signal(int, int, int, int)  # sizes-column, channel, row, col

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel()  # no word wrap: a wrapping label makes the page as tall as its plots' size hint
        self.grid = GridImage(diverging=False)
        self.maps = GridImage(diverging=True)  # signed like the Feature map tab's map: 0 is the background
        self.outlines = pg.PlotDataItem(connect="finite")
        self.maps.addItem(self.outlines)
        self.pictures = QStackedWidget()
        self.pictures.addWidget(self.grid)
        self.pictures.addWidget(self.maps)
        self.pictures.installEventFilter(self)
        self.hover = QLabel(" ")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.pictures, 1)
        layout.addWidget(self.hover)
        self._values = np.zeros(0)
        self.mosaic: Mosaic | None = None  # the maps on show (tests read it)
        self._maps_shown: tuple[np.ndarray, tuple[int, int, int] | None] | None = None  # (C, H, W), marked pixel
        self._column = 0
        self.grid.hovered.connect(self._show_hovered)
        self.grid.clicked.connect(self.unit_clicked)
        self.maps.hovered.connect(self._show_hovered_map)
        self.maps.clicked.connect(self._on_map_click)

    def show_layer(self, name: str, values: np.ndarray, selected: int | None,
                   shape: tuple[int, int] | None = None) -> None:
        """values: (units,) activations of one layer for one input."""
        self.pictures.setCurrentWidget(self.grid)
        self.mosaic = None
        self._values = np.asarray(values, dtype=np.float64)
        self.grid.show_values(self._values, shape)
        self.grid.mark(selected)
        active = int(np.count_nonzero(self._values > 0))
        self.caption.setText(f"{name}: {len(self._values)} activations, {active} above zero, "
                             f"from {format_number(self._values.min())} to {format_number(self._values.max())}"
                             " — click one to inspect it")

    def show_feature_maps(self, network, sample: np.ndarray, column: int, feature=None, origin: str = "") -> None:
        """Sizes-column ``column``'s maps (a convolution or pooling of ``network``, a snapshot) for ``sample`` (one
        row); ``feature``: the selection's map pixel, marked when it is in this layer."""
        layer = column - 1
        spec = network.layers[layer]
        maps = None
        for index, _z, a in network.forward_layers(np.asarray(sample, network.dtype).reshape(-1), keep=(layer,)):
            if index == layer:
                maps = np.array(a, dtype=np.float64)
                break
        self._column, self._values = column, maps.reshape(-1)
        marked = feature is not None and feature.layer == column and feature.channel < maps.shape[0]
        self._maps_shown = (maps, (feature.channel, feature.row, feature.col) if marked else None)
        self.pictures.setCurrentWidget(self.maps)
        self._lay_out_maps()
        count, h, w = maps.shape
        what = f"{layer_word(spec)}, {spec.activation}" if spec.kind == CONV2D else layer_word(spec)
        active = int(np.count_nonzero(maps > 0))
        self.caption.setText(f"Layer {column} ({what}): {count} feature map{'s' * (count != 1)} of {h}×{w}"
                             + (f" for {origin}" if origin else "") + f"\n{active:,} of {maps.size:,} values above "
                             f"zero, from {format_number(maps.min())} to {format_number(maps.max())} — click a pixel "
                             "to take it apart")

    def _lay_out_maps(self) -> None:
        """The maps as many to a row as draws them largest in the picture's present size."""
        maps, marked = self._maps_shown
        self.mosaic = mosaic(maps, (self.pictures.width(), self.pictures.height()))
        self.maps.show_values(self.mosaic.image.reshape(-1), self.mosaic.image.shape)
        self.outlines.setData(*tile_outlines(self.mosaic), pen=pg.mkPen(plot_colours(self.palette())[1], width=1))
        self.maps.mark(self.mosaic.index_of(*marked) if marked else None)

    def eventFilter(self, watched, event) -> bool:
        """The picture resized: the maps may want other rows (the tab is often laid out after it was filled)."""
        if watched is self.pictures and event.type() == QEvent.Type.Resize and self.mosaic is not None \
                and self.pictures.currentWidget() is self.maps:
            maps = self._maps_shown[0]
            if maps_per_row(len(maps), maps.shape[1:], (self.pictures.width(), self.pictures.height())) \
                    != self.mosaic.tiles[1]:
                self._lay_out_maps()
        return super().eventFilter(watched, event)

    def _show_hovered(self, index: int) -> None:
        if 0 <= index < len(self._values):
            self.hover.setText(f"neuron {index + 1}: a = {format_full(self._values[index])}")
        else:
            self.hover.setText(" ")

    def _show_hovered_map(self, index: int) -> None:
        where = self.mosaic.at(index) if self.mosaic is not None else None
        if where is None:
            self.hover.setText(" ")
            return
        channel, row, col = where
        value = self.mosaic.image.flat[index]
        self.hover.setText(f"map {channel + 1}, pixel (row {row}, column {col}): a = {format_full(value)}")

    def _on_map_click(self, index: int) -> None:
        where = self.mosaic.at(index) if self.mosaic is not None else None
        if where is not None:
            self.map_pixel_clicked.emit(self._column, *where)
