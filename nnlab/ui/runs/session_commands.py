"""File → Save Session…, Open Session…, Export weights…: whole sessions in a ``.nnlab`` file, and any
run's weights at any epoch as a weight file (weight files stay the exchange format).

Saving holds a running training between two batches while the file is written. Opening goes the one way
everything that replaces the learner's work goes (work_guard.py): the file is read and checked first —
a file that fails shows one sentence and changes nothing — then "Save the weights first?", then the run
stops, then the session is taken, with the selection and the view (scrubbed epoch, ticked runs) it kept.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QWidget

from nnlab.lab.run_export import export_run_weights
from nnlab.lab.selection import Selection
from nnlab.lab.session_io import OpenedSession
from nnlab.lab.view_state import restore_selection, selection_state

from ..questions import Questions
from ..save_commands import WEIGHT_FILES
from ..status import TrainingStatus
from ..training.controller import TrainingController
from ..work_guard import WorkGuard
from .export_dialog import ExportWeightsDialog
from .runs_views import RunsViews

SESSION_FILES = "NN Lab sessions (*.nnlab);;All files (*)"
SESSION_SUFFIX = ".nnlab"


class SessionCommands:
    def __init__(self, session, selection: Selection, views: RunsViews, training: TrainingController,
                 guard: WorkGuard, questions: Questions, status: TrainingStatus, parent: QWidget) -> None:
        """``parent``: the window the export dialog opens over."""
        self.session, self.selection, self.views, self.training = session, selection, views, training
        self.guard, self.questions, self.status, self.parent = guard, questions, status, parent

    # -- saving ----------------------------------------------------------------------------------------
    def save_session(self) -> bool:
        path = self.questions.ask_save_path("Save session", SESSION_FILES)
        if not path:
            return False
        return self.save_session_to(Path(path) if Path(path).suffix else Path(path).with_suffix(SESSION_SUFFIX))

    def save_session_to(self, path: Path) -> bool:
        def save() -> None:
            with self.training.held():  # the worker writes the network between batches
                self.session.save_session(path, selection_state(self.selection), self.views.view_state())

        if not self.questions.attempt("Could not save the session", save):
            return False
        runs = len(self.session.runs)
        self.status.show_message(f"Saved the session ({runs} run{'s' * (runs != 1)}) to {path}")
        return True

    # -- opening ---------------------------------------------------------------------------------------
    def open_session(self) -> bool:
        path = self.questions.ask_open_path("Open session", SESSION_FILES)
        return bool(path) and self.open_session_path(path)

    def open_session_path(self, path: str | Path, ask: bool = True) -> bool:
        """Read ``path`` whole first; only a file that opens replaces the session (a failed open changes nothing)."""
        return self.guard.replace("Could not open the session", self._use, lambda: self.session.read_session(path),
                                  ask=ask)

    def _use(self, opened: OpenedSession) -> None:
        self.session.use_session(opened)
        restore_selection(self.selection, opened.selection)
        self.views.restore_view(opened.view)
        current = self.session.runs.current
        where = f": {current.name} at epoch {current.last_epoch}, Start carries it on" if current else ""
        self.status.show_message(f"Opened {opened.path.name}{where}")

    # -- exporting -------------------------------------------------------------------------------------
    def export_weights(self) -> bool:
        """A run and an epoch (the dialog), then a file name: that snapshot's weights as a weight file."""
        choice = self.ask_run_and_epoch()
        if choice is None:
            return False
        path = self.questions.ask_save_path("Export weights", WEIGHT_FILES)
        if not path:
            return False
        path = Path(path) if Path(path).suffix else Path(path).with_suffix(".npz")
        run_id, epoch = choice
        session_name = self.session.session_path.name if self.session.session_path else ""
        if not self.questions.attempt("Could not export the weights", lambda: export_run_weights(
                self.session.runs[run_id], epoch, path, session_name)):
            return False
        self.status.show_message(f"Exported {self.session.runs[run_id].name} at epoch {epoch} to {path}")
        return True

    def ask_run_and_epoch(self) -> tuple[int, int] | None:
        """The export dialog (tests answer it instead)."""
        dialog = ExportWeightsDialog(self.session.runs, self.views.time_machine, self.parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.choice()
