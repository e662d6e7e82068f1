"""The checks a weight file's and a session file's JSON meta share, in one place.

Both metas are read from files people share, so both are checked the same way before anything is
converted: every value must be usable (Unicode text, numbers a 64-bit float holds), the format and
version must be ones this NN Lab reads, and each field has a type and a range. Each problem is a
:class:`FileProblem` — one sentence without the path, which the loader completes with the file's name.
The meta-specific rules stay in ``weights_meta`` (the network) and ``session_meta`` (the runs).
"""
from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Callable, Iterable

from .printable import control_character

_INT64 = 2**63
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]{0,63}\Z")
# A lone UTF-16 surrogate (JSON's "\ud800" escape decodes to one) is not Unicode text: printing or
# encoding it raises, so such a meta would fail later in whatever shows it.
_SURROGATE = re.compile("[\ud800-\udfff]")


class FileProblem(Exception):
    """The first problem found in a weight or session file (meta or arrays), worded for the loader's error."""


# -- the whole meta ----------------------------------------------------------------------------------
def check_values(meta: dict) -> None:
    """Refuse what no consumer of meta could use: text that is not Unicode, numbers beyond float64.

    Runs over the whole meta, ``extra`` included, because the window and the CLI show and read
    it; each problem names the field (``classes[1]``, ``experiment.split[0]``). A field's name is
    spelled out only on failure: a trail of (parent, step) pairs keeps the walk linear. JSON's own
    limits (nesting depth, 4,300-digit integers) are enforced by the decoder before this runs.
    """
    pending: list[tuple[object, tuple | None]] = [(meta, None)]
    while pending:
        value, trail = pending.pop()
        if isinstance(value, str):
            _check_unicode(value, trail)
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) > sys.float_info.max:  # float(value) would raise OverflowError
                raise FileProblem(f"meta's {_field(trail)} is a number beyond the range of a 64-bit float")
        elif isinstance(value, float):
            if not math.isfinite(value):  # json reads 1e400 as infinity
                raise FileProblem(f"meta's {_field(trail)} is not a finite number")
        elif isinstance(value, list):
            pending.extend((item, (trail, i)) for i, item in enumerate(value))
        elif isinstance(value, dict):
            for key, item in value.items():
                _check_unicode(key, trail, is_key=True)
                pending.append((item, (trail, key)))
        else:  # json.loads makes nothing else; a caller's own object is not JSON
            raise FileProblem(f"meta's {_field(trail)} is a {type(value).__name__}, not a JSON value")


def _check_unicode(text: str, trail: tuple | None, is_key: bool = False) -> None:
    found = _SURROGATE.search(text)
    if found:
        where = (f"a key in meta's {_field(trail)}" if trail else "a key in meta") if is_key \
            else f"meta's {_field(trail)}"
        raise FileProblem(f"{where} is not valid Unicode text (it holds the lone surrogate "
                          f"\\u{ord(found.group()):04x} at character {found.start() + 1:,})")


def _field(trail: tuple | None) -> str:
    """``((None, "classes"), 1)`` -> ``classes[1]``; odd keys are escaped, long ones shortened."""
    steps = []
    while trail is not None:
        trail, step = trail
        if isinstance(step, int):
            steps.append(f"[{step}]")
        else:
            name = step if step.isprintable() and step else json.dumps(step)
            steps.append("." + (name if len(name) <= 40 else name[:37] + "..."))
    return "".join(reversed(steps)).lstrip(".")


def check_header(meta: dict, *, file_format: str, kind: str, versions: tuple[int, ...], required: Iterable[str],
                 short: Callable[[object], str], others: dict[str, str] | None = None) -> int:
    """The meta's version, once its format is ``file_format``, its version one of ``versions`` (the newest
    last) and every ``required`` key present. ``kind`` names the format in sentences ("weight",
    "session"); ``others`` maps another NN Lab format to the sentence that says what the file is."""
    found_format = meta.get("format")
    if found_format != file_format:
        if others and isinstance(found_format, str) and found_format in others:
            raise FileProblem(others[found_format])
        found = f"format {short(found_format)}" if "format" in meta else 'no "format" key'
        raise FileProblem(f"this is not an NN Lab {kind} file (meta has {found}, expected {json.dumps(file_format)})")
    version = meta.get("version")
    if type(version) is not int:
        raise FileProblem(f"meta's version must be a whole number, not {short(version)}")
    readable = f"version {versions[0]}" if len(versions) == 1 else \
        f"versions {', '.join(map(str, versions[:-1]))} and {versions[-1]}"
    if version > versions[-1]:
        raise FileProblem(f"it was made by a newer NN Lab ({kind} format version {short(version)}; "
                          f"this NN Lab reads {readable}), so update NN Lab to open it")
    if version not in versions:
        raise FileProblem(f"it has unknown {kind} format version {short(version)}; this NN Lab reads {readable}")
    missing = [key for key in required if key not in meta]
    if missing:
        raise FileProblem(f"meta is missing {', '.join(repr(key) for key in missing)}")
    return version


