"""Start after Stop — or Pause, Stop, Start — carries on exactly as if the run had never stopped: the session
keeps the last trainer's whole state (its RNG, optimizer, best epoch and the place in the stopped epoch), and
the weights after N epochs equal an uninterrupted run's bit for bit. Without a window: what the window does
on Stop is close the worker's generator (paused) or raise its stop flag (running), then note the epochs."""
import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.engine import BatchProgress, EpochResult, TrainConfig, TrainingEnded
from nnlab.lab.session import LabSession

TOTAL = 3


def experiment(epochs: int, optimizer: str = "momentum", batch_size: int = 32) -> Experiment:
    """Digits shifted by up to 2 px, with dropout and L2: every source of randomness the trainer has."""
    return Experiment(dataset="digits", hidden=[16], dropout=0.2, augment=True,
                      train=TrainConfig(optimizer=optimizer, learning_rate=0.05, batch_size=batch_size,
                                        epochs=epochs, seed=4, l2=1e-3, early_stopping_patience=20))


def new_session() -> LabSession:
    session = LabSession()
    session.load_dataset("digits")
    return session


def uninterrupted(optimizer: str = "momentum") -> tuple[np.ndarray, list]:
    session = new_session()
    records = list(session.make_trainer(experiment(TOTAL, optimizer)).run())
    return session.network.params.copy(), records


def pause_then_stop(session: LabSession, epochs: int, completed: int, batches: int) -> list:
    """Start, pause after ``batches`` batches of epoch ``completed + 1`` (the worker stops pulling records),
    then Stop (it closes the generator) and the window notes the epochs trained."""
    trainer = session.make_trainer(experiment(epochs))
    records, generator = [], trainer.run()
    for record in generator:
        records.append(record)
        if isinstance(record, BatchProgress) and (record.epoch, record.batch) == (completed + 1, batches):
            break
    generator.close()
    session.epochs_trained = trainer.completed_epochs
    return records


def numbers(records: list) -> list:
    """What each record reports, but seconds (and the validation report, which the loss stands for)."""
    return [(type(r).__name__, r.epoch, r.batch, r.loss, r.accuracy, r.samples_seen) if isinstance(r, BatchProgress)
            else (type(r).__name__, r.epoch, r.train_loss, r.train_accuracy, r.val_loss, r.val_accuracy,
                  r.best_epoch) if isinstance(r, EpochResult)
            else (r.reason, r.epochs_done, r.best_epoch) for r in records]


def test_pause_stop_start_carries_on_bit_for_bit():
    params, straight = uninterrupted()
    session = new_session()
    records = pause_then_stop(session, TOTAL, completed=1, batches=5)
    assert session.epochs_trained == 1
    state = session.trainer_state()
    assert state.mid_epoch and state.batches_done == 5
    records += list(session.make_trainer(experiment(TOTAL - 1)).run())  # finishing epoch 2 is its first
    assert session.network.params.tobytes() == params.tobytes()
    assert numbers(records) == numbers(straight)


def test_stop_while_running_then_start_carries_on_bit_for_bit():
    params, straight = uninterrupted()
    session = new_session()
    trainer = session.make_trainer(experiment(TOTAL))
    seen = []
    records = []
    for record in trainer.run(should_stop=lambda: len(seen) >= 150):  # Stop: the flag, checked between batches
        if isinstance(record, TrainingEnded):
            break
        records.append(record)
        seen += [record] if isinstance(record, BatchProgress) else []
    session.epochs_trained = trainer.completed_epochs
    assert session.epochs_trained == 1 and session.trainer_state().mid_epoch
    records += list(session.make_trainer(experiment(TOTAL - 1)).run())
    assert session.network.params.tobytes() == params.tobytes()
    assert numbers(records) == numbers(straight)


def test_stop_start_stop_start_between_epochs_with_adam():
    params, straight = uninterrupted("adam")
    session = new_session()
    records = []
    for epochs in (1, 1, 1):  # three Starts of one epoch each
        records += [r for r in session.make_trainer(experiment(epochs, "adam")).run()
                    if not isinstance(r, TrainingEnded)]
        session.epochs_trained += 1
    assert session.network.params.tobytes() == params.tobytes()
    assert numbers(records) == numbers(straight[:-1])


@pytest.mark.parametrize("change", ["reset", "edited network", "other optimizer", "batch size"])
def test_what_drops_the_state_and_what_only_starts_the_epoch_again(change):
    session = new_session()
    pause_then_stop(session, TOTAL, completed=1, batches=5)
    stopped = session.trainer_state()
    following = experiment(2)
    if change == "reset":
        session.reset_weights(seed=1)
    elif change == "edited network":
        session.set_network(session.network.copy(), session.loss)
    elif change == "other optimizer":
        following = experiment(2, optimizer="sgd")
    else:
        following = experiment(2, batch_size=16)
    trainer = session.make_trainer(following)
    first = next(trainer.run())
    if change == "batch size":  # the stopped epoch starts again; the RNG, optimizer and best epoch carry on
        assert (first.epoch, first.batch) == (2, 1) and trainer.best_epoch == 1
        assert trainer.optimizer.steps == stopped.optimizer.scalars["steps"] + 1
    else:  # a fresh trainer, as before the state was kept
        assert trainer.best_epoch is None and trainer.optimizer.steps == 1
        assert trainer.state().rng_state != stopped.rng_state
