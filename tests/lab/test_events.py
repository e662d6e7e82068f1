"""A slot that raises during a lab object's emission: every other slot is still told, and the emitter gets
the slot's own exception (a ValueError the window and the CLI show in one sentence), not psygnal's
EmitLoopError."""
import ast
from pathlib import Path

import pytest
from psygnal import EmitLoopError, SignalInstance

from nnlab.lab.events import Signal, slot_error
from nnlab.lab.runs import RunTree
from nnlab.lab.session import LabSession

LAB = Path(__file__).resolve().parents[2] / "nnlab" / "lab"


def refuse(*_):
    raise ValueError("this view cannot show that dataset")


def test_a_slot_error_reaches_the_emitter_as_itself_after_every_slot_is_told():
    session, told = LabSession(), []
    session.dataset_changed.connect(refuse)
    session.dataset_changed.connect(lambda dataset: told.append(dataset.name))
    with pytest.raises(ValueError, match="^this view cannot show that dataset$") as raised:
        session.load_dataset("xor")
    assert type(raised.value) is ValueError
    assert told == ["xor"] and session.dataset_source == "xor"


def test_the_first_of_two_failing_slots_is_raised_and_both_ran():
    runs, ran = RunTree(), []

    def fail(name):
        def slot(*_):
            ran.append(name)
            raise OSError(f"{name} failed")
        return slot

    runs.cleared.connect(fail("first"))
    runs.cleared.connect(fail("second"))
    with pytest.raises(OSError, match="^first failed$"):
        runs.cleared.emit()
    assert ran == ["first", "second"]


def test_a_slot_error_inside_a_nested_emission_comes_out_as_itself():
    class Outer:
        changed = Signal()

    class Inner:
        changed = Signal(int)

    outer, inner, told = Outer(), Inner(), []
    inner.changed.connect(lambda value: refuse())
    outer.changed.connect(lambda: inner.changed.emit(3))
    outer.changed.connect(lambda: told.append("outer's second slot"))
    with pytest.raises(ValueError, match="cannot show"):
        outer.changed.emit()
    assert told == ["outer's second slot"]


def test_slot_error_unwraps_psygnals_wrapper():
    plain = SignalInstance((), name="plain")
    plain.connect(refuse)
    with pytest.raises(EmitLoopError) as raised:
        plain.emit()
    assert type(slot_error(raised.value)) is ValueError
    assert slot_error(KeyError("x")).args == ("x",)


def test_every_lab_signal_is_the_labs_own():
    """A module declaring psygnal's Signal directly would wrap its slots' errors again."""
    offenders = []
    for path in sorted(LAB.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "psygnal" and path.name != "events.py":
                offenders += [f"{path.name}: {alias.name}" for alias in node.names if alias.name == "Signal"]
    assert offenders == []
