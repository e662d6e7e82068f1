"""The Backprop tab: step one sample forward, through the loss and backward, number by number.

The view only shows what it is given (a BackpropWalk and its stages) and reports the
learner's button presses; applying and undoing the step is the dock's business.

Layout: the key numbers of the selected neuron and weight (δ, ∂L/∂w, the update and the new w,
each with its central-difference check) sit in one compact grid under the step buttons, so they
stay in view on a 720-pixel-high screen; the script and the worked-out chain rule share the rest
and scroll.
"""
from __future__ import annotations

import html

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel, QPushButton, QScrollArea,
                               QSpinBox, QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from nnlab.engine.backprop_stages import Stage, build_stages, reached
from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.conv_backprop_steps import ConvBackpropWalk
from nnlab.engine.numbers import format_number
from nnlab.engine.optimizer_steps import explain_update

from ..colours import mix
from .conv_step import ConvStepText, conv_targets_fit
from .key_numbers import CHECK_TIP, key_line, show_key as _show_key
from .neuron_view import describe_neuron
from .numbers_label import NumbersLabel

NEURON_BOX = "Selected neuron: δ by the chain rule"
CONNECTION_BOX = "Selected weight: gradient and update"


class MessageLabel(QLabel):
    """What Apply or Undo did: a wrapped line, hidden while empty (an empty line costs a short screen 20 px)."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setVisible(False)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))


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
        self.source = QSpinBox(prefix="w from unit ", minimum=1)
        self.source.setToolTip("Which incoming weight of the selected neuron: the unit of the layer below it")
        self.source.valueChanged.connect(lambda value: self.source_chosen.emit(value - 1))
        self.apply_button = QPushButton("Apply this step")
        self.apply_button.setToolTip("Every weight and bias takes the update shown (one optimizer step on this sample)")
        self.undo_button = QPushButton("Undo")
        self.undo_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply_requested)
        self.undo_button.clicked.connect(self.undo_requested)
        self.status = MessageLabel()
        self.script = QTextBrowser()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.header)
        layout.addLayout(buttons)
        layout.addWidget(self._key_grid())
        layout.addWidget(self.status)
        layout.addWidget(self._script_and_working(), 1)
        self._neuron = None
        self._connection = None
        self._feature = None  # a CNN's map pixel (FeatureRef) and kernel weight (KernelWeightRef), when shown
        self._kernel = None
        self._conv_text = ConvStepText(self)
        self._update_options: tuple[str, float, dict] = ("sgd", 0.01, {})

    def _key_grid(self) -> QFrame:
        """One row each for δ, ∂L/∂w and the new w: what is worked out, and its check."""
        frame = QFrame()
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        grid = QGridLayout(frame)
        grid.setContentsMargins(6, 3, 6, 3)
        grid.setVerticalSpacing(2)
        self.key_delta_name, self.key_update_name = QLabel(), QLabel()
        self.key_target = QLabel()
        weight_name = QHBoxLayout()
        weight_name.setSpacing(4)
        weight_name.addWidget(self.source)
        weight_name.addWidget(self.key_target)
        self.key_delta, self.key_gradient, self.key_update = NumbersLabel(), NumbersLabel(), NumbersLabel()
        self.key_delta_check, self.key_gradient_check = NumbersLabel(), NumbersLabel()
        for check in (self.key_delta_check, self.key_gradient_check):
            check.setToolTip(CHECK_TIP)
        update_buttons = QHBoxLayout()
        update_buttons.setSpacing(4)
        update_buttons.addWidget(self.apply_button)
        update_buttons.addWidget(self.undo_button)
        grid.addWidget(self.key_delta_name, 0, 0)
        grid.addWidget(self.key_delta, 0, 1)
        grid.addWidget(self.key_delta_check, 0, 2)
        grid.addLayout(weight_name, 1, 0)
        grid.addWidget(self.key_gradient, 1, 1)
        grid.addWidget(self.key_gradient_check, 1, 2)
        grid.addWidget(self.key_update_name, 2, 0)
        grid.addWidget(self.key_update, 2, 1)
        grid.addLayout(update_buttons, 2, 2)
        grid.setColumnStretch(1, 1)
        for label in (self.key_delta, self.key_gradient, self.key_update, self.key_delta_check,
                      self.key_gradient_check, self.key_delta_name, self.key_target, self.key_update_name):
            label.setAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        return frame

    def _script_and_working(self) -> QSplitter:
        """The script beside the chain rule worked out in full (both scroll; the key grid does not)."""
        self.neuron_box = neuron_box = QGroupBox(NEURON_BOX)
        self.neuron_text = NumbersLabel()
        QVBoxLayout(neuron_box).addWidget(self.neuron_text)
        self.connection_box = connection_box = QGroupBox(CONNECTION_BOX)
        self.connection_text = NumbersLabel()
        QVBoxLayout(connection_box).addWidget(self.connection_text)
        working = QWidget()
        column = QVBoxLayout(working)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(neuron_box)
        column.addWidget(connection_box)
        column.addStretch(1)
        self.working = QScrollArea()
        self.working.setWidget(working)
        self.working.setWidgetResizable(True)
        self.working.setFrameShape(QFrame.Shape.NoFrame)
        self.working.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.script)
        splitter.addWidget(self.working)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        for widget in (self.script, self.working):
            widget.setMinimumHeight(60)  # three lines: the key grid above is what must not scroll
        return splitter

    # -- input -------------------------------------------------------------------------------------
    def show_walk(self, walk: BackpropWalk | None, classes: list[str] | None, header: str,
                  optimizer: str, learning_rate: float, options: dict) -> None:
        """A new walk (new weights, input or settings); the learner stays at the same stage."""
        self.walk = walk
        if walk is not None:
            self._drop_targets_outside(walk.network)
        self.header.setText(header)
        self._update_options = (optimizer, learning_rate, options)
        self.stages = build_stages(walk, classes, optimizer, learning_rate) if walk is not None else []
        self.go_to(min(self.stage_index, max(len(self.stages) - 1, 0)))

    def _drop_targets_outside(self, network) -> None:
        """A neuron or weight of the previous network (a lesson just replaced it) is not shown with this one."""
        sizes = network.sizes
        self._feature, self._kernel = conv_targets_fit(network, self._feature, self._kernel)
        neuron, connection = self._neuron, self._connection
        if neuron is not None and not (neuron.layer < len(sizes) and neuron.unit < sizes[neuron.layer]):
            self._neuron = None
        if connection is not None and not (connection.layer < len(sizes) - 1
                                           and connection.source < sizes[connection.layer]
                                           and connection.target < sizes[connection.layer + 1]):
            self._connection = None

    def set_targets(self, neuron, connection, feature=None, kernel=None) -> None:
        """A neuron and a weight (ConnectionRef) to take apart; for a CNN, a map pixel (FeatureRef) and a
        kernel weight (KernelWeightRef) instead, when either is given."""
        self._neuron, self._connection = neuron, connection
        self._feature, self._kernel = feature, kernel
        if self.walk is not None:
            self._drop_targets_outside(self.walk.network)
        self._render_side()

    def conv_targets_shown(self) -> bool:
        return isinstance(self.walk, ConvBackpropWalk) and (self._feature is not None or self._kernel is not None)

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
        if self.conv_targets_shown():
            self._conv_text.render(self._feature, self._kernel, self._update_options)
            return
        self.source.setVisible(True)
        self.neuron_box.setTitle(NEURON_BOX)
        self.connection_box.setTitle(CONNECTION_BOX)
        self._render_neuron()
        self._render_connection()

    def _render_neuron(self) -> None:
        walk, neuron = self.walk, self._neuron
        if walk is None or neuron is None or neuron.layer == 0:
            self.key_delta_name.setText("δ")
            self.neuron_text.set_lines(["Select a hidden or output neuron."])
            _show_key(self.key_delta, "select a hidden or output neuron", self.key_delta_check)
            return
        layer, unit = neuron.layer, neuron.unit
        self.key_delta_name.setText(f"δ of neuron {unit + 1}, layer {layer}")
        if not reached(self.stages, self.stage_index, "backward", layer):
            self.neuron_text.set_lines([f"Step backward to layer {layer} to see δ of this neuron."])
            _show_key(self.key_delta, f"step backward to layer {layer}", self.key_delta_check)
            return
        name = describe_neuron(walk.network, layer, unit, None)
        short, full = walk.delta_lines(layer, unit), walk.delta_lines(layer, unit, digits=None)
        self.neuron_text.set_lines([name, *short, walk.delta_check_line(layer, unit)],
                                   [name, *full, walk.delta_check_line(layer, unit, digits=None)])
        _show_key(self.key_delta, (key_line(short[-1]), full[-1]), self.key_delta_check,
                  walk.bias_finite_difference(layer, unit))

    def _render_connection(self) -> None:
        walk, connection = self.walk, self._connection
        self.source.setEnabled(connection is not None)
        optimizer, learning_rate, options = self._update_options
        self.key_update_name.setText(f"new w ({optimizer}, η = {format_number(learning_rate)})")
        if walk is None or connection is None:
            self.key_target.setText("select a weight")
            self.connection_text.set_lines(["Select a weight (a connection) to see its gradient."])
            _show_key(self.key_gradient, "select a weight (a connection)", self.key_gradient_check)
            _show_key(self.key_update, "")
            return
        layer, source, target = connection.layer, connection.source, connection.target
        self.source.blockSignals(True)
        self.source.setMaximum(walk.network.sizes[layer])
        self.source.setValue(source + 1)
        self.source.blockSignals(False)
        self.key_target.setText(f"→ neuron {target + 1}, layer {layer + 1}")
        title = f"w from unit {source + 1} of layer {layer} to neuron {target + 1} of layer {layer + 1}"
        if not reached(self.stages, self.stage_index, "backward", layer + 1):
            self.connection_text.set_lines([title, f"Step backward to layer {layer + 1} to see this weight's gradient."])
            _show_key(self.key_gradient, f"step backward to layer {layer + 1}", self.key_gradient_check)
            _show_key(self.key_update, f"step to the update (stage {len(self.stages)})")
            return
        short, full = (self._connection_lines(connection, digits) for digits in (3, None))
        later = ["Step to the update to see the new weight."]
        self.connection_text.set_lines([title, *short[0], *(short[1] or later)],
                                       [title, *full[0], *(full[1] or later)])
        _show_key(self.key_gradient, (key_line(short[0][0]), full[0][0]), self.key_gradient_check,
                  walk.finite_difference(layer, source, target))
        if short[1]:
            _show_key(self.key_update, (key_line(short[1][-1]), full[1][-1]))
        else:
            _show_key(self.key_update, f"step to the update (stage {len(self.stages)})")

    def _connection_lines(self, connection, digits) -> tuple[list[str], list[str]]:
        """(∂L/∂w worked out and its check, the update worked out — empty before the update stage)."""
        walk = self.walk
        gradient = walk.weight_gradient_lines(connection.layer, connection.source, connection.target, digits)
        if self.stages[self.stage_index].kind != "update":
            return gradient, []
        optimizer, learning_rate, options = self._update_options
        update = explain_update(optimizer, learning_rate,
                                walk.network.weights[connection.layer][connection.target, connection.source],
                                walk.weight_gradient(connection.layer, connection.source, connection.target),
                                digits=digits, **options)
        return gradient, [f"update ({optimizer}, η = {learning_rate}):", *update.lines]

    def changeEvent(self, event) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._render_script()
        super().changeEvent(event)

