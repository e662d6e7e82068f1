"""NN Lab's main window: it only assembles — the lab objects, the views that show them, the small
objects that carry out the commands — and lays out the docks and menus.

The lab objects (session, selection, run settings, history) know no view; every view and command
object is given the objects it needs, never the window. The work lives in: training/run.py (Start,
Step, Stop and a run's news), open_commands.py (datasets, new networks, weight files, lessons, through
the one ask → stop → try path of work_guard.py), save_commands.py, evaluation.py (the Metrics dock),
network_summary.py, training/history_keeper.py (which run the curves are about) and actions.py
(which commands can run). Every question to the user goes through ``self.questions``, so tests answer it.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow

from nnlab.lab import History, LabSession, RunSettings, Selection

from .actions import ActionStates, create_actions
from .canvas import CanvasPanel
from .canvas.user_data import default_store
from .command_keys import CommandKeys
from .editor import NetworkEditor, link_panel
from .evaluation import EvaluationPresenter
from .garbage import collect_on_gui_thread
from .inspector.dock import InspectorDock
from .network_summary import NetworkSummary
from .open_commands import OpenCommands, WeightFileDrops
from .priority import window_busy
from .questions import Questions
from .runs import RunRecording, RunsViews, ScrubbedMetrics, SessionCommands
from .save_commands import SaveCommands
from .screen_fit import fit_on_screen
from .settings import Settings
from .status import TrainingStatus
from .training.controller import TrainingController
from .training.history_keeper import HistoryKeeper
from .training.run import TrainingRun
from .widgets.live_plots import LivePlots
from .widgets.metrics_view import MetricsView
from .widgets.scrolling import ScrollWhenSmall, scrolled
from .widgets.training_panel import TrainingPanel
from .work_guard import WorkGuard


class MainWindow(QMainWindow):
    def __init__(self, settings: Settings | None = None, load_last_dataset: bool = True) -> None:
        super().__init__()
        collect_on_gui_thread()
        self.setObjectName("MainWindow")
        self.setWindowTitle("NN Lab[*]")
        self.resize(1280, 800)
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        # The lab objects: what the learner works on, independent of any view.
        self.session = LabSession(default_store())
        self.selection = Selection()
        self.run_settings = RunSettings()
        self.training = TrainingController(self.run_settings, self)
        # The views.
        self.actions = create_actions(self)
        self.command_keys = CommandKeys(self)
        self.editor = NetworkEditor(self.session, self.selection)
        self.setCentralWidget(self.editor)
        self.panel = TrainingPanel(self.run_settings)
        self.panel.set_actions(self.actions)
        self.plots = LivePlots(History())  # the current run's curves once there is one (training/history_keeper.py)
        self.metrics = MetricsView()
        self.canvas = CanvasPanel(self.selection, self.session.user_samples)
        self.status = TrainingStatus(self.statusBar())
        self.questions = Questions(self, self.status)
        self.runs_views = RunsViews(self.session, self.selection, self.run_settings, self.plots,
                                    attempt=lambda title, action: self.guard.replace(
                                        title, lambda _nothing: action(), keeps_work=lambda _nothing: True))
        self.inspector = InspectorDock(self.selection, self.session, self.run_settings, self.training,
                                       open_lesson=lambda lesson: self.opening.open_lesson(lesson),
                                       history=self.editor)
        self.docks = self._build_docks()
        link_panel(self.editor, self.panel, self.run_settings)
        self._build_commands()
        self._build_menus()
        self._connect()
        self._restore_layout()
        self.inspector.show_start_page_once(self.settings)
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
            ("plots", "&Curves", self.runs_views.curves, Qt.DockWidgetArea.RightDockWidgetArea),
            ("metrics", "&Metrics", scrolled(self.metrics, frame=False), Qt.DockWidgetArea.RightDockWidgetArea),
            ("canvas", "&Draw", scrolled(self.canvas, frame=False),
             Qt.DockWidgetArea.LeftDockWidgetArea),
            ("inspector", "&Inspector", ScrollWhenSmall(self.inspector),
             Qt.DockWidgetArea.BottomDockWidgetArea),
            ("runs", "R&uns", self.runs_views.panel, Qt.DockWidgetArea.BottomDockWidgetArea),
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
        self.tabifyDockWidget(docks["inspector"], docks["runs"])
        docks["inspector"].raise_()
        # The network editor in the middle gets the room the side docks do not need; 400 px shows the
        # Training panel without sideways scrolling and the metrics table's five columns in full.
        self.resizeDocks([docks["training"], docks["plots"]], [400, 400], Qt.Orientation.Horizontal)
        # Tall enough for the Neuron tab unscrolled; on a 720-pixel screen it gets what the rest leaves.
        self.resizeDocks([docks["inspector"]], [350], Qt.Orientation.Vertical)
        return docks

    def _build_commands(self) -> None:
        """The objects that carry out the commands; each gets what it works on, never the window.
        Their order is the order in which they hear of a new network (the evaluation forgets first)."""
        session, selection, training, status, questions = (self.session, self.selection, self.training,
                                                           self.status, self.questions)
        self.evaluation = EvaluationPresenter(session, training, self.metrics, questions,
                                              bring_forward=self.docks["metrics"].raise_)
        self.summary = NetworkSummary(session, self.run_settings, self.panel)
        self.keeper = HistoryKeeper(session, self.plots)
        self.recording = RunRecording(session, training, self.run_settings)
        self.scrubbed_metrics = ScrubbedMetrics(session, selection, self.runs_views.time_machine, training,
                                                self.metrics)
        self.run = TrainingRun(session, self.runs_views.time_machine, self.run_settings, training, keeper=self.keeper,
                               evaluation=self.evaluation, summary=self.summary, panel=self.panel, plots=self.plots,
                               status=status, editor=self.editor, questions=questions,
                               open_dataset=lambda source: self.opening.choose_dataset(source))
        self.action_states = ActionStates(self.actions, session, training)
        self.saving = SaveCommands(session, self.settings, training, self.plots, status, questions)
        self.guard = WorkGuard(session, training, questions, save=self.saving.save, end_run=self.run.end_paused_run)
        self.opening = OpenCommands(session, selection, self.run_settings, self.settings, self.guard, self.keeper,
                                    self.panel, status, questions)
        self.sessions = SessionCommands(session, selection, self.runs_views, training, self.guard, questions, status,
                                        self)
        self.drops = WeightFileDrops(self.opening, self)
        self.installEventFilter(self.drops)
        # The window's commands by name: menus, tests, scripts and benchmarks call them.
        run, opening, saving = self.run, self.opening, self.saving
        self.start_training, self.stop_training = run.start, run.stop
        self.step_batch, self.step_epoch = run.step_batch, run.step_epoch
        self.choose_dataset, self.new_network, self.reset_weights = (opening.choose_dataset, opening.new_network,
                                                                     opening.reset_weights)
        self.open_path, self.open_lesson = opening.open_path, opening.open_lesson
        self.save_to, self.evaluate_test = saving.save_to, self.evaluation.evaluate_test

    def _build_menus(self) -> None:
        a = self.actions
        file_menu = self.menuBar().addMenu("&File")
        for name in ("new", "open"):
            file_menu.addAction(a[name])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(lambda: self.opening.fill_recent_menu(self.recent_menu))
        for name in ("save", "save_as", None, "open_session", "save_session", "export_weights", None, "import_dataset",
                     "export_plot_png", "export_plot_csv", None, "quit"):
            file_menu.addSeparator() if name is None else file_menu.addAction(a[name])
        edit_menu = self.menuBar().addMenu("&Edit")
        for name in ("undo", "redo", None, "add_before", "add_after", "remove", "freeze"):
            edit_menu.addSeparator() if name is None else edit_menu.addAction(self.editor.actions[name])
        train_menu = self.menuBar().addMenu("&Train")
        for name in ("start", "pause", "resume", "step_batch", "step_epoch", "stop", None, "reset_weights",
                     "evaluate_test"):
            train_menu.addSeparator() if name is None else train_menu.addAction(a[name])
        train_menu.addSeparator()
        train_menu.addAction(self.runs_views.panel.branch_action)
        view_menu = self.menuBar().addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(a["lessons"])
        help_menu.addAction(a["about"])

    def _connect(self) -> None:
        a, training, session, opening, saving = self.actions, self.training, self.session, self.opening, self.saving
        handlers = {"new": opening.new_network, "open": opening.open_dialog, "save": saving.save,
                    "save_as": saving.save_as, "import_dataset": opening.import_dialog, "quit": self.close,
                    "start": self.run.start, "pause": training.pause, "resume": training.resume,
                    "step_batch": self.run.step_batch, "step_epoch": self.run.step_epoch, "stop": self.run.stop,
                    "reset_weights": opening.reset_weights, "evaluate_test": self.evaluation.evaluate_test,
                    "about": self.questions.show_about, "lessons": self.inspector.show_lessons,
                    "export_plot_png": saving.export_plots_png, "export_plot_csv": saving.export_plots_csv,
                    "save_session": self.sessions.save_session, "open_session": self.sessions.open_session,
                    "export_weights": self.sessions.export_weights}
        for name, handler in handlers.items():
            a[name].triggered.connect(lambda _checked=False, run=handler: run())
        self.panel.dataset_chosen.connect(opening.choose_dataset)
        self.panel.import_requested.connect(opening.import_dialog)
        self.editor.message.connect(self.status.show_message)
        self.editor.edit_starting.connect(self.run.end_paused_run)
        self.editor.dataset_wanted.connect(opening.choose_dataset)
        self.editor.reinitialised.connect(self.keeper.start_new)
        session.dataset_changed.connect(self.canvas.set_dataset)
        training.state_changed.connect(self.status.set_state)
        training.state_changed.connect(self.editor.set_training_state)
        training.state_changed.connect(self.runs_views.set_training_state)
        self.keeper.switched.connect(self.metrics.clear)  # measured on other curves' run
        self.keeper.switched.connect(self.status.clear_progress)
        session.dirty_changed.connect(self.setWindowModified, check_nargs=False)  # a Qt method: no signature
        session.path_changed.connect(
            lambda path: self.setWindowTitle(f"{path.name if path else 'untitled'}[*] — NN Lab"))

    @property
    def history(self) -> History:
        """The curves shown: the current run's (blank until a new network's run starts)."""
        return self.keeper.history

    # -- layout, painting, closing -----------------------------------------------------------------
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
        if not self.guard.may_discard():
            event.ignore()
            return
        self.training.stop()
        self.settings.set("geometry", self.saveGeometry())
        self.settings.set("window_state", self.saveState())
        self.settings.sync()
        event.accept()
