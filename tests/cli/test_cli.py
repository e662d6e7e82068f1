"""Every sub-command, run as a user runs it: in a subprocess, from another folder."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]


def nnlab(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "nnlab", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def xor_model(workdir):
    result = nnlab("train", "--dataset", "xor", "--layers", "4", "--activation", "tanh",
                   "--loss", "binary_cross_entropy", "--lr", "0.05", "--batch-size", "16", "--epochs", "40",
                   "--out", "xor.npz", cwd=workdir)
    assert result.returncode == 0, result.stderr
    return workdir / "xor.npz", result


@pytest.fixture(scope="module")
def digits_model(workdir):
    result = nnlab("train", "--dataset", "digits", "--layers", "32", "--epochs", "3", "--json",
                   "--out", "digits.npz", cwd=workdir)
    assert result.returncode == 0, result.stderr
    return workdir / "digits.npz", json.loads(result.stdout)


def test_train_prints_progress_and_a_final_line(xor_model):
    path, result = xor_model
    assert path.is_file()
    final = result.stdout.strip().splitlines()[0]
    assert final.startswith("train loss") and "validation loss" in final and "test loss" in final
    test_accuracy = float(final.split("test loss")[1].split("accuracy")[1].strip().rstrip("%"))
    assert test_accuracy >= 95.0
    assert "batch" in result.stderr  # the progress bar


def test_train_json_is_one_object(digits_model):
    _, summary = digits_model
    assert summary["epochs"] == 3 and summary["ended"] == "finished"
    assert 0.85 <= summary["test"]["accuracy"] <= 1.0
    assert summary["train"]["loss"] < 1.0


def test_info(xor_model, workdir):
    result = nnlab("info", "xor.npz", cwd=workdir)
    assert result.returncode == 0
    assert "17 parameters" in result.stdout  # (2·4 + 4) + (4·1 + 1)
    assert "4 × tanh" in result.stdout and "1 × sigmoid" in result.stdout
    info = json.loads(nnlab("info", "xor.npz", "--json", cwd=workdir).stdout)
    assert info["parameters"] == 17 and info["loss"] == "binary_cross_entropy"


def test_evaluate_reports_metrics_on_the_test_part(digits_model, workdir):
    _, summary = digits_model
    result = nnlab("evaluate", "digits.npz", "--dataset", "digits", "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["part"] == "test" and report["samples"] == 750
    assert report["accuracy"] == pytest.approx(summary["test"]["accuracy"])
    confusion = np.array(report["confusion_matrix"])
    assert confusion.shape == (10, 10) and confusion.sum() == 750
    assert np.trace(confusion) / 750 == pytest.approx(report["accuracy"])
    text = nnlab("evaluate", "digits.npz", "--dataset", "digits", cwd=workdir).stdout
    assert "precision" in text and "confusion matrix" in text


def test_predict_raw_vector(xor_model, workdir):
    result = nnlab("predict", "xor.npz", "--input", "0.8,0.7", "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    (prediction,) = json.loads(result.stdout)["predictions"]
    assert prediction["class"] == "1"  # same signs
    assert sum(prediction["probabilities"].values()) == pytest.approx(1.0)
    other = json.loads(nnlab("predict", "xor.npz", "--input", "0.8,-0.7", "--json", cwd=workdir).stdout)
    assert other["predictions"][0]["class"] == "0"


def test_predict_image_uses_the_model_preprocessing(digits_model, workdir):
    from nnlab.data.builtin import load_builtin
    from nnlab.data.image_io import write_grey_png

    digits = load_builtin("digits")
    sevens = np.flatnonzero(digits.y == 7)[:5]
    for i, index in enumerate(sevens):  # drawn black on white at 5× size: the transform must undo both
        image = 1.0 - np.kron(digits.x[index].reshape(28, 28), np.ones((5, 5)))
        write_grey_png(workdir / f"seven{i}.png", image)
    result = nnlab("predict", "digits.npz", *[f"seven{i}.png" for i in range(5)], "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    classes = [p["class"] for p in json.loads(result.stdout)["predictions"]]
    assert classes.count("7") >= 4
    text = nnlab("predict", "digits.npz", "seven0.png", cwd=workdir).stdout
    assert text.startswith("seven0.png: ")


@pytest.mark.parametrize("args,expected", [
    (["train", "--dataset", "no-such-set"], "no built-in dataset or file called 'no-such-set'"),
    (["train", "--layers", "a,b"], "'a' is not a layer; write conv{F}x{K}"),
    (["train", "--dataset", "xor", "--layers", "0"], "between 1 and"),
    (["train", "--dataset", "xor", "--lr", "-1"], "learning rate must be a number above 0"),
    (["train", "--dataset", "xor", "--loss", "mse", "--output-activation", "linear", "--layers", "4",
      "--optimizer", "sgd", "--lr", "1e9", "--epochs", "3"], "diverged"),
    (["info", "missing.npz"], "missing.npz"),
    (["info", "garbage.npz"], "garbage.npz"),
    (["predict", "xor.npz", "--input", "1,2,3"], "takes 2 inputs"),
    (["predict", "xor.npz", "some.png"], "raw feature vectors"),
    (["evaluate", "xor.npz", "--dataset", "digits"], "takes 2 inputs"),
    (["frobnicate"], "invalid choice"),
    (["train", "--dataset", "xor", "--seed", "-1"], "seed must be a whole number of 0 or more"),
    (["train", "--dataset", "xor", "--split", "nan,1,1"], "three percentages"),
    (["train", "--dataset", "xor", "--layers", "3,,4"], "has an empty layer between two commas"),
    (["train", "--dataset", "xor", "--out", "no/such/folder/m.npz"], "does not exist"),
])
def test_bad_input_gives_exit_code_2_and_one_line(args, expected, xor_model, workdir):
    (workdir / "garbage.npz").write_text("not a weight file")
    result = nnlab(*args, cwd=workdir)
    assert result.returncode == 2, result
    lines = [line for line in result.stderr.splitlines() if "batch/s" not in line and line.strip()]
    assert len(lines) == 1, result.stderr
    assert expected in lines[0] and "Traceback" not in result.stderr


def test_a_linear_output_with_mse_predicts_numbers_not_classes(workdir):
    """xor's two classes as one-hot targets of a linear mse output: the model is a regressor (one rule,
    ``is_regression``), so predict prints its two numbers by name and picks no class."""
    trained = nnlab("train", "--dataset", "xor", "--layers", "4", "--loss", "mse", "--epochs", "2",
                    "--out", "mse.npz", cwd=workdir)
    assert trained.returncode == 0, trained.stderr
    result = nnlab("predict", "mse.npz", "--input", "0.5,0.5", "--json", cwd=workdir)
    (prediction,) = json.loads(result.stdout)["predictions"]
    assert set(prediction) == {"input", "outputs"} and set(prediction["outputs"]) == {"0", "1"}
    values = prediction["outputs"]
    assert nnlab("predict", "mse.npz", "--input", "0.5,0.5", cwd=workdir).stdout == \
        f"--input: 0 = {values['0']:.4g}, 1 = {values['1']:.4g}\n"
