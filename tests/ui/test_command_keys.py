"""Keys on the real window: the window's commands are not swallowed by a focused spin box or line edit
(each used to claim Ctrl+Z and Ctrl+Shift+Z for its own text undo), and a click on the editor takes the focus.

Every key goes through Qt's shortcut machinery (QTest sends the ShortcutOverride first, as a keyboard does).
"""
import pytest
from PySide6.QtCore import QPoint, Qt

CTRL, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier
SIZES = [(1280, 800), (1280, 720)]


@pytest.fixture(autouse=True)
def no_error_shown(errors):
    yield
    assert errors == []


def focus(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def hidden(window) -> list[tuple[int, float]]:
    return [(spec.units, spec.dropout) for spec in window.session.network.layers[:-1]]


@pytest.mark.parametrize("size", SIZES)
def test_undo_and_redo_reach_the_editor_while_a_spin_box_has_focus(make_window, qtbot, size):
    window = make_window("xor", size)
    dropout = window.panel.dropout
    focus(qtbot, dropout)
    before = hidden(window)
    qtbot.keyClick(dropout, Qt.Key.Key_Up)  # a network edit, made in the Training panel
    edited = hidden(window)
    assert edited != before and all(p > 0 for _units, p in edited)
    qtbot.keyClick(dropout, Qt.Key.Key_Z, CTRL)
    assert hidden(window) == before
    assert dropout.value() == 0.0 and dropout.hasFocus()
    qtbot.keyClick(dropout, Qt.Key.Key_Z, CTRL | SHIFT)
    assert hidden(window) == edited


def test_undo_from_a_setting_that_is_no_network_edit(make_window, qtbot):
    """The learning rate box is not part of the network: Ctrl+Z there still undoes the last network edit."""
    window = make_window("xor", SIZES[1])
    before = window.session.network.sizes
    window.editor.actions["add_after"].trigger()
    assert window.session.network.sizes != before
    rate = window.panel.learning_rate
    focus(qtbot, rate)
    qtbot.keyClick(rate, Qt.Key.Key_Z, CTRL)
    assert window.session.network.sizes == before
    assert rate.value() == pytest.approx(0.03)


def test_hidden_layers_field_undoes_its_typing_first_then_the_network(make_window, qtbot):
    window = make_window("xor", SIZES[0])
    field = window.panel.hidden_layers
    before = window.session.network.sizes
    focus(qtbot, field)
    field.selectAll()
    qtbot.keyClicks(field, "5, 3")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.session.network.sizes[1:3] == [5, 3]
    qtbot.keyClicks(field, "9")  # typed, not applied: its own undo takes it back
    qtbot.keyClick(field, Qt.Key.Key_Z, CTRL)
    assert field.text() == "5, 3" and window.session.network.sizes[1:3] == [5, 3]
    field.setModified(False)  # as after Enter: nothing of the field's own is left to undo
    qtbot.keyClick(field, Qt.Key.Key_Z, CTRL)
    assert window.session.network.sizes == before
    assert field.text() == ", ".join(str(units) for units in before[1:-1])


def test_f5_starts_training_from_a_spin_box(make_window, qtbot):
    window = make_window("xor", SIZES[1])
    epochs = window.panel.epochs
    focus(qtbot, epochs)
    qtbot.keyClick(epochs, Qt.Key.Key_F5)
    assert window.training.state != "idle"
    window.stop_training()


def test_a_click_on_the_editor_takes_the_focus_from_a_spin_box(make_window, qtbot):
    window = make_window("xor", SIZES[1])
    dropout = window.panel.dropout
    focus(qtbot, dropout)
    canvas = window.editor.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=QPoint(canvas.width() - 5, 5))
    qtbot.waitUntil(canvas.hasFocus)
    assert not dropout.hasFocus()


def test_undo_reaches_the_editor_from_a_field_in_a_floating_dock(make_window, qtbot):
    """A floating dock is a window of its own to Qt: its fields used to keep Ctrl+Z for their text undo."""
    window = make_window("xor", SIZES[1])
    dock = window.docks["training"]
    dock.setFloating(True)
    qtbot.waitExposed(dock)
    dock.activateWindow()
    dropout = window.panel.dropout
    focus(qtbot, dropout)
    before = hidden(window)
    qtbot.keyClick(dropout, Qt.Key.Key_Up)
    edited = hidden(window)
    assert edited != before
    qtbot.keyClick(dropout, Qt.Key.Key_Z, CTRL)
    assert hidden(window) == before and dropout.hasFocus()
    qtbot.keyClick(dropout, Qt.Key.Key_Z, CTRL | SHIFT)
    assert hidden(window) == edited
