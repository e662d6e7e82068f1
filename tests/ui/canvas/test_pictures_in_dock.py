"""An opened picture reaches the network whole, exactly as ``nnlab predict model.npz picture.png`` gives it, and a
picture with nothing drawn on it gets no class.

The Draw dock used to crop a picture square before the transform: a tall digit lost its top and bottom, a wide
one its sides, and the same crops were read worse in the dock (92.9 %) than by ``nnlab predict`` (94.1 %).
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt

from nnlab.data.dataset import Dataset
from nnlab.data.image_io import read_grey_image, write_grey_png
from nnlab.data.transforms import resize_transform, to_model_input
from nnlab.engine.outputs import class_probabilities

REPO = Path(__file__).resolve().parents[3]
SIZES = [(1280, 800), (1280, 720)]


def tall_one() -> np.ndarray:
    """A dark '1' with a flag and a foot on light paper, 200×70: a square crop keeps only its middle."""
    picture = np.full((200, 70), 0.9, np.float32)
    picture[15:185, 31:39] = 0.1  # the stem, 170 px tall
    for step in range(20):  # the flag, down to the left from the top
        picture[15 + step, 31 - step: 35 - step] = 0.1
    picture[178:186, 18:52] = 0.1  # the foot
    return picture


def wide_seven() -> np.ndarray:
    """A dark '7' in the left third of a 70×200 picture: a centred square crop keeps only the bar's end."""
    picture = np.full((70, 200), 0.9, np.float32)
    picture[8:15, 10:62] = 0.1
    for row in range(15, 64):
        col = 60 - (row - 15) // 2
        picture[row, col - 4: col + 3] = 0.1
    return picture


def blank_squared_paper() -> np.ndarray:
    """Squared paper with nothing drawn on it: the grid goes with the background and no ink is left."""
    picture = np.full((150, 120), 0.95, np.float32)
    picture[7::25] = picture[:, 5::25] = 0.65
    return picture


def open_picture(canvas, monkeypatch, path: Path) -> None:
    monkeypatch.setattr(canvas, "_ask_image_path", lambda: str(path))
    canvas.open_image()


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("picture", [tall_one, wide_seven])
def test_an_opened_picture_reaches_the_network_as_nnlab_predict_gives_it(open_window, tmp_path, monkeypatch, size,
                                                                         picture):
    window = open_window("digits")
    window.resize(*size)
    canvas = window.canvas
    path = tmp_path / f"{picture.__name__}.png"
    write_grey_png(path, picture())
    open_picture(canvas, monkeypatch, path)
    cli_row = to_model_input(read_grey_image(path), "mnist", (28, 28))  # what `nnlab predict` computes
    np.testing.assert_array_equal(canvas.row, cli_row)
    np.testing.assert_array_equal(canvas.preview.values, cli_row)
    np.testing.assert_array_equal(window.selection.input.values, cli_row)
    expected = class_probabilities(window.selection.snapshot.predict_one(cli_row))[0]
    np.testing.assert_allclose(canvas.probabilities(), expected, rtol=1e-12)
    rows, cols = np.flatnonzero(cli_row.reshape(28, 28).max(axis=1) > 0.5), \
        np.flatnonzero(cli_row.reshape(28, 28).max(axis=0) > 0.5)
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 >= 19  # the whole digit, its longer side 20 px


def test_the_dock_and_nnlab_predict_give_the_same_probabilities_for_the_same_files(open_window, tmp_path,
                                                                                     monkeypatch):
    window = open_window("digits")
    canvas = window.canvas
    window.session.save(tmp_path / "digits.npz")
    paths = [tmp_path / "tall.png", tmp_path / "wide.png"]
    for path, picture in zip(paths, (tall_one, wide_seven)):
        write_grey_png(path, picture())
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "nnlab", "predict", str(tmp_path / "digits.npz"),
                             *map(str, paths), "--json"], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)["predictions"]
    classes = list(window.session.dataset.classes)
    for path, cli in zip(paths, printed):
        open_picture(canvas, monkeypatch, path)
        dock = canvas.probabilities()
        np.testing.assert_allclose([cli["probabilities"][name] for name in classes], dock, rtol=1e-6, atol=1e-9)
        assert cli["class"] == classes[int(np.argmax(dock))]


@pytest.mark.parametrize("size", SIZES)
def test_a_picture_with_nothing_drawn_gets_no_class(open_window, tmp_path, monkeypatch, qtbot, size):
    window = open_window("digits")
    window.resize(*size)
    canvas = window.canvas
    path = tmp_path / "blank.png"
    write_grey_png(path, blank_squared_paper())
    with qtbot.waitSignal(canvas.prediction_changed, timeout=2000) as published:
        open_picture(canvas, monkeypatch, path)
    assert published.args == [None] and canvas.probabilities() is None
    assert canvas.bars.headline() == "No drawing found in this picture."
    bars = canvas.bars  # the sentence fits the side column, wrapped, above the empty bars
    needed = bars.fontMetrics().boundingRect(QRect(0, 0, bars.width(), 1000), Qt.TextFlag.TextWordWrap,
                                             bars.headline())
    assert needed.width() <= bars.width() and needed.height() <= bars.head_px()
    assert bars.head_px() + len(bars.classes) * bars.row_px() + 2 <= bars.height()  # and the rows under it
    assert not canvas.row.any()  # the network would see nothing: the preview shows that
    assert not canvas.add_sample(3)
    assert canvas.message_label.text() == "No drawing found in this picture." and canvas.gallery.samples == []


def test_a_picture_goes_in_as_it_is_for_a_set_of_light_strokes_on_dark(open_window, tmp_path, monkeypatch):
    """The paper is inverted for such a set (its ink is light); an opened picture is not, as in `nnlab predict`."""
    rng = np.random.default_rng(0)
    dark = rng.uniform(0.0, 0.3, (20, 12 * 16)).astype(np.float32)
    window = open_window("digits")
    window.session.load_dataset(Dataset("mine", dark, np.arange(20) % 2, ["a", "b"], (12, 16), "resize"))
    canvas = window.canvas
    assert canvas.mode.light_ink
    path = tmp_path / "light-on-dark.png"
    write_grey_png(path, 1.0 - wide_seven())
    open_picture(canvas, monkeypatch, path)
    np.testing.assert_array_equal(canvas.row, resize_transform(read_grey_image(path), (12, 16)).reshape(-1))
