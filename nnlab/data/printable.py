"""Class and output names are printed to terminals, so they may not hold characters that steer one.

``nnlab info``, ``predict`` and ``evaluate`` print the names a weight file or a dataset gives its
classes. A control character in one acts on the terminal instead of showing: "\x1b[31m" turns the
rest red (other escapes retitle the window or move the cursor), "\r" overwrites the line, "\n" forges
another; a bidirectional override or isolate ("\u202e") shows the rest of the line reversed, so a name can
read as another. No class, run or file is meant to be named that way, so names holding one are refused
where they are read — a weight file's or session file's meta, every dataset importer, a run's new name —
rather than escaped in every place that prints. Everything else stays: accents, symbols, right-to-left
scripts (which need no override), emoji and their zero-width joiners.
"""
from __future__ import annotations

import re

# C0 controls, DEL and C1 controls (Unicode category Cc; U+009B is a one-byte escape on some
# terminals), the line and paragraph separators U+2028/U+2029 (categories Zl, Zp), and the bidirectional
# embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069 (the "Trojan Source" characters).
_STEERING = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def control_character(name: str) -> str | None:
    """Why ``name`` may not be printed — "holds the control character U+001B at character 1" — or None."""
    found = _STEERING.search(name)
    if found is None:
        return None
    return f"holds the control character U+{ord(found.group()):04X} at character {found.start() + 1:,}"
