"""'Apply this step' and its Undo: the one place the inspector changes the network.

It writes through the session (in place, so the optimizer's views stay valid; the weights
are unsaved only while they differ from the saved ones), only while no training run is
active, and keeps the exact parameter values it replaced so Undo restores them bit for bit.
What it last said ("Applied …", "Undone …") is about those weights: any other change of the
network clears it.
"""
from __future__ import annotations

import numpy as np

from nnlab.engine.numbers import format_number
from nnlab.engine.optimizer_steps import apply_one_step
from nnlab.lab.selection import ConnectionRef
from nnlab.lab.training_state import TrainingState


def weight_value(network, ref) -> float:
    """The value of a ConnectionRef's weight or a KernelWeightRef's kernel weight in ``network``."""
    if isinstance(ref, ConnectionRef):
        return float(network.weights[ref.layer][ref.target, ref.source])
    return float(network.weights[ref.layer][ref.filter, ref.channel, ref.row, ref.col])


class StepApplier:
    def __init__(self, session, training, view, settings, connection) -> None:
        """settings() -> (optimizer, learning rate, options, l1, l2); connection() -> the shown weight (a
        ConnectionRef, a KernelWeightRef or None)."""
        self.session, self.training, self.view = session, training, view
        self._settings, self._connection = settings, connection
        self._saved: tuple[object, np.ndarray, np.ndarray] | None = None
        self._applying = False
        self._said_about_weights = False

    def _say(self, text: str, about_weights: bool = True) -> None:
        self.view.status.setText(text)
        self._said_about_weights = about_weights

    def _refuse_while_training(self) -> bool:
        if self.training.state != TrainingState.IDLE:
            self._say("A training run is active: stop it (Shift+F5) before applying or undoing a step by hand.",
                      about_weights=False)
            return True
        return False

    def apply(self) -> bool:
        walk, network = self.view.walk, self.session.network
        if self._refuse_while_training() or walk is None or network is None:
            return False
        if network.sizes != walk.network.sizes or not np.array_equal(network.params, walk.network.params):
            self._say("The weights changed since this step was worked out; look at it again first.")
            return False
        optimizer, learning_rate, options, _l1, _l2 = self._settings()
        try:  # the optimizer refuses a bad learning rate (its one rule); say so instead of stepping
            stepped = apply_one_step(network, walk.weight_gradients(), walk.bias_gradients(), optimizer,
                                     learning_rate, **options)
        except ValueError as error:
            self._say(f"Cannot apply this step: {error}.", about_weights=False)
            return False
        connection = self._connection()
        before = None if connection is None else weight_value(network, connection)
        saved = network.params.copy()
        self._write(network, stepped.params)
        self._saved = (network, saved, network.params.copy())
        self.view.undo_button.setEnabled(True)
        if connection is not None:
            after = weight_value(network, connection)
            self._say(f"Applied one {optimizer} step to every weight: the selected weight went "
                      f"from {format_number(before)} to {format_number(after, 6)}.")
        return True

    def undo(self) -> bool:
        if self._refuse_while_training() or self._saved is None:
            return False
        network, saved, applied = self._saved
        if network is not self.session.network or not np.array_equal(network.params, applied):
            self._saved = None
            self.view.undo_button.setEnabled(False)
            self._say("The weights changed after the step, so it can no longer be undone.")
            return False
        self._saved = None
        self._write(network, saved)
        self.view.undo_button.setEnabled(False)
        self._say("Undone: the weights are exactly as before the step.")
        return True

    def _write(self, network, params: np.ndarray) -> None:
        self._applying = True
        try:
            network.params[...] = params
            self.session.weights_written()
        finally:
            self._applying = False

    def network_replaced(self) -> None:
        """New weights (not our own write): what the tab said is about other weights, and a step
        saved for another network can no longer be undone."""
        if self._applying:
            return
        if self._said_about_weights:
            self._say("")
        if self._saved is None:
            return
        if self._saved[0] is not self.session.network:
            self._saved = None
            self.view.undo_button.setEnabled(False)
