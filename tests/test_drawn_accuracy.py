"""Digits drawn like a mouse user draws them must be read about as well as MNIST's own.

Each MNIST test digit is thinned to its centre line, and that line is traced as strokes of the
canvas's round brush on the canvas's own sheet — smaller or larger, off-centre, with a thin or
a fat brush — and then goes through the canvas's path (sheet picture → dataset transform →
network). The accuracy on these drawings must be within 3 points of the accuracy on the clean
test digits of the same model, and a LeNet-style CNN must read at least 97 % of them.
``python tests/test_drawn_accuracy.py`` prints the figures.
"""
from __future__ import annotations

import numpy as np
import pytest

from nnlab.data.builtin import load_builtin
from nnlab.data.splits import split_dataset
from nnlab.data.transforms import resize_image
from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer
from nnlab.ui.canvas.ink import SHEET_PX, InkSheet
from nnlab.ui.canvas.modes import mode_for

UPSAMPLE = 4  # thin the digit at 112×112, so its centre line is smooth enough to trace
_NEIGHBOURS = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]  # P2 … P9, clockwise


def thin(binary: np.ndarray) -> np.ndarray:
    """Zhang–Suen thinning of a (H, W) bool image to a one-pixel-wide centre line."""
    image = np.pad(binary.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = [np.roll(image, (-dy, -dx), axis=(0, 1)) for dy, dx in _NEIGHBOURS]
            count = sum(p)
            ring = p + p[:1]
            transitions = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
            if step == 0:
                gone = (p[0] * p[2] * p[4] == 0) & (p[2] * p[4] * p[6] == 0)
            else:
                gone = (p[0] * p[2] * p[6] == 0) & (p[0] * p[4] * p[6] == 0)
            remove = (image == 1) & (count >= 2) & (count <= 6) & (transitions == 1) & gone
            if remove.any():
                image[remove] = 0
                changed = True
        if not changed:
            return image[1:-1, 1:-1].astype(bool)


def trace_strokes(line: np.ndarray) -> list[list[tuple[int, int]]]:
    """Centre-line pixels → pen strokes, as a hand would draw them: start at a loose end, follow
    the line, lift the pen at a junction or an end; a stroke that meets a pixel already drawn
    (a closed loop) ends there, so the loop is closed."""
    left = {(int(r), int(c)) for r, c in zip(*np.nonzero(line))}
    drawn: set[tuple[int, int]] = set()

    def around(pixel):
        return [(pixel[0] + dy, pixel[1] + dx) for dy, dx in _NEIGHBOURS]

    strokes = []
    while left:
        start = min(left, key=lambda q: (sum(n in left for n in around(q)), q))
        stroke = [start]
        left.discard(start)
        while True:
            here = stroke[-1]
            ahead = [n for n in around(here) if n in left]
            if not ahead:
                earlier = drawn | set(stroke[:-2])
                behind = [n for n in around(here) if n in earlier]
                if behind:
                    stroke.append(behind[0])
                break
            step = min(ahead, key=lambda n: abs(n[0] - here[0]) + abs(n[1] - here[1]))
            stroke.append(step)
            left.discard(step)
        drawn.update(stroke)
        strokes.append(stroke)
    return strokes


def draw_like_a_user(digit: np.ndarray, rng: np.random.Generator, sheet: InkSheet) -> None:
    """Trace one (28, 28) ink digit on ``sheet`` at a random size, place and brush width."""
    big = resize_image(digit, (28 * UPSAMPLE, 28 * UPSAMPLE))
    line = thin(big > 0.5)
    if not line.any():
        line = big >= big.max()
    rows, cols = np.nonzero(line)
    extent = max(rows.max() - rows.min(), cols.max() - cols.min(), 1)
    size = rng.uniform(0.35, 0.85) * SHEET_PX  # the digit's taller side on the sheet
    radius = rng.uniform(5.0, 16.0)
    scale = size / extent
    span_y, span_x = (rows.max() - rows.min()) * scale, (cols.max() - cols.min()) * scale
    margin = radius + 2
    top = rng.uniform(margin, SHEET_PX - margin - span_y)
    left = rng.uniform(margin, SHEET_PX - margin - span_x)
    for stroke in trace_strokes(line):
        points = [(left + (c - cols.min()) * scale, top + (r - rows.min()) * scale) for r, c in stroke]
        sheet.draw_stroke(points, radius)


def drawn_inputs(x: np.ndarray, seed: int) -> np.ndarray:
    """Rows (n, 784) of MNIST ink → rows the canvas path makes from their hand-drawn copies."""
    rng = np.random.default_rng(seed)
    mode = mode_for(load_builtin("digits", n_samples=10))
    rows = np.empty_like(x)
    for i, digit in enumerate(x):
        sheet = InkSheet()
        draw_like_a_user(digit.reshape(28, 28), rng, sheet)
        rows[i] = mode.model_input(sheet.image())
    return rows


def accuracy(network: Network, x: np.ndarray, y: np.ndarray) -> float:
    return float((network.forward(x).argmax(axis=1) == y).mean())


def measure(network: Network, test, seed: int = 1) -> tuple[float, float]:
    """Accuracy on the clean test digits and on their hand-drawn copies."""
    return accuracy(network, test.x, test.y), accuracy(network, drawn_inputs(test.x, seed), test.y)


def draw_sketch(kind: str, rng: np.random.Generator, sheet: InkSheet) -> None:
    """A fresh sketch (``sketch_faces``'s generator) traced with the canvas brush: lines as
    strokes, arcs as many-point strokes, the brush as wide as the sketch's pen."""
    from nnlab.data.sketch_faces import _fit, _sketch

    segments, arcs = _fit(_sketch(kind, rng), rng)
    for x0, y0, x1, y1, width in segments:
        sheet.draw_stroke([(x0 * SHEET_PX, y0 * SHEET_PX), (x1 * SHEET_PX, y1 * SHEET_PX)], width * SHEET_PX / 2)
    for cx, cy, rx, ry, turn, start, sweep, width in arcs:
        t = start + sweep * np.linspace(0.0, 1.0, 48)
        ex, ey = rx * np.cos(t), ry * np.sin(t)
        xs = cx + np.cos(turn) * ex - np.sin(turn) * ey
        ys = cy + np.sin(turn) * ex + np.cos(turn) * ey
        sheet.draw_stroke(list(zip(xs * SHEET_PX, ys * SHEET_PX)), width * SHEET_PX / 2)


def sketch_faces_accuracy(n: int = 300, seed: int = 2024) -> tuple[float, float]:
    """A sketch-faces model's accuracy on its own test split and on n fresh sketches drawn on the canvas."""
    from nnlab.data.sketch_faces import CLASSES, make_sketch_faces

    data = make_sketch_faces(2000, seed=0)
    splits = split_dataset(data, (0.85, 0.0, 0.15), seed=0)
    network = Network(784, [LayerSpec(64, "relu"), LayerSpec(2, "softmax")], seed=0)
    config = TrainConfig(loss="cross_entropy", learning_rate=1e-3, batch_size=32, epochs=15, seed=0)
    for _ in Trainer(network, splits.train.x, splits.train.y, config, n_classes=2).run():
        pass
    mode = mode_for(data)
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 2)
    rows = np.empty((n, 784), np.float32)
    for i, label in enumerate(labels):
        sheet = InkSheet()
        draw_sketch(CLASSES[label], rng, sheet)
        rows[i] = mode.model_input(sheet.image())
    return accuracy(network, splits.test.x, splits.test.y), accuracy(network, rows, labels)


