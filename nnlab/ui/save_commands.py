"""Save the weights (File → Save, Save As) and export the curves (PNG, CSV).

Saving holds a running training between two batches for the moment the file is written; every
failure is shown as one sentence (:meth:`Questions.attempt`), never raised past the window.
"""
from __future__ import annotations

from pathlib import Path

from nnlab.lab.session import LabSession

from .questions import Questions
from .settings import Settings
from .status import TrainingStatus
from .training.controller import TrainingController
from .widgets.live_plots import LivePlots

WEIGHT_FILES = "NN Lab weights (*.npz);;All files (*)"


class SaveCommands:
    def __init__(self, session: LabSession, settings: Settings, training: TrainingController, plots: LivePlots,
                 status: TrainingStatus, questions: Questions) -> None:
        """``settings``: the app's (a saved file joins the recent files)."""
        self.session, self.settings, self.training = session, settings, training
        self.plots, self.status, self.questions = plots, status, questions

    def save(self) -> bool:
        return self.save_to(self.session.path) if self.session.path else self.save_as()

    def save_as(self) -> bool:
        path = self.questions.ask_save_path("Save weights", WEIGHT_FILES)
        if not path:
            return False
        return self.save_to(Path(path) if Path(path).suffix else Path(path).with_suffix(".npz"))

    def save_to(self, path: Path) -> bool:
        def save() -> None:
            with self.training.held():
                self.session.save(path)

        if not self.questions.attempt("Could not save the weights", save):
            return False
        self.settings.add_recent_file(path)
        self.status.show_message(f"Saved {path}")
        return True

    def export_plots_png(self) -> None:
        path = self.questions.ask_save_path("Export curves", "PNG image (*.png)")
        if not path:
            return
        base = Path(path).with_suffix("")

        def export() -> None:
            for plot, shows in (("loss", "loss"), ("accuracy", self.plots.score_name.replace(" ", "-"))):
                self.plots.export_png(f"{base}-{shows}.png", plot=plot)

        self.questions.attempt("Could not export the curves", export)

    def export_plots_csv(self) -> None:
        path = self.questions.ask_save_path("Export curves", "CSV table (*.csv)")
        if path:
            self.questions.attempt("Could not export the curves",
                                   lambda: self.plots.export_csv(Path(path).with_suffix(".csv")))
