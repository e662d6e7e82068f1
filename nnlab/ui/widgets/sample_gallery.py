"""Thumbnails of the samples behind one confusion-matrix cell: seeing *which* 4s became 9s."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontDatabase, QIcon, QImage, QPixmap
from PySide6.QtWidgets import QLabel, QListView, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

MAX_SAMPLES = 64
THUMBNAIL_PX = 56
MAX_FEATURES_SHOWN = 8
HINT = "Click a cell of the confusion matrix to see its samples."


def grey_pixmap(row: np.ndarray, shape: tuple[int, int], scale: int, device_ratio: float = 1.0) -> QPixmap:
    """One sample in [0, 1] as a grey picture, enlarged with nearest-neighbour so pixels stay square."""
    height, width = shape
    pixels = (np.clip(np.nan_to_num(row.reshape(height, width)), 0.0, 1.0) * 255 + 0.5).astype(np.uint8)
    pixels = np.ascontiguousarray(pixels)
    image = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()
    size = QSize(round(width * scale * device_ratio), round(height * scale * device_ratio))
    pixmap = QPixmap.fromImage(image.scaled(size, Qt.AspectRatioMode.IgnoreAspectRatio,
                                            Qt.TransformationMode.FastTransformation))
    pixmap.setDevicePixelRatio(device_ratio)
    return pixmap


def feature_text(row: np.ndarray) -> str:
    shown = ", ".join(f"{value:.3g}" for value in row[:MAX_FEATURES_SHOWN])
    return f"[{shown}{', …' if len(row) > MAX_FEATURES_SHOWN else ''}]"


class SampleGallery(QWidget):
    """Up to 64 samples as thumbnails (images) or as feature vectors (anything else)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title_label = QLabel(HINT)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        self.list_widget = QListWidget()
        self.list_widget.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.list_widget.setMovement(QListView.Movement.Static)
        self.list_widget.setResizeMode(QListView.ResizeMode.Adjust)
        self.list_widget.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title_label)
        layout.addWidget(self.list_widget, 1)
        self._indices = np.zeros(0, np.int64)

    @property
    def indices(self) -> np.ndarray:
        """Dataset indices of the samples on show, in display order."""
        return self._indices.copy()

    @property
    def title(self) -> str:
        return self.title_label.text()

    def captions(self) -> list[str]:
        return [self.list_widget.item(i).text() for i in range(self.list_widget.count())]

    def clear(self) -> None:
        self.title_label.setText(HINT)
        self.list_widget.clear()
        self._indices = np.zeros(0, np.int64)

    def show_message(self, title: str, message: str) -> None:
        self.clear()
        self.title_label.setText(f"{title}\n{message}" if message else title)

    def show_samples(self, title: str, rows: np.ndarray, indices: np.ndarray,
                     input_shape: tuple[int, ...], probabilities: np.ndarray | None = None) -> None:
        """Show ``rows`` (one sample each, at most 64 used) labelled with their dataset ``indices``."""
        rows = np.asarray(rows)[:MAX_SAMPLES]
        indices = np.asarray(indices, np.int64)[:MAX_SAMPLES]
        if len(rows) != len(indices):
            raise ValueError(f"{len(rows)} samples but {len(indices)} indices")
        self.list_widget.clear()
        self.title_label.setText(title)
        self._indices = indices.copy()
        is_image = len(input_shape) == 2
        self.list_widget.setUpdatesEnabled(False)
        try:
            if is_image:
                self._fill_images(rows, indices, tuple(input_shape), probabilities)
            else:
                self._fill_vectors(rows, indices, probabilities)
        finally:
            self.list_widget.setUpdatesEnabled(True)

    def _fill_images(self, rows: np.ndarray, indices: np.ndarray, shape: tuple[int, int],
                     probabilities: np.ndarray | None) -> None:
        scale = max(1, round(THUMBNAIL_PX / max(shape)))
        icon_size = QSize(shape[1] * scale, shape[0] * scale)
        view = self.list_widget
        view.setViewMode(QListView.ViewMode.IconMode)
        view.setFlow(QListView.Flow.LeftToRight)
        view.setWrapping(True)
        view.setIconSize(icon_size)
        caption_height = 2 * view.fontMetrics().height()
        view.setGridSize(QSize(max(icon_size.width(), view.fontMetrics().horizontalAdvance("#00000")) + 12,
                               icon_size.height() + caption_height + 10))
        view.setFont(self.font())
        ratio = self.devicePixelRatioF()
        for position, (row, index) in enumerate(zip(rows, indices)):
            caption = f"#{index}"
            if probabilities is not None:
                caption += f"\n{100 * float(probabilities[position]):.0f} %"
            item = QListWidgetItem(QIcon(grey_pixmap(row, shape, scale, ratio)), caption, view)
            item.setToolTip(self._item_tooltip(index, probabilities, position))

    def _fill_vectors(self, rows: np.ndarray, indices: np.ndarray, probabilities: np.ndarray | None) -> None:
        view = self.list_widget
        view.setViewMode(QListView.ViewMode.ListMode)
        view.setFlow(QListView.Flow.TopToBottom)
        view.setWrapping(False)
        view.setGridSize(QSize())
        view.setIconSize(QSize())
        view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        for position, (row, index) in enumerate(zip(rows, indices)):
            text = f"#{index:<6} {feature_text(np.asarray(row))}"
            if probabilities is not None:
                text += f"  p = {float(probabilities[position]):.2f}"
            item = QListWidgetItem(text, view)
            item.setToolTip(self._item_tooltip(index, probabilities, position))

    @staticmethod
    def _item_tooltip(index: int, probabilities: np.ndarray | None, position: int) -> str:
        if probabilities is None:
            return f"sample #{index}"
        return f"sample #{index}: predicted with probability {float(probabilities[position]):.3f}"
