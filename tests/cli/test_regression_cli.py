"""Regression on the command line (issue 12, A1), one-unit cross-entropy refused (A2), and the
flags that used to be silent or surprising (C13): evaluate's default dataset, train's default
output file, one width limit for the CLI and the window."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.experiment import open_dataset
from nnlab.data.splits import split_dataset
from nnlab.data.weights_file import SavedModel, load_model, save_model
from nnlab.engine import LayerSpec, Network, evaluate
from nnlab.engine.reshape import MAX_HIDDEN_UNITS

REPO = Path(__file__).resolve().parents[2]
CURVE_RUN = ("--layers", "8,8", "--activation", "tanh", "--lr", "0.03", "--batch-size", "16", "--epochs", "100",
             "--seed", "3")


def nnlab(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "nnlab", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def one_error_line(result) -> str:
    lines = [line for line in result.stderr.splitlines() if line.strip() and "batch/s" not in line]
    assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    return lines[0]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("regression-cli")


@pytest.fixture(scope="module")
def curve_model(workdir):
    """The built-in regression set, trained with the window's suggested settings and no --out."""
    result = nnlab("train", "--dataset", "curve", *CURVE_RUN, cwd=workdir)
    assert result.returncode == 0, result.stderr
    return workdir / "curve-model.npz", result


def test_predict_prints_a_regressors_value_by_its_outputs_name(tmp_path):
    """A1: a one-output linear model whose output is above 0.5 ended in IndexError (model.classes[1])."""
    network = Network(1, [LayerSpec(1, "linear")])
    network.weights[0][...] = 2.0
    save_model(tmp_path / "doubler.npz", SavedModel(network, "mse", ["price"], (1,)))
    text = nnlab("predict", "doubler.npz", "--input", "0.4", cwd=tmp_path)
    assert text.returncode == 0, text.stderr
    assert text.stdout == "--input: price = 0.8\n"
    (prediction,) = json.loads(nnlab("predict", "doubler.npz", "--input", "3", "--json", cwd=tmp_path).stdout)[
        "predictions"]
    assert prediction == {"input": "--input", "outputs": {"price": 6.0}}


def test_a_single_sigmoid_output_stays_a_binary_classifier(tmp_path):
    network = Network(1, [LayerSpec(1, "sigmoid")])
    network.weights[0][...] = 10.0
    save_model(tmp_path / "gate.npz", SavedModel(network, "binary_cross_entropy", ["off", "on"], (1,)))
    (prediction,) = json.loads(nnlab("predict", "gate.npz", "--input", "1", "--json", cwd=tmp_path).stdout)[
        "predictions"]
    assert prediction["class"] == "on" and prediction["probabilities"]["on"] == pytest.approx(1 / (1 + np.exp(-10)))


def test_train_without_out_saves_under_a_default_name_and_says_where(curve_model, workdir):
    path, result = curve_model
    assert path.is_file()
    assert result.stdout.splitlines()[-1] == "saved curve-model.npz (no --out given: the default name)"
    again = nnlab("train", "--dataset", "curve", "--epochs", "1", "--json", cwd=workdir)
    assert json.loads(again.stdout)["saved_to"] == "curve-model-2.npz"  # the first file is never overwritten
    assert load_model(path).network.sizes == [1, 8, 8, 1]


def test_train_reports_mse_mae_and_r2_for_a_regression_set(curve_model):
    _, result = curve_model
    final = result.stdout.splitlines()[0]
    assert "accuracy" not in final
    test_part = final.split("test ")[1]
    mae, r2 = float(test_part.split("MAE ")[1].split()[0]), float(test_part.split("R² ")[1])
    noise_floor = 0.1 * np.sqrt(2 / np.pi)  # E|noise| for the curve's Gaussian noise of std 0.1
    assert r2 > 0.85 and mae < 1.5 * noise_floor, final  # the 8-8 tanh network fits the wave down to its noise
    assert "MSE" in test_part


def test_evaluate_defaults_to_the_builtin_the_model_was_trained_on(curve_model, workdir):
    """C13: no --dataset needed; the test part of the recorded split, numbers as the engine gives them."""
    path, _ = curve_model
    report = nnlab("evaluate", path.name, "--json", cwd=workdir)
    assert report.returncode == 0, report.stderr
    report = json.loads(report.stdout)
    test = split_dataset(open_dataset("curve", seed=3), (0.70, 0.15, 0.15), seed=3).test
    model = load_model(path)
    expected = evaluate(model.network, test.x, test.targets, "mse", 1)
    assert report["dataset"] == "curve" and report["part"] == "test" and report["task"] == "regression"
    assert report["samples"] == len(test) == 30
    for key in ("mse", "mae", "r2", "loss"):
        assert report[key] == pytest.approx(getattr(expected, key), rel=1e-6)
    assert report["per_output"]["y"]["r2"] == pytest.approx(expected.r2, rel=1e-6)
    assert "accuracy" not in report and "confusion_matrix" not in report
    text = nnlab("evaluate", path.name, cwd=workdir).stdout.splitlines()
    assert text[0] == (f"curve (test, 30 samples): loss {expected.loss:.4g}, MSE {expected.mse:.4g}, "
                       f"MAE {expected.mae:.4g}, R² {expected.r2:.3f}")
    assert text[1].split() == ["output", "MSE", "MAE", "R²"] and text[2].split()[0] == "y"
    assert len(text) == 3  # no confusion matrix


