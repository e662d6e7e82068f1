"""``nnlab predict`` says what the outputs mean by the engine's rules: probabilities sum to 1, raw scores stay raw."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.cli.reports import class_names, predicted_classes, print_predictions
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


@pytest.mark.parametrize("classes, named", [(["cat", "dog"], "dog"), (["dog"], "dog")],
                         ids=["two classes", "one class and its absence"])
def test_one_unit_of_raw_score_is_named_by_class_1(classes, named, capsys):
    """A tanh unit trained with mse answers class 1 above 0.5; its score was filed under class 0 for two
    classes ("dog   [outputs: cat 0.8]")."""
    outputs = np.array([[0.8], [0.1]])
    predictions = predicted_classes(classes, ["a.png", "b.png"], outputs, is_probability=False)
    assert [item["outputs"] for item in predictions] == [{named: 0.8}, {named: 0.1}]
    assert [item["class"] for item in predictions] == [named, class_names(classes, 1)[0]]
    print_predictions(predictions)
    assert capsys.readouterr().out.splitlines()[0] == f"a.png: {named}   [outputs: {named} 0.8]"


def test_one_sigmoid_unit_still_prints_both_probabilities():
    predictions = predicted_classes(["cat", "dog"], ["a.png"], np.array([[0.8]]), is_probability=True)
    assert predictions[0]["probabilities"] == {"cat": pytest.approx(0.2), "dog": 0.8}
    assert predictions[0]["class"] == "dog" and predictions[0]["confidence"] == 0.8
