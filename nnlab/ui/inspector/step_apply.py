"""'Apply this step' and its Undo: the one place the inspector changes the network.

It writes through the session (in place, so the optimizer's views stay valid; the weights
are unsaved only while they differ from the saved ones), only while no training run is
active. Each applied step is one command on the editor's undo history — the history Edit → Undo
and Redo step through — keeping the exact parameter values it swaps, so Ctrl+Z takes the step
back bit for bit and Redo puts it again; the tab's Undo button is that same Undo. The
history is cleared when the network is replaced or a run starts, so no step is ever undone onto
other weights. What the tab last said ("Applied …", "Undone …") is about those weights: any
other change of the network clears it.
"""
from __future__ import annotations

import weakref
from typing import Callable, Protocol

import numpy as np
from PySide6.QtGui import QUndoCommand, QUndoStack
from shiboken6 import isValid

from nnlab.engine.numbers import format_number
from nnlab.engine.optimizer_steps import apply_one_step
from nnlab.lab.selection import ConnectionRef
from nnlab.lab.training_state import TrainingState

UNDONE = "Undone: the weights are exactly as before the step."


class EditHistory(Protocol):
    """The network editor's undo history (``NetworkEditor``)."""
    undo_stack: QUndoStack

    def push(self, command: QUndoCommand) -> None: ...

    def undo(self) -> None: ...


def weight_value(network, ref) -> float:
    """The value of a ConnectionRef's weight or a KernelWeightRef's kernel weight in ``network``."""
    if isinstance(ref, ConnectionRef):
        return float(network.weights[ref.layer][ref.target, ref.source])
    return float(network.weights[ref.layer][ref.filter, ref.channel, ref.row, ref.col])


class AppliedStep(QUndoCommand):
    """One applied step. It keeps the parameters the network does not hold now — the ones after the step
    while it is undone, the ones before it while it is done — and swaps them in, exactly, through
    ``write(params, message)``, which returns the ones it replaced: one copy per step on the history, not
    two. It writes into whatever network is the session's then: undoing an edit puts a copy of the network
    in place, with the very weights this step left or found."""

    def __init__(self, text: str, after: np.ndarray, message: str,
                 write: Callable[[np.ndarray, str], np.ndarray]) -> None:
        super().__init__(text)
        self.message, self._write, self._other = message, write, after

    def redo(self) -> None:
        self._other = self._write(self._other, self.message)

    def undo(self) -> None:
        self._other = self._write(self._other, UNDONE)


class StepApplier:
    def __init__(self, session, training, view, settings, connection, history: EditHistory) -> None:
        """settings() -> (optimizer, learning rate, options, l1, l2); connection() -> the shown weight (a
        ConnectionRef, a KernelWeightRef or None); history: where an applied step is pushed."""
        self.session, self.training, self.view, self.history = session, training, view, history
        self._settings, self._connection = settings, connection
        self._applying = False
        self._said_about_weights = False
        applier = weakref.ref(self)  # the history may outlive the dock: it lets go of the applier
        history.undo_stack.indexChanged.connect(lambda _index: (alive := applier()) is not None
                                                and alive._show_undoable())
        self._show_undoable()

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
        text, message = f"Apply backprop step ({optimizer})", ""
        if connection is not None:
            before, after = weight_value(network, connection), weight_value(stepped, connection)
            text = f"Apply backprop step ({optimizer}, w {format_number(before)} → {format_number(after, 6)})"
            message = (f"Applied one {optimizer} step to every weight: the selected weight went "
                       f"from {format_number(before)} to {format_number(after, 6)}.")
        self.history.push(AppliedStep(text, stepped.params, message, self._write))
        return True

    def top_step(self) -> AppliedStep | None:
        """The applied step Edit → Undo would take back now, if that is one."""
        stack = self.history.undo_stack
        command = stack.command(stack.index() - 1) if stack.canUndo() else None
        return command if isinstance(command, AppliedStep) else None

    def undo(self) -> bool:
        """The tab's Undo: Edit → Undo, while what it takes back is an applied step."""
        if self._refuse_while_training() or self.top_step() is None:
            return False
        self.history.undo()
        return True

    def _show_undoable(self) -> None:
        button = self.view.undo_button
        # The stack says "index changed" as it is cleared on its way out, when the tab may be gone already.
        if isValid(self.history.undo_stack) and isValid(button):
            button.setEnabled(self.top_step() is not None)

    def _write(self, params: np.ndarray, message: str) -> np.ndarray:
        """Put ``params`` into the open network; returns the ones they replaced."""
        network = self.session.network
        replaced = network.params.copy()
        self._applying = True
        try:
            network.params[...] = params
            self.session.weights_written()
        finally:
            self._applying = False
        if message:
            self._say(message)
        return replaced

    def network_replaced(self) -> None:
        """New weights (not our own write): what the tab said is about other weights. (A step applied to
        another network has left the history with it.)"""
        if not self._applying and self._said_about_weights:
            self._say("")
