"""The time machine: scrubbing the current run shows a network rebuilt from that epoch's snapshot in the
selection, never touches the live network, keeps live weights that come meanwhile, and "Live" shows them."""
import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.lab.selection import Selection
from nnlab.lab.session import LabSession
from nnlab.lab.snapshots import SnapshotStore
from nnlab.lab.time_machine import TimeMachine

from . import recorded_runs
from .recorded_runs import train


def xor(epochs: int, **settings):
    """This file's runs learn at 0.05."""
    return recorded_runs.xor(epochs, **{"learning_rate": 0.05, **settings})


@pytest.fixture
def lab():
    session = LabSession()
    session.load_dataset("xor", xor(1).split, 3)
    train(session, xor(6))
    selection = Selection()
    selection.set_snapshot(session.network.copy())
    return session, selection, TimeMachine(session.runs, selection)


def test_a_scrub_shows_a_network_rebuilt_from_that_epochs_snapshot_and_live_shows_the_newest_again(lab):
    session, selection, machine = lab
    live_params = session.network.params.copy()
    live_view = selection.snapshot
    seen = []
    selection.snapshot_changed.connect(seen.append)
    machine.scrub_to(2)
    run = session.runs.current
    assert not machine.live and machine.epoch == 2 and machine.shown_epoch == 2
    assert selection.snapshot.params.tobytes() == run.snapshots.get(2).params.tobytes()
    assert selection.snapshot is not session.network and selection.snapshot.params is not run.snapshots.get(2).params
    assert machine.words == "epoch 2 of 6"
    machine.step(-1)
    assert selection.snapshot.params.tobytes() == run.snapshots.get(1).params.tobytes()
    machine.to_start()
    assert machine.epoch == 0 and selection.snapshot.params.tobytes() == run.snapshots.get(0).params.tobytes()
    machine.step(-1)  # nothing before the start
    assert machine.epoch == 0
    machine.to_end()
    assert machine.epoch == 6 and not machine.live
    assert session.network.params.tobytes() == live_params.tobytes()  # the live network was never written
    machine.go_live()
    assert machine.live and selection.snapshot is live_view and machine.words == "live · epoch 6"
    assert len(seen) == 5  # 2, 1, 0, 6, live: one snapshot per move, none for the refused step


def test_from_live_back_one_epoch_is_the_last_epoch_before_the_end_and_on_does_nothing(lab):
    session, selection, machine = lab
    machine.step(1)
    assert machine.live
    machine.step(-1)
    assert machine.epoch == 5
    machine.scrub_to(99)
    assert machine.epoch == 6  # clamped to the run's epochs


def test_live_weights_that_come_while_scrubbed_are_kept_not_shown_and_live_shows_the_newest(lab):
    session, selection, machine = lab
    machine.scrub_to(3)
    shown = selection.snapshot
    newer = session.network.copy()
    newer.params[...] = 0.25
    machine.set_live(newer)
    assert selection.snapshot is shown
    weights = [np.full_like(w, 0.5) for w in newer.weights]
    biases = [np.full_like(b, -0.5) for b in newer.biases]
    machine.set_live_arrays(weights, biases)
    assert selection.snapshot is shown
    machine.go_live()
    assert all((w == 0.5).all() for w in selection.snapshot.weights)
    assert all((b == -0.5).all() for b in selection.snapshot.biases)
    machine.set_live_arrays([w * 2 for w in weights], biases)  # live: shown at once
    assert all((w == 1.0).all() for w in selection.snapshot.weights)


def test_a_changed_network_ends_the_scrub_and_another_current_run_goes_live(lab):
    session, selection, machine = lab
    machine.scrub_to(2)
    edited = session.network.copy()
    machine.set_live(edited, end_scrub=True)
    assert machine.live and selection.snapshot is edited
    machine.scrub_to(4)
    session.branch(1, 4, xor(2, learning_rate=0.2))
    assert machine.live and machine.run is session.runs.current and machine.run.id == 2
    assert machine.first_epoch == 4 and machine.last_epoch == 4 and machine.branch_epoch == 4


def test_a_thinned_away_epoch_shows_the_nearest_kept_one_and_says_so(lab):
    session, selection, machine = lab
    run = session.runs.current
    thin = SnapshotStore(budget_bytes=0, full_epochs=2)
    for snapshot in run.snapshots:
        thin.add(snapshot)
    run.snapshots = thin
    assert 4 not in thin and thin.epochs[:3] == [0, 1, 2]
    machine.scrub_to(4)
    kept = machine.shown_epoch
    assert kept != 4 and kept in thin
    assert selection.snapshot.params.tobytes() == thin.get(kept).params.tobytes()
    assert "epoch 4 was not kept" in machine.note and f"showing {kept}" in machine.words
    assert machine.branch_epoch == kept


def test_without_a_run_there_is_nothing_to_scrub():
    session, selection = LabSession(), Selection()
    machine = TimeMachine(session.runs, selection)
    machine.scrub_to(3)
    machine.step(-1)
    assert machine.live and selection.snapshot is None and not machine.can_scrub
    assert machine.branch_epoch is None and machine.words.startswith("no run yet")


def test_a_network_of_another_shape_cannot_scrub_the_old_run_until_start_records_its_own(lab):
    session, selection, machine = lab
    events = []
    machine.changed.connect(lambda: events.append(machine.can_scrub))
    narrow = Experiment(dataset="xor", hidden=[3], train=xor(2).train)
    session.new_network(narrow)  # File → New, 2-3-1: run 1 (2-6-1) stays current until Start
    machine.set_live(session.network.copy(), end_scrub=True)
    assert not machine.can_scrub and events == [False]
    machine.scrub_to(2)
    assert machine.live and selection.snapshot.sizes == session.network.sizes
    train(session, narrow)
    assert machine.can_scrub and machine.run.id == 2
