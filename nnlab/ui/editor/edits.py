"""Every change to the open network's architecture, as one undoable edit.

Each edit is computed by the pure-NumPy ``nnlab.engine.reshape`` (which keeps every weight
the edit does not invalidate) and pushed as a ``NetworkEditCommand`` holding the whole
network before and after. A convolutional network is edited layer by layer through the
same commands: add or remove a conv or pool layer, resize a convolution ("conv16x3"),
turn a convolution into a pooling; the dense ones keep their own wording.

``ArchitectureEdits`` is mixed into ``NetworkEditor``, which provides what it uses:
``session``, ``state``, ``current``, ``undo_stack``, the factories ``seed``, ``new_layer``
and ``new_conv_layer``, the signals ``message``, ``edit_starting``, ``dataset_wanted`` and
``reinitialised``, and ``select_layer`` / ``_show_current``.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import replace

from nnlab.engine import LayerSpec
from nnlab.engine import reshape
from nnlab.engine.layers import CONV2D, DENSE, FLATTEN, hidden_layout, layer_word, parse_layer_word
from nnlab.engine.losses import check_predicts_numbers
from nnlab.lab.training_state import TrainingState

from .commands import NetworkEditCommand, NetworkState
from .templates import TEMPLATES, fits
from .toolbar import pair_text

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


class ArchitectureEdits:
    """Add, remove, resize and re-configure layers; undo and redo them. Refusals say why, once."""

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

    @contextmanager
    def _own_change(self):
        """A step of this history is being done or undone: the network it writes is no change from elsewhere."""
        was, self._applying = self._applying, True
        try:
            yield
        finally:
            self._applying = was

    def _apply(self, state: NetworkState, message: str) -> None:
        with self._own_change():
            self.session.set_network(state.network.copy(), state.loss, state.epochs_trained)
        if state.fresh:
            self.reinitialised.emit()
        self.last_message = message
        self.message.emit(message)

    def record(self, text: str, before: NetworkState, after: NetworkState) -> None:
        """A change already made elsewhere (a diverged run's restored weights) as one step of the history."""
        self.undo_stack.push(NetworkEditCommand(text, before, after, text, self._apply, done=True))

    def push(self, command) -> None:
        """A change of the weights made elsewhere (a Backprop step applied by hand) as one step of this
        history, done by the push: Edit → Undo and Redo step through it with the edits, and the network
        it writes keeps the history (a network from elsewhere, or a run, clears it)."""
        with self._own_change():
            self.undo_stack.push(command)

    def undo(self) -> None:
        self._step_history(self.undo_stack.canUndo(), self.undo_stack.undo)

    def redo(self) -> None:
        self._step_history(self.undo_stack.canRedo(), self.undo_stack.redo)

    def _step_history(self, possible: bool, step) -> None:
        if self.state == TrainingState.RUNNING:
            self._refuse(PAUSE_TO_EDIT)
        elif possible:
            self.edit_starting.emit()
            with self._own_change():
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

