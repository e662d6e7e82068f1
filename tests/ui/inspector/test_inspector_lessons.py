"""The lessons in the window: the seed texts' numbers appear in the inspector, the debugger and the lesson text."""
import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication, QTextCursor, QTextTable

from nnlab.engine.numbers import format_full
from nnlab.ui.main_window import MainWindow
from nnlab.lab.selection import ConnectionRef, NeuronRef
from nnlab.ui.settings import Settings


def test_dog_cat_lesson_shows_the_seed_numbers(window, lesson):
    inspector = lesson("04-dog-cat")
    assert window.session.network.dtype == np.float64 and window.session.network.sizes == [4, 3, 2]
    assert not window.session.dirty
    window.selection.select_neuron(NeuronRef(1, 0))
    hidden = inspector.neuron_view.formula.text()
    assert hidden.splitlines()[0].endswith("= 0.71") and "ReLU(0.71) = 0.71" in hidden
    window.selection.select_neuron(NeuronRef(2, 0))
    text = inspector.neuron_view.formula.text()
    assert "= 0.713" in text and "P(dog) = 2.04 / 3.63 = 0.562" in text

    inspector.tabs.setCurrentWidget(inspector.debugger)
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    assert "δ₁ = 0.562 − 1 = −0.438" in debugger.neuron_text.text()
    connection = debugger.connection_text.text()
    assert "∂L/∂w = δ · a_prev = −0.438 × 0.71 = −0.311" in connection
    assert "w = 0.8 − 0.01 × (−0.311) = 0.80311" in connection

    inspector.tabs.setCurrentWidget(inspector.lessons)
    inspector.lessons.list.setCurrentRow(3)
    assert "½·[(0.562 − 1)² + (0.438 − 0)²] = 0.192" in inspector.lessons.text.toPlainText()


def test_digit_one_lesson_carries_the_true_sums_to_probability_0674(window, lesson):
    inspector = lesson("05-digit-one")
    assert window.selection.neuron == NeuronRef(3, 0)
    assert "P(1) = " in inspector.neuron_view.formula.text()
    assert inspector.neuron_view.formula.text().splitlines()[-2].endswith("= 0.674")
    for unit, true_sum in ((1, "0.64"), (2, "0.53"), (3, "0.83")):  # the text prints 0.11, 0.19, 0.26
        window.selection.select_neuron(NeuronRef(1, unit))
        assert inspector.neuron_view.formula.text().splitlines()[0].endswith(f"= {true_sum}")
    assert inspector.neuron_view.weights.stack.currentWidget() is inspector.neuron_view.weights.image

    inspector.tabs.setCurrentWidget(inspector.debugger)  # the text's w₁ = 0.5 − 0.01 × 0.3, with the true slope
    inspector.debugger.go_to(len(inspector.debugger.stages) - 1)
    connection = inspector.debugger.connection_text.text()
    assert "= −0.0134" in connection and "w = 0.5 − 0.01 × (−0.0134) = 0.50013" in connection


def _table_rows(browser) -> list[list[str]]:
    """Every row of the tables in a QTextBrowser, as the text of each cell."""
    rows = []
    for frame in browser.document().rootFrame().childFrames():
        if isinstance(frame, QTextTable):
            for row in range(frame.rows()):
                rows.append([_cell_text(frame.cellAt(row, column)) for column in range(frame.columns())])
    return rows


def _cell_text(cell) -> str:
    cursor = cell.firstCursorPosition()
    cursor.setPosition(cell.lastCursorPosition().position(), QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n").replace("\u2028", "\n")


def _cell_rect(browser, table: QTextTable, row: int, column: int):
    """Where the cell's first line is drawn, after scrolling it into view."""
    browser.setTextCursor(table.cellAt(row, column).firstCursorPosition())
    browser.ensureCursorVisible()
    return browser.cursorRect()


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720)])
def test_the_lessons_tab_shows_each_printed_number_beside_the_true_one(window, qtbot, size):
    window.resize(*size)
    inspector = window.inspector
    inspector.show_lessons()
    lessons = inspector.lessons
    lessons.ensure_loaded()
    lessons.list.setCurrentRow([l.key for l in lessons.lessons].index("05-digit-one"))
    qtbot.wait(20)
    browser = lessons.text
    assert window.size().toTuple() == size and browser.isVisible()
    rows = _table_rows(browser)
    assert rows[0] == ["In the text", "the text prints", "true"]
    by_name = {row[0].splitlines()[0]: row for row in rows[1:]}  # a slip's cell adds the text's line below
    for what, printed, true in (("hidden 1, neuron 2: z₂", "0.11", "0.64"),
                                ("hidden 1, neuron 3: z₃", "0.19", "0.53"),
                                ("hidden 1, neuron 4: z₄", "0.26", "0.83"),
                                ('P("1")', "0.657", "0.674")):
        assert by_name[what][1:] == [printed, f"{true} slip"], by_name[what]
    assert by_name["hidden 1, neuron 1: z₁"][1:] == ["2.04", "2.04 ✓"]
    plain = browser.toPlainText()
    assert "71 numbers the text prints for this network: 23 agree, and 48 are slips" in plain

    table = next(f for f in browser.document().rootFrame().childFrames() if isinstance(f, QTextTable))
    row = next(i for i, r in enumerate(rows) if r[0].startswith('P("1")'))
    printed_at, true_at = _cell_rect(browser, table, row, 1), _cell_rect(browser, table, row, 2)
    viewport = browser.viewport().rect()
    assert viewport.contains(printed_at) and viewport.contains(true_at), (printed_at, true_at, viewport)
    assert printed_at.top() == true_at.top() and printed_at.left() < true_at.left()  # one line, side by side


