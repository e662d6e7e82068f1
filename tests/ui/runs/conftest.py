"""Sessions with short recorded runs (xor or digits), recorded as the window records them."""
import pytest

from nnlab.data.experiment import Experiment
from nnlab.engine import TrainConfig
from nnlab.lab.comparison import RunComparison
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.selection import Selection
from nnlab.lab.session import LabSession
from nnlab.lab.time_machine import TimeMachine


def xor(epochs: int, **train) -> Experiment:
    return Experiment(dataset="xor", hidden=[6], activation="tanh",
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 16, "learning_rate": 0.1, "seed": 3,
                                           **train}))


def digits(epochs: int, **train) -> Experiment:
    return Experiment(dataset="digits", hidden=[16],
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 64, "learning_rate": 0.01, "seed": 3,
                                           **train}))


def train(session: LabSession, experiment: Experiment) -> None:
    """Start, recording each epoch and the end as the window does."""
    session.train_recorded(session.make_trainer(experiment))


class Lab:
    """The lab objects a window would hold, without the window."""

    def __init__(self, session: LabSession) -> None:
        self.session = session
        self.selection = Selection()
        self.selection.set_snapshot(session.network.copy())
        self.time_machine = TimeMachine(session.runs, selection=self.selection)
        self.comparison = RunComparison(session.runs)
        self.run_settings = RunSettings()


def recorded(make, dataset: str, rates=(0.1, 0.001), epochs: int = 4) -> Lab:
    """Run 1 trained ``epochs`` epochs at ``rates[0]``; run 2 branched from its epoch 1 at ``rates[1]`` and
    trained to the same epoch; run 1 current again."""
    session = LabSession()
    session.load_dataset(dataset, make(1).split, 3)
    train(session, make(epochs, learning_rate=rates[0]))
    session.branch(1, 1, make(epochs - 1, learning_rate=rates[1]))
    train(session, make(epochs - 1, learning_rate=rates[1]))
    session.use_run(1)
    return Lab(session)


@pytest.fixture
def xor_lab():
    return recorded(xor, "xor")


@pytest.fixture
def digits_lab():
    return recorded(digits, "digits", rates=(0.01, 0.0001), epochs=3)


@pytest.fixture
def train_more():
    """Start in ``session`` with ``xor(epochs, **train)``, recorded."""
    return lambda session, epochs, **kwargs: train(session, xor(epochs, **kwargs))


@pytest.fixture
def make_xor():
    """The xor Experiment of these runs: ``make_xor(epochs, learning_rate=…)``."""
    return xor
