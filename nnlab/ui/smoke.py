"""``nnlab --smoke``: prove a build is alive by using it, then print one line.

Any build (from source, the one-folder bundle, the one-file executable) runs the same
checks a person would make in the first minute: the window opens, one epoch trains on
the worker thread, a stroke drawn on the canvas is classified, a weight file is saved
and opened again, and text renders with a real font (a bundle without fonts shows only
boxes). Every step runs even when an earlier one failed, so the line names all failures.
It is given the whole window, unlike a view: it checks the entry point, driving the window's own
commands as a person would.
"""
from __future__ import annotations

import math
import tempfile
import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QFont, QFontInfo, QFontMetrics, QGuiApplication, QImage, QPainter

from nnlab.lab.training_state import TrainingState

TRAIN_TIMEOUT_S = 60.0
STROKE = [(0.5, 0.2), (0.5, 0.8)]  # a "1": one vertical line through the middle


class SmokeFailure(Exception):
    """One step did not do what it should; the message names the step and the reason."""


def wait_for(signal, timeout_s: float):
    """Run the event loop until ``signal`` fires; returns its arguments, or raises on timeout."""
    loop, received = QEventLoop(), []

    def on_signal(*args) -> None:
        received.append(args)
        loop.quit()

    timer = QTimer(singleShot=True, interval=int(timeout_s * 1000))
    timer.timeout.connect(loop.quit)
    signal.connect(on_signal)
    timer.start()
    try:
        loop.exec()
    finally:
        timer.stop()
        signal.disconnect(on_signal)
    if not received:
        raise TimeoutError(f"no answer within {timeout_s:.0f} s")
    return received[0]


def check_training(window) -> str:
    """One epoch of ``xor`` through the window's own Start, on the worker thread."""
    if not window.choose_dataset("xor"):
        raise SmokeFailure("train: the xor dataset did not open")
    window.panel.epochs.setValue(1)
    epochs = []
    window.training.epoch_finished.connect(epochs.append)
    try:
        if not window.start_training():
            raise SmokeFailure("train: Start refused to run")
        if window.training.state == TrainingState.IDLE:
            raise SmokeFailure("train: no worker thread was started")
        (ended,) = wait_for(window.training.finished, TRAIN_TIMEOUT_S)
    except TimeoutError as error:
        window.training.stop()
        raise SmokeFailure(f"train: {error}") from None
    finally:
        window.training.epoch_finished.disconnect(epochs.append)
    if ended.epochs_done != 1 or not epochs or not math.isfinite(epochs[-1].train_loss):
        raise SmokeFailure(f"train: expected one epoch with a finite loss, got {ended.message!r}")
    return f"xor 1 epoch loss {epochs[-1].train_loss:.3f}"


def check_weight_file(window, folder: Path) -> str:
    """Save the trained weights, open the file again, and compare every array."""
    before = [w.copy() for w in window.session.network.weights] + [b.copy() for b in window.session.network.biases]
    path = folder / "smoke.npz"
    if not window.save_to(path):
        raise SmokeFailure(f"weights: could not save {path.name}")
    if not window.open_path(path, ask=False):
        raise SmokeFailure(f"weights: could not open {path.name} again")
    network = window.session.network
    after = list(network.weights) + list(network.biases)
    if len(before) != len(after) or not all(np.array_equal(x, y) for x, y in zip(before, after)):
        raise SmokeFailure("weights: the re-opened file holds different numbers")
    return f"weights saved+reopened ({path.stat().st_size / 1024:.1f} KiB)"


def check_canvas(window) -> str:
    """Draw a stroke on the canvas of an image dataset's (untrained) network and classify it."""
    canvas = getattr(window, "canvas", None)
    if canvas is None or not hasattr(canvas, "draw_stroke"):
        raise SmokeFailure("canvas: not available")
    if not window.choose_dataset("digits"):
        raise SmokeFailure("canvas: the digits dataset did not open")
    if "canvas" in getattr(window, "docks", {}):
        window.docks["canvas"].raise_()  # a screenshot of the smoke run then shows the stroke
    canvas.draw_stroke(STROKE)
    canvas.predict_now()
    probabilities = canvas.probabilities()
    classes = window.session.dataset.classes
    if probabilities is None:
        raise SmokeFailure("canvas: the stroke was not classified")
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.shape != (len(classes),) or not np.all(np.isfinite(probabilities)) \
            or abs(probabilities.sum() - 1.0) > 1e-3:
        raise SmokeFailure(f"canvas: probabilities of shape {probabilities.shape} do not sum to 1")
    best = int(np.argmax(probabilities))
    return f"stroke -> {classes[best]!r} {probabilities[best]:.0%}"


def check_font(window) -> str:
    """A glyph exists and paints ink: without font files every letter is an empty box."""
    font = window.font()
    metrics = QFontMetrics(font)
    if not metrics.inFont("A") or metrics.horizontalAdvance("NN Lab") <= 0:
        raise SmokeFailure(f"font: no glyph for 'A' in {font.family()!r} (no fonts installed?)")
    image = QImage(64, 32, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(QFont(font.family(), 16))
    painter.setPen(QColor("black"))
    painter.drawText(4, 26, "A")
    painter.end()
    ink = sum(1 for y in range(image.height()) for x in range(image.width()) if image.pixelColor(x, y).red() < 128)
    if ink == 0:
        raise SmokeFailure(f"font: 'A' painted no ink with {font.family()!r}")
    return f"font {QFontInfo(font).family()!r}"


def run_smoke(window) -> tuple[bool, str]:
    """Run every check on a shown ``window``; returns (all passed, the one summary line)."""
    from nnlab import __version__

    started = time.perf_counter()
    passed, failures = [], []
    window.questions.ask_save_changes = lambda: "discard"  # never a modal question: nobody is there to answer
    window.questions.show_error = lambda title, error: failures.append(f"{title}: {error}")
    with tempfile.TemporaryDirectory(prefix="nnlab-smoke-") as folder:
        steps = (lambda: check_training(window), lambda: check_weight_file(window, Path(folder)),
                 lambda: check_canvas(window), lambda: check_font(window))
        for step in steps:
            try:
                passed.append(step())
            except SmokeFailure as failure:
                failures.append(str(failure))
            except Exception as error:  # a crash in a step is a finding, not the end of the report
                failures.append(f"{type(error).__name__}: {error}")
        window.training.stop()
        window.session.set_dirty(False)
    platform = QGuiApplication.platformName()
    seconds = time.perf_counter() - started
    if failures:
        return False, f"nnlab smoke FAILED: {'; '.join(failures)} (passed: {', '.join(passed) or 'nothing'})"
    return True, f"nnlab smoke ok: nnlab {__version__}, {platform}, {', '.join(passed)}, {seconds:.1f} s"
