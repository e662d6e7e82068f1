"""Weight files: bit-exact round trips, a PyTorch-compatible layout, and one clear
sentence (with nothing changed) for every kind of damaged or hostile file."""
from __future__ import annotations

import io
import json
import os

import numpy as np
import pytest

from nnlab.data import weights_file
from nnlab.data.weights_file import SavedModel, WeightFileError, load_model, save_model
from nnlab.engine.network import LayerSpec, Network

from .damaged_npz import Booby, arrays_of, huge_header, lzma_garbage, unpickled, with_arrays, with_meta, write_npz

LAYERS = [LayerSpec(16, "relu", dropout=0.25, frozen=True), LayerSpec(8, "tanh"),
          LayerSpec(3, "softmax")]


def make_model(dtype=np.float32, seed=3) -> SavedModel:
    network = Network(4, LAYERS, dtype=dtype, seed=seed)
    network.biases[1][...] = np.linspace(-1, 1, 8)  # non-zero biases, so they are really tested
    return SavedModel(network, "cross_entropy", ["cat", "dog", "ému"], (2, 2), "none",
                      {"note": "trained on Tuesday", "history": {"loss": [0.9, 0.5]}})


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.npz"
    save_model(path, make_model())
    return path


# -- round trip -------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_round_trip_is_bit_for_bit(tmp_path, dtype):
    model = make_model(dtype)
    path = tmp_path / "model.npz"
    save_model(path, model)
    loaded = load_model(path)
    assert loaded.network.dtype == np.dtype(dtype)
    assert loaded.network.params.tobytes() == model.network.params.tobytes()
    assert loaded.network.layers == LAYERS  # units, activation, dropout and frozen flags
    assert (loaded.loss, loaded.classes, loaded.input_shape, loaded.preprocess) == \
        ("cross_entropy", ["cat", "dog", "ému"], (2, 2), "none")
    assert loaded.extra["note"] == "trained on Tuesday"
    assert loaded.extra["history"] == {"loss": [0.9, 0.5]}
    assert loaded.extra["nnlab_version"] and "T" in loaded.extra["saved_at"]
    # the loaded weights are views into params, as the engine requires
    assert np.shares_memory(loaded.network.weights[0], loaded.network.params)


def test_resaving_a_loaded_model_keeps_extra_and_refreshes_stamps(tmp_path, good):
    loaded = load_model(good)
    loaded.extra["saved_at"] = "1999-01-01T00:00:00+00:00"
    save_model(tmp_path / "again.npz", loaded)
    again = load_model(tmp_path / "again.npz")
    assert again.network.params.tobytes() == loaded.network.params.tobytes()
    assert again.extra["history"] == {"loss": [0.9, 0.5]}
    assert again.extra["saved_at"] != "1999-01-01T00:00:00+00:00"


def test_preprocess_and_single_sigmoid_output_with_two_classes(tmp_path):
    network = Network(784, [LayerSpec(10, "relu"), LayerSpec(1, "sigmoid")], dtype=np.float64)
    save_model(tmp_path / "b.npz", SavedModel(network, "binary_cross_entropy", ["no", "yes"],
                                              (28, 28), "mnist"))
    loaded = load_model(tmp_path / "b.npz")
    assert (loaded.preprocess, loaded.input_shape, loaded.classes) == ("mnist", (28, 28), ["no", "yes"])


def test_session_arrays_survive_a_round_trip(tmp_path):
    model = make_model()
    model.session_arrays["session.loss_curve"] = np.arange(5, dtype=np.float64)
    save_model(tmp_path / "s.npz", model)
    loaded = load_model(tmp_path / "s.npz")
    np.testing.assert_array_equal(loaded.session_arrays["session.loss_curve"], np.arange(5.0))


def test_compressed_npz_from_other_tools_loads(tmp_path, good):
    with open(tmp_path / "z.npz", "wb") as handle:
        np.savez_compressed(handle, **arrays_of(good))
    assert load_model(tmp_path / "z.npz").network.params.tobytes() == \
        load_model(good).network.params.tobytes()


def test_saves_to_exactly_the_path_given(tmp_path):
    save_model(tmp_path / "digits.weights", make_model())
    assert sorted(os.listdir(tmp_path)) == ["digits.weights"]
    assert load_model(tmp_path / "digits.weights").classes == ["cat", "dog", "ému"]


