"""A branch with unchanged settings does exactly what its parent did; a session saved mid-epoch and opened in a
new LabSession carries on exactly — shuffling, dropout and augmentation included."""
import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.engine import BatchProgress, EpochResult, TrainConfig, TrainingEnded
from nnlab.lab.session import LabSession


def digits(epochs: int, **train) -> Experiment:
    return Experiment(dataset="digits", hidden=[16], dropout=0.25, augment=True,
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 256, "seed": 5, **train}))


def xor(epochs: int, **train) -> Experiment:
    return Experiment(dataset="xor", hidden=[6], activation="tanh", dropout=0.2,
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 16, "learning_rate": 0.05,
                                           "optimizer": "momentum", **train}))


def train(session: LabSession, experiment: Experiment, stop_at_batch: int | None = None) -> list:
    """Start, recording as the window does; returns the epoch results. Stops before batch ``stop_at_batch`` (counted
    over the whole run), as Stop would."""
    trainer = session.make_trainer(experiment)
    results, batches = [], 0
    for record in trainer.run(lambda: stop_at_batch is not None and batches >= stop_at_batch):
        if isinstance(record, BatchProgress):
            batches += 1
        elif isinstance(record, EpochResult):
            results.append(record)
            session.record_epoch(record, trainer.network.params.copy(), trainer.state())
        elif isinstance(record, TrainingEnded):
            session.record_end(record, trainer.network.params.copy(), trainer.state())
    session.epochs_trained = trainer.completed_epochs
    return results


def figures(results) -> list[tuple]:
    return [(r.epoch, r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy) for r in results]


@pytest.fixture(params=["digits", "xor"])
def case(request):
    make = digits if request.param == "digits" else xor
    session = LabSession()
    session.load_dataset(request.param, make(1).split, 5)
    return session, make


def test_a_branch_with_unchanged_settings_reproduces_its_parent_bit_for_bit(case):
    session, make = case
    parent_results = train(session, make(6))
    parent = session.runs.current
    branch = session.branch(parent.id, 3, make(3))
    assert session.runs.current is branch and session.epochs_trained == 3
    assert session.network.params.tobytes() == parent.snapshots.get(3).params.tobytes()
    branch_results = train(session, make(3))
    assert figures(branch_results) == figures(parent_results[3:])
    for epoch in (4, 5, 6):
        assert branch.snapshots.get(epoch).params.tobytes() == parent.snapshots.get(epoch).params.tobytes()
    assert branch.history.epochs.rows().tobytes() == parent.history.epochs.rows().tobytes()
    assert len(session.runs) == 2 and branch.parent == (parent.id, 3)


def test_a_branch_with_another_learning_rate_goes_its_own_way(case):
    session, make = case
    train(session, make(4))
    parent = session.runs.current
    branch = session.branch(parent.id, 2, make(2, learning_rate=0.2))
    train(session, make(2, learning_rate=0.2))
    assert branch.snapshots.get(4).params.tobytes() != parent.snapshots.get(4).params.tobytes()
    assert branch.settings["train"]["learning_rate"] == 0.2 and parent.settings["train"]["learning_rate"] != 0.2


def test_a_branch_refuses_another_shape_and_changes_nothing(case):
    session, make = case
    train(session, make(2))
    network, current = session.network, session.runs.current
    wider = make(1)
    wider.hidden = [17]
    with pytest.raises(ValueError, match="a branch carries on run 1's network"):
        session.branch(1, 1, wider)
    with pytest.raises(ValueError, match="there is no snapshot|snapshots go from epoch 0 to epoch 2"):
        session.branch(1, 5, make(1))
    assert session.network is network and session.runs.current is current and len(session.runs) == 1


def test_a_session_saved_mid_epoch_carries_on_exactly_in_a_new_session(case, tmp_path):
    session, make = case
    straight = LabSession()
    straight.load_dataset(session.dataset_source, make(1).split, 5)
    expected = train(straight, make(4))
    train(session, make(4), stop_at_batch=11)  # mid-epoch: 10 batches of xor's 18 (digits': 14) an epoch
    assert session.runs.current.state.mid_epoch
    session.save_session(tmp_path / "stopped.nnlab")
    reopened = LabSession()
    reopened.open_session(tmp_path / "stopped.nnlab")
    done = session.runs.current.last_epoch
    rest = train(reopened, make(4 - done))
    assert figures(rest) == figures(expected[done:])
    assert reopened.network.params.tobytes() == straight.network.params.tobytes()
    (run,) = reopened.runs
    assert [event.kind for event in run.events] == ["start", "stop", "resume", "finish"]
    assert run.snapshots.epochs == [0, 1, 2, 3, 4]
