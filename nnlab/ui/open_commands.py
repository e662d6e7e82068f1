"""Choosing what the lab works on: a dataset (the open network stays when it fits it), a new network,
new random weights, a weight file (from a dialog, the recent files or a drop), a lesson.

Each one that replaces the open network goes through the work guard (read and check first, then ask,
then stop the run, then take it in), so a file that fails asks nothing and changes nothing.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QMenu

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.dataset import Dataset
from nnlab.data.lessons import Lesson, lesson_source
from nnlab.engine.layers import FLATTEN, layer_word
from nnlab.lab.reading import OpenedModel, PreparedDataset
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.selection import ConnectionRef, InspectedInput, NeuronRef, Selection
from nnlab.lab.session import LabSession

from .questions import Questions
from .save_commands import WEIGHT_FILES
from .settings import Settings
from .status import TrainingStatus
from .training.history_keeper import HistoryKeeper
from .widgets.training_panel import TrainingPanel
from .work_guard import WorkGuard

DATASET_FILES = "Datasets (*.npz *.csv *.tsv *.txt *.gz *ubyte*);;All (*)"
LESSON_SPLIT = (0.70, 0.15, 0.15)


def architecture_words(network) -> str:
    """"2 → 8 → 8 → 2"; a convolutional network by its layer words: "28×28 → conv8x5 → maxpool2 → … → 10"."""
    if network.is_dense:
        return " → ".join(map(str, network.sizes))
    words = [layer_word(spec) for spec in network.layers if spec.kind != FLATTEN]
    return " → ".join(["×".join(map(str, network.input_shape[-2:])), *words[:-1], str(network.n_outputs)])


class OpenCommands:
    def __init__(self, session: LabSession, selection: Selection, run_settings: RunSettings, settings: Settings,
                 guard: WorkGuard, keeper: HistoryKeeper, panel: TrainingPanel, status: TrainingStatus,
                 questions: Questions) -> None:
        """``run_settings``: the next run's; ``settings``: the app's (the last dataset is remembered)."""
        self.session, self.selection, self.run_settings, self.settings = session, selection, run_settings, settings
        self.guard, self.keeper, self.panel, self.status, self.questions = guard, keeper, panel, status, questions

    def choose_dataset(self, source: str, read_again: bool = False) -> bool:
        """Open ``source``; the open network stays when it fits it, else a new one is built.

        The dataset is loaded first: a file that fails changes nothing and asks nothing, and
        "Save the weights first?" comes only when a new network would replace unsaved weights.
        ``read_again``: a file imported again is read again (the learner may have changed it).
        """
        session, run_settings = self.session, self.run_settings
        if source == session.dataset_source and session.network is not None and not read_again:
            return True  # chosen again in the list: nothing to do (File → New builds a fresh network)

        def read() -> tuple[PreparedDataset, str]:
            prepared = session.prepare_dataset(source, run_settings.split, run_settings.seed)
            return prepared, session.network_misfit(prepared.dataset)

        return self.guard.replace("Could not open the dataset", lambda got: self._use_dataset(source, *got), read,
                                  keeps_work=lambda got: not got[1])

    def _use_dataset(self, source: str, prepared: PreparedDataset, misfit: str) -> bool:
        """``misfit``: why the open network cannot learn the new dataset ("" when it can: it stays)."""
        run_settings = self.run_settings
        had_network = self.session.network is not None
        dataset = self.session.use_dataset(prepared)
        self.panel.name_dataset(source, Path(source).name)
        run_settings.dataset = source
        self.settings.set("last_dataset", source)
        kind = BUILTIN_DATASETS[source].kind if source in BUILTIN_DATASETS else "regression" \
            if dataset.is_regression else ("points" if len(dataset.input_shape) == 1 else "image")
        if not misfit:
            if run_settings.from_lesson:  # a lesson's training settings leave with the lesson
                run_settings.suggest_for(kind, network=False)
            self._keep_network_for(dataset)
            return True
        run_settings.suggest_for(kind)
        built = self.new_network(ask=False)
        if built and had_network:
            # the reason first: the status line has room for ~110 characters at 1280 px
            self.status.show_message(f"{misfit} — a new network for {dataset.name}: "
                                     f"{architecture_words(self.session.network)}")
        return built

    def _keep_network_for(self, dataset: Dataset) -> None:
        """The network fits the new dataset: it stays, weights and all; what was measured on the old one goes."""
        self.session.keep_network()
        self.keeper.start_new()
        self.status.show_message(f"{dataset.name} fits the open network: it keeps its weights, the curves start again "
                                 f"— File → New for fresh ones ({architecture_words(self.session.network)})")

    def import_dialog(self) -> None:
        path = self.questions.ask_open_path("Import a dataset", DATASET_FILES)
        if path:
            self.choose_dataset(path, read_again=True)

    def new_network(self, ask: bool = True) -> bool:
        """Fresh random weights in the shape the run settings ask for; ``ask=False``: the caller asked already."""
        return self.guard.replace("Cannot build this network", self._build_network, ask=ask)

    def _build_network(self, _nothing) -> None:
        self.session.new_network(self.run_settings.experiment())
        self.keeper.start_new()
        self.session.set_path(None)
        self.session.set_dirty(False)

    def reset_weights(self) -> None:
        self.session.reset_weights(self.run_settings.seed)
        self.keeper.start_new()

    def open_dialog(self) -> None:
        path = self.questions.ask_open_path("Open weights", WEIGHT_FILES)
        if path:
            self.open_path(path)

    def open_path(self, path: str | Path, ask: bool = True) -> bool:
        """Open a weight file; a failure shows the reason and changes nothing."""
        return self.guard.replace("Could not open the weights", lambda opened: self._use_model(opened, path),
                                  lambda: self.session.read_model(path), ask=ask)

    def _use_model(self, opened: OpenedModel, path: str | Path) -> None:
        session = self.session
        session.use_model(opened)
        self.keeper.start_new()
        if session.dataset_source:
            self.panel.name_dataset(session.dataset_source, Path(session.dataset_source).name)
            self.run_settings.dataset = session.dataset_source
        self.run_settings.follow_network(session.network, session.loss)
        self.settings.add_recent_file(path)

    def fill_recent_menu(self, menu: QMenu) -> None:
        menu.clear()
        recent = self.settings.get("recent_files")
        for index, path in enumerate(recent, start=1):
            action = menu.addAction(f"&{index} {Path(path).name}")
            action.setToolTip(path)
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        menu.setEnabled(bool(recent))

    def open_lesson(self, lesson: Lesson) -> bool:
        """The lesson's dataset and float64 network replace the session's; False if the user kept their work.
        Its training settings (optimizer, learning rate, …) are the lesson's: the next dataset replaces them."""
        split = LESSON_SPLIT if lesson.trainable else (1.0, 0.0, 0.0)

        def read():
            network = lesson.build_network()
            self.run_settings.training_fields(lesson.training)  # refused here, before anything changes
            return network, self.session.prepare_dataset(lesson_source(lesson), split, 0)

        return self.guard.replace("Cannot open the lesson", lambda got: self._use_lesson(lesson, *got), read)

    def _use_lesson(self, lesson: Lesson, network, prepared: PreparedDataset) -> None:
        session, run_settings, selection = self.session, self.run_settings, self.selection
        session.use_dataset(prepared)
        self.panel.name_dataset(session.dataset_source, lesson.title)
        run_settings.dataset = session.dataset_source
        run_settings.follow_lesson(network, lesson.loss, lesson.training)
        session.adopt_network(network, lesson.loss)
        self.keeper.start_new()
        selection.set_input(lesson_input(lesson))
        if lesson.select is not None:
            selection.select_neuron(NeuronRef(*lesson.select))
        selection.select_connection(ConnectionRef(*lesson.connection) if lesson.connection else None)


def lesson_input(lesson: Lesson, index: int = 0) -> InspectedInput:
    sample = lesson.samples[index]
    shape = tuple(lesson.input_shape) if len(lesson.input_shape) == 2 else None
    return InspectedInput(sample.values.copy(), shape, f"lesson input: {sample.name}", sample.label)


class WeightFileDrops(QObject):
    """A weight file dropped anywhere on the window it filters opens (the first, when several are dropped)."""

    def __init__(self, commands: OpenCommands, parent: QObject) -> None:
        super().__init__(parent)
        self.commands = commands

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() not in (QEvent.Type.DragEnter, QEvent.Type.Drop):
            return False
        files = [url.toLocalFile() for url in event.mimeData().urls()
                 if url.isLocalFile() and url.toLocalFile().endswith(".npz")]
        if not files:
            return False
        event.acceptProposedAction()
        if event.type() == QEvent.Type.Drop:
            self.commands.open_path(files[0])
        return True
