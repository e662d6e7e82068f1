"""One way to write a number everywhere a learner reads one.

Three significant digits read like the textbooks (0.71, −0.438, 0.562); trailing
zeros are dropped so a weight typed as 0.8 still reads 0.8. The full value is
``repr``: the shortest text that reads back to the same float, for hover and copy.
"""
from __future__ import annotations

import math

import numpy as np

MINUS = "\u2212"


def format_number(value: float, digits: int | None = 3) -> str:
    """``value`` to ``digits`` significant digits, typographic minus, no trailing zeros.

    ``digits=None`` writes every digit the float holds (the hover and copy text).
    """
    value = float(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return ("" if value > 0 else MINUS) + "∞"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if digits is None:
        return (MINUS if value < 0 else "") + repr(magnitude).replace("-", MINUS)
    if 1e-4 <= magnitude < 1e6:
        text = np.format_float_positional(magnitude, precision=digits, unique=False, fractional=False,
                                          trim="-")
    else:
        mantissa, exponent = f"{magnitude:.{digits - 1}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa
        text = f"{mantissa}e{int(exponent)}".replace("-", MINUS)
    return (MINUS if value < 0 else "") + text


def format_places(value: float, places: int | None) -> str:
    """``value`` rounded to ``places`` decimals, trailing zeros dropped (e.g. a weight after a tiny step).

    ``places=None``: every digit.
    """
    if places is None:
        return format_number(value, None)
    text = f"{abs(float(value)):.{max(places, 0)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    rounded = float(text)
    return (MINUS if value < 0 and rounded != 0 else "") + text


def places_to_show(change: float, digits: int | None = 3) -> int | None:
    """Decimals needed to show ``digits`` significant digits of ``change`` — so w − η·g visibly moves w."""
    if digits is None:
        return None
    change = abs(float(change))
    if change == 0 or not math.isfinite(change):
        return digits
    return max(0, digits - 1 - math.floor(math.log10(change)))


def format_full(value: float) -> str:
    """Every digit the float holds: the text to copy."""
    return repr(float(value))


def signed(value: float, digits: int | None = 3) -> str:
    """A number that follows an operator: negatives in brackets, ``(−0.311)``."""
    text = format_number(value, digits)
    return f"({text})" if float(value) < 0 else text
