"""The one headless recording loop (the CLI's, the benchmarks', the tests'): a run to its end leaves every
epoch's snapshot, the batches' curve, the end and the epoch count in the session's current run."""
from nnlab.data.experiment import Experiment
from nnlab.engine import BatchProgress, TrainConfig, TrainingEnded
from nnlab.lab.session import LabSession


def test_a_recorded_run_keeps_every_epoch_its_batches_and_its_end():
    session = LabSession()
    experiment = Experiment(dataset="xor", hidden=[4], activation="tanh",
                            train=TrainConfig(epochs=3, batch_size=16, learning_rate=0.1, seed=1))
    session.load_dataset("xor", experiment.split, 1)
    seen = []
    ended = session.train_recorded(session.make_trainer(experiment), seen.append)
    run = session.runs.current
    assert isinstance(ended, TrainingEnded) and ended.reason == "finished"
    assert session.epochs_trained == 3 and run.last_epoch == 3
    assert run.snapshots.epochs == [0, 1, 2, 3]
    assert len(run.history.batches) == sum(isinstance(record, BatchProgress) for record in seen) > 0
    assert [event.kind for event in run.events][-1] == "finish"
