"""``nnlab train --lr-schedule``: the flag parses, a schedule it does not know is one line, a session keeps the
schedule its run trained with, and the command line can say the recipe benchmarks/cnn_accuracy.py measures."""
import importlib.util
from pathlib import Path

import pytest

from nnlab.cli import build_parser
from nnlab.cli.commands import experiment_of
from nnlab.engine.layers import parse_layer_words
from nnlab.lab.session import LabSession

from .test_sessions_cli import XOR, nnlab, refused

REPO = Path(__file__).resolve().parents[2]


def train_args(*words):
    return build_parser().parse_args(["train", *words])


def test_the_flag_parses_and_is_constant_by_default():
    assert experiment_of(train_args()).train.lr_schedule == "constant"
    assert experiment_of(train_args("--lr-schedule", "cosine")).train.lr_schedule == "cosine"


def test_a_schedule_it_does_not_know_is_refused_in_one_line(capsys):
    with pytest.raises(SystemExit) as leaving:
        train_args("--lr-schedule", "step")
    assert leaving.value.code == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and "argument --lr-schedule: invalid choice: 'step'" in error


def benchmark():
    spec = importlib.util.spec_from_file_location("cnn_accuracy", REPO / "benchmarks" / "cnn_accuracy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_command_line_says_the_benchmarks_lenet_recipe():
    """The `nnlab train` line the benchmark prints beside its figures trains the network and settings it measured."""
    bench = benchmark()
    experiment = experiment_of(train_args(*bench.COMMAND.split()[2:]))
    assert parse_layer_words(",".join(map(str, experiment.hidden))) == parse_layer_words(bench.LAYERS)
    train = experiment.train
    assert (train.optimizer, train.learning_rate, train.lr_schedule, train.batch_size, train.epochs) == \
        ("adam", bench.LEARNING_RATE, bench.LR_SCHEDULE, bench.BATCH, 5)
    assert experiment.augment == bench.AUGMENT and experiment.activation == "relu"
    assert experiment.dataset == "mnist" and experiment.split == (1.0, 0.0, 0.0)  # the official 60,000 / 10,000


def test_a_session_keeps_the_schedule_and_resume_takes_no_other(tmp_path):
    first = nnlab("train", *XOR, "--lr-schedule", "cosine", "--epochs", "2", "--session", "a.nnlab", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    session = LabSession()
    session.open_session(tmp_path / "a.nnlab")
    assert session.runs.current.experiment().train.lr_schedule == "cosine"
    message = refused(nnlab("train", "--resume", "a.nnlab", "--lr-schedule", "cosine", cwd=tmp_path))
    assert "--lr-schedule cannot be given with --resume" in message
