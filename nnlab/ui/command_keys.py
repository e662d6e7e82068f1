"""The window's commands keep their keys while a spin box or a line edit has focus.

Every QLineEdit, and every spin box, claims Ctrl+Z and Ctrl+Shift+Z for its own text undo (it
accepts the ``ShortcutOverride`` event Qt sends before any shortcut), so Edit → Undo did nothing
while the learner's cursor was in, say, the Dropout box. Here the field gives up a key that one of
the window's commands holds; a line edit keeps Undo and Redo only while it holds typing not yet
applied (Enter applies the Hidden layers field; a spin box applies each step at once).

A field in a floating dock counts as the window's: Qt gives a floating dock's keys to the window's
commands too, so the field must give them up as well.

The filter sits only on the field that has focus (moved on ``focusChanged``), not on the whole
application: a Python filter on every event would hold the GIL the training thread needs.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QDockWidget, QLineEdit, QWidget

WINDOW_CONTEXTS = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)


class CommandKeys(QObject):
    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self._field: QWidget | None = None
        QApplication.instance().focusChanged.connect(self._on_focus_changed)

    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        field, self._field = self._field, None
        if field is not None:
            try:
                field.removeEventFilter(self)
            except RuntimeError:  # the field is gone (a page rebuilt); so is its filter
                pass
        if isinstance(new, (QLineEdit, QAbstractSpinBox)) and self._in_window(new):
            new.installEventFilter(self)
            self._field = new

    def _in_window(self, widget: QWidget) -> bool:
        """In the window, or in one of its docks floating as a window of its own."""
        top = widget.window()
        while isinstance(top, QDockWidget) and top.isFloating() and top.parentWidget() is not None:
            top = top.parentWidget().window()
        return top is self.window

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and self._window_command_key(event) \
                and not _typing_to_undo(watched, event):
            event.ignore()  # not overridden: the shortcut map gives the key to the window's command
            return True
        return False

    def _window_command_key(self, event) -> bool:
        pressed = QKeySequence(event.keyCombination())
        return any(action.shortcutContext() in WINDOW_CONTEXTS and pressed in action.shortcuts()
                   for action in self.window.findChildren(QAction))


def _typing_to_undo(field: QObject, event) -> bool:
    """A line edit with typing not yet applied undoes and redoes that typing itself."""
    undo_or_redo = event.matches(QKeySequence.StandardKey.Undo) or event.matches(QKeySequence.StandardKey.Redo)
    return undo_or_redo and isinstance(field, QLineEdit) and field.isModified()
