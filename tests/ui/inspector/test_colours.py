"""A weight's sign has one colour everywhere: the editor's lines, the inspector's bars and images."""
import numpy as np
from PySide6.QtGui import QColor, QPalette

from nnlab.ui.inspector.grid_image import GridImage
from nnlab.ui.inspector.weights_view import WeightBars, input_ticks
from nnlab.ui.colours import NEGATIVE, POSITIVE, sign_colours


def test_the_inspector_colours_signs_as_the_editor_does(qtbot):
    light = QPalette()
    light.setColor(QPalette.ColorRole.Window, QColor("#efefef"))
    positive, negative = sign_colours(light)  # what the editor draws its lines with
    bars = WeightBars()
    qtbot.addWidget(bars)
    bars.show_values(np.array([0.5, -0.25]))
    assert [brush.color().name() for brush in bars.bars.opts["brushes"]] == [positive.name(), negative.name()]
    image = GridImage()
    qtbot.addWidget(image)
    ends = image.image.getColorMap().map(np.array([0.0, 1.0]), mode="qcolor")
    assert [colour.name() for colour in ends] == [NEGATIVE, POSITIVE]  # most negative … most positive


def test_inputs_under_the_bars_are_numbered_in_whole_numbers():
    assert input_ticks(2) == [1, 2]
    assert input_ticks(9) == [1, 2, 4, 6, 8]
    assert input_ticks(128) == [1, 20, 40, 60, 80, 100, 120]
    assert all(len(input_ticks(n)) <= 9 for n in range(1, 3000))
