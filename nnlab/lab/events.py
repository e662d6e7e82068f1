"""The lab's change events: psygnal signals that tell every slot, and pass a slot's error on as itself.

psygnal (0.16, by design since its PR #115) stops an emission at the first slot that raises and raises
an ``EmitLoopError`` in its place. For the lab both are wrong: the state has already changed when a
signal says so, so a view after the failing one would go on showing the old state; and the window and
the CLI turn a ValueError or OSError into one sentence, which an EmitLoopError is not. A lab ``Signal``
calls every slot, then raises the first slot's own exception. psygnal cannot be configured to do
either (``reemission`` only orders nested emissions).
"""
from __future__ import annotations

from typing import Any

import psygnal
from psygnal import EmitLoopError, SignalInstance

__all__ = ["EmitLoopError", "Signal", "TellsEverySlot", "slot_error"]


def slot_error(error: BaseException) -> BaseException:
    """The exception a slot raised, from inside psygnal's EmitLoopError (nested ones too)."""
    while isinstance(error, EmitLoopError) and error.__cause__ is not None:
        error = error.__cause__
    return error


class TellsEverySlot(SignalInstance):
    """A signal instance whose emit calls every slot and then raises the first slot's exception as itself."""

    def emit(self, *args: Any, check_nargs: bool = False, check_types: bool = False) -> None:
        try:
            super().emit(*args, check_nargs=check_nargs, check_types=check_types)
            return
        except EmitLoopError as wrapped:
            error = slot_error(wrapped)
        raise error  # outside the except block: no "during handling of EmitLoopError" chained on

    def _run_emit_loop_immediate(self) -> None:
        """psygnal's loop (the default, 'immediate' re-emission), going on past a slot that raises."""
        args = self._emit_queue.popleft()
        first_error: Exception | None = None
        for caller in list(self._slots):  # a copy: a slot may disconnect itself
            if not caller._is_alive():
                continue
            try:
                caller.cb(args)
            except Exception as error:  # noqa: BLE001 — every slot is told; the first error is raised after
                if first_error is None:
                    first_error = error
        if first_error is not None:
            raise first_error


def Signal(*types: Any, **options: Any) -> psygnal.Signal:  # noqa: N802 — declared on a class as psygnal's is
    """A ``psygnal.Signal`` whose instances are :class:`TellsEverySlot` (psygnal's compiled Signal cannot be
    subclassed; its ``signal_instance_class`` option is the public way in)."""
    options.setdefault("signal_instance_class", TellsEverySlot)
    return psygnal.Signal(*types, **options)
