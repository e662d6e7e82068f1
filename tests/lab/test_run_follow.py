"""The next run's settings follow the run made current, so Start carries it on exactly."""
from nnlab.data.experiment import Experiment
from nnlab.engine import EpochResult, TrainConfig, TrainingEnded
from nnlab.lab.run_follow import SettingsFollowRuns
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.session import LabSession


def xor(epochs: int, **train) -> Experiment:
    return Experiment(dataset="xor", hidden=[6], activation="tanh", split=(0.6, 0.2, 0.2),
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 16, "learning_rate": 0.1, "seed": 3,
                                           "optimizer": "sgd", **train}))


def train(session: LabSession, experiment: Experiment) -> list:
    trainer = session.make_trainer(experiment)
    results = []
    for record in trainer.run(lambda: False):
        if isinstance(record, EpochResult):
            results.append(record)
            session.record_epoch(record, trainer.network.params.copy(), trainer.state())
        elif isinstance(record, TrainingEnded):
            session.record_end(record, trainer.network.params.copy(), trainer.state())
    session.epochs_trained = trainer.completed_epochs
    return results


def test_a_run_made_current_puts_its_settings_in_the_panel_and_start_carries_it_on_without_an_edit():
    session, settings = LabSession(), RunSettings()
    follower = SettingsFollowRuns(session.runs, settings)  # noqa: F841 — the tree holds its slot weakly
    session.load_dataset("xor", xor(1).split, 3)
    train(session, xor(3))
    session.branch(1, 1, xor(2, learning_rate=0.01, batch_size=8))
    train(session, xor(2, learning_rate=0.01, batch_size=8))
    assert (settings.learning_rate, settings.batch_size) == (0.01, 8)
    session.use_run(1)
    assert (settings.learning_rate, settings.batch_size, settings.optimizer, settings.seed) == (0.1, 16, "sgd", 3)
    assert (settings.hidden, settings.activation, settings.train_percent, settings.validation_percent) == \
        ((6,), "tanh", 60, 20)
    settings.epochs = 2
    train(session, settings.experiment())
    run = session.runs[1]
    assert run.last_epoch == 5 and [event.kind for event in run.events].count("edit") == 0
