""""Apply this step" is one step of the window's Edit → Undo history: Ctrl+Z takes it back bit for bit and the
views show the weights before it, Redo puts it again exactly, it takes its turn with the architecture edits,
the tab's Undo button is the same Undo, and a network replaced or retrained leaves nothing to undo onto it."""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnlab.lab.selection import FeatureRef

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
TIMEOUT = 20_000


def to_the_end(inspector):
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    return debugger


def shown_weight(window) -> tuple[float, float, float]:
    """The selected weight as the inspector and the editor's picture have it: the walk's, the snapshot's, the
    network's."""
    connection = window.inspector.connection()
    cell = (connection.target, connection.source)
    return (window.inspector.debugger.walk.network.weights[connection.layer][cell],
            window.selection.snapshot.weights[connection.layer][cell],
            window.session.network.weights[connection.layer][cell])


def test_ctrl_z_takes_an_applied_step_back_bit_for_bit_and_redo_puts_it_again(window, lesson, qtbot):
    inspector = lesson("04-dog-cat")
    debugger = to_the_end(inspector)
    network, undo, redo = window.session.network, window.editor.actions["undo"], window.editor.actions["redo"]
    before, old_weight = network.params.copy(), shown_weight(window)
    debugger.apply_button.click()
    applied, new_weight = network.params.copy(), shown_weight(window)
    assert not np.array_equal(applied, before) and new_weight[0] != old_weight[0]
    assert undo.isEnabled() and undo.text() == "&Undo Apply backprop step (sgd, w 0.8 → 0.80311)"
    assert "0.80311" in debugger.status.text()

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)  # through the window's shortcut, as a learner presses it
    assert window.session.network is network and network.params.tobytes() == before.tobytes()
    assert shown_weight(window) == old_weight  # the Backprop tab's walk, the snapshot the views draw
    assert debugger.status.text() == "Undone: the weights are exactly as before the step."
    assert not debugger.undo_button.isEnabled() and not window.session.dirty
    assert redo.text() == "&Redo Apply backprop step (sgd, w 0.8 → 0.80311)"

    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert network.params.tobytes() == applied.tobytes() and shown_weight(window) == new_weight
    assert "0.80311" in debugger.status.text() and debugger.undo_button.isEnabled() and window.session.dirty
    undo.trigger()  # the Edit menu's item
    assert network.params.tobytes() == before.tobytes()


def test_the_tabs_undo_button_is_edit_undo(window, lesson):
    debugger = to_the_end(lesson("04-dog-cat"))
    network, stack = window.session.network, window.editor.undo_stack
    before = network.params.copy()
    debugger.apply_button.click()
    debugger.undo_button.click()
    assert network.params.tobytes() == before.tobytes()
    assert stack.index() == 0 and stack.canRedo()  # the menu's history moved, not one of the tab's own
    window.editor.actions["redo"].trigger()
    assert debugger.undo_button.isEnabled()


def test_an_apply_and_an_architecture_edit_undo_in_turn(window, lesson):
    debugger = to_the_end(lesson("04-dog-cat"))
    editor, session = window.editor, window.session
    before = session.network.params.copy()
    debugger.apply_button.click()
    applied = session.network.params.copy()
    assert editor.set_frozen(True)  # an architecture edit that keeps every weight
    assert not debugger.undo_button.isEnabled()  # the last step is the edit's: the tab's Undo would not be it
    editor.actions["undo"].trigger()
    assert not any(spec.frozen for spec in session.network.layers)
    assert session.network.params.tobytes() == applied.tobytes() and debugger.undo_button.isEnabled()
    editor.actions["undo"].trigger()
    assert session.network.params.tobytes() == before.tobytes()
    assert not editor.undo_stack.canUndo()


def test_an_edit_before_the_apply_is_still_undoable_after_it(window, lesson):
    debugger = to_the_end(lesson("04-dog-cat"))
    editor, session = window.editor, window.session
    assert editor.set_frozen(True)
    to_the_end(window.inspector)
    frozen = session.network.params.copy()
    debugger.apply_button.click()
    editor.actions["undo"].trigger()
    assert session.network.params.tobytes() == frozen.tobytes()
    assert editor.actions["undo"].text() == "&Undo Freeze hidden layer 1"
    editor.actions["undo"].trigger()
    assert not any(spec.frozen for spec in session.network.layers)


@pytest.mark.parametrize("replace", ["reset", "new", "train"])
def test_a_step_applied_to_weights_replaced_or_retrained_is_not_undone_onto_them(window, qtbot, replace):
    assert window.choose_dataset("xor")
    debugger = to_the_end(window.inspector)
    debugger.apply_button.click()
    assert window.editor.actions["undo"].isEnabled()
    if replace == "train":
        window.panel.epochs.setValue(1)
        with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT):
            assert window.start_training()
        qtbot.waitUntil(lambda: window.training.state == "idle", timeout=TIMEOUT)
    else:
        {"reset": window.reset_weights, "new": window.new_network}[replace]()
    now = window.session.network.params.copy()
    assert not window.editor.actions["undo"].isEnabled() and not debugger.undo_button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    debugger.undo_button.click()
    assert window.session.network.params.tobytes() == now.tobytes()


def test_ctrl_z_takes_a_lenet_step_back_bit_for_bit(lenet_window, qtbot):
    window = lenet_window
    window.selection.select_feature(FeatureRef(1, 3, 14, 12))
    debugger = to_the_end(window.inspector)
    network = window.session.network
    before = network.params.copy()
    debugger.apply_button.click()
    applied = network.params.copy()
    assert window.editor.actions["undo"].text().startswith("&Undo Apply backprop step (adam, w ")
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL)
    assert network.params.tobytes() == before.tobytes()
    assert window.selection.snapshot.params.tobytes() == before.tobytes()
    qtbot.keyClick(window, Qt.Key.Key_Z, CTRL | SHIFT)
    assert network.params.tobytes() == applied.tobytes()
    window.editor.actions["undo"].trigger()
    window.editor.actions["undo"].trigger()  # and then the template, as before
    assert window.editor.actions["undo"].text() == "&Undo"
