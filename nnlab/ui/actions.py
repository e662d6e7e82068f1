"""Every command of the window in one table: text, shortcut, tip.

One dict of actions lets menus, tool buttons and shortcuts share one enabled state,
and lets a test walk every command.
"""
from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence

StandardKey = QKeySequence.StandardKey

# name: (text, shortcut, status tip)
ACTION_SPECS: dict[str, tuple[str, object, str]] = {
    "new": ("&New Network", StandardKey.New, "Start again with fresh random weights"),
    "open": ("&Open Weights…", StandardKey.Open, "Load a weight file (.npz)"),
    "save": ("&Save", StandardKey.Save, "Save the weights"),
    "save_as": ("Save &As…", StandardKey.SaveAs, "Save the weights to a new file"),
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

ALWAYS_ENABLED = {"new", "open", "import_dataset", "quit", "about", "lessons", "export_plot_png", "export_plot_csv"}


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
