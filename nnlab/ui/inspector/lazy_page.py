"""A tab page whose content is built the first time it is needed.

The Neuron and Layer tabs hold several pyqtgraph plots (~50–80 ms to build); building
them on first use keeps them out of the window's start-up time. The content scrolls when the
dock is smaller than it (a 1280×720 laptop, a 1024×768 projector) instead of holding the window big.
"""
from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QScrollArea, QVBoxLayout, QWidget


class LazyPage(QWidget):
    def __init__(self, factory: Callable[[], QWidget], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._factory = factory
        self._content: QWidget | None = None
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)

    def content(self) -> QWidget:
        if self._content is None:
            self._content = self._factory()
            self._scroll.setWidget(self._content)
        return self._content