def test_tracing_keeps_every_part_of_a_digit():
    ring = np.zeros((28, 28), np.float32)
    yy, xx = np.mgrid[:28, :28]
    ring[np.abs(np.hypot(yy - 14, xx - 14) - 8) < 1.5] = 1.0
    line = thin(resize_image(ring, (112, 112)) > 0.5)
    strokes = trace_strokes(line)
    assert {p for stroke in strokes for p in stroke} == set(zip(*map(list, np.nonzero(line))))
    assert len(strokes) == 1 and strokes[0][-1] == strokes[0][0]  # one stroke, and the ring is closed


@pytest.fixture(scope="module")
def drawn_test_digits(digits_test_part):
    """The digits test part drawn through the canvas once (~11 s), for the dense network and the CNN."""
    return drawn_inputs(np.asarray(digits_test_part.x), seed=1)


@pytest.mark.slow
def test_drawn_digits_are_read_about_as_well_as_mnist_digits(trained_digits_model, drawn_test_digits):
    network, test = trained_digits_model
    clean, drawn = accuracy(network, test.x, test.y), accuracy(network, drawn_test_digits, test.y)
    print(f"clean test digits {100 * clean:.1f} %, drawn through the canvas {100 * drawn:.1f} %")
    assert clean > 0.9
    assert drawn >= clean - 0.03


def test_the_cnn_is_trained_on_none_of_the_digits_it_is_measured_on(digits_test_part, cnn_training_digits):
    training = cnn_training_digits
    measured = {row.tobytes() for row in np.asarray(digits_test_part.x)}
    assert len(training) == 60_000 - len(measured) == 59_000  # the 1,000 are MNIST training digits, all distinct
    assert not measured & {row.tobytes() for row in np.asarray(training.x)}


@pytest.mark.slow
def test_a_lenet_style_cnn_reads_97_percent_of_drawn_digits(trained_digits_cnn, drawn_test_digits):
    network, test = trained_digits_cnn
    clean, drawn = accuracy(network, test.x, test.y), accuracy(network, drawn_test_digits, test.y)
    print(f"LeNet-style CNN: clean test digits {100 * clean:.1f} %, drawn through the canvas {100 * drawn:.1f} %")
    assert drawn >= 0.97


@pytest.mark.slow
def test_a_sketch_faces_model_reads_fresh_sketches_drawn_on_the_canvas():
    clean, drawn = sketch_faces_accuracy()
    print(f"sketch faces: test split {100 * clean:.1f} %, fresh sketches drawn on the canvas {100 * drawn:.1f} %")
    assert drawn >= 0.95


if __name__ == "__main__":
    import time

    from conftest import train_digits_cnn, train_digits_model  # tests/ is the script's folder

    start = time.perf_counter()
    clean, drawn = measure(*train_digits_model())
    print(f"digits: clean {100 * clean:.1f} %  drawn {100 * drawn:.1f} %  ({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    clean, drawn = measure(*train_digits_cnn())
    print(f"digits, LeNet-style CNN on MNIST: clean {100 * clean:.1f} %  drawn {100 * drawn:.1f} %  "
          f"({time.perf_counter() - start:.1f} s)")
    start = time.perf_counter()
    clean, drawn = sketch_faces_accuracy()
    print(f"sketch faces: test split {100 * clean:.1f} %  drawn {100 * drawn:.1f} %  "
          f"({time.perf_counter() - start:.1f} s)")
