"""The Feature map tab's kernel: at 1280×720, where its cells shrink to ~35 px, no two numbers touch."""
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QFontMetricsF

from nnlab.lab.selection import FeatureRef

GAP_PX = 3


@pytest.fixture
def window_dataset():
    return "digits"


def test_neighbouring_kernel_numbers_keep_a_gap_at_1280_by_720(window, qtbot):
    window.resize(1280, 720)
    assert window.editor.apply_template("LeNet-style digits")
    window.inspector.inspect_sample()
    window.selection.select_feature(FeatureRef(1, 0, 14, 14))
    qtbot.wait(50)
    image = window.inspector.feature_view.kernel_image
    box = image.getPlotItem().vb
    cell = box.mapViewToScene(QPointF(1, 0)).x() - box.mapViewToScene(QPointF(0, 0)).x()
    widths = [QFontMetricsF(label.textItem.font()).horizontalAdvance(label.toPlainText()) for label in image._labels]
    assert len(widths) == 25 and cell < 45  # the cramped case this is about
    assert max(widths) + GAP_PX <= cell, f"a {max(widths):.0f} px number in a {cell:.0f} px cell"
