"""``nnlab --smoke`` from source: the same proof of life the bundle gives, and the reasons it gives on failure."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_smoke_from_source_prints_one_line_and_exits_0(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO), "HOME": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)  # --smoke goes offscreen by itself
    env.pop("NNLAB_SETTINGS", None)  # … and keeps its settings in a throw-away file
    result = subprocess.run([sys.executable, "-m", "nnlab", "--smoke"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    (line,) = result.stdout.splitlines()
    assert line.startswith("nnlab smoke ok: nnlab ") and ", offscreen, " in line
    loss = float(line.split("xor 1 epoch loss ")[1].split(",")[0])
    assert 0 < loss < 5
    assert "weights saved+reopened" in line and "stroke -> " in line
    assert not any(tmp_path.iterdir()), "the smoke run left files behind"


@pytest.fixture
def window(qtbot):
    from nnlab.ui.main_window import MainWindow

    window = MainWindow(load_last_dataset=False)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.training.stop()
    window.session.set_dirty(False)


def test_a_missing_canvas_fails_the_smoke_with_its_reason(window):
    from nnlab.ui.smoke import run_smoke

    window.canvas = None
    ok, line = run_smoke(window)
    assert not ok
    assert line.startswith("nnlab smoke FAILED: canvas: not available")
    assert "xor 1 epoch loss" in line and "weights saved+reopened" in line  # the other steps still ran
    assert "\n" not in line


def test_training_that_never_finishes_is_reported_not_waited_for_forever(window, monkeypatch):
    from nnlab.ui import smoke

    monkeypatch.setattr(smoke, "TRAIN_TIMEOUT_S", 0.3)
    start = window.training.start
    monkeypatch.setattr(window.training, "start", lambda trainer, paused=False: start(trainer, paused=True))
    with pytest.raises(smoke.SmokeFailure, match="train: no answer within 0 s"):
        smoke.check_training(window)
    assert window.training.state == "idle"


def test_the_font_check_finds_ink(window):
    from nnlab.ui.smoke import check_font

    assert check_font(window).startswith("font '")
