"""The Runs dock's contents: every run of the session as a tree (branches under their parent), a tick
to compare a run's curves, one click to make a run current, "Branch from here", and removal with undo.

Bound to lab objects only: the session's :class:`RunTree` (rows follow its events), the
:class:`RunComparison` (the ticks), the :class:`TimeMachine` (the epoch "Branch from here" starts
at) and the :class:`RunSettings` (the settings a branch trains with). A change the user makes goes
to the lab object's setter; the lab object's event updates the rows with the tree's signals blocked.
Commands that replace the network (make current, branch) go through ``attempt(title, action)``: the
window passes its one ask-stop-try-show-error helper; alone, the panel refuses them during a run and
says why on its own message line.
"""
from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QToolButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from nnlab.lab.comparison import RunComparison
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.runs import Run, differing_settings
from nnlab.lab.time_machine import TimeMachine

from .run_words import (BEST_LOSS, BEST_SCORE, COLUMNS, COMPARE, DIFFERS, EPOCHS, NAME, ORIGIN, TIME,
                        best_words, duration_words, epochs_tip, events_tip, origin_words)

BRANCH_KEY = "Ctrl+B"
REMOVE_KEY = "Delete"
ROW_REFRESH_MS = 200
"""A toy set records dozens of epochs a second: the rows' numbers follow at most five times a second."""

Attempt = Callable[[str, Callable[[], object]], bool]


