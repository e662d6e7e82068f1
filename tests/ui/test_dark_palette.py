"""In a dark palette the window is dark and every text reads: the editor without a network is not a black box, its
"… 112 more" labels are not dark on dark, and the inspector's plots are not white boxes.

The palette is the usual Fusion dark recipe, which sets the common roles and leaves PlaceholderText at the light
theme's half-transparent black — as a learner's dark desktop theme may.
"""
import re

import pytest
from PySide6.QtGui import QColor, QPalette


SIZES = [(1280, 800), (1280, 720)]
R = QPalette.ColorRole
DARK_ROLES = {R.Window: "#353535", R.WindowText: "#f0f0f0", R.Base: "#2a2a2a", R.AlternateBase: "#424242",
              R.Text: "#f0f0f0", R.Button: "#353535", R.ButtonText: "#f0f0f0", R.Highlight: "#2a82da",
              R.HighlightedText: "#000000", R.Mid: "#505050", R.Dark: "#232323"}
MIN_CONTRAST = 3.0  # WCAG's floor for large text; the labels here are small, so this is lenient


def luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())


def contrast(a: QColor, b: QColor) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.fixture
def dark(qapp):
    original = qapp.palette()
    palette = QPalette(original)
    for role, colour in DARK_ROLES.items():
        palette.setColor(role, QColor(colour))
    assert palette.color(R.PlaceholderText).lightness() < 128  # the trap: dark placeholder text
    qapp.setPalette(palette)
    yield palette
    qapp.setPalette(original)


@pytest.fixture
def dark_window(make_window, dark):
    """The shared window (tests/ui/conftest.py) on the dark palette."""
    def make(size, dataset: str | None = None):
        return make_window(dataset, size)

    return make


def pixel(widget, x: int, y: int) -> QColor:
    return widget.grab().toImage().pixelColor(x, y)


@pytest.mark.parametrize("size", SIZES)
def test_the_editor_without_a_network_is_the_window_colour_with_readable_words(dark_window, dark, size):
    window = dark_window(size)
    canvas = window.editor.canvas
    assert window.session.network is None and not canvas.columns
    image = canvas.grab().toImage()
    window_colour = dark.color(R.Window)
    assert image.pixelColor(3, 3) == window_colour and image.pixelColor(image.width() - 3, image.height() - 3) \
        == window_colour
    words = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height() // 2 - 30,
                                                                                   image.height() // 2 + 30)]
    assert max(contrast(colour, window_colour) for colour in words) >= MIN_CONTRAST  # the placeholder reads
    window.docks["metrics"].raise_()
    matrix = window.metrics.confusion_view
    matrix.resize(max(matrix.width(), 200), max(matrix.height(), 120))
    image = matrix.grab().toImage()  # "No evaluation yet"
    words = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height() // 2 - 10,
                                                                                   image.height() // 2 + 10)]
    assert max(contrast(colour, window_colour) for colour in words) >= MIN_CONTRAST


@pytest.mark.parametrize("size", SIZES)
def test_the_editors_more_labels_read_on_a_dark_window(dark_window, dark, size):
    window = dark_window(size, "digits")
    canvas = window.editor.canvas
    column = 1  # hidden 1: 128 units, 16 drawn
    assert canvas.columns[column].more_text == "… 112 more"
    geometry = canvas._scene().geometry
    x, y = round(geometry.xs[column]), round(geometry.gaps[column])
    image = canvas.grab().toImage()
    window_colour = dark.color(R.Window)
    label = [image.pixelColor(x + dx, y + dy) for dx in range(-12, 13) for dy in range(-3, 4)]
    assert max(contrast(colour, window_colour) for colour in label) >= MIN_CONTRAST
    legend = window.editor.legend.text()  # under the drawing: its words, and what the shading means
    words = re.match(r"<span style='color:(#[0-9a-f]{6})'>", legend)
    assert words and contrast(QColor(words.group(1)), window_colour) >= MIN_CONTRAST
    assert "neurons: light = high" in legend  # shaded from the dark background towards the light text


@pytest.mark.parametrize("size", SIZES)
def test_the_inspectors_plots_and_weight_pictures_are_drawn_dark(dark_window, dark, qtbot, size):
    window = dark_window(size, "digits")
    window.docks["inspector"].raise_()
    window.inspector.show_tab("neuron")
    window.inspector.refresh()
    view = window.inspector.neuron_view
    window.inspector.finish_stats()
    qtbot.waitUntil(lambda: view.plot.isVisible() and view.weights.image.isVisible(), timeout=2000)
    base = dark.color(R.Base)
    for plot in (view.plot, view.weights.image, view.weights.bars):
        assert plot.backgroundBrush().color() == base
    assert pixel(view.plot, 2, 2) == base and pixel(view.weights.image, 2, 2) == base
    thumbnail = view.top.cells[0].pixmap()
    assert not thumbnail.isNull()
    assert thumbnail.toImage().pixelColor(1, thumbnail.height() - 2) == dark.color(R.Window)  # the caption strip


def test_the_inspector_follows_a_palette_changed_while_it_is_open(dark_window, dark, qapp, qtbot):
    window = dark_window(SIZES[0], "digits")
    window.inspector.show_tab("neuron")
    window.inspector.refresh()
    plot = window.inspector.neuron_view.plot
    assert plot.backgroundBrush().color() == dark.color(R.Base)
    light = QPalette(dark)
    light.setColor(R.Window, QColor("#efefef"))
    light.setColor(R.Base, QColor("#ffffff"))
    light.setColor(R.Text, QColor("#000000"))
    qapp.setPalette(light)
    qtbot.waitUntil(lambda: plot.backgroundBrush().color() == QColor("#ffffff"), timeout=2000)
