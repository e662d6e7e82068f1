"""Keeps the run settings' network fields and the editor's network saying the same thing.

The editor is the source of truth: after every change of network the settings follow its
hidden widths, first hidden activation and dropout, and loss (the panel shows them); what the
user types or picks in those panel fields becomes an undoable edit of the current network (never
a silent rebuild). A value the settings refuse never reaches the editor: the panel says why.
Without a network the fields simply describe the next new network.
"""
from __future__ import annotations

from nnlab.engine import LayerSpec
from nnlab.engine.layers import ConvSpec
from nnlab.engine.losses import DEFAULT_OUTPUT_ACTIVATION


def link_panel(editor, panel, settings) -> None:
    session = editor.session

    def new_layer() -> LayerSpec:
        return LayerSpec(16, settings.activation, settings.dropout)

    def show_network(*_) -> None:
        if session.network is not None:
            settings.follow_network(session.network, session.loss)

    def widths_finished() -> None:
        # The panel handled this editingFinished first: a refused text has gone back to the setting.
        if not editor.set_hidden_widths(list(settings.hidden), new_layer()):
            show_network()

    def loss_chosen(_index: int) -> None:
        loss = settings.loss
        if session.network is not None and not editor.set_output(loss, DEFAULT_OUTPUT_ACTIVATION[loss]):
            show_network()

    editor.seed = lambda: settings.seed
    editor.new_layer = new_layer
    editor.new_conv_layer = lambda: ConvSpec(8, 3, activation=settings.activation)
    session.network_changed.connect(show_network)
    panel.hidden_layers.editingFinished.connect(widths_finished)
    panel.activation.activated.connect(lambda _: editor.set_all_hidden(activation=settings.activation))
    panel.dropout.valueChanged.connect(lambda _value: editor.set_all_hidden(dropout=settings.dropout))
    panel.loss.activated.connect(loss_chosen)
