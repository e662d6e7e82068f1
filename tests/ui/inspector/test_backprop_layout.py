"""The Backprop tab's key numbers are in view, unscrolled, on a 1280×800 and a 1280×720 window.

The lesson's numbers (δ = −0.438, ∂L/∂w = −0.311, w = 0.8 − 0.01 × (−0.311) = 0.80311, and their
central-difference checks) used to sit at the bottom of a squeezed side column, cut off even when scrolled.
"""
import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel

# (what the number is, the pieces of text that show it) for the dog/cat lesson, at the update stage
KEY_NUMBERS = (
    ("δ of the output neuron", ("δ₁ = 0.562 − 1 = −0.438",)),
    ("δ's central-difference check", ("central difference", "−0.438")),
    ("∂L/∂w", ("= −0.438 × 0.71 = −0.311",)),
    ("∂L/∂w's central-difference check", ("central difference", "−0.311")),
    ("the update and the new w", ("w = 0.8 − 0.01 × (−0.311) = 0.80311",)),
)


def unclipped_in(window, widget) -> str | None:
    """Why ``widget`` cannot be read where it is, or None: every ancestor up to the window
    (scroll-area viewports included) holds its whole rectangle, and its text fits its height."""
    if not widget.isVisible() or widget.width() <= 0 or widget.height() <= 0:
        return "hidden or empty"
    ancestor = widget.parentWidget()
    while ancestor is not None:
        rect = QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())
        if not ancestor.rect().contains(rect):
            return f"outside {type(ancestor).__name__} {ancestor.rect().getRect()}: {rect.getRect()}"
        if ancestor is window:
            break
        ancestor = ancestor.parentWidget()
    if isinstance(widget, QLabel) and widget.wordWrap() and widget.heightForWidth(widget.width()) > widget.height():
        return f"text needs {widget.heightForWidth(widget.width())} px, has {widget.height()}"
    return None


@pytest.mark.parametrize("size", [(1280, 800), (1280, 720)])
def test_key_numbers_are_in_view_without_scrolling(window, lesson, qtbot, size):
    window.resize(*size)
    inspector = lesson("04-dog-cat")
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    qtbot.wait(50)
    assert window.size().toTuple() == size
    labels = debugger.findChildren(QLabel)
    for what, pieces in KEY_NUMBERS:
        showing = [label for label in labels if all(piece in label.text() for piece in pieces)]
        assert showing, f"no label shows {what} {pieces}"
        problems = [unclipped_in(window, label) for label in showing]
        assert None in problems, f"{what} {pieces} is not in view: {problems}"


def test_key_numbers_follow_the_stage_and_the_chosen_weight(window, lesson, qtbot):
    window.resize(1280, 720)
    inspector = lesson("04-dog-cat")
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(0)
    assert debugger.key_delta.text() == "step backward to layer 2"
    assert debugger.key_update.text() == f"step to the update (stage {len(debugger.stages)})"
    debugger.go_to(len(debugger.stages) - 1)
    debugger.source.setValue(2)  # the weight from hidden unit 2 (a = 0.44) into "dog"
    gradient = debugger.walk.weight_gradient(1, 1, 0)
    assert gradient == pytest.approx(-0.438 * 0.44, abs=5e-4)
    assert debugger.key_gradient.text().endswith("× 0.44 = −0.193")
    assert debugger.key_update.text() == "w = 0.6 − 0.01 × (−0.193) = 0.60193"
    assert debugger.key_gradient.toolTip().endswith(repr(gradient).replace("-", "−"))  # every digit on hover
    assert unclipped_in(window, debugger.key_update) is None
