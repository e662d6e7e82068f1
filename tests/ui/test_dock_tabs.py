"""One tab bar per group of tabbed docks, on first launch and with a restored layout.

Qt replaces a group's tab bar while it lays the docks out and deletes the old one later, in the event
loop: a script that only calls processEvents() still sees the old one, a running window does not.
"""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabBar

from nnlab.ui.main_window import MainWindow
from nnlab.ui.settings import Settings


def visible_tab_bars(window) -> list[tuple[str, ...]]:
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return sorted(tuple(bar.tabText(i) for i in range(bar.count())) for bar in bars if bar.isVisible())


def open_window(qtbot, settings_path):
    window = MainWindow(settings=Settings(settings_path), load_last_dataset=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.resize(1400, 900)  # a learner resizing the window: the layout runs again
    qtbot.wait(50)
    return window


def test_one_tab_bar_per_tabbed_dock_group_on_first_and_later_launches(qtbot, tmp_path):
    first = open_window(qtbot, tmp_path / "layout.ini")
    assert visible_tab_bars(first) == [("Curves", "Metrics"), ("Inspector", "Runs"), ("Training", "Draw")]
    first.docks["canvas"].raise_()
    first.choose_dataset("xor")
    qtbot.wait(50)
    assert visible_tab_bars(first) == [("Curves", "Metrics"), ("Inspector", "Runs"), ("Training", "Draw")]
    first.session.set_dirty(False)
    first.close()  # saves the layout, which the next window restores
    again = open_window(qtbot, tmp_path / "layout.ini")
    assert visible_tab_bars(again) == [("Curves", "Metrics"), ("Inspector", "Runs"), ("Training", "Draw")]
    again.close()
