"""The Training panel on the real window shows and edits the run settings: a refused value never becomes a
setting (the Backprop tab used to step with a made-up SGD η = 0.01 while any field was wrong), and a
lesson's training settings leave with the lesson (a new dataset used to keep its SGD)."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnlab.data.experiment import Experiment
from nnlab.engine import TrainConfig
from nnlab.engine.optimizer_steps import apply_one_step

SIZES = [(1280, 800), (1280, 720)]


@pytest.fixture(params=SIZES, ids=["1280x800", "1280x720"])
def window_size(request):
    return request.param


@pytest.fixture
def window_dataset():
    return None


def type_into(qtbot, field, text: str) -> None:
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    field.selectAll()
    qtbot.keyClicks(field, text)


def backprop(window):
    inspector = window.inspector
    window.docks["inspector"].raise_()
    inspector.show_tab("backprop")
    return inspector.debugger


def test_a_refused_hidden_width_leaves_the_backprop_step_on_the_real_settings(window, qtbot):
    assert window.choose_dataset("xor")
    panel = window.panel
    assert (panel.optimizer.currentText(), panel.learning_rate.value()) == ("adam", 0.03)
    type_into(qtbot, panel.hidden_layers, "8, x")
    debugger = backprop(window)
    header = debugger.header.text()
    assert "adam, η = 0.03 from the Training panel" in header, header  # was "sgd, η = 0.01"
    assert window.inspector.step_settings() == ("adam", 0.03, {}, 0.0, 0.0)
    network = window.session.network
    before = network.copy()
    walk = debugger.walk
    expected = apply_one_step(before, walk.weight_gradients(), walk.bias_gradients(), "adam", 0.03)
    debugger.apply_button.click()
    np.testing.assert_array_equal(network.params, expected.params)  # one Adam step, as the header says


def test_a_refused_value_is_said_on_its_field_and_goes_when_editing_finishes(window, qtbot, errors):
    assert window.choose_dataset("xor")
    panel, field = window.panel, window.panel.hidden_layers
    type_into(qtbot, field, "8, x")
    sentence = ("hidden layers must be widths or layer words separated by commas (128, 64 or conv8x5, maxpool2, 64), "
                "not '8, x'")
    assert field.toolTip() == sentence and panel.refusal() == sentence
    assert window.run_settings.hidden == (8, 8)  # the setting as before the edit: "8, x" never became one
    assert not window.start_training() and window.training.state == "idle"  # Start says so, runs nothing else
    assert errors[-1] == ("Cannot start training", sentence)
    qtbot.keyClick(field, Qt.Key.Key_Return)  # editing finished: back on the setting as before the edit
    assert field.text() == "8, 8" and window.run_settings.hidden == (8, 8) and panel.refusal() is None
    assert window.session.network.sizes[1:-1] == [8, 8] and field.toolTip().startswith("widths of the hidden")
    assert window.start_training(paused=True)
    window.stop_training()


def test_after_a_lesson_a_new_dataset_gets_its_own_optimizer(window, qtbot):
    """A lesson's training settings belong to the lesson: the dog/cat lesson steps with SGD η = 0.01, and
    digits chosen next starts from digits' suggestion, Adam η = 0.001, as it would without the lesson."""
    assert window.inspector.open_lesson(window.inspector.lessons.lesson("04-dog-cat"))
    panel = window.panel
    assert (panel.optimizer.currentText(), panel.learning_rate.value()) == ("sgd", 0.01)
    assert window.choose_dataset("digits")
    assert (panel.optimizer.currentText(), panel.learning_rate.value(), panel.batch_size.value(),
            panel.epochs.value()) == ("adam", 0.001, 64, 10)
    assert "adam, η = 0.001 from the Training panel" in backprop(window).header.text()


def test_after_a_lesson_a_dataset_that_keeps_its_network_still_drops_its_training_settings(window):
    """The XOR lesson's 2-4-1 network fits the built-in xor set and is kept, weights and all; its batch of 4
    and 60 epochs (chosen for the lesson's 100 samples) are not, nor the mse of an earlier lesson's loss."""
    lessons = window.inspector.lessons
    assert window.inspector.open_lesson(lessons.lesson("06-xor"))
    panel = window.panel
    assert (panel.learning_rate.value(), panel.batch_size.value(), panel.epochs.value()) == (0.05, 4, 60)
    lesson_network = window.session.network
    assert window.choose_dataset("xor")
    assert window.session.network is lesson_network  # kept
    assert (panel.optimizer.currentText(), panel.learning_rate.value(), panel.batch_size.value(),
            panel.epochs.value()) == ("adam", 0.03, 16, 100)
    assert panel.hidden_layers.text() == "4" and panel.loss.currentText() == "binary_cross_entropy"  # the network's

    assert window.inspector.open_lesson(lessons.lesson("01-bright-dark"))
    assert panel.loss.currentText() == "mse"
    assert window.choose_dataset("digits")
    assert panel.loss.currentText() == "cross_entropy" and window.session.loss == "cross_entropy"


def test_the_panel_and_the_settings_say_the_same_thing(window, qtbot):
    """Widgets → settings (what Start reads), settings → widgets (signals blocked: no echo into the editor)."""
    assert window.choose_dataset("blobs")
    panel, settings = window.panel, window.run_settings
    panel.optimizer.setCurrentText("momentum")
    panel.learning_rate.setValue(0.02)
    panel.batch_size.setValue(8)
    panel.epochs.setValue(3)
    panel.seed.setValue(4)
    panel.l1.setValue(0.001)
    panel.l2.setValue(0.002)
    panel.early_stopping.setChecked(True)
    panel.patience.setValue(7)
    panel.augment.setChecked(True)
    panel.train_percent.setValue(60)
    panel.validation_percent.setValue(30)
    # what the panel's experiment() read from these fields
    expected = Experiment(dataset="blobs", hidden=[8, 8], activation="tanh", loss="cross_entropy", dropout=0.0,
                          augment=True, split=(0.6, 0.3, 0.1),
                          train=TrainConfig(optimizer="momentum", learning_rate=0.02, batch_size=8, epochs=3, seed=4,
                                            l1=0.001, l2=0.002, early_stopping_patience=7))
    assert settings.experiment() == expected
    assert panel.test_label.text() == "test 10 %"

    edits = window.editor.undo_stack.count()
    settings.apply(dropout=0.3, activation="relu", optimizer="sgd", early_stopping=None, validation_percent=10)
    assert (panel.dropout.value(), panel.activation.currentText(), panel.optimizer.currentText()) == \
        (0.3, "relu", "sgd")
    assert not panel.early_stopping.isChecked() and panel.test_label.text() == "test 30 %"
    assert window.editor.undo_stack.count() == edits  # shown, not read back as an edit of the network

    panel.validation_percent.setValue(45)  # 60 + 45 > 100: refused, said on the field
    assert settings.validation_percent == 10 and "add up to 105 %" in panel.validation_percent.toolTip()
    panel.validation_percent.editingFinished.emit()
    assert panel.validation_percent.value() == 10 and panel.refusal() is None


def test_the_training_controller_follows_the_settings_learning_rate(window, qtbot):
    assert window.choose_dataset("xor")
    window.panel.epochs.setValue(1000)
    assert window.start_training(paused=True)
    trainer = window.training.trainer
    window.run_settings.learning_rate = 0.25
    assert trainer.optimizer.learning_rate == 0.25
    window.panel.learning_rate.setValue(0.125)  # the one field open while a run is on
    assert trainer.optimizer.learning_rate == 0.125
    window.stop_training()
