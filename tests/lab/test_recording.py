"""When Start records into the current run and when it begins a new one (RUNS_DESIGN.md §2), and what
an epoch, an end and an event leave in the run."""
import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.engine import EpochResult, TrainConfig, TrainingEnded
from nnlab.lab.session import LabSession


def experiment(hidden=(4,), **train) -> Experiment:
    return Experiment(dataset="xor", hidden=list(hidden), activation="tanh",
                      train=TrainConfig(**{"batch_size": 16, "epochs": 2, "learning_rate": 0.05, **train}))


@pytest.fixture
def session():
    lab = LabSession()
    lab.load_dataset("xor")
    return lab


def train(session: LabSession, exp: Experiment, stop_after_batches: int | None = None):
    """What the window and the CLI do: Start, record every epoch and the end."""
    trainer = session.make_trainer(exp)
    batches = 0
    for record in trainer.run(lambda: stop_after_batches is not None and batches >= stop_after_batches):
        if isinstance(record, EpochResult):
            session.record_epoch(record, trainer.network.params.copy(), None)
        elif isinstance(record, TrainingEnded):
            session.record_end(record, trainer.network.params.copy(), None)
        else:
            batches += 1
    session.epochs_trained = trainer.completed_epochs
    return trainer


def kinds(run) -> list[str]:
    return [event.kind for event in run.events]


def test_start_after_the_end_records_into_the_same_run(session):
    train(session, experiment())
    train(session, experiment())
    (run,) = session.runs
    assert session.runs.current is run and run.last_epoch == 4 and run.snapshots.epochs == [0, 1, 2, 3, 4]
    assert kinds(run) == ["start", "finish", "resume", "finish"]
    assert run.history.epochs["epoch"].tolist() == [1, 2, 3, 4]
    assert np.array_equal(run.snapshots.get(4).params, session.network.params)


def test_changed_training_settings_are_an_edit_of_the_same_run(session):
    train(session, experiment())
    train(session, experiment(learning_rate=0.01, batch_size=8))
    (run,) = session.runs
    edit = next(event for event in run.events if event.kind == "edit")
    assert edit.epoch == 2 and edit.text == "learning rate 0.05 → 0.01, batch size 16 → 8"
    assert run.settings["train"]["learning_rate"] == 0.01


@pytest.mark.parametrize("change", ["new network", "reset", "another dataset", "lesson", "wider network"])
def test_a_new_network_or_dataset_starts_a_new_run_without_a_parent(session, change):
    train(session, experiment())
    exp = experiment()
    if change == "new network":
        session.new_network(exp)
    elif change == "reset":
        session.reset_weights(seed=3)
    elif change == "another dataset":
        session.load_dataset("circles")
        session.keep_network()
        exp.dataset = "circles"
    elif change == "lesson":
        network = session.network.copy()
        network.initialize("auto", 5)
        session.adopt_network(network, "cross_entropy")
    else:
        exp = experiment(hidden=(6,))
    train(session, exp)
    first, second = session.runs
    assert session.runs.current is second and second.parent is None and second.start_epoch == 0
    assert kinds(second) == ["start", "finish"] and first.last_epoch == 2
    if change == "another dataset":
        assert (first.dataset.name, second.dataset.name) == ("xor", "circles")


def test_an_edit_while_idle_starts_a_run_whose_parent_is_the_current_run_at_its_last_epoch(session):
    train(session, experiment())
    edited = session.network.copy()
    edited.layers[0] = type(edited.layers[0])(4, "tanh", 0.0, frozen=True)
    session.set_network(edited, session.loss)
    train(session, experiment())
    first, second = session.runs
    assert second.parent == (first.id, 2) and second.start_epoch == 2 and second.last_epoch == 4
    assert [(e.kind, e.text) for e in second.events][:2] == [("edit", "hidden layer 1 frozen"), ("start", "")]
    assert second.history.epochs["epoch"].tolist() == [1, 2, 3, 4]  # the parent's curve, carried on
    assert first.history.epochs["epoch"].tolist() == [1, 2]


def test_weights_changed_outside_training_are_an_edit_too(session):
    train(session, experiment())
    session.network.params[0] += 0.5  # a Backprop step applied, say
    session.note_weights_changed()
    train(session, experiment())
    first, second = session.runs
    assert second.parent == (1, 2) and second.events[0].kind == "edit"
    assert "outside training" in second.events[0].text


def test_an_untrained_run_gives_way(session):
    session.new_network(experiment())
    session.make_trainer(experiment())  # Start, then nothing trained
    session.new_network(experiment(hidden=(5,)))
    train(session, experiment(hidden=(5,)))
    (run,) = session.runs
    assert run.id == 1 and run.network.layers[0].units == 5 and session.runs.next_id() == 2


def test_a_stop_mid_epoch_is_where_the_run_carries_on(session):
    train(session, experiment(), stop_after_batches=25)  # 280 samples / 16 = 18 batches an epoch
    run = session.runs.current
    assert run.last_epoch == 1 and kinds(run) == ["start", "stop"]
    assert run.events[-1].epoch == 1 and "stopped at epoch 2 batch 8" in run.events[-1].text
    assert np.array_equal(run.resume_params, session.network.params)
    assert not np.array_equal(run.snapshots.get(1).params, session.network.params)
    train(session, experiment())
    assert len(session.runs) == 1 and kinds(run)[-2:] == ["resume", "finish"]


def test_recording_needs_a_run_and_keeps_copies(session):
    with pytest.raises(ValueError, match="no run is being recorded"):
        session.record_event("pause", 0)
    trainer = train(session, experiment(epochs=1))
    run = session.runs.current
    assert run.snapshots.get(1).params is not trainer.network.params
    assert not run.snapshots.get(1).params.flags.writeable
    session.record_event("pause", 1, 3, "paused by you")
    assert run.events[-1] == type(run.events[-1])("pause", 1, 3, run.events[-1].seconds, "paused by you")
    assert run.seconds_trained > 0


def test_a_live_change_is_an_edit_the_run_carries_on_with_and_every_record_is_announced(session):
    changed = []
    session.runs.changed.connect(lambda run: changed.append(run.id))
    train(session, experiment(epochs=2))
    assert changed == [1, 1, 1]  # two epochs and the end
    session.record_event("edit", 2, 5, "learning rate 0.05 → 0.01", experiment(learning_rate=0.01))
    run = session.runs.current
    assert run.settings["train"]["learning_rate"] == 0.01 and run.events[-1].text == "learning rate 0.05 → 0.01"
    assert changed == [1, 1, 1, 1]
    train(session, experiment(learning_rate=0.01))  # the same settings again: no further edit
    assert [event.kind for event in run.events] == ["start", "finish", "edit", "resume", "finish"]
