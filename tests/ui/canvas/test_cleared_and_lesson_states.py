"""The Draw dock and the inspector say what is true: a cleared drawing is the blank paper the network sees (not
"no input"), and a set nothing can be added to offers no button to add with."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

SIZES = [(1280, 800), (1280, 720)]


@pytest.mark.parametrize("size", SIZES)
def test_after_clearing_the_drawing_the_inspector_shows_the_blank_paper(open_window, size):
    window = open_window("digits")
    window.resize(*size)
    window.docks["inspector"].raise_()
    canvas, inspector = window.canvas, window.inspector
    canvas.draw_stroke([(0.5, 0.2), (0.5, 0.8)])
    canvas.predict_now()
    drawn = canvas.row.copy()
    assert window.selection.input.origin == "your drawing"
    canvas.clear()
    canvas.predict_now()
    blank = window.selection.input
    assert blank is not None and blank.origin == "the blank paper"
    assert blank.values.shape == (784,) and not blank.values.any()  # what the digit recipe makes of blank paper
    assert inspector.message.text() == "" and inspector.input_label.text() == "the blank paper"
    assert "no input" not in inspector.message.text()
    assert canvas.bars.headline() == "Draw something."
    canvas.undo()
    canvas.predict_now()
    assert window.selection.input.origin == "your drawing"
    np.testing.assert_array_equal(window.selection.input.values, drawn)


def test_clearing_the_paper_keeps_a_sample_the_learner_chose_to_inspect(open_window):
    window = open_window("digits")
    window.inspector.inspect_sample()
    chosen = window.selection.input
    assert chosen.origin != "your drawing"
    window.canvas.clear()
    window.canvas.predict_now()
    assert window.selection.input is chosen


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", ["03-single-neuron", "04-dog-cat", "07-face-3x3"])
def test_a_lesson_set_with_nothing_to_draw_offers_no_button_to_add_with(open_window, size, key):
    window = open_window("digits")
    window.resize(*size)
    inspector = window.inspector
    assert inspector.open_lesson(inspector.lessons.lesson(key))
    canvas = window.canvas
    window.docks["canvas"].raise_()
    assert canvas.mode.kind == "none"
    assert not canvas.add_button.isVisibleTo(canvas) and not canvas.label_picker.isVisibleTo(canvas)
    assert not canvas.gallery.isVisibleTo(canvas)
    assert canvas.nothing_label.isVisibleTo(canvas) and "nothing to draw" in canvas.nothing_label.text()


def test_a_lesson_of_points_still_takes_clicked_points(open_window, qtbot):
    window = open_window("digits")
    inspector = window.inspector
    assert inspector.open_lesson(inspector.lessons.lesson("06-xor"))
    canvas = window.canvas
    assert canvas.mode.kind == "points"
    assert canvas.add_button.isVisibleTo(canvas) and canvas.add_button.text() == "Click the plot to add a point"
    qtbot.waitUntil(lambda: canvas.scatter.regions_image is not None, timeout=2000)
    QTest.mouseClick(canvas.scatter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     canvas.scatter.to_widget(0.5, 0.5).toPoint())
    assert len(canvas.gallery.samples) == 1  # stored for the lesson's next run (test_modes.py: it joins it)
