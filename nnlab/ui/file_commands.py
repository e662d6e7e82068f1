"""The window's File commands: open weights or a lesson, save, recent files, dropped files, curve exports.

A mixin of ``MainWindow`` (it uses the window's session, training controller, settings and
``_ask_*``/``_show_error`` questions); kept apart so the window file stays about assembly.
"""
from __future__ import annotations

from pathlib import Path

from nnlab.data.lessons import Lesson, lesson_source

from .selection import ConnectionRef, InspectedInput, NeuronRef

WEIGHT_FILES = "NN Lab weights (*.npz);;All files (*)"


class FileCommands:
    def open_dialog(self) -> None:
        if self._may_discard():
            path = self._ask_open_path("Open weights", WEIGHT_FILES)
            if path:
                self.open_path(path, ask=False)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a weight file; a failure shows the reason and changes nothing."""
        if ask and not self._may_discard():
            return False
        self.training.stop()
        try:
            self.session.open_model(path)
        except (ValueError, OSError) as error:
            self._show_error("Could not open the weights", error)
            return False
        if self.session.dataset_source:
            self.panel.show_dataset(self.session.dataset_source, Path(self.session.dataset_source).name)
        self.panel.show_network(self.session.network, self.session.loss)
        self.settings.add_recent_file(path)
        return True

    def open_lesson(self, lesson: Lesson) -> bool:
        """The lesson's dataset and float64 network replace the session's; False if the user kept their work."""
        if not self._may_discard():
            return False
        self.training.stop()
        split = (0.70, 0.15, 0.15) if lesson.trainable else (1.0, 0.0, 0.0)
        try:
            network = lesson.build_network()
            self.session.load_dataset(lesson_source(lesson), split, 0)
        except ValueError as error:
            self._show_error("Cannot open the lesson", error)
            return False
        self.panel.show_dataset(self.session.dataset_source, lesson.title)
        self.panel.show_network(network, lesson.loss)
        self.panel.show_training(lesson.training)
        self.session.adopt_network(network, lesson.loss)
        self.selection.set_input(lesson_input(lesson))
        if lesson.select is not None:
            self.selection.select_neuron(NeuronRef(*lesson.select))
        self.selection.select_connection(ConnectionRef(*lesson.connection) if lesson.connection else None)
        return True

    def save(self) -> bool:
        return self.save_to(self.session.path) if self.session.path else self.save_as()

    def save_as(self) -> bool:
        path = self._ask_save_path("Save weights", WEIGHT_FILES)
        if not path:
            return False
        return self.save_to(Path(path) if Path(path).suffix else Path(path).with_suffix(".npz"))

    def save_to(self, path: Path) -> bool:
        try:
            with self.training.held():
                self.session.save(path)
        except (ValueError, OSError) as error:
            self._show_error("Could not save the weights", error)
            return False
        self.settings.add_recent_file(path)
        self.status.show_message(f"Saved {path}")
        return True

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        recent = self.settings.get("recent_files")
        for index, path in enumerate(recent, start=1):
            action = self.recent_menu.addAction(f"&{index} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        self.recent_menu.setEnabled(bool(recent))

    def _on_path_changed(self, path) -> None:
        self.setWindowTitle(f"{path.name if path else 'untitled'}[*] — NN Lab")
        self._refresh_actions()

    def export_plots_png(self) -> None:
        path = self._ask_save_path("Export curves", "PNG image (*.png)")
        if path:
            base = Path(path).with_suffix("")
            try:
                for plot in ("loss", "accuracy"):
                    self.plots.export_png(f"{base}-{plot}.png", plot=plot)
            except (ValueError, OSError) as error:
                self._show_error("Could not export the curves", error)

    def export_plots_csv(self) -> None:
        path = self._ask_save_path("Export curves", "CSV table (*.csv)")
        if path:
            try:
                self.plots.export_csv(Path(path).with_suffix(".csv"))
            except (ValueError, OSError) as error:
                self._show_error("Could not export the curves", error)

    def dragEnterEvent(self, event) -> None:
        if any(url.isLocalFile() and url.toLocalFile().endswith(".npz") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        files = [url.toLocalFile() for url in event.mimeData().urls() if url.toLocalFile().endswith(".npz")]
        if files:
            event.acceptProposedAction()
            self.open_path(files[0])


def lesson_input(lesson: Lesson, index: int = 0) -> InspectedInput:
    sample = lesson.samples[index]
    shape = tuple(lesson.input_shape) if len(lesson.input_shape) == 2 else None
    return InspectedInput(sample.values.copy(), shape, f"lesson input: {sample.name}", sample.label)
