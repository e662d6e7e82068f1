"""The runs views in the window: the worker's news recorded into runs, scrubbing that gives every view the
epoch's numbers without disturbing a running training, branching and comparing runs, Export weights."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnlab.data.weights_file import load_model
from nnlab.engine.outputs import class_probabilities
from nnlab.lab.selection import NeuronRef

TIMEOUT = 120_000
SETTINGS = {"hidden": (16,), "activation": "relu", "dropout": 0.1, "augment": False, "optimizer": "adam",
            "learning_rate": 0.003, "batch_size": 128, "seed": 5}


@pytest.fixture
def digits_window(make_window):
    """A window on digits at 1280×720 (tests/ui/conftest.py's, its questions answered), a small network."""
    def make():
        window = make_window("digits", (1280, 720))
        window.run_settings.apply(**SETTINGS)
        return window
    return make


def train(window, qtbot, epochs: int) -> None:
    window.run_settings.epochs = epochs
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT):
        assert window.start_training()


def epoch_network(window, epoch: int):
    run = window.session.runs.current
    return run.network.build(run.snapshots.get(epoch).params)


def test_a_run_in_the_window_records_its_epochs_events_and_curves(digits_window, qtbot):
    window = digits_window()
    train(window, qtbot, 2)
    window.step_batch()
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=TIMEOUT)
    window.stop_training()
    run = window.session.runs.current
    assert run.snapshots.epochs == [0, 1, 2] and window.history is run.history
    assert [event.kind for event in run.events] == ["start", "finish", "resume", "stop"]
    assert run.resume_params.tobytes() == window.session.network.params.tobytes()  # where Start carries on
    assert run.state.mid_epoch and run.state.batches_done == 1
    train(window, qtbot, 1)
    assert len(window.session.runs) == 1 and run.last_epoch == 3


def test_steps_record_no_pause_each_but_a_learners_pause_is_one(digits_window, qtbot):
    window = digits_window()
    for _ in range(3):  # a debugger's batch steps: each ends paused by itself
        window.step_batch()
        qtbot.waitUntil(lambda: window.training.state == "paused", timeout=TIMEOUT)
    run = window.session.runs.current
    assert [event.kind for event in run.events] == ["start"]
    window.training.resume()
    window.training.pause()
    qtbot.waitUntil(lambda: window.training.state == "paused", timeout=TIMEOUT)
    window.stop_training()
    assert [event.kind for event in run.events] == ["start", "resume", "pause", "stop"]


def test_scrubbing_gives_every_view_that_epochs_numbers_and_live_gives_now_back(digits_window, qtbot):
    window = digits_window()
    train(window, qtbot, 3)
    canvas, inspector, editor = window.canvas, window.inspector, window.editor
    window.docks["canvas"].raise_()
    canvas.draw_stroke([(0.5, 0.15), (0.5, 0.85)])
    live = canvas.predict_now()
    window.selection.select_neuron(NeuronRef(1, 3))
    inspector.show_tab("neuron")
    machine = window.runs_views.time_machine
    for epoch in (1, 0, 2):
        machine.scrub_to(epoch)
        expected = epoch_network(window, epoch)
        assert window.selection.snapshot.params.tobytes() == expected.params.tobytes()
        row = canvas.row
        np.testing.assert_array_equal(canvas.predict_now(), class_probabilities(expected.predict_one(row))[0])
        for layer, source, target, weight in editor.canvas.visible_connections():
            assert weight == expected.weights[layer][target, source]
        trace = expected.forward_trace(np.asarray(window.selection.input.values).reshape(1, -1))
        qtbot.waitUntil(lambda: float(inspector.neuron_view.plot.point.getData()[0][0]) ==
                        float(trace.pre_activations[0][0, 3]))  # the inspector's z for that epoch
        assert window.runs_views.scrubber.epoch_label.text() == f"epoch {epoch} of 3"
    slider = window.runs_views.scrubber.slider
    window.activateWindow()
    slider.setFocus()
    qtbot.waitUntil(slider.hasFocus)
    qtbot.keyClick(slider, Qt.Key.Key_L)
    assert machine.live
    np.testing.assert_array_equal(canvas.predict_now(), live)


