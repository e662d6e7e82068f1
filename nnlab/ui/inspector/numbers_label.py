"""A label of worked numbers: three digits to read, every digit on hover and when copied."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QLabel, QWidget


class NumbersLabel(QLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setWordWrap(True)
        self.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        copy = QAction("Copy with full precision", self)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_full)
        self.addAction(copy)
        self.full_text = ""

    def set_lines(self, short: list[str], full: list[str] | None = None) -> None:
        self.setText("\n".join(short))
        self.full_text = "\n".join(full if full is not None else short)
        self.setToolTip(self.full_text if full is not None else "")

    def copy_full(self) -> None:
        QGuiApplication.clipboard().setText(self.full_text)
