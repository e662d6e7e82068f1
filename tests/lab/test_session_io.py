"""A LabSession to a session file and back: every run, curve and snapshot bit for bit; a failed open leaves
the open session as it was; a dataset file is reopened only when it is, byte for byte, the run's."""
import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.data.session_file import SessionFileError, load_session, save_session
from nnlab.engine import EpochResult, TrainConfig, TrainingEnded
from nnlab.lab.session import LabSession
from nnlab.lab.session_io import session_document


def experiment(dataset="xor", **train) -> Experiment:
    return Experiment(dataset=dataset, hidden=[4], activation="tanh",
                      train=TrainConfig(**{"batch_size": 16, "epochs": 3, "learning_rate": 0.05, **train}))


def train(session: LabSession, exp: Experiment):
    trainer = session.make_trainer(exp)
    for record in trainer.run():
        if isinstance(record, EpochResult):
            session.record_epoch(record, trainer.network.params.copy(), trainer.state())
        elif isinstance(record, TrainingEnded):
            session.record_end(record, trainer.network.params.copy(), trainer.state())
    session.epochs_trained = trainer.completed_epochs
    return trainer


@pytest.fixture
def trained():
    lab = LabSession()
    lab.load_dataset("xor", seed=2)
    train(lab, experiment(seed=2))
    lab.new_network(experiment(seed=2, learning_rate=0.01))
    train(lab, experiment(seed=2, learning_rate=0.01))
    lab.runs.rename(2, "slow")
    return lab


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def test_a_session_comes_back_whole(tmp_path, trained):
    path = tmp_path / "two runs.nnlab"
    trained.save_session(path, {"neuron": [1, 2], "connection": None}, {"epoch": 2, "ticked": [1, 2]})
    assert trained.session_path == path
    lab = LabSession()
    opened = lab.open_session(path)
    assert (opened.selection, opened.view) == ({"neuron": [1, 2], "connection": None}, {"epoch": 2, "ticked": [1, 2]})
    assert [run.name for run in lab.runs] == ["run 1", "slow"] and lab.runs.current.id == 2
    assert same_bits(lab.network.params, trained.network.params) and lab.epochs_trained == 3
    assert lab.dataset_source == "xor" and lab.dataset_seed == 2 and lab.split_key == trained.split_key
    assert np.array_equal(lab.splits.train.x, trained.splits.train.x)
    for before, after in zip(trained.runs, lab.runs):
        assert (after.id, after.parent, after.settings, after.dataset, after.network, after.split, after.seed,
                after.events, after.start_epoch) == (before.id, before.parent, before.settings, before.dataset,
                                                     before.network, before.split, before.seed, before.events,
                                                     before.start_epoch)
        assert after.seconds_trained == pytest.approx(before.seconds_trained, abs=1e-9)
        assert after.snapshots.epochs == before.snapshots.epochs == [0, 1, 2, 3]
        for epoch in after.snapshots.epochs:
            assert same_bits(after.snapshots.get(epoch).params, before.snapshots.get(epoch).params)
        for table in ("batches", "epochs", "validation"):
            assert same_bits(getattr(after.history, table).rows(), getattr(before.history, table).rows())
        assert after.best_validation == before.best_validation
        assert after.resume_params is after.snapshots.latest.params  # held once
    assert lab.dirty is False and lab.path is None and lab.session_path == path


def test_a_failed_open_changes_nothing(tmp_path, trained):
    path = tmp_path / "bad.nnlab"
    trained.save_session(path)
    document = load_session(path)
    document.runs[0].settings["train"]["batch_size"] = 0  # no experiment can be made of that
    save_session(path, document)
    lab = LabSession()
    lab.load_dataset("circles")
    train(lab, experiment("circles"))
    before = (lab.network, lab.network.params.copy(), lab.dataset, lab.runs.current, list(lab.runs), lab.epochs_trained)
    with pytest.raises(SessionFileError, match="bad.nnlab: run 1: the batch size must be a whole number"):
        lab.open_session(path)
    assert (lab.network, lab.dataset, lab.runs.current, list(lab.runs), lab.epochs_trained) == \
        (before[0], before[2], before[3], before[4], before[5])
    assert same_bits(lab.network.params, before[1])


def test_a_dataset_file_is_reopened_only_when_its_bytes_are_the_runs(tmp_path):
    table = tmp_path / "points.csv"
    rng = np.random.default_rng(0)
    rows = [f"{int(x + y > 0)},{x:.3f},{y:.3f}" for x, y in rng.uniform(-1, 1, (60, 2))]
    table.write_text("\n".join(rows) + "\n", encoding="utf-8")
    lab = LabSession()
    lab.load_dataset(str(table))
    train(lab, experiment(str(table)))
    assert lab.runs.current.dataset.kind == "file" and len(lab.runs.current.dataset.sha256) == 64
    path = tmp_path / "points.nnlab"
    lab.save_session(path)
    assert LabSession().read_session(path).dataset.dataset.n_features == 2
    table.write_text("\n".join(rows[:-1]) + "\n", encoding="utf-8")
    with pytest.raises(SessionFileError, match="points.csv has changed since the run learned from it"):
        LabSession().read_session(path)
    table.unlink()
    with pytest.raises(SessionFileError, match="points.csv is not there any more"):
        LabSession().read_session(path)
    document = session_document(lab)  # a file that names a path no run vouches for
    document.dataset["source"] = "/etc/passwd"
    save_session(tmp_path / "elsewhere.nnlab", document)
    with pytest.raises(SessionFileError, match="names the dataset file /etc/passwd, but no run of it says"):
        LabSession().read_session(tmp_path / "elsewhere.nnlab")


def test_making_an_older_run_current_takes_its_network_and_dataset(trained):
    trained.load_dataset("circles")
    first = trained.use_run(1)
    assert trained.runs.current is first and trained.dataset_source == "xor" and trained.dataset_seed == 2
    assert same_bits(trained.network.params, first.snapshots.get(3).params)
    assert trained.network is not None and trained.epochs_trained == 3
    train(trained, experiment(seed=2))  # Start carries run 1 on: no new run
    assert len(trained.runs) == 2 and first.last_epoch == 6
