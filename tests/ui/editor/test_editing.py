"""Edits through the editor's actions: what changes, what is kept, and that undo/redo are exact."""
import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt

from nnlab.engine.network import Network


def snapshot(win):
    net = win.session.network
    return net.sizes, list(net.layers), net.params.copy(), win.session.loss


def assert_same(win, state):
    sizes, layers, params, loss = state
    net = win.session.network
    assert net.sizes == sizes and net.layers == layers and win.session.loss == loss
    assert net.params.dtype == params.dtype and net.params.tobytes() == params.tobytes()  # bit for bit


def undo_redo_round_trip(win, before):
    after = snapshot(win)
    win.editor.actions["undo"].trigger()
    assert_same(win, before)
    win.editor.actions["redo"].trigger()
    assert_same(win, after)
    win.editor.actions["undo"].trigger()
    assert_same(win, before)


def test_add_layer_after_resets_only_the_new_layer_and_its_successor(window):
    editor, old = window.editor, window.session.network.copy()
    before = snapshot(window)
    editor.select_layer(1)
    editor.actions["add_after"].trigger()
    net = window.session.network
    assert net.sizes == [2, 8, 16, 8, 2]
    assert np.array_equal(net.weights[0], old.weights[0]) and np.array_equal(net.weights[3], old.weights[2])
    assert not np.array_equal(net.weights[2][:, :8], old.weights[1][:, :8])
    assert editor.last_message == "Add hidden layer (16 tanh) — re-initialised hidden layer 2, hidden layer 3"
    assert editor.actions["undo"].text() == "&Undo Add hidden layer (16 tanh)"
    assert window.panel.hidden_layers.text() == "8, 16, 8"
    assert window.session.dirty
    undo_redo_round_trip(window, before)


def test_add_layer_before_uses_the_panel_activation_for_the_new_layer(window):
    window.panel.activation.setCurrentText("sigmoid")
    before = snapshot(window)
    window.editor.select_layer(1)
    window.editor.actions["add_before"].trigger()
    assert window.session.network.sizes == [2, 16, 8, 8, 2]
    assert window.session.network.layers[0].activation == "sigmoid"
    undo_redo_round_trip(window, before)


def test_remove_layer_resets_the_layer_that_now_reads_another_width(window):
    old, before = window.session.network.copy(), snapshot(window)
    window.editor.select_layer(1)
    window.editor.actions["remove"].trigger()
    net = window.session.network
    assert net.sizes == [2, 8, 2]
    assert np.array_equal(net.weights[1], old.weights[2])
    assert window.editor.last_message == "Remove hidden layer 1 — re-initialised hidden layer 1"
    undo_redo_round_trip(window, before)


def test_width_spin_resizes_and_consecutive_steps_undo_as_one(window):
    old, before = window.session.network.copy(), snapshot(window)
    window.editor.select_layer(2)
    spin = window.editor.toolbar.width_spin
    assert window.editor.toolbar.shown("width") and spin.value() == 8
    spin.stepUp()
    spin.stepUp()
    net = window.session.network
    assert net.sizes == [2, 8, 10, 2]
    assert np.array_equal(net.weights[0], old.weights[0])
    assert window.editor.undo_stack.count() == 1
    assert window.editor.actions["undo"].text() == "&Undo Width of hidden layer 2 → 10"
    undo_redo_round_trip(window, before)
    assert spin.value() == 8


def test_activation_dropout_and_freeze_keep_every_weight(window):
    before = snapshot(window)
    editor = window.editor
    editor.select_layer(1)
    editor.toolbar.activation.setCurrentText("sigmoid")
    editor.toolbar.activation.activated.emit(editor.toolbar.activation.currentIndex())
    editor.toolbar.dropout.setValue(0.25)
    editor.actions["freeze"].trigger()
    net = window.session.network
    assert net.layers[0].activation == "sigmoid" and net.layers[0].dropout == 0.25 and net.layers[0].frozen
    assert net.params.tobytes() == before[2].tobytes()
    assert editor.last_message == "Freeze hidden layer 1 — every weight kept"
    assert editor.canvas.columns[1].frozen and "❄ frozen" in editor.canvas.columns[1].notes
    assert editor.actions["freeze"].isChecked()
    after = snapshot(window)
    assert [editor.undo_stack.text(i) for i in range(editor.undo_stack.count())] == [
        "Activation of hidden layer 1 → sigmoid", "Dropout of hidden layer 1 → 0.25", "Freeze hidden layer 1"]
    for _ in range(3):
        editor.actions["undo"].trigger()
    assert_same(window, before)
    assert not editor.actions["freeze"].isChecked()
    for _ in range(3):
        editor.actions["redo"].trigger()
    assert_same(window, after)
    assert editor.actions["freeze"].isChecked()


