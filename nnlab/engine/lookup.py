"""Name → thing tables (activations, losses, optimizers, initialisers) share one error message."""
from __future__ import annotations

from typing import Mapping, TypeVar

T = TypeVar("T")


def by_name(table: Mapping[str, T], name: str, what: str, extra_choices: tuple[str, ...] = ()) -> T:
    """``table[name]``, or a ValueError that lists the valid choices."""
    try:
        return table[name]
    except (KeyError, TypeError):
        known = ", ".join([*extra_choices, *table])
        raise ValueError(f"unknown {what} {name!r}; choose one of: {known}") from None
