"""Every command of the window in one table: text, shortcut, tip.

One dict of actions lets menus, tool buttons and shortcuts share one enabled state,
and lets a test walk every command.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

from nnlab.lab.session import LabSession
from nnlab.lab.training_state import TrainingState

from .training.controller import TrainingController

StandardKey = QKeySequence.StandardKey

# name: (text, shortcut, status tip)
ACTION_SPECS: dict[str, tuple[str, object, str]] = {
    "new": ("&New Network", StandardKey.New, "Start again with fresh random weights"),
    "open": ("&Open Weights…", StandardKey.Open, "Load a weight file (.npz)"),
    "save": ("&Save", StandardKey.Save, "Save the weights"),
    "save_as": ("Save &As…", StandardKey.SaveAs, "Save the weights to a new file"),
    "open_session": ("Open Sessio&n…", "Ctrl+Shift+O", "Open a session (.nnlab): its runs, curves and snapshots"),
    "save_session": ("Save Sessi&on…", "Ctrl+Alt+S",  # Ctrl+Shift+S is Save As everywhere
                     "Save every run — curves, snapshots, where each carries on — to one file (.nnlab)"),
    "export_weights": ("&Export Weights…", "", "Save any run's weights at any epoch as a weight file (.npz)"),
    "import_dataset": ("&Import Dataset…", "Ctrl+I", "Import IDX, .npz, CSV or a folder of images"),
    "export_plot_png": ("Export Curves as &PNG…", "", "Save the loss and accuracy plots as pictures"),
    "export_plot_csv": ("Export Curves as &CSV…", "", "Save every plotted number as a table"),
    "quit": ("&Quit", StandardKey.Quit, "Close NN Lab"),
    "start": ("&Start", "F5", "Train for the chosen number of epochs"),
    "pause": ("&Pause", "F6", "Pause between two batches"),
    "resume": ("&Resume", "F7", "Carry on training"),
    "step_batch": ("Step one &batch", "F10", "Train on one mini-batch, then pause"),
    "step_epoch": ("Step one &epoch", "F11", "Train one full epoch, then pause"),
    "stop": ("S&top", "Shift+F5", "End this run (the weights stay as they are)"),
    "reset_weights": ("Reset &weights", "Ctrl+R", "Draw new random weights with the chosen seed"),
    "evaluate_test": ("Evaluate on &test set", "Ctrl+T", "Measure the network on samples it never trained on"),
    "lessons": ("&Lessons…", "F1", "Worked examples: small networks with the exact numbers of the texts"),
    "about": ("&About NN Lab", "", "Version and licences"),
}

ALWAYS_ENABLED = {"new", "open", "import_dataset", "quit", "about", "lessons", "export_plot_png", "export_plot_csv",
                  "open_session"}


def create_actions(parent) -> dict[str, QAction]:
    actions = {}
    for name, (text, shortcut, tip) in ACTION_SPECS.items():
        action = QAction(text, parent)
        action.setObjectName(f"action_{name}")
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.setToolTip(f"{text.replace('&', '')} ({QKeySequence(shortcut).toString()})" if shortcut else tip)
        actions[name] = action
    return actions


def enabled_actions(state: TrainingState, has_network: bool) -> set[str]:
    """The commands that can run now (besides the ALWAYS_ENABLED ones)."""
    idle, running, paused = state == TrainingState.IDLE, state == TrainingState.RUNNING, state == TrainingState.PAUSED
    wanted = {
        "save": has_network, "save_as": has_network, "save_session": has_network, "export_weights": has_network,
        "start": has_network and idle, "pause": running, "resume": paused,
        "step_batch": has_network and not running, "step_epoch": has_network and not running,
        "stop": not idle, "reset_weights": has_network and idle, "evaluate_test": has_network,
    }
    return ALWAYS_ENABLED | {name for name, can in wanted.items() if can}


class ActionStates:
    """Keeps every action's enabled state right as the training state, the network and its file change."""

    def __init__(self, actions: dict[str, QAction], session: LabSession, training: TrainingController) -> None:
        self.actions, self.session, self.training = actions, session, training
        training.state_changed.connect(self.refresh)
        session.network_changed.connect(self.refresh)
        session.path_changed.connect(self.refresh)
        self.refresh()

    def refresh(self, *_) -> None:
        enabled = enabled_actions(self.training.state, self.session.network is not None)
        for name, action in self.actions.items():
            action.setEnabled(name in enabled)
