"""The window opens inside the screen's free area: at its default size on a 1280×720 screen, and with a
geometry saved on a bigger monitor (it used to open 1280×800 there, the status bar off the bottom)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect

from nnlab.ui import screen_fit
from nnlab.ui.main_window import MainWindow
from nnlab.ui.settings import Settings

REPO = Path(__file__).resolve().parents[2]
SMALL = QRect(0, 0, 1280, 720)


def open_window(qtbot, settings: Settings) -> MainWindow:
    window = MainWindow(settings=settings, load_last_dataset=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def assert_inside(window, area: QRect) -> None:
    frame = window.frameGeometry()
    assert area.contains(frame), f"window {frame.getRect()} is not inside the free area {area.getRect()}"


def test_the_default_size_shrinks_to_a_small_screen(qtbot, monkeypatch, tmp_path):
    monkeypatch.setattr(screen_fit, "available_area", lambda _window: SMALL)
    window = open_window(qtbot, Settings(tmp_path / "s.ini"))
    assert window.frameGeometry().size().toTuple() == (1280, 720)  # the whole free area, frame included
    assert_inside(window, SMALL)


def test_a_geometry_saved_on_a_bigger_screen_is_brought_inside(qtbot, monkeypatch, tmp_path):
    settings = Settings(tmp_path / "s.ini")
    big = open_window(qtbot, settings)
    big.setGeometry(300, 200, 1700, 1050)  # as on a 1920×1200 monitor
    big.close()
    assert settings.get("geometry")
    monkeypatch.setattr(screen_fit, "available_area", lambda _window: SMALL)
    window = open_window(qtbot, Settings(tmp_path / "s.ini"))
    assert_inside(window, SMALL)


def test_a_size_set_before_showing_is_kept(qtbot, monkeypatch, tmp_path):
    """The screenshot scripts size the window themselves on a small offscreen screen."""
    monkeypatch.setattr(screen_fit, "available_area", lambda _window: SMALL)
    window = MainWindow(settings=Settings(tmp_path / "s.ini"), load_last_dataset=False)
    qtbot.addWidget(window)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    assert window.size().toTuple() == (1440, 900)


def test_a_window_that_fits_keeps_its_size_and_place(qtbot, tmp_path):
    settings = Settings(tmp_path / "s.ini")
    first = open_window(qtbot, settings)
    first.setGeometry(40, 30, 1100, 700)
    first.close()
    window = open_window(qtbot, Settings(tmp_path / "s.ini"))
    assert window.geometry().getRect() == (40, 30, 1100, 700)


OPEN_AND_REPORT = """
import json, sys
from PySide6.QtWidgets import QApplication
from nnlab.ui.main_window import MainWindow
from nnlab.ui.settings import Settings
app = QApplication([])
window = MainWindow(settings=Settings(sys.argv[1]), load_last_dataset=False)
window.show()
app.processEvents()
if len(sys.argv) > 2:  # the geometry a learner left the window in on this screen
    window.setGeometry(*map(int, sys.argv[2].split(",")))
    app.processEvents()
print(json.dumps({"frame": window.frameGeometry().getRect(), "geometry": window.geometry().getRect(),
                  "area": app.primaryScreen().availableGeometry().getRect()}))
window.close()
"""


def run_on_screen(tmp_path, width: int, height: int, *args: str) -> dict:
    """Open the window in its own process on an offscreen screen of this size; its frame and the free area."""
    screen = tmp_path / f"screen-{width}x{height}.json"
    screen.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {**os.environ, "QT_QPA_PLATFORM": f"offscreen:configfile={screen}",
           "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", OPEN_AND_REPORT, *args], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(any(c in str(REPO) for c in ":,"), reason="Qt cannot take this path in QT_QPA_PLATFORM")
def test_on_a_real_1280x720_screen_the_window_fits_fresh_and_restored(tmp_path):
    fresh = run_on_screen(tmp_path, 1280, 720, str(tmp_path / "fresh.ini"))
    assert QRect(*fresh["area"]).contains(QRect(*fresh["frame"])), fresh
    saved = str(tmp_path / "saved.ini")
    big = run_on_screen(tmp_path, 1920, 1200, saved, "200,150,1700,1000")
    assert big["geometry"] == [200, 150, 1700, 1000]
    restored = run_on_screen(tmp_path, 1280, 720, saved)
    assert QRect(*restored["area"]).contains(QRect(*restored["frame"])), restored
