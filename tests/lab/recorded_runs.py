"""Short xor runs recorded as the window records them, for the lab's run tests."""
from nnlab.data.experiment import Experiment
from nnlab.engine import TrainConfig
from nnlab.lab.session import LabSession


def xor(epochs: int, learning_rate: float = 0.1, **train) -> Experiment:
    return Experiment(dataset="xor", hidden=[6], activation="tanh",
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 16, "learning_rate": learning_rate,
                                           "seed": 3, **train}))


def train(session: LabSession, experiment: Experiment) -> None:
    """Start, recording each epoch and the end as the window does."""
    session.train_recorded(session.make_trainer(experiment))