def test_scrubbing_while_training_disturbs_nothing(digits_window, qtbot):
    straight = digits_window()
    straight.run_settings.apply(hidden=(64,), batch_size=32)
    train(straight, qtbot, 12)
    window = digits_window()
    window.run_settings.apply(hidden=(64,), batch_size=32, epochs=12)
    machine = window.runs_views.time_machine
    assert window.start_training()
    qtbot.waitUntil(lambda: window.session.runs.current.last_epoch >= 1, timeout=TIMEOUT)
    scrubbed_while_running = 0
    while window.training.state != "idle":
        machine.scrub_to(0)
        machine.step(1)
        machine.step(-1)
        scrubbed_while_running += window.training.state == "running"
        assert window.selection.snapshot.params.tobytes() == \
            window.session.runs.current.snapshots.get(0).params.tobytes()  # live weights kept, not shown
        qtbot.wait(10)
    assert scrubbed_while_running >= 3
    assert not machine.live  # the run's end did not pull the views back to now
    assert window.session.network.params.tobytes() == straight.session.network.params.tobytes()
    machine.go_live()
    assert window.selection.snapshot.params.tobytes() == window.session.network.params.tobytes()


def test_two_runs_with_other_learning_rates_are_compared_on_the_curves(digits_window, qtbot):
    window = digits_window()
    train(window, qtbot, 3)
    machine, panel = window.runs_views.time_machine, window.runs_views.panel
    machine.scrub_to(1)
    window.run_settings.learning_rate = 0.0003
    assert panel.branch_here()
    train(window, qtbot, 2)
    session = window.session
    assert [run.id for run in session.runs] == [1, 2] and session.runs.current.parent == (1, 1)
    window.runs_views.comparison.set_ticked(1, True)
    overlay = window.runs_views.overlay
    first = session.runs[1].history
    x, y = overlay.item(1, "loss", "val_epoch").getData()
    np.testing.assert_array_equal(x, first.validation["epoch"])
    np.testing.assert_array_equal(y, first.validation["loss"])
    x, y = overlay.item(1, "accuracy", "train_epoch").getData()
    np.testing.assert_array_equal(y, first.epochs["score"] * 100)
    assert overlay.labels()[:2] == ["run 2 · lr 0.0003 (current)", "run 1 · lr 0.003"]
    assert window.plots.series("loss", "val_epoch")[0].tolist() == [1.0, 2.0, 3.0]  # the branch's own curves


def test_export_weights_writes_a_runs_epoch(digits_window, qtbot, tmp_path, monkeypatch):
    window = digits_window()
    train(window, qtbot, 2)
    sessions = window.sessions
    monkeypatch.setattr(sessions, "ask_run_and_epoch", lambda: (1, 1))
    monkeypatch.setattr(window.questions, "ask_save_path", lambda *_: str(tmp_path / "epoch1"))
    assert sessions.export_weights()
    model = load_model(tmp_path / "epoch1.npz")
    assert model.network.params.tobytes() == window.session.runs[1].snapshots.get(1).params.tobytes()


def test_a_session_file_that_fails_to_open_changes_nothing(digits_window, qtbot, tmp_path, errors, questions):
    window = digits_window()
    train(window, qtbot, 1)
    bad = tmp_path / "bad.nnlab"
    bad.write_bytes(b"not a session at all")
    network, runs = window.session.network, list(window.session.runs)
    assert not window.sessions.open_session_path(bad)
    assert window.session.network is network and list(window.session.runs) == runs
    assert errors and errors[0][0] == "Could not open the session" and "bad.nnlab" in errors[0][1]
    assert questions["asked"] == 0  # a file that fails asks nothing


def test_the_metrics_dock_shows_the_scrubbed_epochs_validation_and_confusion_matrix(digits_window, qtbot):
    from nnlab.engine import evaluate

    window = digits_window()
    train(window, qtbot, 3)
    machine, metrics, session = window.runs_views.time_machine, window.metrics, window.session
    latest = metrics.confusion_view.counts.copy()
    machine.scrub_to(1)
    part = session.splits.validation
    expected = evaluate(epoch_network(window, 1), part.x, part.answers, session.loss, session.dataset.n_classes)
    qtbot.waitUntil(lambda: "scrubbed back from epoch 3" in metrics.header_text)
    np.testing.assert_array_equal(metrics.confusion_view.counts, expected.confusion)
    assert not np.array_equal(expected.confusion, latest)
    machine.go_live()
    qtbot.waitUntil(lambda: "scrubbed" not in metrics.header_text)
    np.testing.assert_array_equal(metrics.confusion_view.counts, latest)
