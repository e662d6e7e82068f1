"""``nnlab predict`` says what the outputs mean by the engine's rules: probabilities sum to 1, raw scores stay raw."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine.network import LayerSpec, Network

REPO = Path(__file__).resolve().parents[2]
CLASSES = ["red", "green", "blue"]
POINT = [0.4, -1.1]


def predict(model: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run([sys.executable, "-m", "nnlab", "predict", str(model), "--input",
                             ",".join(map(str, POINT)), "--json"], env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["predictions"][0]


def three_class_model(path: Path, output: str, loss: str) -> np.ndarray:
    """Saves a 2-4-3 network with the given output; returns its outputs for POINT, (3,) float64."""
    network = Network(2, [LayerSpec(4, "tanh"), LayerSpec(3, output)], dtype=np.float64, init="xavier", seed=3)
    network.biases[1][...] = [0.8, 0.1, -0.6]
    save_model(path, SavedModel(network, loss, CLASSES, (2,)))
    return network.predict_one(np.array(POINT))


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "mse"])
def test_several_sigmoid_units_print_as_probabilities_that_sum_to_1(tmp_path, loss):
    """They printed as the raw sigmoids (here summing to about 1.5) under "probabilities"."""
    sigmoids = three_class_model(tmp_path / "model.npz", "sigmoid", loss)
    assert abs(sigmoids.sum() - 1) > 0.2  # the case that shows the difference
    printed = predict(tmp_path / "model.npz")
    shares = np.array([printed["probabilities"][name] for name in CLASSES])
    np.testing.assert_allclose(shares, sigmoids / sigmoids.sum(), rtol=1e-12)
    assert printed["class"] == CLASSES[int(np.argmax(sigmoids))] and printed["confidence"] == shares.max()


def test_raw_scores_print_as_outputs_with_their_own_values(tmp_path):
    scores = three_class_model(tmp_path / "model.npz", "tanh", "mse")
    printed = predict(tmp_path / "model.npz")
    assert set(printed) == {"input", "class", "outputs"}
    np.testing.assert_allclose([printed["outputs"][name] for name in CLASSES], scores, rtol=1e-12)
    assert printed["class"] == CLASSES[int(np.argmax(scores))]