def test_evaluate_without_a_recorded_builtin_asks_for_dataset(tmp_path):
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "points.npz", x=rng.normal(size=(60, 2)), y=rng.integers(0, 2, 60))
    trained = nnlab("train", "--dataset", "points.npz", "--layers", "4", "--epochs", "1", "--out", "m.npz",
                    cwd=tmp_path)
    assert trained.returncode == 0, trained.stderr
    line = one_error_line(nnlab("evaluate", "m.npz", cwd=tmp_path))
    assert "m.npz names no built-in dataset" in line and "'points.npz'" in line and "give --dataset" in line
    assert nnlab("evaluate", "m.npz", "--dataset", "points.npz", cwd=tmp_path).returncode == 0
    bare = Network(2, [LayerSpec(2, "softmax")])
    save_model(tmp_path / "bare.npz", SavedModel(bare, "cross_entropy", ["a", "b"], (2,)))
    line = one_error_line(nnlab("evaluate", "bare.npz", cwd=tmp_path))
    assert "does not say what it was trained on" in line and "give --dataset" in line


def test_a_classifier_is_not_evaluated_on_numbers(tmp_path):
    network = Network(1, [LayerSpec(1, "sigmoid")])
    save_model(tmp_path / "gate.npz", SavedModel(network, "binary_cross_entropy", ["no", "yes"], (1,)))
    line = one_error_line(nnlab("evaluate", "gate.npz", "--dataset", "curve", cwd=tmp_path))
    assert "'curve' holds numbers to predict but the model is a classifier" in line


def write_one_unit_softmax(path: Path) -> None:
    """A weight file as another program might write it: one softmax unit trained with cross-entropy."""
    meta = {"format": "nnlab-weights", "version": 1, "input_shape": [3], "loss": "cross_entropy",
            "layers": [{"units": 1, "activation": "softmax"}], "classes": ["cat"], "preprocess": "none",
            "dtype": "float32"}
    np.savez(path, meta=np.array(json.dumps(meta)), **{"layers.0.weight": np.ones((1, 3), np.float32),
                                                        "layers.0.bias": np.zeros(1, np.float32)})


@pytest.mark.parametrize("command", [("info",), ("predict", "--input", "1,2,3"), ("evaluate", "--dataset", "xor")])
def test_cross_entropy_on_one_unit_is_refused_pointing_to_sigmoid(tmp_path, command):
    """A2: softmax over one unit is always 1, so its cross-entropy is 0 while its gradient a − y moves the weights."""
    write_one_unit_softmax(tmp_path / "one.npz")
    line = one_error_line(nnlab(command[0], "one.npz", *command[1:], cwd=tmp_path))
    assert "one.npz: its architecture is impossible: cross_entropy cannot train a one-unit output" in line
    assert "use one sigmoid unit with binary_cross_entropy" in line


def test_regression_set_needs_a_linear_output_with_mse(tmp_path):
    line = one_error_line(nnlab("train", "--dataset", "curve", "--loss", "binary_cross_entropy", cwd=tmp_path))
    assert "curve's targets are numbers to predict" in line and "linear" in line and "mse" in line


def test_the_cli_takes_the_windows_width_limit_and_says_so(tmp_path):
    line = one_error_line(nnlab("train", "--dataset", "xor", "--layers", str(MAX_HIDDEN_UNITS + 1), cwd=tmp_path))
    assert f"between 1 and {MAX_HIDDEN_UNITS:,} units" in line
    line = one_error_line(nnlab("train", "--dataset", "xor", "--layers", ",".join(["4"] * 11), cwd=tmp_path))
    assert "11 hidden layers asked for; the limit is 10" in line
    help_text = " ".join(nnlab("train", "--help", cwd=tmp_path).stdout.split())
    assert f"at most 10 layers of 1 to {MAX_HIDDEN_UNITS:,} units, the lab window's limits too" in help_text


def test_info_names_a_regressors_outputs(curve_model, workdir):
    text = nnlab("info", "curve-model.npz", cwd=workdir).stdout
    assert "outputs    y (a linear output with mse: it predicts numbers)" in text and "classes" not in text
    info = json.loads(nnlab("info", "curve-model.npz", "--json", cwd=workdir).stdout)
    assert info["task"] == "regression" and info["classes"] == ["y"]
