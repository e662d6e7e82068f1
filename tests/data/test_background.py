"""Pictures of drawn digits on squared paper: the faint grid and frame go, the digit stays.

Each picture is a real digit (the shipped ``digits`` set) drawn as dark ink on light squared
paper: faint grid lines of a given contrast and spacing, and the frame of a box round the digit,
cropped the way a user crops a photo or a screenshot, saved as PNG (or JPEG) and read back through
``image_io``, then made the model's input by ``to_model_input``. Its "clean version" is the same
crop of the same drawing on plain paper. ``python tests/data/test_background.py`` prints the
accuracy on both, with and without background removal.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest

from nnlab.data import transforms
from nnlab.data.background import dilate, otsu_threshold, remove_background, stroke_half_width, window_counts
from nnlab.data.image_io import read_grey_image, write_grey_png
from nnlab.data.transforms import resize_image, to_model_input
from nnlab.engine import Network

MNIST_NPZ = Path(__file__).resolve().parents[2].parent / "shared" / "mnist" / "mnist.npz"
SCALE = 5  # a 28 px digit drawn 140 px tall: strokes ~10 px wide, like a cropped phone photo
N_PICTURES = 200  # per kind of paper: the first 200 digits of the test split
MARGIN = 0.03  # the lined crops may be read at most 3 points worse than their clean versions


@dataclass(frozen=True)
class Paper:
    line_contrast: float  # how much darker than the paper the grid and frame lines are (ink: ~0.8)
    spacing: int  # grid pitch in pixels; the digit is ~100 px tall
    file_format: str = "png"
    light_on_dark: bool = False
    grid: bool = True  # False: plain paper, only the frame (a screenshot of a drawing in a window)

    def __str__(self) -> str:
        lines = f"lines {self.line_contrast:.2f} darker every {self.spacing} px" if self.grid else \
            f"a frame {self.line_contrast:.2f} darker, no grid"
        return f"{lines}, {self.file_format}{', light on dark' if self.light_on_dark else ''}"


PAPERS = [Paper(0.15, 20), Paper(0.3, 40), Paper(0.4, 70), Paper(0.3, 30, "jpg"), Paper(0.3, 30, light_on_dark=True),
          Paper(0.9, 30, grid=False)]


def squared_paper_picture(digit: np.ndarray, rng: np.random.Generator, paper: Paper,
                          lines: bool = True) -> np.ndarray:
    """A (784,) ink digit → (H, W) grey picture of it on squared paper inside a framed box,
    cropped with a 10–45 % margin on each side, the frame 0–3 px inside the crop. ``lines=False``
    gives the same crop on plain paper (the same random draws are made: they differ only by the
    lines)."""
    ink = np.pad(resize_image(digit.reshape(28, 28), (28 * SCALE, 28 * SCALE)), 60)
    rows, cols = np.flatnonzero(ink.max(axis=1) > 0.3), np.flatnonzero(ink.max(axis=0) > 0.3)
    size = max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1
    top, bottom, left, right = (rng.uniform(0.1, 0.45, 4) * size).astype(int)
    paper_level, darkness = rng.uniform(0.9, 0.99), rng.uniform(0.8, 0.95)
    line_width, inset = int(rng.integers(1, 3)), int(rng.integers(0, 4))
    offset_y, offset_x = rng.integers(0, paper.spacing, 2)
    sheet = np.full(ink.shape, paper_level, np.float32)
    line = paper_level - paper.line_contrast
    if lines and paper.grid:
        for y in range(offset_y, sheet.shape[0], paper.spacing):
            sheet[y:y + line_width] = line
        for x in range(offset_x, sheet.shape[1], paper.spacing):
            sheet[:, x:x + line_width] = line
    picture = sheet * (1.0 - darkness * np.clip(ink, 0.0, 1.0))
    crop = picture[rows[0] - top: rows[-1] + 1 + bottom, cols[0] - left: cols[-1] + 1 + right].copy()
    if lines:  # the box's frame, just inside the crop
        for edge in (crop[inset], crop[-1 - inset], crop[:, inset], crop[:, -1 - inset]):
            np.minimum(edge, line, out=edge)
    crop += rng.normal(0.0, 0.01, crop.shape).astype(np.float32)  # sensor noise
    crop = np.clip(crop, 0.0, 1.0)
    return 1.0 - crop if paper.light_on_dark else crop


def save_and_read(picture: np.ndarray, path: Path) -> np.ndarray:
    """Write the picture as PNG or JPEG (quality 75, as a phone or a screenshot tool might) and
    decode it through the app's own image reader."""
    if path.suffix == ".png":
        write_grey_png(path, picture)
    else:
        from PySide6.QtGui import QImage

        pixels = np.ascontiguousarray(np.rint(picture * 255).astype(np.uint8))
        height, width = pixels.shape
        image = QImage(pixels.tobytes(), width, height, width, QImage.Format.Format_Grayscale8).copy()
        assert image.save(str(path), "JPG", 75)
    return read_grey_image(path)


