"""The real entry point, in a fresh interpreter: `nnlab` opens its window and closes cleanly."""
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_nnlab_opens_the_window(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NNLAB_SETTINGS": str(tmp_path / "s.ini"),
           "PYTHONPATH": str(REPO)}
    started = time.time()
    result = subprocess.run([sys.executable, "-m", "nnlab", "--startup-probe"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    word, shown = result.stdout.split()
    assert word == "shown" and started < float(shown) < time.time()
    assert "Traceback" not in result.stderr
