"""The Backprop tab: step one sample forward, through the loss and backward, number by number.

The view only shows what it is given (a BackpropWalk and its stages) and reports the
learner's button presses; applying and undoing the step is the dock's business.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QGroupBox, QHBoxLayout, QLabel, QPushButton, QSpinBox, QTextBrowser, QVBoxLayout,
                               QWidget)

from nnlab.engine.backprop_stages import Stage, build_stages, reached
from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.optimizer_steps import explain_update

from ..colours import mix
from .neuron_view import describe_neuron
from .numbers_label import NumbersLabel


class DebuggerView(QWidget):
    apply_requested = Signal()
    undo_requested = Signal()
    source_chosen = Signal(int)  # incoming weight of the selected neuron, from this unit of the layer below

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stage_index = 0
        self.stages: list[Stage] = []
        self.walk: BackpropWalk | None = None
        self.header = QLabel("Choose an input and a neuron.")
        self.header.setWordWrap(True)
        buttons = QHBoxLayout()
        self.restart_button = QPushButton("Restart")
        self.back_button = QPushButton("◀ Back")
        self.step_button = QPushButton("Step ▶")
        self.end_button = QPushButton("To the end ▶▶")
        for button, handler in ((self.restart_button, lambda: self.go_to(0)),
                                (self.back_button, lambda: self.go_to(self.stage_index - 1)),
                                (self.step_button, lambda: self.go_to(self.stage_index + 1)),
                                (self.end_button, lambda: self.go_to(len(self.stages) - 1))):
            button.clicked.connect(handler)
            buttons.addWidget(button)
        self.stage_label = QLabel()
        buttons.addWidget(self.stage_label, 1)
        self.script = QTextBrowser()
        left = QVBoxLayout()
        left.addWidget(self.header)
        left.addLayout(buttons)
        left.addWidget(self.script, 1)

        neuron_box = QGroupBox("Selected neuron: δ by the chain rule")
        self.neuron_text = NumbersLabel()
        QVBoxLayout(neuron_box).addWidget(self.neuron_text)
        connection_box = QGroupBox("Selected weight: gradient and update")
        self.source = QSpinBox(prefix="incoming weight from unit ", minimum=1)
        self.source.valueChanged.connect(lambda value: self.source_chosen.emit(value - 1))
        self.connection_text = NumbersLabel()
        self.apply_button = QPushButton("Apply this step")
        self.apply_button.setToolTip("Every weight and bias takes the update shown (one optimizer step on this sample)")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_requested)
        self.undo_button.clicked.connect(self.undo_requested)
        self.status = QLabel()
        self.status.setWordWrap(True)
        box = QVBoxLayout(connection_box)
        box.addWidget(self.source)
        box.addWidget(self.connection_text)
        row = QHBoxLayout()
        row.addWidget(self.apply_button)
        row.addWidget(self.undo_button)
        box.addLayout(row)
        box.addWidget(self.status)
        right = QVBoxLayout()
        right.addWidget(neuron_box)
        right.addWidget(connection_box)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 3)
        layout.addLayout(right, 2)
        self._neuron = None
        self._connection = None
        self._update_options: tuple[str, float, dict] = ("sgd", 0.01, {})

    # -- input -------------------------------------------------------------------------------------
    def show_walk(self, walk: BackpropWalk | None, classes: list[str] | None, header: str,
                  optimizer: str, learning_rate: float, options: dict) -> None:
        """A new walk (new weights, input or settings); the learner stays at the same stage."""
        self.walk = walk
        if walk is not None:
            self._drop_targets_outside(walk.network.sizes)
        self.header.setText(header)
        self._update_options = (optimizer, learning_rate, options)
        self.stages = build_stages(walk, classes, optimizer, learning_rate) if walk is not None else []
        self.go_to(min(self.stage_index, max(len(self.stages) - 1, 0)))

    def _drop_targets_outside(self, sizes: list[int]) -> None:
        """A neuron or weight of the previous network (a lesson just replaced it) is not shown with this one."""
        neuron, connection = self._neuron, self._connection
        if neuron is not None and not (neuron.layer < len(sizes) and neuron.unit < sizes[neuron.layer]):
            self._neuron = None
        if connection is not None and not (connection.layer < len(sizes) - 1
                                           and connection.source < sizes[connection.layer]
                                           and connection.target < sizes[connection.layer + 1]):
            self._connection = None

    def set_targets(self, neuron, connection) -> None:
        self._neuron, self._connection = neuron, connection
        self._render_side()

    def go_to(self, index: int) -> None:
        self.stage_index = max(0, min(index, len(self.stages) - 1)) if self.stages else 0
        for button in (self.restart_button, self.back_button):
            button.setEnabled(bool(self.stages) and self.stage_index > 0)
        for button in (self.step_button, self.end_button):
            button.setEnabled(bool(self.stages) and self.stage_index < len(self.stages) - 1)
        self._render_script()
        self._render_side()

    # -- drawing -----------------------------------------------------------------------------------
    def _render_script(self) -> None:
        if not self.stages:
            self.stage_label.setText("")
            self.script.setHtml("")
            return
        current = self.stages[self.stage_index]
        self.stage_label.setText(f"stage {self.stage_index + 1} of {len(self.stages)}: {current.title}")
        palette = self.script.palette()
        text, base = palette.color(QPalette.ColorRole.Text), palette.color(QPalette.ColorRole.Base)
        current = f"background:{mix(base, palette.color(QPalette.ColorRole.Highlight), 0.25).name()}; color:{text.name()};"
        earlier = f"color:{mix(text, base, 0.35).name()};"  # dimmed, readable in light and dark palettes
        parts = []
        for index, stage in enumerate(self.stages[:self.stage_index + 1]):
            style = current if index == self.stage_index else earlier
            body = "<br>".join(html.escape(line) for line in stage.lines)
            parts.append(f"<div style='{style} padding:2px'><b>{html.escape(stage.title)}</b><br>"
                         f"<span style='font-family:monospace'>{body}</span></div>")
        self.script.setHtml("".join(parts))
        QTimer.singleShot(0, self._scroll_to_end)  # after the new text is laid out

    def _scroll_to_end(self) -> None:
        bar = self.script.verticalScrollBar()
        bar.setValue(bar.maximum())

    def script_text(self) -> str:
        """Every line shown so far, for tests and copying."""
        return "\n".join(line for stage in self.stages[:self.stage_index + 1] for line in [stage.title, *stage.lines])

    def _render_side(self) -> None:
        walk, neuron, connection = self.walk, self._neuron, self._connection
        if walk is None or neuron is None or neuron.layer == 0:
            self.neuron_text.set_lines(["Select a hidden or output neuron."])
        elif not reached(self.stages, self.stage_index, "backward", neuron.layer):
            self.neuron_text.set_lines([f"Step backward to layer {neuron.layer} to see δ of this neuron."])
        else:
            name = describe_neuron(walk.network, neuron.layer, neuron.unit, None)
            self.neuron_text.set_lines(
                [name, *walk.delta_lines(neuron.layer, neuron.unit), walk.delta_check_line(neuron.layer, neuron.unit)],
                [name, *walk.delta_lines(neuron.layer, neuron.unit, digits=None),
                 walk.delta_check_line(neuron.layer, neuron.unit, digits=None)])
        self.source.setEnabled(connection is not None)
        if walk is None or connection is None:
            self.connection_text.set_lines(["Select a weight (a connection) to see its gradient."])
            return
        self.source.blockSignals(True)
        self.source.setMaximum(walk.network.sizes[connection.layer])
        self.source.setValue(connection.source + 1)
        self.source.blockSignals(False)
        title = (f"w from unit {connection.source + 1} of layer {connection.layer} "
                 f"to neuron {connection.target + 1} of layer {connection.layer + 1}")
        if not reached(self.stages, self.stage_index, "backward", connection.layer + 1):
            self.connection_text.set_lines([title, (f"Step backward to layer {connection.layer + 1} "
                                                    "to see this weight's gradient.")])
            return
        self.connection_text.set_lines(*(self._connection_lines(title, connection, digits) for digits in (3, None)))

    def _connection_lines(self, title: str, connection, digits) -> list[str]:
        walk = self.walk
        lines = [title, *walk.weight_gradient_lines(connection.layer, connection.source, connection.target, digits)]
        if self.stages[self.stage_index].kind == "update":
            optimizer, learning_rate, options = self._update_options
            update = explain_update(optimizer, learning_rate,
                                    walk.network.weights[connection.layer][connection.target, connection.source],
                                    walk.weight_gradient(connection.layer, connection.source, connection.target),
                                    digits=digits, **options)
            lines += [f"update ({optimizer}, η = {learning_rate}):", *update.lines]
        else:
            lines.append("Step to the update to see the new weight.")
        return lines

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._render_script()
        super().changeEvent(event)
