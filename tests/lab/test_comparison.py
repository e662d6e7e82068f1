"""Which runs are compared: colour slots that stay put, and legend words that name what differs."""
import pytest

from nnlab.lab.comparison import RunComparison
from nnlab.lab.session import LabSession

from .recorded_runs import train, xor


@pytest.fixture
def session():
    """Run 1 at lr 0.1 for 4 epochs; runs 2 and 3 branched from its epoch 2 at lr 0.001 and lr 0.01."""
    session = LabSession()
    session.load_dataset("xor", xor(1).split, 3)
    train(session, xor(4))
    for rate in (0.001, 0.01):
        session.branch(1, 2, xor(2, learning_rate=rate))
        train(session, xor(2, learning_rate=rate))
    return session


def test_ticked_runs_keep_their_colour_slot_and_a_freed_slot_is_taken_next(session):
    comparison = RunComparison(session.runs)
    events = []
    comparison.changed.connect(lambda: events.append(comparison.ticked))
    comparison.set_ticked(1, True)
    comparison.set_ticked(2, True)
    comparison.set_ticked(2, True)  # no change, no event
    assert [comparison.slot(1), comparison.slot(2)] == [0, 1] and len(events) == 2
    comparison.set_ticked(1, False)
    comparison.set_ticked(3, True)
    assert comparison.slot(2) == 1 and comparison.slot(3) == 0 and comparison.ticked == [2, 3]
    with pytest.raises(ValueError, match="there is no run 9"):
        comparison.set_ticked(9, True)


def test_the_legend_names_what_differs_with_the_current_run_first(session):
    comparison = RunComparison(session.runs)
    assert comparison.compared() == []
    comparison.set_ticked(1, True)
    comparison.set_ticked(2, True)
    current = session.runs.current  # run 3, the last branch
    labels = [(entry.run.id, entry.slot, entry.label) for entry in comparison.compared()]
    assert labels == [(current.id, None, "run 3 · lr 0.01"), (1, 0, "run 1 · lr 0.1"), (2, 1, "run 2 · lr 0.001")]
    session.runs.rename(2, "slow")
    assert comparison.compared()[2].label == "slow · lr 0.001"


def test_a_removed_run_is_unticked_and_a_new_session_unticks_all(session):
    comparison = RunComparison(session.runs)
    comparison.set_all([1, 2, 7])
    assert comparison.ticked == [1, 2]
    session.runs.remove(2)
    assert comparison.ticked == [1]
    session.runs.replace_all([], None)
    assert comparison.ticked == []


def test_the_current_run_recording_is_no_news_but_its_settings_changing_is(session):
    comparison = RunComparison(session.runs)
    comparison.set_ticked(1, True)
    events = []
    comparison.changed.connect(lambda: events.append(1))
    train(session, xor(2, learning_rate=0.01))  # run 3 carries on: two epochs, nothing the legend says changed
    assert events == []
    train(session, xor(1, learning_rate=0.02))  # a new learning rate: the legend's words change
    assert events and comparison.compared()[0].label == "run 3 · lr 0.02"
