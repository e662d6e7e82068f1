"""The Draw dock: paper (or a scatter plot), what the network sees, what it thinks, and the learner's samples.

It reads the dataset from the session and the weights from the selection's snapshot (never the
network a training worker is writing), and publishes the drawing as the inspected input.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QMimeData, QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QImage, QKeySequence
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QFileDialog, QHBoxLayout, QLabel, QPushButton, QSlider,
                               QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError
from nnlab.data.image_io import decode_grey_image, read_grey_image
from nnlab.data.user_samples import UserSampleStore
from nnlab.engine.outputs import class_probabilities
from nnlab.lab.selection import InspectedInput, Selection

from .ink import MAX_RADIUS, MIN_RADIUS
from .curve_view import CurveView
from .modes import CanvasMode, mode_for
from .input_preview import InputPreview
from .paint_surface import PaintSurface
from .probability_bars import ProbabilityBars
from .scatter_view import ScatterView
from .user_gallery import UserGallery

PREDICT_INTERVAL_MS = 30  # at most ~33 predictions a second while a stroke grows
REGIONS_INTERVAL_MS = 250
ORIGIN = "your drawing"
BLANK_ORIGIN = "the blank paper"  # the inspector's input once the drawing it showed is cleared
NOTHING_ON_PAPER = "Draw something."
NOTHING_IN_PICTURE = "No drawing found in this picture."
UNDER_MIN_PAPER_PX = 240
IMAGE_FILTER = "Pictures (*.png *.jpg *.jpeg *.bmp *.gif *.webp);;All files (*)"


class CanvasPanel(QWidget):
    prediction_changed = Signal(object)  # np.ndarray (n_classes,) of probabilities, or None
    samples_changed = Signal()

    def __init__(self, selection: Selection, store: UserSampleStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("canvas_panel")
        self.selection = selection
        self.store = store
        self.dataset: Dataset | None = None
        self.mode: CanvasMode = mode_for(None)
        self.row: np.ndarray | None = None
        self._probabilities: np.ndarray | None = None
        self._last_predict = 0.0
        self._row_version = -1
        self._transformed = None  # (mode, sheet version, row): the last drawing transformed, reused for new weights
        self.surface = PaintSurface()
        self.scatter = ScatterView()
        self.curve = CurveView()
        self.preview = InputPreview()
        self.bars = ProbabilityBars()
        self.gallery = UserGallery()
        self._predict_timer = QTimer(self, singleShot=True)
        self._predict_timer.timeout.connect(self.predict_now)
        self._regions_timer = QTimer(self, singleShot=True, interval=REGIONS_INTERVAL_MS)
        self._regions_timer.timeout.connect(self._paint_regions)
        self._build()
        self.key_actions = self._key_actions()
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # a click anywhere in the dock makes its keys work
        self.surface.changed.connect(self._schedule_prediction)
        self.surface.image_dropped.connect(self.load_mime)
        self.surface.key_command.connect(self._on_key_command)
        self.surface.brush_changed.connect(self._on_brush_changed)
        self.scatter.point_clicked.connect(self._add_point)
        self.gallery.delete_requested.connect(self._delete_samples)
        selection.snapshot_changed.connect(self._on_snapshot_changed)
        self.set_dataset(None)

    def _build(self) -> None:
        self.mode_label = QLabel()
        self.mode_label.setWordWrap(True)
        brush_tip = "Brush size: drag, or press [ and ] anywhere in the Draw dock"
        self.brush_label = QLabel(self._brush_text(), toolTip=brush_tip)
        self.brush_slider = QSlider(Qt.Orientation.Horizontal, toolTip=brush_tip)
        self.brush_slider.setRange(round(2 * MIN_RADIUS), round(2 * MAX_RADIUS))  # the diameter, as the label says
        self.brush_slider.setValue(round(2 * self.surface.radius))
        self.brush_slider.valueChanged.connect(lambda diameter: self.surface.set_radius(diameter / 2))
        self.erase_button = QToolButton(text="Erase", checkable=True, toolTip="Erase instead of drawing "
                                        "(the right mouse button always erases)")
        self.erase_button.toggled.connect(self.surface.set_erasing)
        self.pen = QHBoxLayout()  # over the paper, where the side column leaves room: the dock grows no taller
        self.pen.addWidget(self.brush_label)
        self.pen.addWidget(self.brush_slider, 1)
        self.pen.addWidget(self.erase_button)
        tools = QHBoxLayout()
        self.drawing_tools = [self.brush_label, self.brush_slider, self.erase_button]
        for text, tip, slot in (("Undo", "Undo the last stroke (Ctrl+Z)", self.undo),
                                ("Clear", "Start a new drawing (Delete)", self.clear),
                                ("Open…", "Load a PNG or JPG picture", self.open_image),
                                ("Paste", "Take the picture on the clipboard (Ctrl+V)", self.paste)):
            button = QToolButton(text=text, toolTip=tip)
            button.clicked.connect(lambda _=False, run=slot: run())
            tools.addWidget(button)
            self.drawing_tools.append(button)
        tools.addStretch(1)
        self.nothing_label = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, wordWrap=True)
        self.stack = QStackedWidget()
        for widget in (self.surface, self.scatter, self.curve, self.nothing_label):
            self.stack.addWidget(widget)
        seen = QVBoxLayout()
        seen.setSpacing(3)
        self.preview_title = QLabel("The network sees:")
        seen.addWidget(self.preview_title)
        seen.addWidget(self.preview)
        self.side = QBoxLayout(QBoxLayout.Direction.TopToBottom)
        self.side.setSpacing(3)
        self.side.addLayout(seen)
        self.side.setAlignment(seen, Qt.AlignmentFlag.AlignTop)
        self.side.addWidget(self.bars)
        self.side.addStretch(1)
        paper = QVBoxLayout()
        paper.setSpacing(3)
        paper.addLayout(self.pen)
        paper.addWidget(self.stack, 1)
        self.middle = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self.middle.addLayout(paper, 1)
        self.middle.addLayout(self.side)
        self.label_picker = QComboBox(toolTip="The class your sample shows (keys 0–9 pick a digit on the canvas)")
        # Its names change with the dataset ("3", then "not a face"); by default it keeps its first width.
        self.label_picker.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.add_button = QPushButton("Add to training set")
        self.add_button.clicked.connect(lambda: self.add_sample())
        adding = QHBoxLayout()
        as_class = QLabel("As class:")
        self.class_tools = [as_class, self.label_picker, self.add_button]  # a set of numbers has no class to add
        adding.addWidget(as_class)
        adding.addWidget(self.label_picker)
        adding.addWidget(self.add_button)
        adding.addStretch(1)
        self.message_label = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)  # with the rest, the panel fits a 720-pixel-high screen unscrolled
        layout.addWidget(self.mode_label)
        layout.addLayout(tools)
        layout.addLayout(self.middle, 1)
        layout.addLayout(adding)
        layout.addWidget(self.message_label)
        layout.addWidget(self.gallery)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._arrange_middle()

    def _arrange_middle(self) -> None:
        """What the network sees goes beside the paper in a wide dock and under it in a tall one
        (the Draw dock runs the window's height): whichever draws the paper bigger."""
        rect, spacing = self.middle.geometry(), self.middle.spacing()
        side_width = max(self.preview.sizeHint().width(), self.bars.sizeHint().width())
        side_height = max(self.preview_title.sizeHint().height() + 3 + self.preview.sizeHint().height(),
                          self.bars.sizeHint().height())
        pen_height = self.erase_button.sizeHint().height() + 3  # the brush row over the paper
        paper_beside = min(rect.width() - side_width - spacing, rect.height() - pen_height)
        paper_under = min(rect.width(), rect.height() - pen_height - side_height - spacing)
        # 10 % either way against flicker; and never under on a short screen, where the taller
        # arrangement would only make the dock scroll
        if self.mode.kind != "draw":
            under = False
        elif self.middle.direction() == QBoxLayout.Direction.TopToBottom:
            under = 1.1 * paper_under >= paper_beside and paper_under >= UNDER_MIN_PAPER_PX - 20
        else:
            under = paper_under > 1.1 * paper_beside and paper_under >= UNDER_MIN_PAPER_PX
        down, across = QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.LeftToRight
        self.middle.setDirection(down if under else across)
        self.side.setDirection(across if under else down)

    def _brush_text(self) -> str:
        return f"Brush {2 * self.surface.radius:.0f} px"  # the [ ] keys: in the tooltip, for a narrow dock

    def _on_brush_changed(self, radius: float) -> None:
        self.brush_label.setText(self._brush_text())
        with QSignalBlocker(self.brush_slider):
            self.brush_slider.setValue(round(2 * radius))

    def _key_actions(self) -> list[QAction]:
        """[ ] and Delete wherever the focus is in the Draw dock (the paper, a button, the class list);
        a text field keeps them, as Qt gives a focused line edit its typing keys first."""
        actions = []
        for text, keys, slot in (("Smaller brush", ["["], self.surface.smaller_brush),
                                 ("Larger brush", ["]"], self.surface.bigger_brush),
                                 ("Clear the drawing", ["Delete", "Backspace"], self.clear)):
            action = QAction(text, self)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            actions.append(action)
        return actions

    # -- the interface other parts of the app use -------------------------------------------------------
    def draw_stroke(self, points, erase: bool = False) -> None:
        """One stroke through ``points`` (x, y) in 0…1 of the paper, with the current brush."""
        size = self.surface.sheet.size
        self.surface.sheet.draw_stroke([(x * size, y * size) for x, y in points], self.surface.radius, erase)
        self.surface.refresh()

    def clear(self) -> None:
        self.surface.clear()

    def undo(self) -> None:
        self.surface.undo()

    def probabilities(self) -> np.ndarray | None:
        return None if self._probabilities is None else self._probabilities.copy()

    def predict_now(self) -> np.ndarray | None:
        """Transform the drawing and run the snapshot on it now (the throttle would do it a little later)."""
        self._predict_timer.stop()
        self._last_predict = time.monotonic()
        if self.mode.kind != "draw":
            return self._publish(None, "")
        sheet = self.surface.sheet
        if sheet.is_blank:
            self.row = None
            self.preview.set_input(None, None)
            self._share_input(None, sheet.version)
            return self._publish(None, NOTHING_ON_PAPER)
        if self._transformed is not None and self._transformed[0] is self.mode and self._transformed[1] == sheet.version:
            self.row = self._transformed[2]  # new weights only (training, a scrub): the drawing's row is the same
        else:
            try:
                self.row = self.mode.model_input(sheet.model_image(), on_paper=sheet.picture is None)
            except ValueError as error:
                self.row = None
                return self._publish(None, str(error))
            self._transformed = (self.mode, sheet.version, self.row)
            self.preview.set_input(self.row, self.mode.image_shape)
        self._share_input(self.row, sheet.version)
        if self.mode.finds_nothing(self.row):  # a class for an empty input would be a made-up answer
            return self._publish(None, self._nothing_found())
        network = self.selection.snapshot
        if network is None:
            return self._publish(None, "No network yet.")
        if network.input_size != self.row.size or not _outputs_fit(network.n_outputs, len(self.mode.classes)):
            return self._publish(None, "The network does not fit this dataset.")
        outputs = network.predict_one(self.row)
        return self._publish(class_probabilities(outputs)[0], "")

    def _nothing_found(self) -> str:
        return NOTHING_ON_PAPER if self.surface.sheet.picture is None else NOTHING_IN_PICTURE

    def _publish(self, probabilities: np.ndarray | None, message: str) -> np.ndarray | None:
        self._probabilities = probabilities
        self.bars.set_probabilities(probabilities, message)
        self.prediction_changed.emit(self.probabilities())
        return self.probabilities()

    def _share_input(self, row: np.ndarray | None, version: int) -> None:
        """The drawing becomes the inspected input; a cleared drawing leaves the blank paper's input in
        its place (what the network sees now), not a stale drawing or nothing."""
        if version == self._row_version:
            return
        self._row_version = version
        if row is not None:
            self.selection.set_input(InspectedInput(row.copy(), self.mode.image_shape, ORIGIN))
        elif self.selection.input is not None and self.selection.input.origin == ORIGIN:
            blank = self.mode.model_input(self.surface.sheet.image())
            self.selection.set_input(InspectedInput(blank, self.mode.image_shape, BLANK_ORIGIN))

    def _schedule_prediction(self) -> None:
        if self._predict_timer.isActive():
            return
        wait = PREDICT_INTERVAL_MS - 1000 * (time.monotonic() - self._last_predict)
        self._predict_timer.start(max(0, int(wait)))

    # -- dataset and network ------------------------------------------------------------------------------
    def set_dataset(self, dataset: Dataset | None) -> None:
        self.dataset = dataset
        self.mode = mode_for(dataset)
        self.mode_label.setText(self.mode.describe())
        self.mode_label.setVisible(self.mode.kind != "none")  # the empty page says it, once, in its middle
        self.stack.setCurrentWidget({"draw": self.surface, "points": self.scatter,
                                     "curve": self.curve}.get(self.mode.kind, self.nothing_label))
        self.nothing_label.setText(self.mode.describe())
        drawing = self.mode.kind == "draw"
        for widget in (self.preview, self.preview_title, self.bars, *self.drawing_tools):
            widget.setVisible(drawing)
        for action in self.key_actions:
            action.setEnabled(drawing)
        self.surface.grid_shape = self.mode.image_shape
        self.surface.update()
        self.bars.set_classes(list(self.mode.classes))
        self.label_picker.clear()
        self.label_picker.addItems(list(self.mode.classes))
        self.add_button.setEnabled(drawing)
        self.add_button.setText("Add to training set" if drawing else "Click the plot to add a point")
        addable = self.mode.kind in ("draw", "points") and not self.mode.predicts_numbers
        for widget in (*self.class_tools, self.gallery):  # no drawing, no plot, or numbers: nothing to add
            widget.setVisible(addable)
        self._arrange_middle()
        self._row_version = -1
        self._say("")
        self.refresh_samples()
        self._schedule_prediction()

    def _on_snapshot_changed(self, network) -> None:
        if self.mode.kind in ("points", "curve"):
            if not self._regions_timer.isActive():
                self._regions_timer.start()
        else:
            self._schedule_prediction()

    def _paint_regions(self) -> None:
        network = self.selection.snapshot
        if self.mode.kind == "curve":
            self.curve.set_network(network)
            return
        fits = network is not None and network.input_size == 2 and _outputs_fit(network.n_outputs,
                                                                                 len(self.mode.classes))
        self.scatter.set_network(network if fits else None)

    # -- pictures from elsewhere ------------------------------------------------------------------------
    def open_image(self) -> None:
        path = self._ask_image_path()
        if path:
            try:
                self.load_grey(read_grey_image(path))
            except (DatasetFormatError, OSError) as error:
                self._say(f"Could not open the picture: {error}")

    def _ask_image_path(self) -> str:
        return QFileDialog.getOpenFileName(self, "Open a picture", "", IMAGE_FILTER)[0]

    def paste(self) -> None:
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None or not self.load_mime(mime):
            self._say("The clipboard holds no picture.")

    def load_mime(self, mime: QMimeData) -> bool:
        """A dropped or pasted picture: image data, or the first local file that decodes."""
        try:
            if mime.hasImage():
                image = QImage(mime.imageData())
                if not image.isNull():
                    self.load_grey(_qimage_grey(image))
                    return True
            for url in mime.urls():
                if url.isLocalFile():
                    self.load_grey(read_grey_image(url.toLocalFile()))
                    return True
        except (DatasetFormatError, OSError) as error:
            self._say(f"Could not read the picture: {error}")
            return True
        return False

    def load_grey(self, grey: np.ndarray) -> None:
        """Put a picture (H, W) grey in [0, 1] on the paper; it goes through the same transform as ink."""
        if self.mode.kind != "draw":
            self._say("This dataset does not take pictures.")
            return
        self.surface.sheet.set_photo(grey)
        self.surface.refresh()
        self.predict_now()
        self._say("")

    # -- the learner's samples ------------------------------------------------------------------------------
    def _on_key_command(self, command: str) -> None:
        if command == "paste":
            self.paste()
        elif command.startswith("label:"):
            index = self.label_picker.findText(command.split(":", 1)[1])
            if index >= 0:
                self.label_picker.setCurrentIndex(index)

    def add_sample(self, label: int | None = None) -> bool:
        """Store the current drawing as a training sample of class ``label`` (default: the picker's)."""
        label = self.label_picker.currentIndex() if label is None else int(label)
        if self.dataset is None or self.mode.kind != "draw":
            self._say("Choose an image dataset to add drawings to.")
            return False
        self.predict_now()
        if self.row is None or self.mode.finds_nothing(self.row):
            self._say("Draw something first." if self.surface.sheet.picture is None else NOTHING_IN_PICTURE)
            return False
        return self._store(self.row, label)

    def _add_point(self, x: float, y: float) -> None:
        if self.mode.kind == "points" and self.dataset is not None:
            self._store(np.array([x, y], np.float32), self.label_picker.currentIndex())

    def _store(self, values: np.ndarray, label: int) -> bool:
        try:
            self.store.add(self.dataset, values, label)
        except (ValueError, OSError) as error:
            self._say(f"Could not add the sample: {error}")
            return False
        self._say(f"Added as class {self.dataset.classes[label]}: the next training run learns from it.")
        self.refresh_samples()
        return True

    def _delete_samples(self, samples) -> None:
        try:
            for sample in samples:
                self.store.remove(sample)
        except OSError as error:
            self._say(f"Could not delete: {error}")
        self.refresh_samples()

    def refresh_samples(self) -> None:
        samples = self.store.samples(self.dataset) if self.dataset is not None else []
        note = "; ".join(self.store.problems[:2])
        self.gallery.show_samples(samples, "included in the next training run" if samples and not note else note)
        if self.mode.kind == "curve" and self.dataset is not None:
            self.curve.set_points(self.dataset.x[:, 0], self.dataset.targets[:, 0],
                                  ("x", self.dataset.classes[0]))
            self._paint_regions()
        if self.mode.kind == "points" and self.dataset is not None:
            mine = np.array([s.values for s in samples], np.float32).reshape(-1, 2)
            mine_y = np.array([self.dataset.classes.index(s.label) for s in samples], np.int64)
            self.scatter.set_points(self.dataset.x, self.dataset.y, self.dataset.n_classes, mine, mine_y)
            self._paint_regions()
        self.samples_changed.emit()

    def _say(self, text: str) -> None:
        self.message_label.setText(text)
        self.message_label.setVisible(bool(text))  # an empty line costs a short screen 20 px


def _outputs_fit(n_outputs: int, n_classes: int) -> bool:
    return n_outputs == n_classes or (n_outputs == 1 and n_classes == 2)


def _qimage_grey(image: QImage) -> np.ndarray:
    """Clipboard or drop image → grey, through the same decoder files use."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return decode_grey_image(bytes(buffer.data()), "the pasted picture")