def test_full_precision_on_hover_and_copy(window, lesson):
    inspector = lesson("04-dog-cat")
    window.selection.select_neuron(NeuronRef(2, 0))
    label = inspector.neuron_view.formula
    p = window.session.network.forward([0.9, 0.2, 0.8, 0.3])[0, 0]
    assert format_full(p) in label.toolTip() and format_full(p) not in label.text()
    label.copy_full()
    assert format_full(p) in QGuiApplication.clipboard().text()


def test_trainable_lesson_trains_in_the_window(window, lesson, qtbot):
    lesson("06-xor")
    assert window.panel.optimizer.currentText() == "adam" and window.panel.epochs.value() == 60
    assert window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=60_000)
    out = window.session.network.forward(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float))[:, 0]
    assert list(out > 0.5) == [False, True, True, False]


def test_a_worked_example_lesson_is_not_trained_over(window, lesson, errors):
    lesson("04-dog-cat")
    before = window.session.network.copy()
    assert not window.start_training()
    assert "worked example" in errors[-1][1] and "Backprop tab" in errors[-1][1]
    assert window.training.state == "idle"
    np.testing.assert_array_equal(window.session.network.params, before.params)


def test_help_lessons_and_the_first_launch_start_page(qtbot, tmp_path):
    settings = Settings(tmp_path / "first.ini")
    first = MainWindow(settings=settings, load_last_dataset=False)
    qtbot.addWidget(first)
    first.show()
    qtbot.waitUntil(lambda: first.inspector.tabs.currentWidget() is first.inspector.lessons)
    assert first.inspector.lessons.welcome.isVisible() and first.inspector.lessons.list.count() == 8
    first.close()
    again = MainWindow(settings=Settings(tmp_path / "first.ini"), load_last_dataset=False)
    qtbot.addWidget(again)
    again.show()
    qtbot.wait(20)
    assert again.inspector.tabs.currentWidget() is not again.inspector.lessons
    again.actions["lessons"].trigger()
    assert again.inspector.tabs.currentWidget() is again.inspector.lessons
    assert again.actions["lessons"] in again.menuBar().actions()[-1].menu().actions()
    again.close()


def test_the_lesson_choice_opens_from_the_list(window):
    inspector = window.inspector
    inspector.show_lessons()
    inspector.lessons.ensure_loaded()
    inspector.lessons.list.setCurrentRow(2)
    inspector.lessons.open_button.click()
    assert window.session.network.sizes == [3, 1]
    assert window.selection.input.origin.startswith("lesson input")
    assert "= 0.41" in inspector.neuron_view.formula.text()


@pytest.mark.parametrize("key", ["01-bright-dark", "02-three-two-one", "07-face-3x3", "08-why-activations"])
def test_every_other_lesson_opens_and_steps(window, lesson, key):
    inspector = lesson(key)
    inspector.tabs.setCurrentWidget(inspector.debugger)
    inspector.debugger.go_to(99)
    assert inspector.debugger.walk is not None and "Update" in inspector.debugger.script_text()
    window.selection.select_connection(ConnectionRef(0, 0, 0))
    assert "central difference" in inspector.debugger.connection_text.text()


def test_a_lessons_dataset_can_be_chosen_again_from_the_panel(window, lesson, errors):
    lesson("04-dog-cat")
    source = window.session.dataset_source
    assert source == "lesson:04-dog-cat" and window.panel.dataset.findData(source) >= 0
    assert window.choose_dataset("xor")
    assert window.choose_dataset(source), errors
    assert window.session.dataset.extra["lesson"] == "04-dog-cat" and not errors


def test_help_lessons_brings_a_closed_inspector_back(window):
    window.docks["inspector"].close()
    window.actions["lessons"].trigger()
    assert window.docks["inspector"].isVisible()
    assert window.inspector.tabs.currentWidget() is window.inspector.lessons
