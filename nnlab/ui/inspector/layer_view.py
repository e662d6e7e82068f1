"""The Layer tab: every activation of one layer for the current input, as a heat-map; click a cell to inspect it."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnlab.engine.numbers import format_full, format_number

from .grid_image import GridImage


class LayerView(QWidget):
    unit_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = QLabel()
        self.grid = GridImage(diverging=False)
        self.hover = QLabel(" ")
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.hover)
        self._values = np.zeros(0)
        self.grid.hovered.connect(self._show_hovered)
        self.grid.clicked.connect(self.unit_clicked)

    def show_layer(self, name: str, values: np.ndarray, selected: int | None,
                   shape: tuple[int, int] | None = None) -> None:
        """values: (units,) activations of one layer for one input."""
        self._values = np.asarray(values, dtype=np.float64)
        self.grid.show_values(self._values, shape)
        self.grid.mark(selected)
        active = int(np.count_nonzero(self._values > 0))
        self.caption.setText(f"{name}: {len(self._values)} activations, {active} above zero, "
                             f"from {format_number(self._values.min())} to {format_number(self._values.max())}"
                             " — click one to inspect it")

    def _show_hovered(self, index: int) -> None:
        if 0 <= index < len(self._values):
            self.hover.setText(f"neuron {index + 1}: a = {format_full(self._values[index])}")
        else:
            self.hover.setText(" ")
