"""The learner's own samples for the current dataset, as thumbnails with their labels; delete removes them."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListView, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from nnlab.data.user_samples import UserSample

from ..widgets.sample_gallery import feature_text, grey_pixmap

THUMBNAIL_PX = 40


class SampleList(QListWidget):
    """Thumbnails whose Delete key, while the list has focus, removes the selected samples — not the
    drawing, as Delete does elsewhere in the Draw dock."""
    delete_pressed = Signal()

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and event.key() == Qt.Key.Key_Delete:
            event.accept()  # this key is the list's own: the dock's Delete shortcut stays out
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        if event.key() == Qt.Key.Key_Delete:
            self.delete_pressed.emit()
        else:
            super().keyPressEvent(event)


class UserGallery(QWidget):
    delete_requested = Signal(object)  # list[UserSample]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.samples: list[UserSample] = []
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.list = SampleList()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setIconSize(QSize(THUMBNAIL_PX, THUMBNAIL_PX))
        self.list.setResizeMode(QListView.ResizeMode.Adjust)
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.list.setMaximumHeight(2 * THUMBNAIL_PX + 48)  # two rows when there is room, one on a small screen
        self.list.setMinimumHeight(THUMBNAIL_PX + 34)
        self.delete_button = QPushButton("Delete")
        self.delete_button.setToolTip("Remove the selected samples from your training data (Delete)")
        self.delete_button.clicked.connect(self._delete_selected)
        self.list.delete_pressed.connect(self._delete_selected)
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(header)
        layout.addWidget(self.list)
        self.show_samples([], "")

    def show_samples(self, samples: list[UserSample], note: str) -> None:
        self.samples = list(samples)
        self.list.clear()
        for sample in self.samples:
            if len(sample.input_shape) == 2:
                pixmap = grey_pixmap(sample.values, sample.input_shape, max(1, THUMBNAIL_PX // max(sample.input_shape)),
                                     self.devicePixelRatioF())
                item = QListWidgetItem(QIcon(pixmap), sample.label)
            else:
                item = QListWidgetItem(f"{sample.label}\n{feature_text(sample.values)}")
            item.setToolTip(f"class {sample.label} — {sample.path.name}")
            self.list.addItem(item)
        count = len(self.samples)
        self.title.setText(f"Your samples: {count}" + (f" — {note}" if note else "") if count
                           else "Your samples: none yet. Draw, pick a class and add it.")
        self.delete_button.setEnabled(bool(count))

    def _delete_selected(self) -> None:
        chosen = [self.samples[self.list.row(item)] for item in self.list.selectedItems()]
        if chosen:
            self.delete_requested.emit(chosen)