def test_output_pairs_only_consistent_ones_and_a_width_change_resets_the_output(window):
    before = snapshot(window)
    combo = window.editor.toolbar.output
    window.editor.select_layer(3)
    assert window.editor.toolbar.shown("output") and combo.currentText() == "softmax + cross-entropy"
    texts = [combo.itemText(i) for i in range(combo.count())]
    assert "sigmoid + binary cross-entropy" in texts and "linear + MSE" in texts
    assert not any(t.startswith(("sigmoid + cross-entropy", "softmax + binary")) for t in texts)
    combo.setCurrentText("sigmoid + binary cross-entropy")
    combo.activated.emit(combo.currentIndex())
    assert window.session.network.sizes == [2, 8, 8, 1] and window.session.loss == "binary_cross_entropy"
    assert window.editor.last_message.endswith("re-initialised the output layer")
    assert window.panel.loss.currentText() == "binary_cross_entropy"
    undo_redo_round_trip(window, before)


@pytest.mark.parametrize("column, act, message", [
    (0, "remove", "Cannot remove the input layer. The input layer follows the dataset: one unit per input "
                  "(2 features of xor)"),
    (3, "remove", "Cannot remove the output layer. The output layer follows the dataset: one unit per class"),
    (0, "add_before", "Nothing can go before the input layer"),
    (3, "add_after", "Nothing can go after the output layer"),
    (0, "freeze", "The input layer has no weights to freeze"),
])
def test_input_and_output_layers_cannot_be_removed_and_say_why(window, column, act, message):
    before = snapshot(window)
    window.editor.select_layer(column)
    window.editor._refresh_enabled()
    if act == "freeze":
        window.editor.set_frozen(True)
    else:
        window.editor.actions[act].trigger()
    assert window.editor.last_message.startswith(message)
    assert_same(window, before)
    assert window.editor.undo_stack.count() == 0


def test_limits_refuse_with_their_message(window):
    editor = window.editor
    editor.select_layer(1)
    assert not editor.set_width(5000)
    assert "between 1 and 2,048 units" in editor.last_message
    window.panel.hidden_layers.setText(", ".join(["4"] * 10))
    window.panel.hidden_layers.editingFinished.emit()
    assert len(window.session.network.layers) == 11
    before = snapshot(window)
    editor.select_layer(5)
    editor.actions["add_after"].trigger()
    assert "at most 10 hidden layers" in editor.last_message
    assert_same(window, before)


@pytest.mark.parametrize("typed, message", [("128, 5000", "between 1 and 2,048 units"),
                                            (", ".join(["4"] * 11), "11 hidden layers asked for; the limit is 10")])
def test_widths_typed_without_enter_meet_the_same_limits_on_start(window, errors, typed, message):
    before = snapshot(window)
    window.panel.hidden_layers.setText(typed)  # no Enter: Start reads the field itself
    assert not window.start_training()
    assert message in errors[-1][1]
    assert window.training.state == "idle"
    assert_same(window, before)


def test_an_opened_network_wider_than_the_editor_allows_still_trains(window, errors, tmp_path):
    from nnlab.data.weights_file import SavedModel, save_model
    from nnlab.engine.network import LayerSpec, Network

    wide = Network(2, [LayerSpec(3000, "relu"), LayerSpec(2, "softmax")], seed=0)
    path = tmp_path / "wide.npz"
    save_model(path, SavedModel(wide, "cross_entropy", list(window.session.dataset.classes), (2,)))
    assert window.open_path(path, ask=False)
    assert window.run_settings.hidden == (3000,)
    assert window.start_training(), errors
    window.stop_training()


def test_the_panel_widths_become_an_undoable_edit_of_the_same_network(window):
    old = window.session.network.copy()
    window.panel.hidden_layers.setText("8, 5")
    window.panel.hidden_layers.editingFinished.emit()
    net = window.session.network
    assert net.sizes == [2, 8, 5, 2] and np.array_equal(net.weights[0], old.weights[0])
    assert window.editor.actions["undo"].text() == "&Undo Hidden widths → 8, 5"
    window.editor.select_layer(1)
    window.editor.actions["freeze"].trigger()
    assert window.session.matches(window.run_settings.experiment())  # Start keeps the edited network


