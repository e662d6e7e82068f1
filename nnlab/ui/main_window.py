"""NN Lab's main window: assembles the docks and routes commands; the work lives elsewhere.

The session (model), the training controller (worker thread) and the widgets never
know each other: this window connects them. Every question to the user goes through
one small ``_ask_*`` method (questions.py), so tests can answer it.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow

from nnlab.engine import BlowUp, EpochResult, RegressionEvaluation, TrainingEnded, evaluate
from nnlab.engine.losses import DEFAULT_OUTPUT_ACTIVATION, check_predicts_numbers, is_regression, output_units
from nnlab.lab import RunSettings
from nnlab.lab.history import History
from nnlab.lab.selection import Selection
from nnlab.lab.session import LabSession

from .actions import ALWAYS_ENABLED, create_actions
from .editor import NetworkEditor, link_panel
from .editor.commands import NetworkState
from .canvas import CanvasPanel
from .canvas.user_data import default_store
from .command_keys import CommandKeys
from .file_commands import FileCommands
from .garbage import collect_on_gui_thread
from .inspector.dock import InspectorDock
from .priority import window_busy
from .questions import Questions
from .screen_fit import fit_on_screen
from .settings import Settings
from .status import TrainingStatus
from .training.controller import TrainingController
from .training.worker import TrainingUpdate
from .widgets.live_plots import LivePlots
from .widgets.metrics_view import MetricsView
from .widgets.scrolling import ScrollWhenSmall, scrolled
from .widgets.training_panel import TrainingPanel

# Every repaint holds the GIL the training thread needs. Once a second keeps the weights visibly
# alive; at 2 Hz the editor's and inspector's repaints cost full MNIST ~4 % of its epoch time.
DIAGRAM_REFRESH_SECONDS = 1.0
METRICS_REFRESH_MS = 400


class MainWindow(FileCommands, Questions, QMainWindow):
    def __init__(self, settings: Settings | None = None, load_last_dataset: bool = True) -> None:
        super().__init__()
        collect_on_gui_thread()
        self.setObjectName("MainWindow")
        self.setWindowTitle("NN Lab[*]")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        self.session = LabSession(default_store())
        self.selection = Selection()
        self.run_settings = RunSettings()
        self.training = TrainingController(self.run_settings, self)
        self.actions = create_actions(self)
        self.command_keys = CommandKeys(self)
        self._diagram_painted = 0.0
        self._latest_epoch: EpochResult | None = None
        self._metrics_timer = QTimer(self, singleShot=True, interval=METRICS_REFRESH_MS)
        self._metrics_timer.timeout.connect(self._show_latest_epoch_metrics)
        self.editor = NetworkEditor(self.session, self.selection)
        self.setCentralWidget(self.editor)
        self.panel = TrainingPanel(self.run_settings)
        self.panel.set_actions(self.actions)
        self.history = History()  # the curves of the network's run; issue 14 keeps one per run
        self.plots = LivePlots(self.history)
        self.metrics = MetricsView()
        self.canvas = CanvasPanel(self.selection, self.session.user_samples)
        self.inspector = InspectorDock(self)
        self.docks = self._build_docks()
        self.status = TrainingStatus(self.statusBar())
        self._build_menus()
        self._connect()
        self._restore_layout()
        self.inspector.show_start_page_once(self.settings)
        self._refresh_actions()
        if load_last_dataset:  # after the window is shown: start-up stays fast
            QTimer.singleShot(0, lambda: self.choose_dataset(self.settings.get("last_dataset")))

    # -- assembly ---------------------------------------------------------------------------------
    def _build_docks(self) -> dict[str, QDockWidget]:
        # The Training and Draw docks run the window's full height (the inspector sits beside them, not
        # under them): on a 720-pixel-high screen the paper and the whole panel stay in view.
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        docks = {}
        for name, title, widget, area in (
            ("training", "&Training", scrolled(self.panel), Qt.DockWidgetArea.LeftDockWidgetArea),
            ("plots", "&Curves", self.plots, Qt.DockWidgetArea.RightDockWidgetArea),
            ("metrics", "&Metrics", scrolled(self.metrics, frame=False), Qt.DockWidgetArea.RightDockWidgetArea),
            ("canvas", "&Draw", scrolled(self.canvas, frame=False),
             Qt.DockWidgetArea.LeftDockWidgetArea),
            ("inspector", "&Inspector", ScrollWhenSmall(self.inspector),
             Qt.DockWidgetArea.BottomDockWidgetArea),
        ):
            dock = QDockWidget(title.replace("&", ""), self)
            dock.setObjectName(f"{name}_dock")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            docks[name] = dock
        self.tabifyDockWidget(docks["plots"], docks["metrics"])
        docks["plots"].raise_()
        self.tabifyDockWidget(docks["training"], docks["canvas"])
        docks["training"].raise_()
        # The network editor in the middle gets the room the side docks do not need; 400 px shows the
        # Training panel without sideways scrolling and the metrics table's five columns in full.
        self.resizeDocks([docks["training"], docks["plots"]], [400, 400], Qt.Orientation.Horizontal)
        # Tall enough for the Neuron tab unscrolled; on a 720-pixel screen it gets what the rest leaves.
        self.resizeDocks([docks["inspector"]], [350], Qt.Orientation.Vertical)
        return docks

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        for name in ("new", "open"):
            file_menu.addAction(a[name])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        for name in ("save", "save_as", None, "import_dataset", "export_plot_png", "export_plot_csv", None, "quit"):
            file_menu.addSeparator() if name is None else file_menu.addAction(a[name])
        edit_menu = self.menuBar().addMenu("&Edit")
        for name in ("undo", "redo", None, "add_before", "add_after", "remove", "freeze"):
            edit_menu.addSeparator() if name is None else edit_menu.addAction(self.editor.actions[name])
        train_menu = self.menuBar().addMenu("&Train")
        for name in ("start", "pause", "resume", "step_batch", "step_epoch", "stop", None, "reset_weights",
                     "evaluate_test"):
            train_menu.addSeparator() if name is None else train_menu.addAction(a[name])
        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(a["lessons"])
        help_menu.addAction(a["about"])

    def _connect(self) -> None:
        a, panel, training, session = self.actions, self.panel, self.training, self.session
        handlers = {"new": self.new_network, "open": self.open_dialog, "save": self.save, "save_as": self.save_as,
                    "import_dataset": self.import_dialog, "quit": self.close, "start": self.start_training,
                    "pause": training.pause, "resume": training.resume, "step_batch": self.step_batch,
                    "step_epoch": self.step_epoch, "stop": self.stop_training, "reset_weights": self.reset_weights,
                    "evaluate_test": self.evaluate_test, "about": self.show_about, "lessons": self.inspector.show_lessons,
                    "export_plot_png": self.export_plots_png, "export_plot_csv": self.export_plots_csv}
        for name, handler in handlers.items():
            a[name].triggered.connect(lambda _checked=False, run=handler: run())
        panel.dataset_chosen.connect(self.choose_dataset)
        panel.import_requested.connect(self.import_dialog)
        for name in ("hidden", "loss"):
            getattr(self.run_settings.events, name).connect(self._update_summary)
        link_panel(self.editor, panel, self.run_settings)
        self.editor.message.connect(self.status.show_message)
        self.editor.edit_starting.connect(self._end_paused_run)
        self.editor.dataset_wanted.connect(self.choose_dataset)
        self.editor.reinitialised.connect(self._start_new_history)
        self.metrics.test_requested.connect(self.evaluate_test)
        session.dataset_changed.connect(self.canvas.set_dataset)
        training.state_changed.connect(self._on_state_changed)
        training.progressed.connect(self._on_progress)
        training.epoch_finished.connect(self._on_epoch)
        training.finished.connect(self._on_finished)
        training.errored.connect(self._on_errored)
        session.network_changed.connect(self._on_network_changed)
        self.history.started.connect(self._on_history_started)
        session.dirty_changed.connect(self.setWindowModified, check_nargs=False)  # a Qt method: no signature
        session.path_changed.connect(self._on_path_changed)

    # -- dataset and network ----------------------------------------------------------------------
    def reset_weights(self) -> None:
        self.session.reset_weights(self.run_settings.seed)
        self._start_new_history()

    def _forget_pending_metrics(self) -> None:
        """A result queued for display belongs to the run that just ended; never show it later."""
        self._metrics_timer.stop()
        self._latest_epoch = None

    def _on_network_changed(self, network) -> None:
        """The curves stay unless the task changed (the old points would be read on another axis): a new
        history starts where one does (:meth:`_start_new_history`) — an undone restore or a Backprop step
        on an untrained network keeps its run's curves."""
        self._forget_pending_metrics()
        self.selection.set_snapshot(network.copy())
        regression = is_regression(self.session.loss, network.layers[-1].activation)
        if regression != self.history.regression:
            self._start_new_history()
        self.metrics.set_regression(regression)
        self._update_summary()
        self._refresh_actions()

    def _start_new_history(self) -> None:
        """A new, reset, opened or lesson network, a kept one on another dataset or task, or an edit that
        re-initialised every layer: nothing of the old curves is about this network's run."""
        network = self.session.network
        self.history.start_new(network is not None and is_regression(self.session.loss, network.layers[-1].activation))

    def _on_history_started(self) -> None:
        self.metrics.clear()
        self.status.clear_progress()

    def _update_summary(self, *_) -> None:
        dataset = self.session.dataset
        if dataset is None:
            self.panel.set_summary("Choose a dataset.")
            return
        loss = self.run_settings.loss
        try:
            if dataset.is_regression:
                check_predicts_numbers(loss, self._output_activation(loss), f"{dataset.name}'s targets")
            widths = [dataset.n_features, *self.run_settings.hidden, output_units(loss, dataset.n_classes)]
        except ValueError as error:
            self.panel.set_summary(str(error))
            return
        arrows = " → ".join(map(str, widths))
        trained = self.session.epochs_trained
        answers = f"{dataset.n_classes} number{'s' * (dataset.n_classes != 1)} to predict " \
                  f"({', '.join(dataset.classes)})" if dataset.is_regression else \
            f"{dataset.n_classes} class{'es' * (dataset.n_classes != 1)}"
        if dataset.fixed_test is not None:  # the split's test share does not apply: say which rows it tests on
            answers += f"; test: its own {int(dataset.fixed_test.sum()):,}"
        self.panel.set_summary(f"{dataset.name}: {len(dataset):,} sample{'s' * (len(dataset) != 1)}, {answers}.\n"
                               f"Network {arrows}" + (f", trained {trained} epoch{'s' * (trained != 1)}." if trained else "."))

    def _output_activation(self, loss: str) -> str:
        """The output activation Start would use: the network's own while its loss stays, else the loss's default."""
        network = self.session.network
        if network is not None and loss == self.session.loss:
            return network.layers[-1].activation
        return DEFAULT_OUTPUT_ACTIVATION[loss]

    # -- training ---------------------------------------------------------------------------------
    def start_training(self, paused: bool = False) -> bool:
        try:
            refused = self.panel.refusal()  # a field still shows a value it did not take: say so, not run
            if refused:
                raise ValueError(refused)
            experiment = self.run_settings.experiment()
            if experiment.dataset != self.session.dataset_source and not self.choose_dataset(experiment.dataset):
                return False
            network = self.session.network
            trainer = self.session.make_trainer(experiment)
        except (ValueError, OSError) as error:
            self._show_error("Cannot start training", error)
            return False
        if trainer.network is not network:  # the panel asked for another shape: Start built a new network
            self._start_new_history()
        self.history.carry_on_from(trainer.epochs_so_far)  # keeps a stopped epoch's batches
        self.plots.plan_run(trainer.epoch + trainer.config.epochs)
        self.training.start(trainer, paused=paused)
        return True

    def step_batch(self) -> None:
        if self.training.state == "idle" and not self.start_training(paused=True):
            return
        self.training.step_batch()

    def step_epoch(self) -> None:
        if self.training.state == "idle" and not self.start_training(paused=True):
            return
        self.training.step_epoch()

    def _end_paused_run(self) -> None:
        """Before an edit: the paused worker holds the old network, so its run ends here."""
        if self.training.state != "idle":
            self.stop_training()

    def stop_training(self) -> None:
        trainer = self.training.trainer
        self.training.stop()
        self._forget_pending_metrics()
        if trainer is not None:
            self._after_run(trainer.completed_epochs)
            done = trainer.completed_epochs
            self.status.show_message(f"Stopped by you: {done} epoch{'s' * (done != 1)} trained; Start carries on")

    def _after_run(self, epochs: int) -> None:
        self.session.epochs_trained = epochs
        if self.session.network is not None:
            self.selection.set_snapshot(self.session.network.copy())
            self.session.note_weights_changed()  # a run that changed nothing leaves nothing unsaved
        self._update_summary()

    def _on_state_changed(self, state: str) -> None:
        if state == "paused" and self.session.network is not None:
            # The worker waits between batches until this thread resumes it, so the copy is safe, and a
            # stepped batch shows at once rather than at the next once-a-second refresh.
            self.selection.set_snapshot(self.session.network.copy())
            self._update_summary()  # "trained N epochs" as far as the run has got
        self.panel.set_running(state != "idle")
        self.status.set_state(state)
        self.editor.set_training_state(state)
        self._refresh_actions()

    def _on_progress(self, update: TrainingUpdate) -> None:
        self.history.add_batches(update.batches)
        now = time.monotonic()
        if now - self._diagram_painted >= DIAGRAM_REFRESH_SECONDS:
            self._diagram_painted = now
            self.selection.set_snapshot_arrays(update.weights, update.biases)
        self.status.show_progress(update)
        self.session.set_dirty(True)

    def _on_epoch(self, result: EpochResult) -> None:
        self.session.epochs_trained = result.epoch  # sent before the worker pauses: a pause has the trainer's count
        self.history.add_result(result)
        if result.validation is not None:
            self._latest_epoch = result
            if not self._metrics_timer.isActive():
                self._metrics_timer.start()

    @window_busy()
    def _show_latest_epoch_metrics(self) -> None:
        """At most a few times a second: a toy set can finish dozens of epochs a second."""
        result, self._latest_epoch = self._latest_epoch, None
        if result is not None and self.session.splits is not None:
            self._show_metrics(result.validation, "validation", result.epoch, self.session.splits.validation)

    def _on_finished(self, ended: TrainingEnded) -> None:
        self._metrics_timer.stop()
        self._show_latest_epoch_metrics()
        self._after_run(ended.epochs_done)
        if ended.blow_up is not None:
            self._record_restore(ended.blow_up)
        self.status.show_message(ended.message)
        if ended.reason == "diverged":
            self._show_error("Training diverged", ended.message)

    def _record_restore(self, blow_up: BlowUp) -> None:
        """The trainer put back the last good epoch's weights: one step on Edit → Undo, whose undo shows
        the wrecked weights; and the blow-up on the curves."""
        session, restored = self.session, blow_up.restored_epoch
        wrecked = session.network.copy()
        wrecked.params[...] = blow_up.wrecked_params
        epochs = session.epochs_trained
        self.editor.record(f"Restore the weights of epoch {restored}" if restored else
                           "Restore the weights the run started from",
                           NetworkState(wrecked, session.loss, epochs),
                           NetworkState(session.network.copy(), session.loss, epochs))
        self.history.record_blow_up(blow_up)

    def _on_errored(self, message: str) -> None:
        self._show_error("Training failed", message.splitlines()[0])

    def evaluate_test(self) -> None:
        session = self.session
        if session.network is None or session.splits is None or not len(session.splits.test):
            self._show_error("Nothing to evaluate", "there is no test part: give the split a test share")
            return
        with self.training.held():
            test = session.splits.test
            result = evaluate(session.network, test.x, test.answers, session.loss, session.dataset.n_classes)
        self._show_metrics(result, "test", session.epochs_trained, test)
        self.docks["metrics"].raise_()

    def _show_metrics(self, evaluation, split_name: str, epoch: int, part) -> None:
        if isinstance(evaluation, RegressionEvaluation):  # it carries its own predictions and targets
            self.metrics.show_evaluation(evaluation, split_name, epoch, classes=list(part.classes))
            return
        # A split's arrays are never written (the trainer only reads them), so no copy is needed.
        samples = (part.x, part.y, evaluation.predictions, tuple(part.input_shape), list(part.classes))
        self.metrics.show_evaluation(evaluation, split_name, epoch, samples=samples)
        if split_name == "validation" and self.session.user_samples_used:
            self.metrics.header_label.setText(f"{self.metrics.header_text} · trained with "
                                              f"{self.session.user_samples_used} of your own samples")

    # -- state, questions, closing ------------------------------------------------------------------
    def _refresh_actions(self) -> None:
        state, has_network = self.training.state, self.session.network is not None
        wanted = {
            "save": has_network, "save_as": has_network,
            "start": has_network and state == "idle", "pause": state == "running",
            "resume": state == "paused", "step_batch": has_network and state != "running",
            "step_epoch": has_network and state != "running", "stop": state != "idle",
            "reset_weights": has_network and state == "idle", "evaluate_test": has_network,
        }
        for name, action in self.actions.items():
            action.setEnabled(name in ALWAYS_ENABLED or wanted.get(name, False))

    def _restore_layout(self) -> None:
        geometry, state = self.settings.get("geometry"), self.settings.get("window_state")
        if geometry:
            self.restoreGeometry(geometry)
        if state:
            self.restoreState(state)
        fit_on_screen(self)  # the default size, or a geometry saved on a bigger screen
        self._opening_size = self.size()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Once shown, the platform knows the window frame: the geometry chosen above is fitted again,
        # frame included; a size a script set after construction is its own business.
        if self._opening_size is not None and self.size() == self._opening_size:
            fit_on_screen(self)
        self._opening_size = None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest:  # the whole window repaints in this one event
            with window_busy():
                return super().event(event)
        return super().event(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_discard():
            event.ignore()
            return
        self.training.stop()
        self.settings.set("geometry", self.saveGeometry())
        self.settings.set("window_state", self.saveState())
        self.settings.sync()
        event.accept()

