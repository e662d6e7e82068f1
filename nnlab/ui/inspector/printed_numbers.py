"""The Lessons tab's table of a text's numbers: each one as printed, beside the engine's true value."""
from __future__ import annotations

import html

from nnlab.data.lesson_printed import CheckedNumber, typographic

HEADING = "The text's numbers, recomputed"


def printed_numbers_html(checked: list[CheckedNumber], slip_colour: str) -> str:
    """A heading, a one-line count and a three-column table: what, the text prints, true.

    A slipped value shows in bold ``slip_colour`` with the text's line (and a note) under its name,
    so a learner sees the printed number and the true one side by side.
    """
    if not checked:
        return ""
    values = sum(len(c.number.printed) for c in checked)
    slipped = sum(not ok for c in checked for ok in c.agreeing)
    if slipped:
        count = (f"The engine recomputed all {values} numbers the text prints for this network: {values - slipped} "
                 f"agree, and {slipped} are slips, shown with the true number beside them.")
    else:
        count = f"The engine recomputed all {values} numbers the text prints for this network: every one agrees."
    rows = "".join(_row(c, slip_colour) for c in checked)
    return (f"<h4>{HEADING}</h4><p>{count}</p>"
            "<table cellspacing='0' cellpadding='3' width='100%'>"
            "<tr><th align='left' width='44%'>In the text</th><th align='left' width='26%'>the text prints</th>"
            "<th align='left' width='30%'>true</th></tr>"
            f"{rows}</table>")


def _row(checked: CheckedNumber, slip_colour: str) -> str:
    number = checked.number
    printed = _listed([html.escape(typographic(t)) for t in number.printed], number.is_list)
    true_texts = checked.true_texts()
    if not checked.slipped:
        return (f"<tr><td>{html.escape(number.what)}</td><td>{printed}</td>"
                f"<td>{_listed(true_texts, number.is_list)} ✓</td></tr>")
    true = _listed([t if ok else f"<b style='color:{slip_colour}'>{t}</b>"
                    for t, ok in zip(true_texts, checked.agreeing)], number.is_list)
    detail = f"<br><small><i>“{html.escape(number.source)}”</i></small>"
    if number.note:
        detail += f"<br><small>{html.escape(number.note)}</small>"
    return (f"<tr><td>{html.escape(number.what)}{detail}</td><td>{printed}</td>"
            f"<td>{true} <span style='color:{slip_colour}'>slip</span></td></tr>")


def _listed(items: list[str], is_list: bool) -> str:
    text = ", ".join(items)
    return f"[{text}]" if is_list else text
