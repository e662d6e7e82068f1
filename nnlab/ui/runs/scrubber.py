"""The epoch scrubber under the curves: drag back through the current run, or press "Live".

It shows and moves a :class:`nnlab.lab.time_machine.TimeMachine` — the slider and the keys set it;
its ``changed`` event updates the slider and the words with the slider's signals blocked, so nothing
echoes. Keys while the scrubber has focus: ←/→ one epoch, Home/End the first and last epoch, L live.
"""
from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QVBoxLayout, QWidget

from nnlab.lab.time_machine import TimeMachine

from ..colours import quiet_text

KEYS = {"back": "Left", "on": "Right", "first": "Home", "last": "End", "live": "L"}
PAGE_EPOCHS = 10  # Page Up / Page Down on the slider


class EpochScrubber(QWidget):
    """Slider over the current run's epochs, the epoch in words, and "Live"."""

    def __init__(self, time_machine: TimeMachine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("epoch_scrubber")
        self.time_machine = time_machine
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setSingleStep(1)
        self.slider.setPageStep(PAGE_EPOCHS)
        self.slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.slider.setAccessibleName("Epoch shown")
        self.epoch_label = QLabel()
        # Wide enough that the slider does not jump as the words change; a thinned epoch's longer words may grow it.
        self.epoch_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("live · epoch 9999"))
        self.live_button = QToolButton(text="Live", checkable=True)
        self.live_button.setToolTip(f"Show the newest weights again ({KEYS['live']})")
        self.note_label = QLabel()
        self.note_label.setWordWrap(True)
        self.setToolTip("Drag to see the network as it was at the end of each epoch in every view: "
                        "← → one epoch, Home / End the first and last, L live")
        self.actions_by_name = self._key_actions()
        self._build()
        self.slider.valueChanged.connect(self.time_machine.scrub_to)
        self.live_button.clicked.connect(self._on_live_clicked)
        self.time_machine.changed.connect(self._on_changed)
        self._on_changed()

    def _build(self) -> None:
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Epoch"))
        row.addWidget(self.slider, 1)
        row.addWidget(self.epoch_label)
        row.addWidget(self.live_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        layout.setSpacing(0)
        layout.addLayout(row)
        layout.addWidget(self.note_label)
        self.note_label.hide()
        colour = quiet_text(self.palette()).name()
        self.note_label.setStyleSheet(f"color: {colour}")

    def _key_actions(self) -> dict[str, QAction]:
        tm = self.time_machine
        handlers = {"back": lambda: tm.step(-1), "on": lambda: tm.step(1), "first": tm.to_start,
                    "last": tm.to_end, "live": tm.go_live}
        actions = {}
        for name, key in KEYS.items():
            action = QAction(name, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(lambda _checked=False, run=handlers[name]: run())
            self.addAction(action)
            actions[name] = action
        return actions

    def _on_live_clicked(self) -> None:
        self.time_machine.go_live()
        self._on_changed()  # a click on "Live" while live must not untick it

    def _on_changed(self) -> None:
        tm = self.time_machine
        enabled = tm.can_scrub
        with QSignalBlocker(self.slider):
            self.slider.setRange(tm.first_epoch, max(tm.first_epoch, tm.last_epoch))
            self.slider.setValue(tm.last_epoch if tm.live else tm.epoch)
        self.slider.setTickInterval(max(1, (tm.last_epoch - tm.first_epoch) // 20))
        for widget in (self.slider, self.live_button):
            widget.setEnabled(enabled)
        with QSignalBlocker(self.live_button):
            self.live_button.setChecked(tm.live)
        self.epoch_label.setText(tm.words)
        note = tm.note
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))
