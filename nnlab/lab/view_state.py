"""What a session file keeps of what the learner was looking at, and putting it back.

The file's ``selection`` (the selected neuron and connection) and ``view`` (the epoch the time machine
shows, "live" or a number, and the runs ticked for comparison) as plain data — the shapes
``nnlab.data.session_file`` checks — taken from and given back to the lab objects that hold them.
Putting back is lenient: a neuron, a run or an epoch that is not there (any more) is left out, since
the file was checked already and the rest of the session opened.
"""
from __future__ import annotations

from .comparison import RunComparison
from .selection import ConnectionRef, NeuronRef, Selection
from .time_machine import TimeMachine


def selection_state(selection: Selection) -> dict:
    neuron, connection = selection.neuron, selection.connection
    return {"neuron": None if neuron is None else [neuron.layer, neuron.unit],
            "connection": None if connection is None else [connection.layer, connection.source, connection.target]}


def view_state(time_machine: TimeMachine, comparison: RunComparison) -> dict:
    return {"epoch": "live" if time_machine.live else int(time_machine.epoch), "ticked": comparison.ticked}


def restore_selection(selection: Selection, state: dict) -> None:
    """Select the saved neuron and connection when the selection's network has them."""
    network = selection.snapshot
    if network is None:
        return
    sizes = network.sizes
    neuron, connection = state.get("neuron"), state.get("connection")
    if neuron is not None and 0 <= neuron[0] < len(sizes) and 0 <= neuron[1] < sizes[neuron[0]]:
        selection.select_neuron(NeuronRef(*neuron))
    if connection is not None and 0 <= connection[0] < len(sizes) - 1 and connection[1] < sizes[connection[0]] \
            and connection[2] < sizes[connection[0] + 1]:
        selection.select_connection(ConnectionRef(*connection))


def restore_view(time_machine: TimeMachine, comparison: RunComparison, state: dict) -> None:
    """Tick the saved runs and scrub to the saved epoch (clamped to the current run's epochs)."""
    comparison.set_all(state.get("ticked", []))
    epoch = state.get("epoch", "live")
    if epoch == "live":
        time_machine.go_live()
    else:
        time_machine.scrub_to(int(epoch))
