"""The Backprop tab's key grid: one short line per key number, its central-difference check beside it."""
from __future__ import annotations

from nnlab.engine.numbers import format_number

from .numbers_label import NumbersLabel

# A worked line longer than this (a 10-class softmax's δ written term by term) shows as
# "δ₁ = value" in the key grid; the whole line stays in the working below.
KEY_LINE_CHARS = 56
CHECK_TIP = ("Central difference (L(p + h) − L(p − h)) / 2h with h = 1e−6: the slope measured by nudging "
             "the parameter p and computing the loss twice, not derived. It agrees with the chain rule.")


def key_line(line: str) -> str:
    """A worked line short enough for the key grid: ``name = … = value`` keeps only its ends when long."""
    if len(line) <= KEY_LINE_CHARS or " = " not in line:
        return line
    return f"{line.split(' = ', 1)[0]} = {line.rsplit(' = ', 1)[1]}"


def show_key(label: NumbersLabel, text: str | tuple[str, str], check: NumbersLabel | None = None,
             estimate: float | None = None) -> None:
    """A key number (short, full digits) or a hint in plain words; its check when there is one."""
    short, full = (text, None) if isinstance(text, str) else text
    label.set_lines([short], None if full is None else [full])
    if check is None:
        return
    if estimate is None:
        check.set_lines([""])
    else:
        check.set_lines([f"central difference {format_number(estimate)}"])
    check.setToolTip(CHECK_TIP if estimate is None else f"{CHECK_TIP}\n= {format_number(estimate, None)}")
