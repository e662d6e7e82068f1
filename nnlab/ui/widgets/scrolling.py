"""Dock contents that scroll on a small screen instead of holding the window bigger than the screen."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def scrolled(widget: QWidget, frame: bool = True) -> QScrollArea:
    """``widget`` in a resizable scroll area: tabbed docks share one minimum size, so a tall content
    (the Training panel, the Draw dock) scrolls rather than making every other dock as tall."""
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    if not frame:
        scroll.setFrameShape(QFrame.Shape.NoFrame)
    return scroll


class ScrollWhenSmall(QScrollArea):
    """Shows ``widget`` at the area's full size, and scrolls only when the area is smaller than the
    widget's minimum size (the inspector in a window narrower than its Backprop tab).

    A plain resizable QScrollArea gives a widget with word-wrapped labels its preferred height
    (height-for-width) and so scrolls even where everything fits; the holder hides that.
    """

    def __init__(self, widget: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setWidget(_Holder(widget))


class _Holder(QWidget):
    """A layout-less parent: its size is the scroll area's, never less than the child's minimum."""

    def __init__(self, child: QWidget) -> None:
        super().__init__()
        self.child = child
        child.setParent(self)

    def minimumSizeHint(self) -> QSize:
        return self.child.minimumSizeHint().expandedTo(self.child.minimumSize())

    def sizeHint(self) -> QSize:
        return self.child.sizeHint()

    def resizeEvent(self, event) -> None:
        self.child.setGeometry(self.rect())

    def event(self, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:  # the child's minimum changed (another tab shown)
            self.updateGeometry()
        return super().event(event)
