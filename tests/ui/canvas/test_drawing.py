"""Strokes from synthesised mouse events: the bitmap, the network's input, the prediction; erase, clear, undo."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnlab.engine.outputs import class_probabilities
from nnlab.data.transforms import mnist_transform
from nnlab.ui.canvas.ink import SHEET_PX

LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


def drag(surface, at, points, button=LEFT):
    QTest.mousePress(surface, button, Qt.KeyboardModifier.NoModifier, at(surface, *points[0]))
    for point in points[1:]:
        QTest.mouseMove(surface, at(surface, *point))
    QTest.mouseRelease(surface, button, Qt.KeyboardModifier.NoModifier, at(surface, *points[-1]))


def ink_at(canvas, x, y):
    return float(canvas.surface.sheet.ink[int(y * SHEET_PX), int(x * SHEET_PX)])


def test_a_mouse_stroke_paints_the_sheet_and_updates_input_and_prediction(open_window, at, qtbot):
    window = open_window("digits")
    canvas = window.canvas
    with qtbot.waitSignal(canvas.prediction_changed, timeout=2000) as signal:
        drag(canvas.surface, at, [(0.5, 0.2), (0.5, 0.5), (0.5, 0.8)])
    assert ink_at(canvas, 0.5, 0.5) == pytest.approx(1.0)
    assert ink_at(canvas, 0.5, 0.21) > 0.9
    assert ink_at(canvas, 0.2, 0.5) == 0.0 and ink_at(canvas, 0.5, 0.95) == 0.0
    width = (canvas.surface.sheet.ink[SHEET_PX // 2] > 0.5).sum()
    assert abs(width - 2 * canvas.surface.radius) <= 2  # the brush is as wide as it says
    probabilities = canvas.predict_now()
    expected_row = mnist_transform(canvas.surface.sheet.image()).reshape(-1)
    np.testing.assert_allclose(canvas.row, expected_row)
    np.testing.assert_allclose(canvas.preview.values, expected_row)
    assert window.selection.input.origin == "your drawing"
    np.testing.assert_allclose(window.selection.input.values, expected_row)
    outputs = window.selection.snapshot.predict_one(expected_row)
    np.testing.assert_allclose(probabilities, outputs, rtol=1e-5)
    assert probabilities.sum() == pytest.approx(1.0)
    assert signal.args[0] is not None and signal.args[0].shape == (10,)
    assert canvas.bars.headline().startswith(str(int(np.argmax(probabilities))))


def test_the_right_button_and_the_toggle_erase(open_window, at):
    canvas = open_window("digits").canvas
    drag(canvas.surface, at, [(0.2, 0.5), (0.8, 0.5)])
    drag(canvas.surface, at, [(0.3, 0.3), (0.3, 0.7)], RIGHT)
    assert ink_at(canvas, 0.3, 0.5) == 0.0 and ink_at(canvas, 0.7, 0.5) == pytest.approx(1.0)
    canvas.erase_button.setChecked(True)
    drag(canvas.surface, at, [(0.7, 0.3), (0.7, 0.7)])
    assert ink_at(canvas, 0.7, 0.5) == 0.0 and ink_at(canvas, 0.5, 0.5) == pytest.approx(1.0)


def test_undo_clear_and_brush_keys_work_while_the_canvas_has_focus(open_window, at, qtbot):
    window = open_window("digits")
    canvas, surface = window.canvas, window.canvas.surface
    drag(surface, at, [(0.5, 0.2), (0.5, 0.8)])
    drag(surface, at, [(0.2, 0.5), (0.8, 0.5)])
    surface.setFocus()
    qtbot.waitUntil(surface.hasFocus)
    QTest.keyClick(surface, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert ink_at(canvas, 0.5, 0.3) == pytest.approx(1.0) and ink_at(canvas, 0.3, 0.5) == 0.0
    radius = surface.radius
    QTest.keyClick(surface, Qt.Key.Key_BracketRight)
    assert surface.radius > radius
    QTest.keyClick(surface, Qt.Key.Key_BracketLeft)
    QTest.keyClick(surface, Qt.Key.Key_BracketLeft)
    assert surface.radius < radius
    QTest.keyClick(surface, Qt.Key.Key_Delete)
    assert canvas.surface.sheet.is_blank
    assert canvas.predict_now() is None and canvas.bars.headline() == "Draw something."
    inspected = window.selection.input  # the drawing is gone (another view may offer a sample instead)
    assert inspected is None or inspected.origin != "your drawing"
    QTest.keyClick(surface, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # a clear can be undone too
    assert ink_at(canvas, 0.5, 0.3) == pytest.approx(1.0)


def test_draw_stroke_interface_and_throttled_prediction(open_window, qtbot):
    canvas = open_window("digits").canvas
    with qtbot.waitSignal(canvas.prediction_changed, timeout=2000):
        canvas.draw_stroke([(0.5, 0.2), (0.5, 0.8)])
    assert canvas.probabilities() is not None and canvas.probabilities().shape == (10,)
    canvas.clear()
    assert canvas.predict_now() is None and canvas.probabilities() is None


def test_the_prediction_follows_new_weights(open_window):
    window = open_window("digits")
    canvas = window.canvas
    canvas.draw_stroke([(0.5, 0.2), (0.5, 0.8)])
    before = canvas.predict_now()
    window.reset_weights()  # a different seed's weights → a different snapshot
    window.panel.seed.setValue(window.panel.seed.value() + 1)
    window.reset_weights()
    after = canvas.predict_now()
    assert not np.allclose(before, after)
    np.testing.assert_allclose(after, window.selection.snapshot.predict_one(canvas.row), rtol=1e-5)


def test_new_weights_reuse_the_drawings_transform_and_a_new_stroke_does_not(open_window, monkeypatch):
    """A scrub or a training update changes only the weights: the drawing's 28×28 row (about 2 ms of the
    ~17 ms a scrub step costs) is not worked out again — yet the probabilities are the new network's."""
    import nnlab.ui.canvas.modes as modes

    window = open_window("digits")
    canvas = window.canvas
    canvas.draw_stroke([(0.3, 0.2), (0.7, 0.2), (0.45, 0.85)])
    canvas.predict_now()
    calls = []
    real = modes.to_model_input
    monkeypatch.setattr(modes, "to_model_input", lambda *a, **k: calls.append(1) or real(*a, **k))
    other = window.selection.snapshot.copy()
    other.initialize(seed=99)
    window.selection.set_snapshot(other)
    probabilities = canvas.predict_now()
    assert calls == []
    np.testing.assert_allclose(probabilities, class_probabilities(other.predict_one(canvas.row))[0], rtol=1e-6)
    canvas.draw_stroke([(0.2, 0.5), (0.8, 0.5)])
    canvas.predict_now()
    assert calls == [1]
