"""The window opens inside the screen's free area: never larger, never partly off it.

A fixed default size (1280×800) or a geometry saved on a bigger monitor would otherwise put the
status bar below the bottom of a 1280×720 laptop screen.
"""
from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget


def available_area(window: QWidget) -> QRect:
    """The free part of the window's screen (panels and taskbars excluded)."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def fit_on_screen(window: QWidget) -> None:
    """Shrink ``window`` to the free area (frame included, when the frame is known) and move it inside."""
    area = available_area(window)
    frame, inner = window.frameGeometry(), window.geometry()
    extra_width, extra_height = frame.width() - inner.width(), frame.height() - inner.height()
    width = min(inner.width(), area.width() - extra_width)
    height = min(inner.height(), area.height() - extra_height)
    if (width, height) != (inner.width(), inner.height()):
        window.resize(width, height)  # never below the window's minimum size: Qt clamps
    frame = window.frameGeometry()
    x = max(area.left(), min(frame.left(), area.right() + 1 - frame.width()))
    y = max(area.top(), min(frame.top(), area.bottom() + 1 - frame.height()))
    if (x, y) != (frame.left(), frame.top()):
        window.move(x, y)
