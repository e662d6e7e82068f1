"""Colours shared by the window's views.

One colour for each sign of a weight — blue positive, orange negative: the editor's lines, the
inspector's weight bars and weight images all use it, so a learner never meets blue meaning
"positive" in one dock and "negative" in the next.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

POSITIVE, NEGATIVE = "#1f63b4", "#d95f02"  # on a light background (the plots are white)
POSITIVE_ON_DARK, NEGATIVE_ON_DARK = "#5eb0ff", "#ffa040"


def sign_colours(palette: QPalette) -> tuple[QColor, QColor]:
    """(positive, negative) for a widget drawn in ``palette``: lighter on a dark theme."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    return (QColor(POSITIVE_ON_DARK), QColor(NEGATIVE_ON_DARK)) if dark else (QColor(POSITIVE), QColor(NEGATIVE))


def mix(base: QColor, full: QColor, amount: float) -> QColor:
    """``base`` with ``amount`` (0…1) of ``full`` blended in."""
    amount = min(max(amount, 0.0), 1.0)
    return QColor.fromRgbF(*(b + (f - b) * amount for b, f in zip(base.getRgbF()[:3], full.getRgbF()[:3])))