class RunsPanel(QWidget):
    """``session``: the LabSession whose ``runs`` it lists (``use_run``, ``branch``); the others as above."""

    def __init__(self, session, comparison: RunComparison, time_machine: TimeMachine, run_settings: RunSettings,
                 attempt: Attempt | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("runs_panel")
        self.session, self.runs = session, session.runs
        self.comparison, self.time_machine, self.run_settings = comparison, time_machine, run_settings
        self.attempt = attempt or self._attempt_here
        self.training_state = "idle"
        self._items: dict[int, QTreeWidgetItem] = {}
        self._removed: list[Run] = []  # what "Undo" puts back, the latest last
        self.tree = QTreeWidget()
        self.message = QLabel()
        self.undo_button = QToolButton(text="Undo")
        self.branch_action = QAction("&Branch from here", self)
        self.remove_action = QAction("&Remove run", self)
        self._row_timer = QTimer(self, singleShot=True, interval=ROW_REFRESH_MS)
        self._row_timer.timeout.connect(self.refresh_rows)
        self._build()
        self._connect()
        self.rebuild()
        self._on_time_machine()

    # -- assembly -----------------------------------------------------------------------------------------
    def _build(self) -> None:
        tree = self.tree
        tree.setColumnCount(len(COLUMNS))
        tree.setHeaderLabels(list(COLUMNS))
        tree.setTreePosition(NAME)  # the tick first, the branches nested under their parent's name
        tree.setRootIsDecorated(True)
        tree.setUniformRowHeights(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed)
        tree.setAccessibleName("Runs")
        header = tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(DIFFERS, QHeaderView.ResizeMode.Stretch)
        tree.headerItem().setToolTip(COMPARE, "Tick runs to draw their curves over the live ones")
        tree.headerItem().setToolTip(ORIGIN, "The run and epoch a branch started from")
        for action, key, tip in ((self.branch_action, BRANCH_KEY, "A new run from the epoch the scrubber shows, "
                                  "trained with the settings now in the Training panel"),
                                 (self.remove_action, REMOVE_KEY, "Forget the selected run (Undo brings it back)")):
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut if action is self.branch_action
                                      else Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.setToolTip(f"{tip} ({key})")
            action.setStatusTip(tip)
            self.addAction(action)
        self.branch_button = QToolButton()
        self.branch_button.setDefaultAction(self.branch_action)
        self.remove_button = QToolButton()
        self.remove_button.setDefaultAction(self.remove_action)
        self.message.setWordWrap(True)
        self.undo_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.branch_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)

    def _connect(self) -> None:
        runs = self.runs
        for signal in (runs.added, runs.removed, runs.cleared):
            signal.connect(self._on_runs_came_or_went)
        runs.renamed.connect(self._on_renamed)
        runs.current_changed.connect(self._on_current_changed)
        runs.changed.connect(self._on_run_changed)
        self.comparison.changed.connect(self._show_ticks)
        self.time_machine.changed.connect(self._on_time_machine)
        self.tree.itemChanged.connect(self._on_item_changed)
        self.tree.itemClicked.connect(self._on_item_clicked)
        self.tree.itemActivated.connect(lambda item, _column: self.make_current(self._run_id(item)))
        self.tree.currentItemChanged.connect(lambda *_: self._refresh_enabled())
        self.branch_action.triggered.connect(self.branch_here)
        self.remove_action.triggered.connect(self.remove_selected)
        self.undo_button.clicked.connect(self.undo_remove)

    # -- lab → rows ---------------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Every row again: a run came, went, or the session's runs were replaced."""
        selected = self.selected_run_id()
        with QSignalBlocker(self.tree):
            self.tree.clear()
            self._items = {}
            for run in self.runs:  # in order of id: a parent always comes before its branches
                item = QTreeWidgetItem()
                item.setData(NAME, Qt.ItemDataRole.UserRole, run.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsUserCheckable)
                for column in (EPOCHS, BEST_LOSS, BEST_SCORE, TIME):
                    item.setTextAlignment(column, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                parent = self._items.get(run.parent.run_id) if run.parent is not None else None
                (parent.addChild(item) if parent is not None else self.tree.addTopLevelItem(item))
                self._items[run.id] = item
            self.tree.expandAll()
            if selected in self._items:
                self.tree.setCurrentItem(self._items[selected])
        self.refresh_rows()
        self._show_ticks()

    def _on_runs_came_or_went(self, *_run) -> None:
        self.rebuild()

    def refresh_rows(self) -> None:
        """Every row's words from its run now (what differs depends on all the runs)."""
        self._row_timer.stop()
        differs = differing_settings(self.runs)
        current = self.runs.current
        with QSignalBlocker(self.tree):
            for run in self.runs:
                item = self._items.get(run.id)
                if item is None:
                    continue
                best_loss, best_score = best_words(run)
                texts = {NAME: run.name, DIFFERS: differs.get(run.id, ""), ORIGIN: origin_words(run, self.runs),
                         EPOCHS: str(run.last_epoch), BEST_LOSS: best_loss, BEST_SCORE: best_score,
                         TIME: duration_words(run.seconds_trained)}
                for column, text in texts.items():
                    if item.text(column) != text:
                        item.setText(column, text)
                font = QFont(item.font(NAME))
                font.setBold(run is current)
                for column in range(len(COLUMNS)):
                    item.setFont(column, font)
                item.setToolTip(NAME, events_tip(run, run is current))
                item.setToolTip(EPOCHS, epochs_tip(run))
        self._refresh_enabled()

    def _show_ticks(self) -> None:
        with QSignalBlocker(self.tree):
            for run_id, item in self._items.items():
                ticked = self.comparison.is_ticked(run_id)
                item.setCheckState(COMPARE, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)

    def _on_renamed(self, run: Run) -> None:
        self.refresh_rows()

    def _on_current_changed(self, _run) -> None:
        self.refresh_rows()
        run = self.runs.current
        if run is not None and run.id in self._items:
            with QSignalBlocker(self.tree):
                self.tree.setCurrentItem(self._items[run.id])

    def _on_run_changed(self, _run: Run) -> None:
        if not self._row_timer.isActive():
            self._row_timer.start()

    def _on_time_machine(self) -> None:
        epoch = self.time_machine.branch_epoch
        self.branch_action.setText("&Branch from here" if epoch is None else f"&Branch from epoch {epoch}")
        self._refresh_enabled()

    def _refresh_enabled(self) -> None:
        self.branch_action.setEnabled(self.time_machine.branch_epoch is not None)
        selected = self.selected_run_id()
        self.remove_action.setEnabled(selected is not None)

    # -- rows → lab ---------------------------------------------------------------------------------------
    def _run_id(self, item: QTreeWidgetItem | None) -> int | None:
        return None if item is None else item.data(NAME, Qt.ItemDataRole.UserRole)

    def selected_run_id(self) -> int | None:
        return self._run_id(self.tree.currentItem())

    def _on_item_changed(self, item: QTreeWidgetItem, column: int) -> None:
        run_id = self._run_id(item)
        if column == COMPARE:
            self.comparison.set_ticked(run_id, item.checkState(COMPARE) == Qt.CheckState.Checked)
        elif column == NAME:
            try:
                self.runs.rename(run_id, item.text(NAME))
            except ValueError as problem:
                self.say(str(problem))
                with QSignalBlocker(self.tree):
                    item.setText(NAME, self.runs[run_id].name)
                return
            if item.text(NAME) != self.runs[run_id].name:  # spaces tidied: the row shows the name as kept
                with QSignalBlocker(self.tree):
                    item.setText(NAME, self.runs[run_id].name)

    def _on_item_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        if column != COMPARE:  # a click on the tick compares; anywhere else on the row makes the run current
            self.make_current(self._run_id(item))

    def make_current(self, run_id: int | None) -> bool:
        """Make run ``run_id`` current with its network where it stopped (Start carries it on)."""
        if run_id is None or run_id not in self.runs or self.runs.current is self.runs[run_id]:
            return False
        name = self.runs[run_id].name
        return self.attempt(f"Cannot switch to {name}", lambda: self.session.use_run(run_id))

    def branch_here(self) -> bool:
        """A new current run from the epoch the scrubber shows, with the Training panel's settings."""
        tm = self.time_machine
        run, epoch = tm.run, tm.branch_epoch
        if run is None or epoch is None:
            return False
        done = self.attempt("Cannot branch", lambda: self.session.branch(run.id, epoch, self.run_settings.experiment()))
        if done:
            self.say(f"Branched {self.runs.current.name} from {run.name} at epoch {epoch}: Start trains it.")
        return done

    def remove_selected(self) -> bool:
        """Forget the selected run (not the current one); "Undo" brings it back."""
        run_id = self.selected_run_id()
        if run_id is None or run_id not in self.runs:
            return False
        run = self.runs[run_id]
        if run is self.runs.current:
            self.say(f"{run.name} is the current run: make another run current before removing it.")
            return False
        self.runs.remove(run_id)
        self._removed.append(run)
        self.say(f"Removed {run.name}.")
        self.undo_button.setText(f"Undo (bring back {run.name})")
        self.undo_button.show()
        return True

    def undo_remove(self) -> None:
        if not self._removed:
            return
        run = self._removed.pop()
        if run.id not in self.runs:
            self.runs.add(run, make_current=False)
        self.say(f"{run.name} is back.")
        if not self._removed:
            self.undo_button.hide()
        else:
            self.undo_button.setText(f"Undo (bring back {self._removed[-1].name})")

    # -- training and messages ------------------------------------------------------------------------------
    def set_training_state(self, state: str) -> None:
        """"idle", "running" or "paused": while a run trains, the network may not be swapped under it.
        The message line said what the last command did ("Branched run 2 …: Start trains it."); once training
        starts or stops, that news is old, so the line empties."""
        if state != self.training_state:
            self.say("")
        self.training_state = state  # a TrainingState or its word: both compare equal to "idle"

    def _attempt_here(self, title: str, action: Callable[[], object]) -> bool:
        if self.training_state != "idle":
            self.say(f"{title}: stop training first — the worker is still writing this network.")
            return False
        try:
            action()
        except (ValueError, OSError) as problem:
            self.say(f"{title}: {problem}")
            return False
        self.say("")
        return True

    def say(self, text: str) -> None:
        """One line under the list: what a command did, or why it could not."""
        self.message.setText(text)