def test_plain_numpy_opens_it_with_pytorch_layout(good):
    model = load_model(good)
    with np.load(good, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["layers.0.bias", "layers.0.weight", "layers.1.bias",
                                         "layers.1.weight", "layers.2.bias", "layers.2.weight", "meta"]
        assert archive["layers.0.weight"].shape == (16, 4)  # (out_features, in_features)
        assert archive["layers.0.bias"].shape == (16,)
        assert archive["layers.2.weight"].shape == (3, 8)
        assert archive["layers.1.weight"].dtype == np.float32
        np.testing.assert_array_equal(archive["layers.1.bias"], model.network.biases[1])
        meta_array = archive["meta"]
        assert meta_array.shape == () and meta_array.dtype.kind == "U"
        meta = json.loads(meta_array.item())
    assert meta["format"] == "nnlab-weights" and meta["version"] == 1
    assert meta["layers"][0] == {"units": 16, "activation": "relu", "dropout": 0.25, "frozen": True}
    assert (meta["input_shape"], meta["loss"], meta["dtype"]) == ([2, 2], "cross_entropy", "float32")
    assert {"classes", "preprocess", "nnlab_version", "saved_at"} <= meta.keys()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pytorch_copy_gives_the_same_outputs(tmp_path, dtype):
    torch = pytest.importorskip("torch", reason="torch is not installed; the copy recipe is untested")
    nn = torch.nn
    layers = [LayerSpec(6, "leaky_relu"), LayerSpec(5, "sigmoid"), LayerSpec(5, "linear"),
              LayerSpec(4, "tanh"), LayerSpec(3, "softmax")]
    network = Network(4, layers, dtype=dtype, seed=11)
    save_model(tmp_path / "t.npz", SavedModel(network, "cross_entropy", ["a", "b", "c"], (4,), "none"))
    makers = {"linear": nn.Identity, "relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.01),
              "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softmax": lambda: nn.Softmax(dim=1)}
    with np.load(tmp_path / "t.npz", allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].item())
        modules = []
        for i, layer in enumerate(meta["layers"]):
            weight = torch.from_numpy(archive[f"layers.{i}.weight"])
            linear = nn.Linear(weight.shape[1], weight.shape[0], dtype=weight.dtype)
            with torch.no_grad():
                linear.weight.copy_(weight)
                linear.bias.copy_(torch.from_numpy(archive[f"layers.{i}.bias"]))
            modules += [linear, makers[layer["activation"]]()]
    x = np.random.default_rng(0).standard_normal((32, 4)).astype(dtype)
    with torch.no_grad():
        expected = nn.Sequential(*modules)(torch.from_numpy(x)).numpy()
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(network.forward(x), expected, rtol=tolerance, atol=tolerance)


