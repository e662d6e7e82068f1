"""Convolutional networks from the command line: the --layers words, train, info, evaluate and predict on a CNN,
and an impossible layer in one sentence."""
import argparse
import json

import numpy as np
import pytest

from nnlab.cli import _hidden_layers

from .test_cli import nnlab

LENET = "conv6x5,maxpool2,conv8x3s2,avgpool2,32"


@pytest.mark.parametrize("text,layers", [
    ("conv8x5,maxpool2,conv16x5,maxpool2,64", ["conv8x5", "maxpool2", "conv16x5", "maxpool2", 64]),
    ("conv8x5s2valid, avgpool3 ,10", ["conv8x5s2valid", "avgpool3", 10]),
    ("CONV8X3SAME,Maxpool2,5", ["conv8x3", "maxpool2", 5]),
    ("conv4x3s1,128,64", ["conv4x3", 128, 64]),
    ("128,64", [128, 64]),
    ("", []),
])
def test_good_layer_strings(text, layers):
    assert _hidden_layers(text) == layers


@pytest.mark.parametrize("text,words", [
    ("conv8", "'conv8' is not a layer; write conv{F}x{K}"),
    ("conv8x5,maxpool", "'maxpool' is not a layer"),
    ("pool2", "'pool2' is not a layer"),
    ("conv8x5s", "'conv8x5s' is not a layer"),
    ("64,,32", "has an empty layer between two commas"),
    ("conv8x5,0", "between 1 and"),
    ("1.5", "'1.5' is not a layer"),
    (",".join(["conv2x3"] * 11), "11 hidden layers asked for; the limit is 10"),
])
def test_bad_layer_strings_are_one_sentence(text, words):
    with pytest.raises(argparse.ArgumentTypeError, match=words.replace("{", r"\{").replace("}", r"\}")) as error:
        _hidden_layers(text)
    assert "\n" not in str(error.value)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cnn-cli")


@pytest.fixture(scope="module")
def cnn_model(workdir):
    result = nnlab("train", "--dataset", "digits", "--layers", LENET, "--activation", "tanh", "--lr", "0.005", "--epochs", "2",
                   "--json", "--out", "cnn.npz", "--session", "cnn.nnlab", cwd=workdir)
    assert result.returncode == 0, result.stderr
    return workdir / "cnn.npz", json.loads(result.stdout)


def test_train_a_cnn_and_read_it_back(cnn_model, workdir):
    _, summary = cnn_model
    assert summary["ended"] == "finished" and summary["test"]["accuracy"] >= 0.7
    info = json.loads(nnlab("info", "cnn.npz", "--json", cwd=workdir).stdout)
    assert [layer["type"] for layer in info["layers"]] == ["conv2d", "maxpool2d", "conv2d", "avgpool2d", "flatten",
                                                           "dense", "dense"]
    assert info["layers"][0] == {"type": "conv2d", "filters": 6, "kernel": 5, "stride": 1, "padding": "same",
                                 "activation": "tanh", "frozen": False, "output_shape": [6, 28, 28], "parameters": 156}
    assert info["layers"][2]["output_shape"] == [8, 7, 7] and info["layers"][4]["output_shape"] == [72]
    assert info["parameters"] == 156 + 8 * (6 * 9 + 1) + 32 * 73 + 10 * 33
    text = nnlab("info", "cnn.npz", cwd=workdir).stdout
    assert "hidden 1   conv2d 6 × 5×5, same, tanh → 6×28×28 (156 parameters)" in text
    assert "hidden 3   conv2d 8 × 3×3, same, stride 2, tanh → 8×7×7" in text
    assert "hidden 4   avgpool2d 2×2 → 8×3×3" in text and "hidden 5   flatten → 72" in text


def test_evaluate_and_predict_a_cnn(cnn_model, workdir):
    from nnlab.data.builtin import load_builtin
    from nnlab.data.image_io import write_grey_png
    from nnlab.data.weights_file import load_model

    _, summary = cnn_model
    evaluated = json.loads(nnlab("evaluate", "cnn.npz", "--json", cwd=workdir).stdout)
    assert evaluated["part"] == "test" and evaluated["accuracy"] == pytest.approx(summary["test"]["accuracy"])
    digits = load_builtin("digits")
    network = load_model(workdir / "cnn.npz").network
    row = np.asarray(digits.x[:1], np.float64)
    vector = ",".join(f"{value:.17g}" for value in row[0])
    predicted = json.loads(nnlab("predict", "cnn.npz", "--input", vector, "--json", cwd=workdir).stdout)
    (prediction,) = predicted["predictions"]
    expected = network.forward(row)[0]
    assert prediction["class"] == str(int(np.argmax(expected)))
    assert [prediction["probabilities"][str(k)] for k in range(10)] == pytest.approx(expected.tolist(), abs=1e-6)
    write_grey_png(workdir / "digit.png", 1.0 - np.kron(np.asarray(digits.x[0]).reshape(28, 28), np.ones((4, 4))))
    result = nnlab("predict", "cnn.npz", "digit.png", cwd=workdir)
    assert result.returncode == 0 and result.stdout.startswith("digit.png: "), result.stderr


def test_a_cnn_session_resumes_and_lists_its_layers(cnn_model, workdir):
    result = nnlab("train", "--resume", "cnn.nnlab", "--epochs", "1", "--session", "more.nnlab", "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["epochs"] == 3
    text = nnlab("info", "more.nnlab", cwd=workdir).stdout
    assert "network 784-conv6x5-maxpool2-conv8x3s2-avgpool2-32-10 (float32)" in text


@pytest.mark.parametrize("args,expected", [
    (["--dataset", "xor", "--layers", "conv4x3,8"],
     "'xor' cannot take these layers: layer 1 (conv4x3) needs images, and each sample here is 2 numbers"),
    (["--layers", "conv4x29"], "layer 1 has a 29×29 kernel, larger than its 28×28 input"),
    (["--layers", "maxpool4,maxpool4,maxpool4"], "layer 3 pools 4×4 windows of a 1×1 map, which would leave nothing"),
    (["--layers", "conv4x4"], "padding 'same' needs an odd one"),
    (["--layers", "conv4x3s3"], "a convolution here steps 1 or 2 pixels"),
])
def test_an_impossible_layer_is_one_sentence(args, expected, workdir):
    result = nnlab("train", *args, "--epochs", "1", "--out", "never.npz", cwd=workdir)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert not (workdir / "never.npz").exists()
