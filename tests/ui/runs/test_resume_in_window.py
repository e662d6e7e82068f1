"""Done means 1 (issue 14): the bit-exact resume through the window, each part in a new process — 2 epochs,
File → Save Session, File → Open Session in a new process, 2 more epochs = 4 epochs straight, bit for bit
(weights and every epoch's numbers), with shuffling, dropout and augmentation."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "resume_in_window.py"


def run(tmp_path, *args) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NNLAB_SETTINGS": str(tmp_path / f"{args[0]}.ini"),
           "PYTHONPATH": str(HERE.parents[2]), "PYTHONFAULTHANDLER": "1"}
    result = subprocess.run([sys.executable, str(SCRIPT), *map(str, args)], env=env, capture_output=True, text=True,
                            timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.slow
def test_two_epochs_saved_and_reopened_in_a_new_process_then_two_more_are_four_straight(tmp_path):
    session = tmp_path / "half.nnlab"
    run(tmp_path, "straight", tmp_path / "straight.npz")
    run(tmp_path, "first", session)
    assert session.is_file()
    run(tmp_path, "second", session, tmp_path / "resumed.npz")
    with np.load(tmp_path / "straight.npz") as straight, np.load(tmp_path / "resumed.npz") as resumed:
        assert resumed["params"].tobytes() == straight["params"].tobytes()
        assert straight["epochs"].shape == (3, 4) and resumed["epochs"].tobytes() == straight["epochs"].tobytes()
        assert resumed["validation"].tobytes() == straight["validation"].tobytes()
        assert int(resumed["runs"]) == 1 and int(resumed["last_epoch"]) == 4  # the reopened run carried on