# -- malformed files --------------------------------------------------------------------------
def _truncated(good, bad):
    data = good.read_bytes()
    bad.write_bytes(data[: len(data) // 2])


def _meta(**changes):
    return with_meta(lambda meta: meta.update(changes))


def _meta_text(text):
    return with_arrays(meta=np.array(text))


def _nan_weights(good, bad):
    arrays = arrays_of(good)
    arrays["layers.1.weight"][0, :2] = np.nan
    write_npz(bad, arrays)


def _drop_meta_key(key):
    return with_meta(lambda meta: meta.pop(key))


MALFORMED = {
    "lzma garbage": (lzma_garbage, "meta is not a readable NumPy array (Invalid or unsupported options)"),
    "empty file": (lambda good, bad: bad.write_bytes(b""), "the file is empty (0 bytes)"),
    "truncated": (_truncated, "damaged or incomplete"),
    "text file": (lambda good, bad: bad.write_text("weights: lots\n"), "it is not a NumPy .npz archive"),
    "single npy": (lambda good, bad: np.save(open(bad, "wb"), np.zeros(3)), "single NumPy .npy array"),
    "pickled weight": (with_arrays(**{"layers.0.weight": np.array([Booby()], dtype=object)}),
                       "layers.0.weight holds Python objects"),
    "pickled meta": (with_arrays(meta=np.array(Booby(), dtype=object)), "meta holds Python objects"),
    "missing meta": (with_arrays(meta=None), "no 'meta' array"),
    "missing array": (with_arrays(**{"layers.1.weight": None}), "layers.1.weight is missing"),
    "extra array": (with_arrays(notes=np.zeros(2)), "unexpected array 'notes'"),
    "wrong shape": (with_arrays(**{"layers.0.weight": np.zeros((3, 4), np.float32)}),
                    "layers.0.weight has shape (3, 4) but the architecture needs (16, 4)"),
    "input mismatch": (with_arrays(**{"layers.0.weight": np.zeros((16, 5), np.float32)}),
                       "layers.0.weight takes 5 inputs but input_shape (2, 2) holds 4 values"),
    "integer weights": (with_arrays(**{"layers.2.bias": np.zeros(3, np.int64)}),
                        "layers.2.bias has dtype int64; weight arrays must be float32 or float64"),
    "dtype disagrees": (with_arrays(**{"layers.2.bias": np.zeros(3, np.float64)}),
                        "layers.2.bias is float64 but meta says the network is float32"),
    "nan weights": (_nan_weights, "layers.1.weight has 2 non-finite values (NaN or infinity)"),
    "absurd header": (huge_header("layers.0.weight", "<f4", (100_000, 100_000)),
                      "would hold 10,000,000,179 numbers; the limit is 50,000,000"),
    "meta not a string": (with_arrays(meta=np.zeros(3)), "meta must be one JSON string"),
    "meta not json": (_meta_text("{format: nnlab-weights"), "meta is not valid JSON"),
    "meta is a list": (_meta_text("[1, 2, 3]"), "meta must be a JSON object, not [1, 2, 3]"),
    "wrong format": (_meta(format="keras-h5"), 'meta has format "keras-h5", expected "nnlab-weights"'),
    "no format": (_drop_meta_key("format"), 'meta has no "format" key'),
    "newer version": (_meta(version=3), "made by a newer NN Lab (weight format version 3"),
    "older version": (_meta(version=0), "unknown weight format version 0"),
    "missing key": (_drop_meta_key("loss"), "meta is missing 'loss'"),
    "layers not a list": (_meta(layers="dense"), "meta's layers must be a non-empty list"),
    "absurd units": (_meta(layers=[{"units": 10**6, "activation": "relu"},
                                   {"units": 3, "activation": "softmax"}]),
                     "hidden layer 1 must have between 1 and 100000 units"),
    "softmax hidden": (_meta(layers=[{"units": 16, "activation": "softmax"},
                                     {"units": 3, "activation": "softmax"}]),
                       "its architecture is impossible: hidden layer 1 cannot use softmax"),
    "loss-output pair": (_meta(loss="binary_cross_entropy"), "loss 'binary_cross_entropy' needs"),
    "classes mismatch": (_meta(classes=["cat", "dog"]), "names 2 classes but the output layer has 3 units"),
    "bad preprocess": (_meta(preprocess="sharpen"), "preprocess is \"sharpen\""),
}


@pytest.fixture
def previous(good):
    """A model loaded before the failed attempt, with a snapshot of everything in it."""
    model = load_model(good)
    return model, model.network.params.copy(), (model.loss, list(model.classes), model.input_shape,
                                                model.preprocess, dict(model.extra))


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_gives_one_sentence_and_changes_nothing(tmp_path, good, previous, case):
    build, expected = MALFORMED[case]
    bad = tmp_path / f"bad {case}.npz"
    build(good, bad)
    with pytest.raises(WeightFileError) as caught:
        load_model(bad)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(f"{bad}: ") and message.endswith(".")
    assert ". " not in message[len(str(bad)):] and "\n" not in message  # one sentence
    assert isinstance(caught.value, ValueError)
    model, params, fields = previous  # a failed load returns nothing and touches no other model
    assert model.network.params.tobytes() == params.tobytes()
    assert (model.loss, model.classes, model.input_shape, model.preprocess, model.extra) == fields
    assert unpickled == []  # nothing in any file was ever unpickled


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(WeightFileError, match="there is no such file"):
        load_model(tmp_path / "nope.npz")
    with pytest.raises(WeightFileError, match="this is a folder"):
        load_model(tmp_path)


def test_no_network_is_built_for_a_bad_file(tmp_path, good, monkeypatch):
    built = []
    monkeypatch.setattr(weights_file, "Network", lambda *a, **k: built.append(a))
    bad = tmp_path / "nan.npz"
    _nan_weights(good, bad)
    with pytest.raises(WeightFileError):
        load_model(bad)
    assert built == []


# -- saving -----------------------------------------------------------------------------------
def test_interrupted_replace_keeps_the_previous_file(tmp_path, good, monkeypatch):
    before = good.read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(WeightFileError, match="not saved \\(No space left on device\\)"):
        save_model(good, make_model(seed=99))
    assert good.read_bytes() == before
    assert os.listdir(tmp_path) == ["good.npz"]


def test_writer_failing_midway_keeps_the_previous_file(tmp_path, good, monkeypatch):
    before = good.read_bytes()
    real_write = weights_file._write_arrays

    def half_then_fail(handle, arrays):
        buffer = io.BytesIO()
        real_write(buffer, arrays)
        handle.write(buffer.getvalue()[:1000])
        raise RuntimeError("power cut")
    monkeypatch.setattr(weights_file, "_write_arrays", half_then_fail)
    with pytest.raises(RuntimeError, match="power cut"):
        save_model(good, make_model(seed=99))
    assert good.read_bytes() == before
    assert os.listdir(tmp_path) == ["good.npz"]
    assert load_model(good).network.params.tobytes() == make_model().network.params.tobytes()


def test_invalid_model_is_refused_before_anything_is_written(tmp_path, good):
    before = good.read_bytes()
    model = make_model()
    model.network.params[5] = np.inf
    with pytest.raises(WeightFileError, match="not saved because the network has 1 non-finite parameter"):
        save_model(good, model)
    wrong_classes = make_model()
    wrong_classes.classes = ["cat", "dog"]
    with pytest.raises(WeightFileError, match="names 2 classes but the output layer has 3 units"):
        save_model(tmp_path / "new.npz", wrong_classes)
    reserved = make_model()
    reserved.extra["layers"] = []
    with pytest.raises(WeightFileError, match="reserved meta key 'layers'"):
        save_model(tmp_path / "new.npz", reserved)
    assert good.read_bytes() == before
    assert os.listdir(tmp_path) == ["good.npz"]
