"""Keeps the training panel's network fields and the editor's network saying the same thing.

The editor is the source of truth: after every change of network the panel shows its
hidden widths, first hidden activation and dropout, and loss; what the user types or
picks in those fields becomes an undoable edit of the current network (never a silent
rebuild). Without a network the fields simply describe the next new network.
"""
from __future__ import annotations

from nnlab.engine import LayerSpec
from nnlab.engine.losses import DEFAULT_OUTPUT_ACTIVATION


def link_panel(editor, panel) -> None:
    session = editor.session

    def new_layer() -> LayerSpec:
        return LayerSpec(16, panel.activation.currentText(), panel.dropout.value())

    def show_network(*_) -> None:
        if session.network is not None:
            panel.show_network(session.network, session.loss)

    def widths_finished() -> None:
        try:
            widths = panel.hidden_widths()
        except ValueError as error:
            editor._refuse(str(error))
            show_network()
            return
        if not editor.set_hidden_widths(widths, new_layer()):
            show_network()

    def loss_chosen(_index: int) -> None:
        loss = panel.loss.currentText()
        if session.network is not None and not editor.set_output(loss, DEFAULT_OUTPUT_ACTIVATION[loss]):
            show_network()

    editor.seed = panel.seed.value
    editor.new_layer = new_layer
    session.network_changed.connect(show_network)
    panel.hidden_layers.editingFinished.connect(widths_finished)
    panel.activation.activated.connect(lambda _: editor.set_all_hidden(activation=panel.activation.currentText()))
    panel.dropout.valueChanged.connect(lambda value: editor.set_all_hidden(dropout=float(value)))
    panel.loss.activated.connect(loss_chosen)
