"""The window's File commands: a new network, a dataset, weights or a lesson to open, save, recent files,
dropped files, curve exports.

A mixin of ``MainWindow`` (it uses the window's session, training controller, settings and
``_ask_*``/``_show_error`` questions); kept apart so the window file stays about assembly.
Whatever is opened is loaded and checked first, so a file that fails asks nothing and changes
nothing; "Save the weights first?" comes only after that, and only when unsaved weights would go.
"""
from __future__ import annotations

from pathlib import Path

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.lessons import Lesson, lesson_source
from nnlab.lab.reading import window_refusal
from nnlab.lab.selection import ConnectionRef, InspectedInput, NeuronRef

WEIGHT_FILES = "NN Lab weights (*.npz);;All files (*)"


class FileCommands:
    def choose_dataset(self, source: str, read_again: bool = False) -> bool:
        """Open ``source``; the open network stays when it fits it, else a new one is built.

        The dataset is loaded first: a file that fails changes nothing and asks nothing, and
        "Save the weights first?" comes only when a new network would replace unsaved weights.
        ``read_again``: a file imported again is read again (the learner may have changed it).
        """
        if source == self.session.dataset_source and self.session.network is not None and not read_again:
            return True  # chosen again in the list: nothing to do (File → New builds a fresh network)
        run_settings = self.run_settings
        try:
            prepared = self.session.prepare_dataset(source, run_settings.split, run_settings.seed)
        except (ValueError, OSError) as error:
            self._show_error("Could not open the dataset", error)
            return False
        keep = self.session.network_fits(prepared.dataset)
        if not keep and not self._may_discard():
            return False
        if keep:
            self._end_paused_run()  # the run on the old dataset ends; its weights stay
        self.training.stop()
        dataset = self.session.use_dataset(prepared)
        self.panel.name_dataset(source, Path(source).name)
        run_settings.dataset = source
        self.settings.set("last_dataset", source)
        kind = BUILTIN_DATASETS[source].kind if source in BUILTIN_DATASETS else "regression" \
            if dataset.is_regression else ("points" if len(dataset.input_shape) == 1 else "image")
        if keep:
            if run_settings.from_lesson:  # a lesson's training settings leave with the lesson
                run_settings.suggest_for(kind, network=False)
            self._keep_network_for(dataset)
            return True
        run_settings.suggest_for(kind)
        return self.new_network(ask=False)

    def _keep_network_for(self, dataset) -> None:
        """The network fits the new dataset: it stays, weights and all; what was measured on the old one goes."""
        self.session.keep_network()
        self._start_new_history()
        sizes = " → ".join(map(str, self.session.network.sizes))
        self.status.show_message(f"{dataset.name} fits the open network ({sizes}): it keeps its weights, the "
                                 "curves start again — File → New for fresh ones")

    def import_dialog(self) -> None:
        path = self._ask_open_path("Import a dataset", "Datasets (*.npz *.csv *.tsv *.txt *.gz *ubyte*);;All (*)")
        if path:
            self.choose_dataset(path, read_again=True)

    def new_network(self, ask: bool = True) -> bool:
        if ask and not self._may_discard():
            return False
        self.training.stop()
        try:
            self.session.new_network(self.run_settings.experiment())
        except ValueError as error:
            self._show_error("Cannot build this network", error)
            return False
        self._start_new_history()
        self.session.set_path(None)
        self.session.set_dirty(False)
        return True

    def open_dialog(self) -> None:
        path = self._ask_open_path("Open weights", WEIGHT_FILES)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a weight file; a failure shows the reason and changes nothing."""
        try:
            opened = self.session.read_model(path)
            refused = window_refusal(opened.model.network, Path(path).name)  # a CNN: not drawn here yet
            if refused:
                raise ValueError(refused)
        except (ValueError, OSError) as error:
            self._show_error("Could not open the weights", error)
            return False
        if ask and not self._may_discard():
            return False
        self.training.stop()
        self.session.use_model(opened)
        self._start_new_history()
        if self.session.dataset_source:
            self.panel.name_dataset(self.session.dataset_source, Path(self.session.dataset_source).name)
            self.run_settings.dataset = self.session.dataset_source
        self.run_settings.follow_network(self.session.network, self.session.loss)
        self.settings.add_recent_file(path)
        return True

    def open_lesson(self, lesson: Lesson) -> bool:
        """The lesson's dataset and float64 network replace the session's; False if the user kept their work.
        Its training settings (optimizer, learning rate, …) are the lesson's: the next dataset replaces them."""
        split = (0.70, 0.15, 0.15) if lesson.trainable else (1.0, 0.0, 0.0)
        try:
            network = lesson.build_network()
            self.run_settings.training_fields(lesson.training)  # refused here, before anything changes
            prepared = self.session.prepare_dataset(lesson_source(lesson), split, 0)
        except ValueError as error:
            self._show_error("Cannot open the lesson", error)
            return False
        if not self._may_discard():
            return False
        self.training.stop()
        self.session.use_dataset(prepared)
        self.panel.name_dataset(self.session.dataset_source, lesson.title)
        self.run_settings.dataset = self.session.dataset_source
        self.run_settings.follow_lesson(network, lesson.loss, lesson.training)
        self.session.adopt_network(network, lesson.loss)
        self._start_new_history()
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
                for plot, shows in (("loss", "loss"), ("accuracy", self.plots.score_name.replace(" ", "-"))):
                    self.plots.export_png(f"{base}-{shows}.png", plot=plot)
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
