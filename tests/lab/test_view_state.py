"""What a session file keeps of the view: the selection, the scrubbed epoch and the ticked runs, and back;
and a run's weights at an epoch exported as a weight file."""
import numpy as np
import pytest

from nnlab.data.weights_file import load_model
from nnlab.lab.comparison import RunComparison
from nnlab.lab.run_export import export_run_weights
from nnlab.lab.selection import ConnectionRef, NeuronRef, Selection
from nnlab.lab.session import LabSession
from nnlab.lab.time_machine import TimeMachine
from nnlab.lab.view_state import restore_selection, restore_view, selection_state, view_state

from .recorded_runs import train, xor


@pytest.fixture
def session():
    session = LabSession()
    session.load_dataset("xor", xor(1).split, 3)
    train(session, xor(4))
    session.branch(1, 2, xor(2, learning_rate=0.01))
    train(session, xor(2, learning_rate=0.01))
    return session


def test_the_view_goes_into_a_session_file_and_comes_back(session, tmp_path):
    selection = Selection()
    selection.set_snapshot(session.network.copy())
    machine, comparison = TimeMachine(session.runs, selection), RunComparison(session.runs)
    selection.select_neuron(NeuronRef(1, 4))
    selection.select_connection(ConnectionRef(0, 1, 5))
    comparison.set_ticked(1, True)
    machine.scrub_to(3)
    session.save_session(tmp_path / "s.nnlab", selection_state(selection), view_state(machine, comparison))
    opened = LabSession()
    document = opened.open_session(tmp_path / "s.nnlab")
    assert document.selection == {"neuron": [1, 4], "connection": [0, 1, 5]}
    assert document.view == {"epoch": 3, "ticked": [1]}
    again = Selection()
    again.set_snapshot(opened.network.copy())
    machine2, comparison2 = TimeMachine(opened.runs, again), RunComparison(opened.runs)
    restore_selection(again, document.selection)
    restore_view(machine2, comparison2, document.view)
    assert again.neuron == NeuronRef(1, 4) and again.connection == ConnectionRef(0, 1, 5)
    assert comparison2.ticked == [1] and machine2.epoch == 3
    assert again.snapshot.params.tobytes() == opened.runs.current.snapshots.get(3).params.tobytes()


def test_a_view_naming_what_is_not_there_puts_back_the_rest(session):
    selection = Selection()
    selection.set_snapshot(session.network.copy())
    machine, comparison = TimeMachine(session.runs, selection), RunComparison(session.runs)
    restore_selection(selection, {"neuron": [9, 0], "connection": [0, 2, 0]})
    restore_view(machine, comparison, {"epoch": 99, "ticked": [7, 2]})
    assert selection.neuron is None and selection.connection is None
    assert comparison.ticked == [2] and machine.epoch == 4  # clamped to the current run's last epoch


def test_a_runs_weights_at_an_epoch_export_as_a_weight_file(session, tmp_path):
    run = session.runs[1]
    export_run_weights(run, 2, tmp_path / "w.npz", "s.nnlab")
    model = load_model(tmp_path / "w.npz")
    np.testing.assert_array_equal(model.network.params, run.snapshots.get(2).params)
    assert model.extra["exported_from"] == {"session": "s.nnlab", "run": 1, "epoch": 2}
    assert model.extra["experiment"]["dataset"] == "xor"
    with pytest.raises(ValueError, match="run 1: this run's snapshots go from epoch 0 to epoch 4"):
        export_run_weights(run, 9, tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()
