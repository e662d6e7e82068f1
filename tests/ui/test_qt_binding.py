"""Guards against a Qt binding that corrupts Python's reference counts.

PySide6 6.12.0's abi3 wheel, on Python 3.11, released one reference to ``None`` on every
call that returns nothing; a live plot makes thousands a second and the app aborted with
"deallocating None" within seconds. pyproject.toml excludes it; this catches any other.
"""
import sys

from PySide6.QtCore import QPointF, QTimer


def test_void_calls_leave_the_refcount_of_none_alone(qtbot):
    timer, point = QTimer(), QPointF()
    before = sys.getrefcount(None)
    for _ in range(2000):
        timer.stop()
        point.setX(1.0)
    assert abs(sys.getrefcount(None) - before) < 50
