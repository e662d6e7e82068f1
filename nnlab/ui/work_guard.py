"""The one path by which something replaces the learner's work: read it, ask, stop the run, use it.

A new network, a dataset, a weight file or a lesson each replace the open network. They all go the
same way, so none of them can skip a step: what replaces the work is read and checked first (a
failure shows its one sentence, asks nothing and changes nothing); then "Save the weights first?"
when unsaved weights would go (Cancel changes nothing); then the training run stops; then the new
work is taken in. A ValueError or OSError at any step is shown under the command's title, never
raised past the window — also when a slot raised it inside a psygnal emission (its EmitLoopError).
"""
from __future__ import annotations

from typing import Callable, TypeVar

from nnlab.lab.events import EmitLoopError, slot_error
from nnlab.lab.session import LabSession

from .questions import Questions
from .training.controller import TrainingController

T = TypeVar("T")
ERRORS = (ValueError, OSError)  # what a bad file, a bad setting or a full disk raises: one sentence each
# The lab's own signals raise a slot's error as itself (nnlab/lab/events.py); any other psygnal signal
# (the run settings' evented fields) wraps it in an EmitLoopError.
_CAUGHT = (*ERRORS, EmitLoopError)


def _nothing() -> None:
    return None


class WorkGuard:
    def __init__(self, session: LabSession, training: TrainingController, questions: Questions,
                 save: Callable[[], bool], end_run: Callable[[], None]) -> None:
        """``save``: File → Save (True when saved); ``end_run``: end the run as Stop does, its epochs kept."""
        self.session, self.training, self.questions = session, training, questions
        self._save, self._end_run = save, end_run

    def may_discard(self) -> bool:
        """True when there is nothing unsaved, or the user saved it or chose to discard it."""
        if not self.session.dirty:
            return True
        answer = self.questions.ask_save_changes()
        if answer == "save":
            return self._save()
        return answer == "discard"

    def replace(self, title: str, use: Callable[[T], bool | None], read: Callable[[], T] = _nothing, *,
                ask: bool = True, keeps_work: Callable[[T], bool] = lambda _read: False) -> bool:
        """``read()`` what replaces the work; ask (when ``ask``) to discard unsaved weights; stop the run;
        ``use(what was read)``. True when the work was replaced (``use`` returning False says it was not).

        ``keeps_work(what was read)`` True: the open network stays (a dataset it fits), so nothing is asked
        and its run ends as Stop ends it — its epochs count — rather than being dropped.
        """
        try:
            what = read()
        except _CAUGHT as error:
            self._show(title, error)
            return False
        if keeps_work(what):
            self._end_run()
        elif ask and not self.may_discard():
            return False
        self.training.stop()
        try:
            return use(what) is not False
        except _CAUGHT as error:
            self._show(title, error)
            return False

    def _show(self, title: str, error: Exception) -> None:
        """The error's one sentence under ``title``; a slot's error other than ERRORS is a bug, raised on."""
        cause = slot_error(error)
        if not isinstance(cause, ERRORS):
            raise error
        self.questions.show_error(title, cause)