# -- one field ---------------------------------------------------------------------------------------
def keyed_object(value, where: str, keys: set[str]) -> dict:
    if not isinstance(value, dict):
        raise FileProblem(f"meta's {where} must be an object")
    missing = sorted(keys - value.keys())
    if missing:
        raise FileProblem(f"meta's {where} is missing {missing[0]!r}")
    unknown = sorted(value.keys() - keys)
    if unknown:
        raise FileProblem(f"meta's {where} has an unknown key {short_repr(unknown[0])}")
    return value


def bounded_list(value, where: str, limit: int) -> list:
    if not isinstance(value, list):
        raise FileProblem(f"meta's {where} must be a list")
    if len(value) > limit:
        raise FileProblem(f"meta's {where} has {counted(len(value), 'item')}; the limit is {limit:,}")
    return value


def whole_number(value, where: str, minimum: int = 0, maximum: int = _INT64 - 1) -> int:
    if type(value) is not int or not minimum <= value <= maximum:
        raise FileProblem(f"meta's {where} must be a whole number from {minimum:,} to {maximum:,}, "
                          f"not {short_repr(value)}")
    return value


def real_number(value, where: str) -> float:
    if type(value) not in (int, float) or value < 0:
        raise FileProblem(f"meta's {where} must be a number of 0 or more, not {short_repr(value)}")
    return float(value)


def text_field(value, where: str, limit: int, empty: bool = True) -> str:
    """Text of at most ``limit`` characters (``empty=False``: not blank), none of which steers a terminal:
    a session's run names, dataset names and paths, and events are printed by ``nnlab info`` and shown."""
    if not isinstance(value, str) or len(value) > limit or (not empty and not value.strip()):
        raise FileProblem(f"meta's {where} must be text of {'1' if not empty else '0'} to {limit:,} characters")
    return printable_text(value, where)


def shares(value, where: str) -> tuple[float, float, float]:
    if not isinstance(value, list) or len(value) != 3 or not all(type(p) in (int, float) and p >= 0 for p in value) \
            or value[0] <= 0 or abs(sum(value) - 1) > 1e-6:
        raise FileProblem(f"meta's {where} must be three shares (train above 0) that add up to 1")
    return tuple(float(p) for p in value)


def field_name(name, where: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise FileProblem(f"meta's {where} names a field {short_repr(name)}; a field name is 1 to 64 letters, "
                          "digits, '_' or '.'")
    return name


def printable_text(text: str, where: str) -> str:
    """``text``, which is printed to terminals, when no character in it would steer one (``printable``)."""
    if (problem := control_character(text)) is not None:
        raise FileProblem(f"meta's {where} {problem}, which would steer the terminal it is printed in")
    return text


# -- wording -----------------------------------------------------------------------------------------
def short(value) -> str:
    """A value as JSON, cut to 40 characters: how a weight file's sentences quote it."""
    try:
        text = json.dumps(value)
    except (ValueError, RecursionError):  # a structure nested deeper than the encoder goes
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def short_repr(value) -> str:
    """A value as Python writes it, cut to 40 characters: how a session file's sentences quote it."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``counted(3, "unit")`` -> ``"3 units"``."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def first_sentence(exc: BaseException) -> str:
    """The first sentence of a low-level error, so our message stays one sentence."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = " ".join(str(exc).split()) or type(exc).__name__  # numpy's messages hold newlines
    text = text.split(". ")[0].rstrip(".")
    return text if len(text) <= 160 else text[:157] + "..."
