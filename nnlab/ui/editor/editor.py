"""The network editor: the central picture of the network, and every change to its architecture.

The editor reads the session's network and writes a new one through
``session.set_network`` — it is the source of truth for the architecture, and the
training panel only mirrors the widths. The picture is ``NetworkPictures`` (pictures.py);
the edits, each an undoable command, are ``ArchitectureEdits`` (edits.py).

Editing while a run is *paused*: the paused worker still holds the live network and its
optimizer state for that architecture, so an edit first ends the run through
``edit_starting`` (the window answers with ``stop_training``: the trained weights and the
epoch count carry on) and then replaces the network; Start continues from the edited network.
While a run is *running* nothing can be edited ("pause to edit"). Training changes the
weights outside the undo history, so the history is cleared when a run starts, and
whenever the network is replaced from elsewhere (new network, open, reset).
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from nnlab.engine import LayerSpec
from nnlab.engine.layers import DENSE, FLATTEN, ConvSpec, layer_word
from nnlab.lab.selection import ConnectionRef, FeatureRef, NeuronRef
from nnlab.lab.training_state import TrainingState

from .edits import PAUSE_TO_EDIT, ArchitectureEdits, layer_words
from .pictures import NetworkPictures
from .toolbar import EditorToolbar

__all__ = ["ACTION_TEXTS", "PAUSE_TO_EDIT", "NetworkEditor", "layer_words"]

# name: (menu text, toolbar text, tip)
ACTION_TEXTS = {"add_before": ("Add layer &before", "+ before", "Insert a hidden layer before the current layer"),
                "add_after": ("Add layer &after", "+ after", "Insert a hidden layer after the current layer"),
                "remove": ("&Remove layer", "Remove", "Remove the current hidden layer"),
                "freeze": ("&Freeze layer", "Freeze", "Keep this layer's weights fixed while the others train")}


class NetworkEditor(ArchitectureEdits, QWidget):
    message = Signal(str)  # what an edit did or why it was refused, for the status bar
    # Signals rather than callbacks the window hands in: a callback stored here would tie the
    # window and the editor in a reference cycle, and cycles are freed by the garbage collector
    # on whichever thread it runs — a training thread must never destroy widgets.
    edit_starting = Signal()      # synchronous: a paused run must end before the network changes
    dataset_wanted = Signal(str)  # synchronous: a template asks for its dataset to be opened
    reinitialised = Signal()      # an edit, or its redo, re-initialised every layer: no training is left

    def __init__(self, session, selection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("network_editor")
        self.session, self.selection = session, selection
        self.seed: Callable[[], int] = lambda: 0
        self.new_layer: Callable[[], LayerSpec] = lambda: LayerSpec(16, "relu")
        self.new_conv_layer: Callable[[], ConvSpec] = lambda: ConvSpec(8, 3, activation="relu")
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(100)
        self.current = 1
        self.state = TrainingState.IDLE
        self.last_message = ""
        self._applying = False
        self._can = (False, False)
        self.actions = self._create_actions()
        self.toolbar = EditorToolbar(self.actions)
        self.pictures = NetworkPictures(session, selection)  # follows the session before the editor does
        self.canvas, self.conv_canvas, self.legend = (self.pictures.canvas, self.pictures.conv_canvas,
                                                      self.pictures.legend)
        self.notice = QLabel()
        self.notice.setVisible(False)
        self.notice.setStyleSheet("padding: 3px 8px; background: palette(alternate-base);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for widget in (self.toolbar, self.notice, self.pictures, self.legend):
            layout.addWidget(widget)
        self._connect()
        self._show_current()

    def _create_actions(self) -> dict[str, QAction]:
        actions = {}
        for name, (text, short, tip) in ACTION_TEXTS.items():
            action = QAction(text, self)
            action.setIconText(short)
            action.setObjectName(f"editor_{name}")
            action.setStatusTip(tip)
            action.setToolTip(tip)
            actions[name] = action
        actions["freeze"].setCheckable(True)
        actions["undo"] = QAction("&Undo", self, shortcut=QKeySequence("Ctrl+Z"), enabled=False)
        actions["redo"] = QAction("&Redo", self, shortcut=QKeySequence("Ctrl+Shift+Z"), enabled=False)
        return actions

    def _connect(self) -> None:
        a, bar, stack = self.actions, self.toolbar, self.undo_stack
        a["add_before"].triggered.connect(lambda: self.add_layer(after=False))
        a["add_after"].triggered.connect(lambda: self.add_layer(after=True))
        a["remove"].triggered.connect(lambda: self.remove_layer())
        a["freeze"].triggered.connect(lambda checked: self.set_frozen(checked))
        a["undo"].triggered.connect(self.undo)
        a["redo"].triggered.connect(self.redo)
        stack.undoTextChanged.connect(lambda text: a["undo"].setText(f"&Undo {text}".strip()))
        stack.redoTextChanged.connect(lambda text: a["redo"].setText(f"&Redo {text}".strip()))
        # The flags arrive with the signals: the stack also emits them while it is being destroyed.
        stack.canUndoChanged.connect(lambda can: self._refresh_enabled(can_undo=can))
        stack.canRedoChanged.connect(lambda can: self._refresh_enabled(can_redo=can))
        bar.width_chosen.connect(lambda units: self.set_width(units))
        bar.word_chosen.connect(lambda word: self.set_layer_word(word))
        bar.activation_chosen.connect(lambda name: self.set_activation(name))
        bar.dropout_chosen.connect(lambda p: self.set_dropout(p))
        bar.output_chosen.connect(lambda loss, activation: self.set_output(loss, activation))
        bar.template_chosen.connect(lambda name: self.apply_template(name))
        self.canvas.layer_clicked.connect(self.select_layer)
        self.canvas.neuron_clicked.connect(lambda layer, unit: self.selection.select_neuron(NeuronRef(layer, unit)))
        self.canvas.connection_clicked.connect(
            lambda layer, source, target: self.selection.select_connection(ConnectionRef(layer, source, target)))
        self.conv_canvas.layer_clicked.connect(self.select_layer)
        self.conv_canvas.neuron_clicked.connect(
            lambda layer, unit: self.selection.select_neuron(NeuronRef(layer, unit)))
        self.conv_canvas.feature_clicked.connect(
            lambda layer, channel, row, col: self.selection.select_feature(FeatureRef(layer, channel, row, col)))
        self.session.network_changed.connect(self._on_network_changed)  # a bound method: Qt drops it with us

    # -- following the session --------------------------------------------------------------
    def _on_network_changed(self, network) -> None:
        if not self._applying:
            self.undo_stack.clear()
        self.current = min(self.current, len(network.sizes) - 1)
        self._show_current()

    def set_training_state(self, state: TrainingState) -> None:
        """Editable when idle or paused; a new run makes the edit history obsolete."""
        if self.state == TrainingState.IDLE and state != TrainingState.IDLE:
            self.undo_stack.clear()
        self.state = state
        self.notice.setText(PAUSE_TO_EDIT)
        self.notice.setVisible(state == TrainingState.RUNNING)
        self._refresh_enabled()

    def _refresh_enabled(self, can_undo: bool | None = None, can_redo: bool | None = None) -> None:
        self._can = (self._can[0] if can_undo is None else can_undo, self._can[1] if can_redo is None else can_redo)
        editable = self.state != TrainingState.RUNNING
        self.toolbar.setEnabled(editable)
        for name in ("add_before", "add_after", "remove"):
            self.actions[name].setEnabled(editable)
        self.actions["freeze"].setEnabled(editable and self.current > 0)
        self.actions["undo"].setEnabled(editable and self._can[0])
        self.actions["redo"].setEnabled(editable and self._can[1])

    # -- the current layer ------------------------------------------------------------------
    def select_layer(self, column: int) -> None:
        """``column`` indexes ``network.sizes``: 0 is the input layer."""
        self.current = column
        self._show_current()

    def _show_current(self) -> None:
        network = self.session.network
        if network is None:
            self.toolbar.show_layer("no network", "", None, self.session.loss, "")
            self.pictures.set_current_layer(None)
            return
        last = len(network.sizes) - 1
        column = self.current = min(max(self.current, 0), last)
        kind = "input" if column == 0 else "output" if column == last else "hidden"
        spec = network.layers[column - 1] if column else None
        title = {"input": f"input · {network.input_size:,}", "output": f"output · {network.n_outputs}",
                 "hidden": f"hidden {column} of {last - 1}"}[kind]
        if not network.is_dense and kind == "hidden":
            kind = "hidden" if spec.kind == DENSE else "flatten" if spec.kind == FLATTEN else "maps"
            title = f"layer {column} · {layer_word(spec)}"
        self.toolbar.show_layer(title, kind, spec, self.session.loss, self._why_fixed(column) if kind != "hidden"
                                else "")
        self._refresh_enabled()
        self.actions["freeze"].setChecked(bool(spec and spec.frozen))
        self.pictures.set_current_layer(column)