def model_inputs(x: np.ndarray, paper: Paper, folder: Path, lines: bool = True, seed: int = 0) -> np.ndarray:
    """Rows (n, 784) of digits → the rows the network gets from their pictures on ``paper``."""
    rng = np.random.default_rng(seed)
    rows = np.empty((len(x), 784), np.float32)
    for i, digit in enumerate(x):
        picture = squared_paper_picture(digit, rng, paper, lines)
        picture = save_and_read(picture, folder / f"crop.{paper.file_format}")
        rows[i] = to_model_input(picture, "mnist", (28, 28))
    return rows


def accuracy(network: Network, rows: np.ndarray, y: np.ndarray) -> float:
    return float((network.forward(rows).argmax(axis=1) == y).mean())


def lit_where_only_grid_was(lined: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """Per row, the input pixels lit (> 0.2) in the lined picture's input that lie 2 or more
    pixels from any ink of the clean version's input: what is left of the lines."""
    counts = []
    for with_lines, without in zip(lined.reshape(-1, 28, 28), clean.reshape(-1, 28, 28)):
        counts.append(int(((with_lines > 0.2) & ~dilate(without > 0.05, 1)).sum()))
    return np.array(counts)


# -- the pieces -----------------------------------------------------------------------------------------

def test_otsu_threshold_splits_the_levels():
    two_levels = np.repeat([0.2, 0.8], [30, 70])
    assert 0.2 < otsu_threshold(two_levels) <= 0.8
    faint_lines_and_ink = np.repeat([0.35, 0.4, 0.95, 1.0], [300, 200, 60, 40])  # many faint, few dark
    assert 0.4 < otsu_threshold(faint_lines_and_ink) <= 0.95
    assert otsu_threshold(np.full(10, 0.6)) <= 0.6  # one level: all of it is the upper class


def test_window_counts_and_dilate_match_a_direct_count():
    rng = np.random.default_rng(0)
    for reach in (1, 2, 5, 13):
        mask = rng.random((23, 31)) > 0.9
        padded = np.pad(mask, reach).astype(int)
        side = 2 * reach + 1
        direct = np.array([[padded[i:i + side, j:j + side].sum() for j in range(31)] for i in range(23)])
        assert np.array_equal(window_counts(mask, reach), direct)
        assert np.array_equal(dilate(mask, reach), direct > 0)


def test_stroke_half_width_of_a_bar():
    bar = np.zeros((120, 40), bool)
    bar[10:110, 17:23] = True  # 6 px wide
    assert stroke_half_width(bar) == pytest.approx(3.0, abs=0.2)


# -- what must not change -------------------------------------------------------------------------------

def without_background_removal(monkeypatch, make):
    """Call ``make()`` with background removal switched off: the transform as it was before."""
    with monkeypatch.context() as patch:
        patch.setattr(transforms, "remove_background", lambda ink: ink)
        return make()


def test_canvas_drawings_come_out_exactly_as_before(monkeypatch):
    from nnlab.ui.canvas.ink import SHEET_PX, InkSheet

    rng = np.random.default_rng(3)
    for _ in range(40):
        sheet = InkSheet()
        for _ in range(rng.integers(1, 4)):  # 1–3 strokes of 2–12 points, brush radius 2–30
            points = rng.uniform(0.15, 0.85, (rng.integers(2, 13), 2)) * SHEET_PX
            sheet.draw_stroke([tuple(p) for p in points], rng.uniform(2.0, 30.0))
        new = to_model_input(sheet.image(), "mnist", (28, 28))
        old = without_background_removal(monkeypatch, lambda: to_model_input(sheet.image(), "mnist", (28, 28)))
        assert np.array_equal(new, old)


@pytest.mark.slow
def test_digit_predictions_do_not_change(trained_digits_model, monkeypatch):
    network, test = trained_digits_model
    digits = [test.x[:].reshape(-1, 28, 28)]
    if MNIST_NPZ.exists():  # MNIST's 10,000 test digits too, where ../shared has them
        with np.load(MNIST_NPZ) as data:
            digits.append(data["x_test"])
    for images in digits:
        def inputs(images=images):
            return np.stack([to_model_input(image, "mnist", (28, 28)) for image in images])

        new, old = inputs(), without_background_removal(monkeypatch, inputs)
        assert np.array_equal(network.forward(new).argmax(axis=1), network.forward(old).argmax(axis=1))
        assert (new == old).all(axis=1).mean() > 0.98  # the rest lost a faint speck far from the strokes


# -- squared paper ----------------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("paper", PAPERS, ids=str)
def test_digits_on_squared_paper_are_read_as_well_as_on_plain_paper(paper, trained_digits_model, tmp_path):
    network, test = trained_digits_model
    x, y = test.x[:N_PICTURES], test.y[:N_PICTURES]
    lined = model_inputs(x, paper, tmp_path)
    clean = model_inputs(x, paper, tmp_path, lines=False)
    leftovers = lit_where_only_grid_was(lined, clean)
    lined_accuracy, clean_accuracy = accuracy(network, lined, y), accuracy(network, clean, y)
    print(f"{paper}: lined {lined_accuracy:.3f}, clean {clean_accuracy:.3f}, "
          f"{(leftovers > 0).sum()} of {len(y)} inputs keep a lit pixel of grid")
    assert (leftovers == 0).mean() >= 0.95 and leftovers.max() <= 3
    assert lined_accuracy >= clean_accuracy - MARGIN


# -- almost no ink ----------------------------------------------------------------------------------------

def blank_squared_paper(contrast: float = 0.3, spacing: int = 25) -> np.ndarray:
    picture = np.full((150, 120), 0.95, np.float32)
    picture[7::spacing] = picture[:, 5::spacing] = 0.95 - contrast
    return picture


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("file_format", ["png", "jpg"])
@pytest.mark.parametrize("light_on_dark", [False, True])
def test_blank_squared_paper_gives_an_empty_input(file_format, light_on_dark, tmp_path):
    picture = blank_squared_paper()
    noisy = np.clip(picture + np.random.default_rng(0).normal(0.0, 0.02, picture.shape), 0.0, 1.0)
    for sheet in (picture, noisy):
        sheet = 1.0 - sheet if light_on_dark else sheet
        read = save_and_read(sheet, tmp_path / f"blank.{file_format}")
        assert not to_model_input(read, "mnist", (28, 28)).any()


@pytest.mark.filterwarnings("error")
def test_a_frame_or_a_speck_alone_gives_an_empty_input():
    frame = np.ones((100, 100), np.float32)
    frame[3] = frame[-4] = frame[:, 2] = frame[:, -3] = 0.6
    speck = np.ones((280, 280), np.float32)
    speck[100:103, 200:202] = 0.0  # 3×2 px: a crumb, not a digit
    for picture in (frame, speck, 1.0 - speck):
        assert not to_model_input(picture, "mnist", (28, 28)).any()


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("picture", [np.zeros((1, 1)), np.ones((3, 3)), np.eye(2), np.zeros((1, 500)),
                                     np.full((40, 40), 0.5), np.zeros((0, 0))])
def test_degenerate_pictures_do_not_crash(picture):
    if picture.size == 0:
        with pytest.raises(ValueError, match="empty"):
            to_model_input(picture, "mnist", (28, 28))
        return
    row = to_model_input(picture, "mnist", (28, 28))
    assert row.shape == (784,) and np.isfinite(row).all()


def test_a_single_drawn_line_is_kept():
    one = np.ones((200, 60), np.float32)
    one[:, 28:32] = 0.1  # a 1 cropped tight at top and bottom: one line across the picture
    assert (to_model_input(one, "mnist", (28, 28)) > 0.5).sum() >= 20


def test_remove_background_keeps_a_clean_drawing_and_clears_lines_far_from_it():
    ink = np.zeros((100, 100), np.float32)
    ink[20:80, 45:55] = 1.0  # a bar, 10 px wide
    assert np.array_equal(remove_background(ink), ink)
    lined = ink.copy()
    lined[::20] = np.maximum(lined[::20], 0.3)  # faint grid lines, also through the bar
    lined[:, 5::20] = np.maximum(lined[:, 5::20], 0.3)
    cleared = remove_background(lined)
    assert np.array_equal(cleared[20:80, 45:55], ink[20:80, 45:55])
    assert not cleared[:, :40].any() and not cleared[:, 60:].any() and not cleared[:15].any()


if __name__ == "__main__":
    import sys
    import tempfile
    import time

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, whose conftest trains the model
    from conftest import train_digits_model

    start = time.perf_counter()
    network, test = train_digits_model()
    print(f"digits test split ({len(test.y)} digits) as MNIST draws them: "
          f"{100 * accuracy(network, test.x, test.y):.1f} %")
    with tempfile.TemporaryDirectory() as folder:
        for paper in PAPERS:
            clean = model_inputs(test.x, paper, Path(folder), lines=False)
            lined = model_inputs(test.x, paper, Path(folder))
            print(f"{paper}: on plain paper {100 * accuracy(network, clean, test.y):.1f} %, "
                  f"on this paper {100 * accuracy(network, lined, test.y):.1f} %")
    print(f"({time.perf_counter() - start:.0f} s)")
