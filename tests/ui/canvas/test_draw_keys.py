"""The Draw dock's [ ] and Delete work wherever the focus is in that dock (they used to work only while
the paper had focus), never in a text field elsewhere; the brush slider and the keys say the same size."""
import pytest
from PySide6.QtCore import Qt

SIZES = [(1280, 800), (1280, 720)]


def focus(qtbot, widget) -> None:
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)


def with_a_stroke(window):
    canvas = window.canvas
    canvas.draw_stroke([(0.5, 0.2), (0.5, 0.8)])
    return canvas


@pytest.mark.parametrize("size", SIZES)
def test_draw_keys_work_anywhere_in_the_draw_dock(open_window, qtbot, size):
    window = open_window("digits")
    window.resize(*size)
    canvas = with_a_stroke(window)
    surface = canvas.surface
    for holder in (canvas.label_picker, canvas.add_button):
        focus(qtbot, holder)
        radius = surface.radius
        qtbot.keyClick(holder, Qt.Key.Key_BracketRight)
        assert surface.radius > radius
        qtbot.keyClick(holder, Qt.Key.Key_BracketLeft)
        qtbot.keyClick(holder, Qt.Key.Key_BracketLeft)
        assert surface.radius < radius
    focus(qtbot, canvas.add_button)
    assert not surface.sheet.is_blank
    qtbot.keyClick(canvas.add_button, Qt.Key.Key_Delete)
    assert surface.sheet.is_blank


def test_the_brush_slider_and_the_keys_say_the_same(open_window, qtbot):
    window = open_window("digits")
    window.resize(*SIZES[1])
    canvas = with_a_stroke(window)
    surface, slider = canvas.surface, canvas.brush_slider
    assert slider.isVisible() and slider.value() == round(2 * surface.radius)
    slider.setValue(30)
    assert surface.radius == 15.0
    assert canvas.brush_label.text() == "Brush 30 px"
    focus(qtbot, slider)
    qtbot.keyClick(slider, Qt.Key.Key_BracketRight)  # a slider is no text field: the key works there too
    assert surface.radius == pytest.approx(15.0 * 1.25)
    assert slider.value() == 38  # 37.5 px, rounded half to even
    assert canvas.brush_label.text() == "Brush 38 px"
    focus(qtbot, canvas.add_button)
    for _ in range(20):  # down to the smallest brush, and no further
        qtbot.keyClick(canvas.add_button, Qt.Key.Key_BracketLeft)
    assert surface.radius == 2.0 and slider.value() == slider.minimum() == 4


def test_draw_keys_stay_out_of_text_fields_outside_the_dock(open_window, qtbot):
    window = open_window("digits")
    canvas = with_a_stroke(window)
    width = window.editor.toolbar.width_spin
    focus(qtbot, width)
    radius = canvas.surface.radius
    qtbot.keyClick(width, Qt.Key.Key_BracketRight)
    qtbot.keyClick(width, Qt.Key.Key_Delete)
    assert canvas.surface.radius == radius and not canvas.surface.sheet.is_blank


def test_delete_in_the_sample_list_removes_the_samples_not_the_drawing(open_window, qtbot):
    window = open_window("digits")
    canvas = with_a_stroke(window)
    assert canvas.add_sample(3)
    gallery = canvas.gallery
    gallery.list.item(0).setSelected(True)
    focus(qtbot, gallery.list)
    qtbot.keyClick(gallery.list, Qt.Key.Key_Delete)
    assert gallery.samples == []
    assert not canvas.surface.sheet.is_blank