def test_hovering_a_connection_shows_its_exact_weight_and_clicking_selects_it(window, qtbot):
    canvas = window.editor.canvas
    connections = canvas.visible_connections()
    assert len(connections) == 8 * 2 + 8 * 8 + 2 * 8  # a small network: every weight drawn
    for index in (0, len(connections) - 1):
        point = canvas.connection_midpoint(index)
        layer, source, target, weight = connections[canvas.connection_at(point)]
        assert weight == window.session.network.weights[layer][target, source]
        shown = canvas.tooltip_at(point).split("\n")[0]
        assert np.float32(shown.removeprefix("w = ")) == weight  # exact: reads back to the same float
    point = canvas.connection_midpoint(0).toPoint()
    layer, source, target, _ = connections[canvas.connection_at(QPointF(point))]
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point)
    ref = window.selection.connection
    assert (ref.layer, ref.source, ref.target) == (layer, source, target)


def test_clicking_a_neuron_selects_it_app_wide_and_makes_its_layer_current(window, qtbot):
    canvas = window.editor.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.neuron_position(2, 3).toPoint())
    assert window.selection.neuron is not None
    assert (window.selection.neuron.layer, window.selection.neuron.unit) == (2, 3)
    assert window.editor.current == 2 and window.editor.toolbar.layer_label.text() == "hidden 2 of 2"


def test_a_template_that_replaces_every_layer_starts_the_epoch_count_again(window):
    window.session.epochs_trained = 3
    window.editor.toolbar.template_actions["XOR 2-4-1"].trigger()
    assert window.session.epochs_trained == 0
    assert "Network 2 → 4 → 1." in window.panel.summary.text()  # the network's own output width
    window.editor.undo()
    assert window.session.epochs_trained == 3 and "trained 3 epochs" in window.panel.summary.text()
    window.editor.select_layer(1)
    assert window.editor.set_width(6)  # an edit that keeps some weights keeps the count
    assert window.session.epochs_trained == 3


def test_templates_fit_or_switch_the_dataset(window):
    editor = window.editor
    editor.toolbar.template_actions["XOR 2-4-1"].trigger()
    assert window.session.network.sizes == [2, 4, 1] and window.session.loss == "binary_cross_entropy"
    assert window.session.dataset.name == "xor"
    editor.toolbar.template_actions["Faces 625-32-2"].trigger()  # does not fit xor: opens faces
    assert window.session.dataset.name == "faces" and window.session.network.sizes == [625, 32, 2]
    assert window.panel.dataset.currentData() == "faces"
    assert editor.canvas.columns[0].image_shape == (25, 25)


def test_a_template_without_its_dataset_says_why(window, monkeypatch):
    monkeypatch.setattr(window.questions, "ask_save_changes", lambda: "cancel")  # the user keeps the open dataset
    window.session.set_dirty(True)
    before = snapshot(window)
    window.editor.toolbar.template_actions["Digits 784-128-64-10"].trigger()
    assert window.editor.last_message == ("Digits 784-128-64-10 takes 784 inputs and 10 classes; the open dataset "
                                          "has 2 inputs and 2 classes; open digits to use it")
    assert_same(window, before)


def test_the_edit_menu_names_the_command_and_uses_the_standard_shortcuts(window):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    undo, redo = window.editor.actions["undo"], window.editor.actions["redo"]
    assert undo in menu.actions() and redo in menu.actions()
    assert undo.shortcut().toString() == "Ctrl+Z" and redo.shortcut().toString() == "Ctrl+Shift+Z"
    assert not undo.isEnabled()
    window.editor.select_layer(1)
    window.editor.actions["remove"].trigger()
    assert undo.isEnabled() and undo.text() == "&Undo Remove hidden layer 1"
    undo.trigger()
    assert redo.isEnabled() and redo.text() == "&Redo Remove hidden layer 1"


def test_a_new_network_clears_the_history(window):
    window.editor.select_layer(1)
    window.editor.actions["remove"].trigger()
    window.new_network(ask=False)
    assert window.editor.undo_stack.count() == 0 and not window.editor.actions["undo"].isEnabled()
    assert isinstance(window.session.network, Network)
