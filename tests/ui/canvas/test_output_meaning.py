"""One meaning of outputs: for the same model and drawing, ``nnlab predict``, the canvas's probability bars and
the inspector give the same class and the same probabilities.

Ten sigmoid units (binary cross-entropy on the digits) are where the copies disagreed: the CLI printed the
ten sigmoids as "probabilities" (summing to about 5) while the canvas showed them as shares summing to 1.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.outputs import class_probabilities

REPO = Path(__file__).resolve().parents[3]
DIGITS = [str(d) for d in range(10)]


def sigmoid_digits_model(path: Path) -> Network:
    network = Network(784, [LayerSpec(16, "relu"), LayerSpec(10, "sigmoid")], seed=7)
    network.biases[1][...] = np.linspace(-1.5, 1.5, 10)  # ten clearly different answers
    save_model(path, SavedModel(network, "binary_cross_entropy", DIGITS, (28, 28), "mnist"))
    return network


def cli_predict(model: Path, row: np.ndarray) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    values = ",".join(repr(float(v)) for v in row)
    result = subprocess.run([sys.executable, "-m", "nnlab", "predict", str(model), "--input", values, "--json"],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["predictions"][0]


def test_the_cli_the_canvas_and_the_inspector_say_the_same(open_window, at, tmp_path):
    window = open_window("digits")
    sigmoid_digits_model(tmp_path / "sigmoids.npz")
    assert window.open_path(tmp_path / "sigmoids.npz", ask=False)
    canvas, surface = window.canvas, window.canvas.surface
    points = [at(surface, x, y) for x, y in [(0.3, 0.25), (0.7, 0.25), (0.45, 0.8)]]
    QTest.mousePress(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        QTest.mouseMove(surface, point)
    QTest.mouseRelease(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])
    bars = canvas.predict_now()
    assert bars is not None and bars.shape == (10,) and abs(bars.sum() - 1) < 1e-9

    printed = cli_predict(tmp_path / "sigmoids.npz", canvas.row)
    cli = np.array([printed["probabilities"][name] for name in DIGITS])
    np.testing.assert_allclose(cli, bars, rtol=1e-6, atol=1e-9)
    top = int(np.argmax(bars))
    assert printed["class"] == DIGITS[top] and printed["confidence"] == cli.max()
    assert canvas.bars.headline() == f"{DIGITS[top]} — {100 * bars[top]:.0f} %"

    inspector = window.inspector  # the drawing is the inspected input; with no label its target is the class
    inspector.tabs.setCurrentWidget(inspector.debugger)
    walk = inspector.debugger.walk
    np.testing.assert_array_equal(walk.x, canvas.row.astype(np.float64))
    assert walk.target.tolist() == np.eye(10)[top].tolist()
    np.testing.assert_allclose(class_probabilities(walk.output)[0], bars, rtol=1e-5)
