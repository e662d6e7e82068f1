"""Session files on the command line, each command in a new process: a resumed run is the run straight through,
bit for bit; ``info`` lists runs; ``export`` writes a run's weights at an epoch and refuses a thinned-away one."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.data.weights_file import load_model
from nnlab.engine import EpochResult, TrainConfig
from nnlab.lab.session import LabSession

REPO = Path(__file__).resolve().parents[2]
DIGITS = ("--dataset", "digits", "--layers", "24", "--dropout", "0.2", "--augment", "--batch-size", "128", "--seed", "3")
XOR = ("--dataset", "xor", "--layers", "4", "--activation", "tanh", "--lr", "0.05", "--batch-size", "16",
       "--optimizer", "momentum")


def nnlab(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "nnlab", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def weights(path: Path) -> dict[str, bytes]:
    with np.load(path, allow_pickle=False) as archive:
        return {name: archive[name].tobytes() for name in archive.files if name != "meta"}


def refused(result) -> str:
    assert result.returncode == 2 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize("options", [DIGITS, XOR], ids=["digits with dropout and augmentation", "xor"])
def test_two_epochs_saved_and_two_resumed_in_a_new_process_are_four_straight(tmp_path, options):
    first = nnlab("train", *options, "--epochs", "2", "--session", "a.nnlab", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert not list(tmp_path.glob("*.npz"))  # a session and no --out: no weight file
    resumed = nnlab("train", "--resume", "a.nnlab", "--epochs", "2", "--out", "b.npz", cwd=tmp_path)
    assert resumed.returncode == 0, resumed.stderr
    straight = nnlab("train", *options, "--epochs", "4", "--out", "c.npz", cwd=tmp_path)
    assert straight.returncode == 0, straight.stderr
    assert weights(tmp_path / "b.npz") == weights(tmp_path / "c.npz")
    assert resumed.stdout.splitlines()[0] == straight.stdout.splitlines()[0]  # every figure printed, too
    info = json.loads(nnlab("info", "a.nnlab", "--json", cwd=tmp_path).stdout)
    (run,) = info["runs"]
    assert run["epochs"] == 4 and run["current"] and run["kept_epochs"] == 5  # the file was carried on in place


def test_resume_into_another_file_keeps_the_first(tmp_path):
    assert nnlab("train", *XOR, "--epochs", "2", "--session", "a.nnlab", cwd=tmp_path).returncode == 0
    before = (tmp_path / "a.nnlab").read_bytes()
    result = nnlab("train", "--resume", "a.nnlab", "--epochs", "3", "--session", "b.nnlab", "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["epochs"] == 5 and json.loads(result.stdout)["session"] == "b.nnlab"
    assert (tmp_path / "a.nnlab").read_bytes() == before
    runs = json.loads(nnlab("info", "b.nnlab", "--json", cwd=tmp_path).stdout)["runs"]
    assert [run["epochs"] for run in runs] == [5]


def test_resume_takes_no_other_settings_and_no_weight_file(tmp_path):
    assert nnlab("train", *XOR, "--epochs", "1", "--session", "a.nnlab", "--out", "w.npz", cwd=tmp_path).returncode == 0
    message = refused(nnlab("train", "--resume", "a.nnlab", "--lr", "0.1", cwd=tmp_path))
    assert "--lr cannot be given with --resume: the run carries on with its own settings" in message
    message = refused(nnlab("train", "--resume", "w.npz", cwd=tmp_path))
    assert message == "nnlab train: error: w.npz: this is an NN Lab weight file, not a session: open it as weights."


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory) -> Path:
    """Run 1: 30 epochs of xor kept within a small budget (thinned); run 2 branched from it at epoch 10."""
    folder = tmp_path_factory.mktemp("sessions")
    lab = LabSession()
    lab.recorder.budget_bytes = 40 * 4 * 25  # room for 25 snapshots of 2-4-2's 22 parameters with Adam's two moments
    lab.load_dataset("xor")
    for run in (1, 2):
        experiment = Experiment(dataset="xor", hidden=[4], activation="tanh",
                                train=TrainConfig(epochs=30 if run == 1 else 5, batch_size=32,
                                                  learning_rate=0.05 if run == 1 else 0.005))
        if run == 2:
            lab.branch(1, 10, experiment)
        trainer = lab.make_trainer(experiment)
        for record in trainer.run():
            if isinstance(record, EpochResult):
                lab.record_epoch(record, trainer.network.params.copy(), trainer.state())
        lab.epochs_trained = trainer.completed_epochs
    lab.save_session(folder / "two.nnlab")
    return folder / "two.nnlab"


def test_info_lists_the_runs_and_what_tells_them_apart(two_runs):
    text = nnlab("info", two_runs.name, cwd=two_runs.parent)
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0] == "two.nnlab: 2 runs, network 2-4-2 (float32)"
    assert lines[2].split()[:5] == ["1", "run", "1", "—", "30"] and lines[2].endswith("lr 0.05")
    assert lines[3].split()[:7] == ["*", "2", "run", "2", "1", "@", "10"] and lines[3].endswith("lr 0.005")
    info = json.loads(nnlab("info", two_runs.name, "--json", cwd=two_runs.parent).stdout)
    first, second = info["runs"]
    assert (first["parent"], second["parent"], second["epochs"], info["current_run"]) == (None, [1, 10], 15, 2)
    assert 0 < first["best_val_loss"] < 1 and 0.5 <= first["best_val_accuracy"] <= 1
    assert first["kept_epochs"] < 31  # thinned


def test_export_writes_a_runs_weights_at_an_epoch(two_runs, tmp_path):
    result = nnlab("export", two_runs, "--run", "1", "--epoch", "10", "--out", "ten.npz", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "saved ten.npz: run 1 at epoch 10"
    model = load_model(tmp_path / "ten.npz")
    opened = LabSession().read_session(two_runs)
    first = next(run for run in opened.runs if run.id == 1)
    assert model.network.params.tobytes() == first.snapshots.get(10).params.tobytes()
    assert model.extra["exported_from"] == {"session": "two.nnlab", "run": 1, "epoch": 10}
    assert model.extra["experiment"]["dataset"] == "xor"  # so `nnlab evaluate` finds the data and the split
    evaluated = nnlab("evaluate", "ten.npz", "--json", cwd=tmp_path)
    assert evaluated.returncode == 0 and json.loads(evaluated.stdout)["part"] == "test"
    last = nnlab("export", two_runs, "--out", "last.npz", cwd=tmp_path)  # the current run, its last epoch
    assert last.stdout.strip() == "saved last.npz: run 2 at epoch 15"


def test_export_refuses_a_thinned_epoch_naming_the_nearest_kept(two_runs, tmp_path):
    opened = LabSession().read_session(two_runs)
    kept = next(run for run in opened.runs if run.id == 1).snapshots.epochs
    gone = next(epoch for epoch in range(31) if epoch not in kept)
    before, after = max(e for e in kept if e < gone), min(e for e in kept if e > gone)
    message = refused(nnlab("export", two_runs, "--run", "1", "--epoch", gone, "--out", "x.npz", cwd=tmp_path))
    assert message == (f"nnlab export: error: run 1: epoch {gone} was thinned away to keep the run within its memory "
                       f"budget; the nearest kept are epochs {before} and {after}")
    assert refused(nnlab("export", two_runs, "--run", "7", "--out", "x.npz", cwd=tmp_path)) == \
        f"nnlab export: error: {two_runs} has no run 7 (its runs: 1, 2)"
    assert not (tmp_path / "x.npz").exists()
