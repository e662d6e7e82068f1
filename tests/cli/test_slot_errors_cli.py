"""A ValueError a slot raises inside a psygnal emission during a command ends as the CLI's one sentence and
exit code 2, like any other ValueError — not a traceback of psygnal's EmitLoopError."""
import pytest
from psygnal import EmitLoopError, SignalInstance

from nnlab.cli import commands, main


def emitting_to(slot):
    def command(_args):
        signal = SignalInstance((), name="changed")
        signal.connect(slot)
        signal.emit()
        return 0
    return command


def test_a_slots_value_error_is_one_sentence(monkeypatch, capsys, tmp_path):
    def refuse():
        raise ValueError("the run's batch size of 0 cannot be shown")

    monkeypatch.setattr(commands, "info", emitting_to(refuse))
    assert main(["info", str(tmp_path / "model.npz")]) == 2
    assert capsys.readouterr().err == "nnlab info: error: the run's batch size of 0 cannot be shown\n"


def test_a_slots_bug_is_not_dressed_as_bad_input(monkeypatch, tmp_path):
    monkeypatch.setattr(commands, "info", emitting_to(lambda: {}["missing"]))
    with pytest.raises(EmitLoopError):
        main(["info", str(tmp_path / "model.npz")])
