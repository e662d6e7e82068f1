"""The Training panel's learning-rate schedule: a window run along a cosine steps with the rates the CLI's
run of the same settings steps with (the panel had no schedule, so a window run was always constant), the
runs' legend names it, and a session gives it back."""
import numpy as np
import pytest

from nnlab.cli import main as nnlab_main
from nnlab.engine.optimizers import Optimizer
from nnlab.engine.trainer_schedule import scheduled_learning_rate
from nnlab.lab.runs import differing_settings
from nnlab.lab.session import LabSession

EPOCH_TIMEOUT = 30_000
EPOCHS = 4


@pytest.fixture
def rates_stepped(monkeypatch) -> list[float]:
    """The learning rate of every optimizer step, on any thread, in order."""
    rates, step = [], Optimizer.step

    def recording_step(self, *args, **kwargs):
        rates.append(self.learning_rate)
        return step(self, *args, **kwargs)

    monkeypatch.setattr(Optimizer, "step", recording_step)
    return rates


def train_in_window(window, qtbot) -> None:
    with qtbot.waitSignal(window.training.finished, timeout=EPOCH_TIMEOUT):
        window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=EPOCH_TIMEOUT)


def test_a_cosine_run_in_the_window_steps_with_the_command_lines_rates(window, qtbot, rates_stepped, tmp_path):
    panel, settings = window.panel, window.run_settings
    panel.epochs.setValue(EPOCHS)
    panel.lr_schedule.setCurrentText("cosine")  # as a learner picks it
    assert settings.lr_schedule == "cosine" and settings.experiment().train.lr_schedule == "cosine"
    train_in_window(window, qtbot)
    in_window = list(rates_stepped)
    n_batches = len(in_window) // EPOCHS
    assert len(in_window) == EPOCHS * n_batches > 0
    rate = settings.learning_rate
    expected = [scheduled_learning_rate("cosine", rate, step / (EPOCHS * n_batches))
                for step in range(EPOCHS * n_batches)]
    np.testing.assert_allclose(in_window, expected, rtol=1e-12)
    assert in_window[-1] < 0.1 * rate  # it fell: a constant run steps with `rate` throughout

    rates_stepped.clear()
    train = settings.experiment().train
    hidden = ",".join(map(str, settings.hidden))
    code = nnlab_main(["train", "--dataset", "xor", "--layers", hidden, "--activation", settings.activation,
                       "--optimizer", train.optimizer, "--lr", repr(train.learning_rate), "--batch-size",
                       str(train.batch_size), "--epochs", str(EPOCHS), "--seed", str(train.seed),
                       "--split", ",".join(str(round(100 * share)) for share in settings.split),
                       "--lr-schedule", "cosine", "--out", str(tmp_path / "cli.npz")])
    assert code == 0
    assert rates_stepped == in_window  # the same rates, batch by batch


def test_the_runs_legend_names_the_schedule_and_a_session_gives_it_back(window, qtbot, tmp_path):
    window.panel.epochs.setValue(1)
    train_in_window(window, qtbot)  # run 1: constant
    window.panel.lr_schedule.setCurrentText("cosine")
    window.actions["reset_weights"].trigger()  # a new run, not a carry-on of the first
    train_in_window(window, qtbot)
    runs = window.session.runs
    words = differing_settings(runs.runs)
    assert sorted(words.values()) == ["lr schedule constant", "lr schedule cosine"], words
    path = tmp_path / "two.nnlab"
    window.session.save_session(path)
    opened = LabSession()
    opened.open_session(path)
    assert opened.runs.current.experiment().train.lr_schedule == "cosine"
    runs.make_current(next(run for run in runs.runs if run.experiment().train.lr_schedule == "constant").id)
    assert window.run_settings.lr_schedule == "constant" and window.panel.lr_schedule.currentText() == "constant"


def test_along_a_cosine_the_rate_is_not_changed_while_a_run_goes(window, qtbot):
    """The schedule sets the rate before every batch, so a rate typed mid-run would be overwritten at once."""
    panel = window.panel
    panel.lr_schedule.setCurrentText("cosine")
    panel.batch_size.setValue(1)
    panel.epochs.setValue(1000)
    window.start_training()
    assert not panel.learning_rate.isEnabled() and not panel.lr_schedule.isEnabled()
    window.stop_training()
    qtbot.waitUntil(lambda: window.training.state == "idle")
    assert panel.learning_rate.isEnabled() and panel.lr_schedule.isEnabled()
