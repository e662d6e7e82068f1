"""Colours shared by the window's views.

One colour for each sign of a weight — blue positive, orange negative: the editor's lines, the
inspector's weight bars and weight images all use it, so a learner never meets blue meaning
"positive" in one dock and "negative" in the next. Everything else follows the palette, light or
dark: plots are drawn on its Base colour with its Text colour, like a text field.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

POSITIVE, NEGATIVE = "#1f63b4", "#d95f02"  # on a light background
POSITIVE_ON_DARK, NEGATIVE_ON_DARK = "#5eb0ff", "#ffa040"
QUIET_SHARE = 0.6  # of the text colour in secondary text: contrast 5.5:1 on Fusion's light window, 5.0:1 on #353535


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def sign_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """(positive, negative) for a widget drawn in ``palette``: lighter on a dark theme."""
    if is_dark(palette):
        return QColor(POSITIVE_ON_DARK), QColor(NEGATIVE_ON_DARK)
    return QColor(POSITIVE), QColor(NEGATIVE)


def quiet_text(palette: QPalette) -> QColor:
    """Secondary text on the window colour (notes, "… 112 more", a placeholder), readable light or dark.

    Not the palette's PlaceholderText: a dark palette made by setting the usual roles keeps the
    light theme's placeholder, half-transparent black, which is dark on dark.
    """
    return mix(palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText), QUIET_SHARE)


def plot_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """(background, foreground) of a plot in ``palette``: its Base and Text colours, as a text field has."""
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def mix(base: QColor, full: QColor, amount: float) -> QColor:
    """``base`` with ``amount`` (0…1) of ``full`` blended in."""
    amount = min(max(amount, 0.0), 1.0)
    return QColor.fromRgbF(*(b + (f - b) * amount for b, f in zip(base.getRgbF()[:3], full.getRgbF()[:3])))
