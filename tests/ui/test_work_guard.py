"""The one path by which a dataset, a new network, a weight file or a lesson replaces the learner's work:
read → ask → stop the run → use, each failure one sentence that changes nothing after it.

Plain objects stand in for the session, the controller and the questions: no QApplication is needed.
"""
import pytest

from nnlab.ui.work_guard import WorkGuard


class Steps:
    """Everything the guard did, in order."""

    def __init__(self, dirty: bool = True, answer: str = "discard", saved: bool = True) -> None:
        self.done: list = []
        self.dirty, self.answer, self.saved = dirty, answer, saved

    # the session, the controller and the questions the guard is given
    def ask_save_changes(self) -> str:
        self.done.append("asked")
        return self.answer

    def show_error(self, title: str, error) -> None:
        self.done.append(("error", title, str(error)))

    def stop(self) -> None:
        self.done.append("stopped")

    def save(self) -> bool:
        self.done.append("saved")
        return self.saved

    def end_run(self) -> None:
        self.done.append("run ended")


@pytest.fixture
def steps():
    return Steps()


@pytest.fixture
def guard(steps):
    return WorkGuard(steps, steps, steps, save=steps.save, end_run=steps.end_run)


def reading(value):
    def read():
        return value
    return read


def failing(error):
    def act(*_):
        raise error
    return act


@pytest.mark.parametrize("error", [ValueError("broken.npz: meta is not a readable NumPy array"),
                                   OSError("cannot read broken.npz")])
def test_a_failed_read_is_shown_and_asks_nothing_stops_nothing_uses_nothing(guard, steps, error):
    used = []
    assert not guard.replace("Could not open the weights", used.append, failing(error))
    assert steps.done == [("error", "Could not open the weights", str(error))]
    assert used == []


def test_cancel_keeps_the_work_and_the_run(guard, steps):
    steps.answer = "cancel"
    used = []
    assert not guard.replace("Could not open the dataset", used.append, reading("iris"))
    assert steps.done == ["asked"] and used == []


def test_discard_stops_the_run_before_the_new_work_is_used(guard, steps):
    assert guard.replace("Could not open the dataset", lambda what: steps.done.append(("used", what)),
                         reading("iris"))
    assert steps.done == ["asked", "stopped", ("used", "iris")]


def test_save_first_saves_and_a_failed_save_keeps_the_work(guard, steps):
    steps.answer = "save"
    assert guard.replace("Cannot build this network", lambda _: None)
    assert steps.done == ["asked", "saved", "stopped"]
    steps.done.clear()
    steps.saved = False  # e.g. the learner cancelled the file dialog
    assert not guard.replace("Cannot build this network", lambda _: steps.done.append("used"))
    assert steps.done == ["asked", "saved"]


def test_nothing_unsaved_or_ask_false_asks_nothing(guard, steps):
    assert guard.replace("Cannot build this network", lambda _: None, ask=False)
    steps.dirty = False
    assert guard.replace("Cannot build this network", lambda _: None)
    assert steps.done == ["stopped", "stopped"]


def test_work_that_is_kept_asks_nothing_and_ends_the_run_as_stop_does(guard, steps):
    assert guard.replace("Could not open the dataset", lambda what: steps.done.append(("used", what)),
                         reading("circles"), keeps_work=lambda what: what == "circles")
    assert steps.done == ["run ended", "stopped", ("used", "circles")]


def test_a_failure_while_using_is_shown_and_reported(guard, steps):
    assert not guard.replace("Cannot build this network", failing(ValueError("choose a dataset first")))
    assert steps.done == ["asked", "stopped", ("error", "Cannot build this network", "choose a dataset first")]
    steps.done.clear()
    assert not guard.replace("Could not open the dataset", lambda _: False)  # use says it did not replace
    assert steps.done == ["asked", "stopped"]


def test_a_bug_is_not_dressed_up_as_a_bad_file(guard, steps):
    """Only what bad input raises (ValueError, OSError) becomes a sentence; anything else is a bug and surfaces."""
    with pytest.raises(KeyError):
        guard.replace("Could not open the weights", lambda _: None, failing(KeyError("layers")))
    assert steps.done == []


def _wrapped(error: Exception) -> Exception:
    """``error`` as psygnal raises it from a slot of a signal that is not the lab's (run settings' fields)."""
    from psygnal import EmitLoopError, SignalInstance

    signal = SignalInstance((), name="changed")
    signal.connect(failing(error))
    try:
        signal.emit()
    except EmitLoopError as wrapped:
        return wrapped
    raise AssertionError("psygnal did not wrap the slot's error")


def test_a_slots_value_error_inside_a_psygnal_emission_is_one_sentence(guard, steps):
    error = _wrapped(ValueError("the panel cannot hold a batch size of 0"))
    assert not guard.replace("Could not open the session", failing(error), reading("runs.nnlab"))
    assert steps.done == ["asked", "stopped", ("error", "Could not open the session",
                                               "the panel cannot hold a batch size of 0")]
    assert not guard.replace("Could not open the session", lambda _: None, failing(error))
    assert steps.done[-1] == ("error", "Could not open the session", "the panel cannot hold a batch size of 0")


def test_a_slots_bug_inside_a_psygnal_emission_is_raised_on(guard):
    from psygnal import EmitLoopError

    with pytest.raises(EmitLoopError):
        guard.replace("Could not open the session", failing(_wrapped(KeyError("oops"))), reading("runs.nnlab"))
