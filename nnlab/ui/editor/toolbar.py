"""The editor's controls for the current layer: add, remove, width, activation, dropout, freeze, output.

The toolbar only shows a layer and reports what the user asked for (signals); the
editor decides whether the edit is allowed and carries it out.
"""
from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QLabel, QLineEdit, QMenu, QSpinBox, QToolBar, QToolButton, QVBoxLayout,
                               QWidget)

from nnlab.engine import ACTIVATIONS, LOSSES
from nnlab.engine.layers import LAYER_WORD_HELP, layer_word
from nnlab.engine.outputs import is_regression
from nnlab.engine.reshape import MAX_HIDDEN_UNITS

from .templates import TEMPLATES

HIDDEN_ACTIVATIONS = [name for name, activation in ACTIVATIONS.items() if activation.hidden_allowed]
LOSS_WORDS = {"cross_entropy": "cross-entropy", "binary_cross_entropy": "binary cross-entropy", "mse": "MSE"}
# Only pairs check_pair accepts are offered: the combo cannot express a wrong one.
OUTPUT_PAIRS = [(loss, activation) for loss, spec in LOSSES.items() for activation in spec.output_activations]


def pair_text(loss: str, activation: str) -> str:
    return f"{activation} + {LOSS_WORDS.get(loss, loss)}"


class EditorToolbar(QWidget):
    """Two rows: what the current layer is and the structural edits; then its settings."""

    width_chosen = Signal(int)
    word_chosen = Signal(str)  # a convolution's or pooling's new word: "conv16x3", "maxpool2"
    activation_chosen = Signal(str)
    dropout_chosen = Signal(float)
    output_chosen = Signal(str, str)   # loss, output activation
    template_chosen = Signal(str)

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editor_toolbar")
        top, bottom = QToolBar("Network editor"), QToolBar("Layer settings")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for bar in (top, bottom):
            bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            layout.addWidget(bar)
        self.layer_label = QLabel()
        self.layer_label.setMinimumWidth(self.layer_label.fontMetrics().horizontalAdvance("hidden 10 of 10") + 12)
        top.addWidget(self.layer_label)
        for name in ("add_before", "add_after", "remove", "freeze"):
            top.addAction(actions[name])
        top.addSeparator()
        self.width_spin = QSpinBox()
        self.width_spin.setRange(1, MAX_HIDDEN_UNITS)
        self.width_spin.setKeyboardTracking(False)  # one edit per Enter or arrow step, not per keystroke
        self.width_spin.setPrefix("width ")
        self.width_spin.valueChanged.connect(self.width_chosen)
        self._shown: dict[str, QAction] = {"width": bottom.addWidget(self.width_spin)}
        self.word = QLineEdit()
        self.word.setObjectName("editor_layer_word")
        self.word.setToolTip(f"this layer as a word — {LAYER_WORD_HELP}; Enter applies it")
        self.word.setMaximumWidth(self.word.fontMetrics().horizontalAdvance("conv128x11s2valid") + 24)
        self.word.editingFinished.connect(self._word_finished)
        self._shown["word"] = bottom.addWidget(self.word)
        self.activation = QComboBox()
        self.activation.addItems(HIDDEN_ACTIVATIONS)
        self.activation.setToolTip("activation of the current hidden layer")
        self.activation.activated.connect(lambda _: self.activation_chosen.emit(self.activation.currentText()))
        self._shown["activation"] = bottom.addWidget(self.activation)
        self.dropout = QDoubleSpinBox()
        self.dropout.setRange(0.0, 0.9)
        self.dropout.setSingleStep(0.05)
        self.dropout.setDecimals(2)
        self.dropout.setPrefix("dropout ")
        self.dropout.setKeyboardTracking(False)
        self.dropout.setToolTip("fraction of this layer's outputs dropped at random while training")
        self.dropout.valueChanged.connect(self.dropout_chosen)
        self._shown["dropout"] = bottom.addWidget(self.dropout)
        self.output = QComboBox()
        for loss, activation in OUTPUT_PAIRS:
            self.output.addItem(pair_text(loss, activation))
        self.output.setToolTip("output activation and loss, as pairs that fit together")
        self.output.activated.connect(lambda index: self.output_chosen.emit(*OUTPUT_PAIRS[index]))
        self._shown["output"] = bottom.addWidget(self.output)
        self.hint = QLabel()
        self._shown["hint"] = bottom.addWidget(self.hint)
        self.templates = QToolButton(text="Templates")
        self.templates.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.templates)
        self.template_actions: dict[str, QAction] = {}
        for name, template in TEMPLATES.items():
            action = menu.addAction(name)
            action.setStatusTip(f"{template.widths} for {template.dataset}: {template.why}")
            action.triggered.connect(lambda _=False, chosen=name: self.template_chosen.emit(chosen))
            self.template_actions[name] = action
        self.templates.setMenu(menu)
        top.addWidget(self.templates)

    def _word_finished(self) -> None:
        if self.word.isModified():
            self.word.setModified(False)
            self.word_chosen.emit(self.word.text())

    def shown(self, name: str) -> bool:
        """Is the control ``name`` ("width", "activation", "dropout", "output", "hint") offered now?"""
        return self._shown[name].isVisible()

    def show_layer(self, title: str, kind: str, spec, loss: str, why_fixed: str) -> None:
        """Fill the controls for one layer; ``kind`` is "input", "hidden" (dense), "maps" (a convolution or
        pooling), "flatten", "output" or "" (no network)."""
        hidden = kind == "hidden"
        with QSignalBlocker(self.width_spin), QSignalBlocker(self.activation), QSignalBlocker(self.dropout), \
                QSignalBlocker(self.output):
            self.layer_label.setText(title)
            if spec is not None and spec.kind == "dense":
                self.width_spin.setValue(min(int(spec.units), MAX_HIDDEN_UNITS))
            if spec is not None:
                self.word.setText(layer_word(spec))
                self.activation.setCurrentText(spec.activation)
                self.dropout.setValue(spec.dropout)
            if spec is not None and kind == "output":
                pair = (loss, spec.activation)
                self.output.setCurrentIndex(OUTPUT_PAIRS.index(pair) if pair in OUTPUT_PAIRS else -1)
        for name in ("width", "dropout"):
            self._shown[name].setVisible(hidden)
        self._shown["word"].setVisible(kind == "maps")
        self._shown["activation"].setVisible(hidden or (kind == "maps" and spec.has_parameters))
        self._shown["output"].setVisible(kind == "output")
        numbers = spec is not None and is_regression(loss, spec.activation)  # a linear output with mse
        self.hint.setText({"input": "follows the dataset: cannot be removed or resized",
                           "flatten": "lays the maps out in one row for the dense layers: nothing to set",
                           "output": f"one unit per {'number to predict' if numbers else 'class'}: "
                                     "width follows the dataset"}.get(kind, ""))
        self.hint.setToolTip(why_fixed)
        self.layer_label.setToolTip(why_fixed)
