"""The network editor: the central picture of the network, and every change to its architecture.

The editor reads the session's network and writes a new one through
``session.set_network`` — it is the source of truth for the architecture, and the
training panel only mirrors the widths. Each edit is computed by the pure-NumPy
``nnlab.engine.reshape`` (which keeps every weight the edit does not invalidate) and
pushed as a ``NetworkEditCommand`` on ``undo_stack``.

Editing while a run is *paused*: the paused worker still holds the live network and its
optimizer state for that architecture, so an edit first ends the run through
``edit_starting`` (the window answers with ``stop_training``: the trained weights and the
epoch count carry on) and then replaces the network; Start continues from the edited network.
While a run is *running* nothing can be edited ("pause to edit"). Training changes the
weights outside the undo history, so the history is cleared when a run starts, and
whenever the network is replaced from elsewhere (new network, open, reset).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from nnlab.engine import LayerSpec
from nnlab.engine import reshape
from nnlab.engine.layers import CONV2D, DENSE, FLATTEN, ConvSpec, hidden_layout, layer_word, parse_layer_word
from nnlab.engine.losses import check_predicts_numbers
from nnlab.lab.selection import ConnectionRef, FeatureRef, NeuronRef
from nnlab.lab.training_state import TrainingState

from ..colours import is_dark, quiet_text
from .canvas import NetworkCanvas
from .commands import NetworkEditCommand, NetworkState
from .conv_canvas import ConvCanvas
from .conv_layout import conv_columns
from .feature_field import feature_marks
from .layout_model import columns_for
from .templates import TEMPLATES, fits
from .toolbar import EditorToolbar, pair_text

# name: (menu text, toolbar text, tip)
ACTION_TEXTS = {"add_before": ("Add layer &before", "+ before", "Insert a hidden layer before the current layer"),
                "add_after": ("Add layer &after", "+ after", "Insert a hidden layer after the current layer"),
                "remove": ("&Remove layer", "Remove", "Remove the current hidden layer"),
                "freeze": ("&Freeze layer", "Freeze", "Keep this layer's weights fixed while the others train")}
PAUSE_TO_EDIT = "Training is running — pause to edit the network"


def layer_words(column: int, n_columns: int, network=None) -> str:
    """"hidden layer 2" — or, in a convolutional ``network``, "layer 3 (maxpool2)"."""
    if column == 0:
        return "the input layer"
    if column == n_columns - 1:
        return "the output layer"
    if network is not None and not network.is_dense and column - 1 < len(network.layers):
        return f"layer {column} ({layer_word(network.layers[column - 1])})"
    return f"hidden layer {column}"


class NetworkEditor(QWidget):
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
        self.canvas = NetworkCanvas()
        self.conv_canvas = ConvCanvas()  # a network with convolutions: its feature maps as tiles
        self.pictures = QStackedWidget()
        self.pictures.addWidget(self.canvas)
        self.pictures.addWidget(self.conv_canvas)
        self.notice = QLabel()
        self.notice.setVisible(False)
        self.notice.setStyleSheet("padding: 3px 8px; background: palette(alternate-base);")
        self.legend = QLabel(wordWrap=True)
        self.legend.setStyleSheet("padding: 2px 8px;")  # its colour is in its text: quiet_text, light or dark
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        for widget in (self.toolbar, self.notice, self.pictures, self.legend):
            layout.addWidget(widget)
        self._connect()
        self._show_current()
        self._show_legend(None)

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
        self.selection.feature_changed.connect(self._on_feature_changed)
        self.session.network_changed.connect(self._on_network_changed)
        self.selection.snapshot_changed.connect(self._on_snapshot)
        # Bound methods, not lambdas, for other objects' signals: Qt drops them with the editor.
        self.selection.input_changed.connect(self._on_input_changed)
        self.selection.neuron_changed.connect(self._on_neuron_changed)

    # -- following the session --------------------------------------------------------------
    def _on_network_changed(self, network) -> None:
        if not self._applying:
            self.undo_stack.clear()
        dataset = self.session.dataset
        shape = tuple(dataset.input_shape) if dataset is not None and len(dataset.input_shape) == 2 else None
        classes = list(dataset.classes) if dataset is not None else None
        if network.is_dense:
            self.canvas.set_columns(columns_for(network.sizes, network.layers, classes, shape), network.sizes)
            self.pictures.setCurrentWidget(self.canvas)
            inspected = self.selection.input
            self._show_legend(inspected.origin if inspected is not None else None)
        else:
            self.conv_canvas.set_columns(conv_columns(network, classes))
            self.pictures.setCurrentWidget(self.conv_canvas)
            self._update_activations()
        self.current = min(self.current, len(network.sizes) - 1)
        self._show_current()

    def _on_input_changed(self, _inspected) -> None:
        self._update_activations()

    def _on_neuron_changed(self, ref) -> None:
        self.canvas.set_selected_neuron(None if ref is None else (ref.layer, ref.unit))
        self.conv_canvas.set_selected_neuron(None if ref is None else (ref.layer, ref.unit))

    def _on_feature_changed(self, _ref=None) -> None:
        ref, network, inspected = self.selection.feature, self.selection.snapshot, self.selection.input
        if ref is None or network is None or network.is_dense:
            self.conv_canvas.set_selected_feature(None)
            return
        sample = None if inspected is None or np.size(inspected.values) != network.input_size else inspected.values
        self.conv_canvas.set_selected_feature((ref.layer, ref.channel, ref.row, ref.col),
                                              *feature_marks(network, ref, sample))

    def _on_snapshot(self, network) -> None:
        if network is not None and not network.is_dense:
            self._update_activations()
        elif network is not None and self.canvas.set_snapshot(network):
            self._update_activations()

    def _show_legend(self, origin: str | None) -> None:
        palette = self.canvas.palette()
        network = self.session.network
        if network is not None and not network.is_dense:
            high = "light" if is_dark(palette) else "dark"
            shading = f"maps for {origin}: {high} = high, purple = negative" if origin else \
                "select a sample or draw to see the feature maps"
            self.legend.setText(f"<span style='color:{quiet_text(palette).name()}'>{shading} &nbsp;·&nbsp; one "
                                "tile per feature map; pooling's are smaller &nbsp;·&nbsp; click a map's pixel to "
                                "take it apart in the inspector</span>")
            return
        positive, negative = (colour.name() for colour in self.canvas.sign_colours())
        high = "light" if is_dark(palette) else "dark"  # neurons are shaded from the background to the text colour
        shading = f"neurons: {high} = high, purple = negative activation for {origin}" if origin else \
            "select a sample or draw to shade neurons by activation"
        self.legend.setText(f"<span style='color:{quiet_text(palette).name()}'>"
                            f"<span style='color:{positive}'>━</span> positive weight &nbsp; "
                            f"<span style='color:{negative}'>━</span> negative &nbsp;·&nbsp; thicker = larger |w| "
                            f"(strongest {self.canvas.max_connections} drawn; hover one for its value) "
                            f"&nbsp;·&nbsp; {shading}</span>")

    def _update_activations(self) -> None:
        network, inspected = self.selection.snapshot, self.selection.input
        self._show_legend(inspected.origin if inspected is not None else None)
        if network is not None and not network.is_dense:
            self._update_maps(network, inspected)
            return
        if network is None or inspected is None or np.size(inspected.values) != network.input_size \
                or network.sizes != self.canvas.sizes:
            self.canvas.set_activations(None)
            return
        trace = network.forward_trace(np.asarray(inspected.values).reshape(1, -1))
        self.canvas.set_activations([a[0] for a in trace.activations])

    def _update_maps(self, network, inspected) -> None:
        """A CNN's tiles from the snapshot's forward pass on the inspected input (never the live network)."""
        session = self.session.network
        fits = session is not None and not session.is_dense and session.sizes == network.sizes
        if not fits or inspected is None or np.size(inspected.values) != network.input_size:
            self.conv_canvas.set_activations(None)
        else:
            trace = network.forward_trace(np.asarray(inspected.values).reshape(1, -1))
            self.conv_canvas.set_activations([a[0] for a in trace.activations])
        self._on_feature_changed()

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
            self.canvas.set_current_layer(None)
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
        self.canvas.set_current_layer(column)
        self.conv_canvas.set_current_layer(column)

    def _why_fixed(self, column: int) -> str:
        dataset = self.session.dataset
        if column == 0:
            what = f"{dataset.n_features:,} features of {dataset.name}" if dataset else "the dataset's features"
            return f"The input layer follows the dataset: one unit per input ({what}); it cannot be removed or resized."
        if dataset is not None and dataset.is_regression:
            return (f"The output layer follows the dataset: one unit per number to predict ({', '.join(dataset.classes)}); "
                    "it cannot be removed or resized. Its targets are numbers, so it is linear with MSE.")
        classes = dataset.n_classes if dataset else "its"
        return (f"The output layer follows the dataset: one unit per class ({classes} classes; one sigmoid unit "
                "for two classes with binary cross-entropy); it cannot be removed or resized. "
                "Choose its activation with the loss.")

    # -- edits ------------------------------------------------------------------------------
    def _refuse(self, text: str) -> bool:
        text = text[0].upper() + text[1:] if text else text
        self.last_message = text
        self.message.emit(text)
        return False

    def _edit(self, text: str, compute, merge_key: tuple | None = None) -> bool:
        """Validate, end a paused run, compute the new network, push the command. True if done."""
        if self.state == TrainingState.RUNNING:
            return self._refuse(PAUSE_TO_EDIT)
        if self.session.network is None:
            return self._refuse("choose a dataset first: there is no network to edit")
        was_paused = self.state == TrainingState.PAUSED
        try:
            compute(self.session.network, self.session.loss)  # refuse before ending a paused run
            self.edit_starting.emit()
            before = NetworkState(self.session.network.copy(), self.session.loss, self.session.epochs_trained)
            result, loss = compute(before.network, before.loss)
        except ValueError as error:
            return self._refuse(str(error))
        fresh = len(result.reset) == sum(spec.has_parameters for spec in result.network.layers)
        after = NetworkState(result.network, loss, 0 if fresh else before.epochs_trained, fresh)
        n = len(result.network.sizes)
        reset = ", ".join(layer_words(i + 1, n, result.network) for i in result.reset)
        message = f"{text} — re-initialised {reset}" if reset else f"{text} — every weight kept"
        command = NetworkEditCommand(text, before, after, message, self._apply, merge_key)
        if was_paused:  # said once, on this push; a later redo has no run to end
            command.message += (f"; the paused run ended — Start carries on from epoch "
                                f"{self.session.epochs_trained + 1}")
        self.undo_stack.push(command)
        command.message = message
        return True

    def _apply(self, state: NetworkState, message: str) -> None:
        self._applying = True
        try:
            self.session.set_network(state.network.copy(), state.loss, state.epochs_trained)
        finally:
            self._applying = False
        if state.fresh:
            self.reinitialised.emit()
        self.last_message = message
        self.message.emit(message)

    def record(self, text: str, before: NetworkState, after: NetworkState) -> None:
        """A change already made elsewhere (a diverged run's restored weights) as one step of the history."""
        self.undo_stack.push(NetworkEditCommand(text, before, after, text, self._apply, done=True))

    def undo(self) -> None:
        self._step_history(self.undo_stack.canUndo(), self.undo_stack.undo)

    def redo(self) -> None:
        self._step_history(self.undo_stack.canRedo(), self.undo_stack.redo)

    def _step_history(self, possible: bool, step) -> None:
        if self.state == TrainingState.RUNNING:
            self._refuse(PAUSE_TO_EDIT)
        elif possible:
            self.edit_starting.emit()
            step()

    def _hidden_index(self, verb: str) -> int | None:
        """The current column as a ``network.layers`` index, or None after saying why it is fixed."""
        network = self.session.network
        if network is not None and not 0 < self.current < len(network.sizes) - 1:
            self._refuse(f"Cannot {verb} {layer_words(self.current, len(network.sizes))}. "
                         + self._why_fixed(self.current))
            return None
        return self.current - 1

    def add_layer(self, after: bool = True) -> bool:
        network = self.session.network
        if network is not None and self.current == 0 and not after:
            return self._refuse("Nothing can go before the input layer: " + self._why_fixed(0))
        if network is not None and self.current == len(network.sizes) - 1 and after:
            return self._refuse("Nothing can go after the output layer: " + self._why_fixed(self.current))
        position = self.current if after else self.current - 1
        if network is not None and not network.is_dense:
            maps = position <= next(i for i, spec in enumerate(network.layers) if spec.kind == FLATTEN)
            spec = self.new_conv_layer() if maps else self.new_layer()
            done = self._edit(f"Add layer {layer_word(spec)}",
                              lambda net, loss: (reshape.insert_any(net, position, spec, seed=self.seed()), loss))
            if done:
                self.select_layer(position + 1)
            return done
        spec = self.new_layer()
        done = self._edit(f"Add hidden layer ({spec.units} {spec.activation})",
                          lambda net, loss: (reshape.insert_layer(net, position, spec, seed=self.seed()), loss))
        if done:
            self.select_layer(position + 1)
        return done

    def remove_layer(self) -> bool:
        index = self._hidden_index("remove")
        if index is None:
            return False
        if not self.session.network.is_dense:
            words = layer_words(index + 1, len(self.session.network.sizes), self.session.network)
            return self._edit(f"Remove {words}",
                              lambda net, loss: (reshape.remove_any(net, index, seed=self.seed()), loss))
        return self._edit(f"Remove hidden layer {index + 1}",
                          lambda net, loss: (reshape.remove_layer(net, index, seed=self.seed()), loss))

    def set_width(self, units: int) -> bool:
        index = self._hidden_index("resize")
        spec = None if index is None else self.session.network.layers[index]
        if spec is None or spec.kind != DENSE or spec.units == units:
            return False
        if not self.session.network.is_dense:
            return self._edit(f"Width of layer {index + 1} → {units}",
                              lambda net, loss: (reshape.replace_any(net, index, replace(spec, units=units),
                                                                     seed=self.seed()), loss),
                              merge_key=("width", index))
        return self._edit(f"Width of hidden layer {index + 1} → {units}",
                          lambda net, loss: (reshape.set_width(net, index, units, seed=self.seed()), loss),
                          merge_key=("width", index))

    def set_layer_word(self, word: str) -> bool:
        """The current layer becomes what ``word`` says ("conv16x3", "maxpool2", "avgpool2", "64"): resize a
        convolution, pool differently, or turn a convolution into a pooling."""
        index = self._hidden_index("change")
        if index is None:
            return False
        old = self.session.network.layers[index]
        try:
            spec = parse_layer_word(word, old.activation if old.has_parameters else self.new_conv_layer().activation)
        except ValueError as error:
            return self._refuse(str(error))
        if spec == old:
            return False
        return self._edit(f"Layer {index + 1}: {layer_word(old)} → {layer_word(spec)}",
                          lambda net, loss: (reshape.replace_any(net, index, spec, seed=self.seed()), loss))

    def _set_option(self, label: str, **change) -> bool:
        index = self._hidden_index(f"change the {label} of") if "frozen" not in change else self.current - 1
        if index is None:
            return False
        if index < 0:
            return self._refuse("The input layer has no weights to freeze: " + self._why_fixed(0))
        (name, value), = change.items()
        if self.session.network is not None and getattr(self.session.network.layers[index], name) == value:
            return False
        words = layer_words(index + 1, len(self.session.network.sizes), self.session.network)
        text = f"{'Freeze' if value else 'Unfreeze'} {words}" if name == "frozen" else \
            f"{name.capitalize()} of {words} → {value:g}" if name == "dropout" else f"Activation of {words} → {value}"
        return self._edit(text, lambda net, loss: (reshape.set_layer_options(net, index, **change), loss),
                          merge_key=("dropout", index) if name == "dropout" else None)

    def set_activation(self, name: str) -> bool:
        return self._set_option("activation", activation=name)

    def set_dropout(self, rate: float) -> bool:
        return self._set_option("dropout", dropout=float(rate))

    def set_frozen(self, frozen: bool = True) -> bool:
        done = self._set_option("freezing", frozen=bool(frozen))
        self._show_current()  # a refused toggle unchecks the button again
        return done

    def set_output(self, loss: str, activation: str) -> bool:
        network = self.session.network
        if network is not None and (loss, activation) == (self.session.loss, network.layers[-1].activation):
            return False
        dataset = self.session.dataset
        n_classes = dataset.n_classes if dataset else network.n_outputs

        def compute(net, _):
            if dataset is not None and dataset.is_regression:
                check_predicts_numbers(loss, activation, f"{dataset.name}'s targets")
            return reshape.set_output(net, loss, activation, n_classes, seed=self.seed()), loss
        return self._edit(f"Output {pair_text(loss, activation)}", compute)

    def set_hidden_widths(self, widths: list[int], template: LayerSpec) -> bool:
        """The training panel's "hidden layers" field: layers keep their settings by position."""
        network = self.session.network
        if network is None or hidden_layout(network.layers) == tuple(widths):
            return False
        if not network.is_dense or any(isinstance(width, str) for width in widths):
            dataset = self.session.dataset
            shape = tuple(dataset.input_shape) if dataset is not None and len(dataset.input_shape) > 1 else None
            specs = [parse_layer_word(word, template.activation, template.dropout) for word in widths]
            return self._edit(f"Hidden layers → {', '.join(map(str, widths)) or 'none'}",
                              lambda net, loss: (reshape.set_hidden_layers(net, specs, shape, seed=self.seed()), loss))
        return self._edit(f"Hidden widths → {', '.join(map(str, widths)) or 'none'}",
                          lambda net, loss: (reshape.set_hidden_widths(net, widths, template, seed=self.seed()),
                                             loss))

    def set_all_hidden(self, **change) -> bool:
        """The training panel's activation or dropout, applied to every hidden layer."""
        network = self.session.network
        if network is None or len(network.layers) < 2:
            return False
        (name, value), = change.items()
        # pooling and flatten have no activation, a convolution no dropout
        takes = [index for index, spec in enumerate(network.layers[:-1])
                 if spec.kind == DENSE or (spec.kind == CONV2D and name != "dropout")]
        if all(getattr(network.layers[index], name) == value for index in takes):
            return False

        def compute(net, loss):
            result = None
            for index in takes:
                result = reshape.set_layer_options(result.network if result else net, index, **change)
            return result, loss
        return self._edit(f"Every hidden {name} → {value}", compute)

    def apply_template(self, name: str) -> bool:
        """A template fitting the open dataset applies to it; otherwise its own dataset is opened first."""
        template = TEMPLATES[name]
        dataset = self.session.dataset
        why = fits(template, dataset.n_features, dataset.n_classes) if dataset is not None else "no dataset"
        if why:
            if self.state == TrainingState.RUNNING:
                return self._refuse(PAUSE_TO_EDIT)
            self.dataset_wanted.emit(template.dataset)  # the window may ask about unsaved work
            dataset = self.session.dataset
            if dataset is None or self.session.dataset_source != template.dataset:
                return self._refuse(f"{why}; open {template.dataset} to use it")
            if fits(template, dataset.n_features, dataset.n_classes):
                return self._refuse(f"{template.name} does not fit {dataset.name}")
        output = LayerSpec(1 if template.loss == "binary_cross_entropy" and template.n_classes == 2
                           else template.n_classes, template.output_activation)

        def compute(net, loss):
            new = reshape.fresh_network(template.input if template.image_shape else net.input_size,
                                        list(template.hidden), output, template.loss,
                                        dtype=net.dtype, seed=self.seed())
            drawn = tuple(index for index, spec in enumerate(new.layers) if spec.has_parameters)
            return reshape.Reshaped(new, drawn), template.loss
        done = self._edit(f"Template {template.name}", compute)
        if done:
            self.select_layer(1)
        return done

