"""The Feature map tab's 5×5 kernel at 1280×720: neighbouring numbers keep a visible gap ("−0.19−0.31" read as one
number: ~33-px numbers in ~35-px cells). Measured as drawn: each label's font, the cell's size on screen."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

MIN_GAP_PX = 3.0  # about a space at the smallest label font (6 pt): the numbers read apart


@pytest.fixture
def window_size():
    return (1280, 720)


def test_the_kernels_numbers_keep_apart_at_1280x720(lenet_window, qtbot):
    window = lenet_window
    canvas = window.editor.conv_canvas
    qtbot.waitUntil(canvas.has_shading)
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.pixel_point(1, 3, 14, 12).toPoint())
    kernel = window.inspector.feature_view.kernel_image
    qtbot.waitUntil(lambda: kernel.isVisible() and kernel.width() > 0)
    cell = 1.0 / kernel.getPlotItem().vb.viewPixelSize()[0]
    assert 20 < cell < 60, cell  # the 5×5 kernel as the tab lays it out at this size
    texts = [label.toPlainText() for label in kernel._labels]
    assert len(texts) == 25 and any(text.startswith("\u2212") for text in texts)
    widths = [QFontMetricsF(label.textItem.font()).horizontalAdvance(label.toPlainText()) for label in kernel._labels]
    assert cell - max(widths) >= MIN_GAP_PX, (cell, max(widths), texts)
