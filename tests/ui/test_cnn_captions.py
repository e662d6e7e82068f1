"""The CNN picture's captions and tiles keep apart: at 1280×720 the LeNet-style template's "maxpool2" and
"flatten" were written over each other (the flatten's column was narrower than its own word), and the flow
arrows ran into the tiles. Every caption is measured as written: its text's width, centred on its column."""
import itertools

import pytest

from nnlab.engine.layers import ConvSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network
from nnlab.ui.editor.conv_canvas import ConvCanvas
from nnlab.ui.editor.conv_layout import conv_columns

LENET = [ConvSpec(8, 5), PoolSpec(2), ConvSpec(16, 5), PoolSpec(2), LayerSpec(64, "relu"), LayerSpec(10, "softmax")]
MIN_APART = 2.0  # px of air between two columns' captions


@pytest.fixture
def window_size():
    return (1280, 720)


@pytest.fixture
def window_dataset():
    return "digits"


def written_spans(canvas) -> list[list[tuple[float, float, float]]]:
    """Per column, each caption line's (left, right, top) as the text is written: centred on its column."""
    geometry, captions = canvas.geometry_now()
    metrics, line = canvas.fontMetrics(), canvas.fontMetrics().height()
    return [[(x - metrics.horizontalAdvance(text) / 2, x + metrics.horizontalAdvance(text) / 2,
              geometry.label_top + row * line) for row, (text, _) in enumerate(lines)]
            for x, lines in zip(geometry.xs, captions)]


def assert_captions_apart(canvas) -> None:
    spans = written_spans(canvas)
    for (a, first), (b, second) in itertools.combinations(enumerate(spans), 2):
        for (left1, right1, top1), (left2, right2, top2) in itertools.product(first, second):
            if top1 == top2:
                assert right1 + MIN_APART <= left2 or right2 + MIN_APART <= left1, (a, b, canvas.geometry_now()[1])
    drawn = canvas.caption_rects()  # what paintEvent writes into: the same places
    for column, rects in zip(spans, drawn):
        for (left, right, top), rect in zip(column, rects):
            assert (rect.left(), rect.right(), rect.top()) == pytest.approx((left, right, top))


def test_the_lenet_templates_captions_do_not_meet_at_1280x720(window, qtbot):
    window.editor.toolbar.template_actions["LeNet-style digits"].trigger()
    canvas = window.editor.conv_canvas
    qtbot.waitUntil(canvas.isVisible)
    assert 400 <= canvas.width() <= 560  # the editor's share of a 1280-px window
    captions = [[text for text, _ in lines] for lines in canvas.geometry_now()[1]]
    assert captions[2][0] == captions[4][0] == "maxpool2" and captions[5][0] == "flatten"  # whole, not "maxpo…"
    assert not any("…" in text for lines in captions for text in lines), captions
    assert_captions_apart(canvas)


@pytest.mark.parametrize("width", [320, 400, 470, 560, 760, 1000])
def test_captions_and_tiles_keep_apart_at_any_width(qtbot, width):
    canvas = ConvCanvas()
    qtbot.addWidget(canvas)
    canvas.set_columns(conv_columns(Network((28, 28), LENET), [str(digit) for digit in range(10)]))
    canvas.resize(width, 260)
    assert_captions_apart(canvas)
    geometry = canvas.geometry_now()[0]
    for x, cell, grid in zip(geometry.xs, geometry.cells, geometry.grids):
        if grid is not None:  # tiles stay clear of the arrows across the column's edges (5 px into it)
            assert grid.lefts.min() >= x - cell / 2 + 5 and grid.lefts.max() + grid.width <= x + cell / 2 - 5
