"""Every edit as a ``QUndoCommand`` holding the whole network before and after.

Why whole copies rather than inverse edits: an undo must give back the exact previous
weights, bit for bit, and a re-initialised layer cannot be "un-initialised" any other
way. A 784-256-128-10 network is under 1 MB, so a deep history is cheap.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtGui import QUndoCommand

from nnlab.engine import Network

MERGE_ID = 4_004  # consecutive steps of one spin box on one layer merge into one undo step


@dataclass(frozen=True)
class NetworkState:
    network: Network
    loss: str
    epochs_trained: int  # 0 once an edit re-initialised every layer: nothing of the training is left
    fresh: bool = False  # every layer re-initialised by the edit: putting it in place starts a new history


class NetworkEditCommand(QUndoCommand):
    """Puts ``after`` in place on redo and ``before`` on undo, through ``apply(state, message)``.

    ``merge_key`` (e.g. ("width", 2)) lets a run of the same spin-box edit on the same
    layer become one command whose undo returns to the state before the first step.
    """

    def __init__(self, text: str, before: NetworkState, after: NetworkState, message: str,
                 apply: Callable[[NetworkState, str], None], merge_key: tuple | None = None,
                 done: bool = False) -> None:
        """``done``: ``after`` is in place already (made elsewhere), so the push's own redo does nothing."""
        super().__init__(text)
        self.before, self.after, self.message = before, after, message
        self._apply, self.merge_key, self._done = apply, merge_key, done

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._apply(self.after, self.message)

    def undo(self) -> None:
        self._apply(self.before, f"Undid: {self.text()}")

    def id(self) -> int:
        return MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, NetworkEditCommand) or other.merge_key != self.merge_key:
            return False
        self.after, self.message = other.after, other.message
        self.setText(other.text())
        return True
