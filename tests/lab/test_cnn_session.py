"""A CNN in the lab: its run is recorded, saved as a session, reopened in a new LabSession and carried on bit for
bit; a branch reproduces its parent; its weights export and reopen."""
from nnlab.data.experiment import Experiment
from nnlab.data.weights_file import load_model
from nnlab.engine import TrainConfig
from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.lab.session import LabSession

from .test_branch_and_resume import figures, train

LAYERS = ["conv4x3", "maxpool2", "conv6x3s2valid", "avgpool2", 16]


def lenet(epochs: int, **train_settings) -> Experiment:
    return Experiment(dataset="digits", hidden=list(LAYERS), dropout=0.25, augment=True, split=(0.2, 0.1, 0.7),
                      train=TrainConfig(**{"epochs": epochs, "batch_size": 128, "seed": 5, **train_settings}))


def new_session() -> LabSession:
    session = LabSession()
    session.load_dataset("digits", lenet(1).split, 5)
    return session


def test_a_cnn_session_saved_mid_epoch_carries_on_exactly_when_reopened(tmp_path):
    straight = new_session()
    expected = train(straight, lenet(3))
    assert [spec.kind for spec in straight.network.layers][:4] == ["conv2d", "maxpool2d", "conv2d", "avgpool2d"]
    assert straight.network.layers[0] == ConvSpec(4, 3) and straight.network.layers[1] == PoolSpec(2)
    session = new_session()
    train(session, lenet(3), stop_at_batch=5)  # 8 batches an epoch: stopped in the first
    assert session.runs.current.state.mid_epoch
    session.save_session(tmp_path / "cnn.nnlab")
    reopened = LabSession()
    reopened.open_session(tmp_path / "cnn.nnlab")
    assert reopened.network.layers == straight.network.layers
    rest = train(reopened, lenet(3 - session.runs.current.last_epoch))
    assert figures(rest) == figures(expected[session.runs.current.last_epoch:])
    assert reopened.network.params.tobytes() == straight.network.params.tobytes()
    (run,) = reopened.runs
    assert run.snapshots.epochs == [0, 1, 2, 3]
    assert run.settings["hidden"] == LAYERS


def test_a_cnn_branch_reproduces_its_parent_and_an_epoch_exports(tmp_path):
    session = new_session()
    parent_results = train(session, lenet(3))
    parent = session.runs.current
    session.branch(parent.id, 1, lenet(2))
    assert figures(train(session, lenet(2))) == figures(parent_results[1:])
    session.save(tmp_path / "cnn.npz")
    model = load_model(tmp_path / "cnn.npz")
    assert model.network.layers == session.network.layers
    assert model.network.params.tobytes() == session.network.params.tobytes()
