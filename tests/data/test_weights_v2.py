"""Weight files of version 2: convolutional networks saved and loaded bit for bit, a dense network still saved
as version 1, every malformed CNN file refused in one sentence, and the documented PyTorch recipe — run as the
docs write it — giving our outputs."""
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.weights_file import SavedModel, WeightFileError, load_model, save_model
from nnlab.engine.layers import ConvSpec, FlattenSpec, PoolSpec
from nnlab.engine.network import LayerSpec, Network

ROOT = Path(__file__).resolve().parents[2]
DIGITS = [str(d) for d in range(10)]


def lenet(dtype=np.float32, seed=0) -> Network:
    layers = [ConvSpec(8, 5), PoolSpec(2), ConvSpec(16, 5, activation="tanh", frozen=True),
              PoolSpec(2, "avgpool2d"), LayerSpec(64, dropout=0.25), LayerSpec(10, "softmax")]
    net = Network((28, 28), layers, dtype=dtype, seed=seed)
    for bias in net.biases:
        bias[...] = np.linspace(-0.1, 0.2, bias.size)
    return net


def saved(path: Path, net: Network, input_shape=(28, 28)) -> Path:
    save_model(path, SavedModel(net, "cross_entropy", DIGITS, input_shape, "mnist"))
    return path


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_cnn_round_trips_bit_for_bit(tmp_path, dtype):
    net = lenet(dtype)
    loaded = load_model(saved(tmp_path / "lenet.npz", net))
    assert loaded.network.layers == net.layers and loaded.network.input_shape == (1, 28, 28)
    assert np.array_equal(loaded.network.params.view(np.uint8), net.params.view(np.uint8))
    assert loaded.network.dtype == dtype
    x = np.random.default_rng(1).random((3, 784)).astype(dtype)
    assert np.array_equal(loaded.network.forward(x), net.forward(x))
    with np.load(tmp_path / "lenet.npz", allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].item())
        names = sorted(name for name in archive.files if name != "meta")
        assert archive["layers.0.weight"].shape == (8, 1, 5, 5) and archive["layers.2.weight"].shape == (16, 8, 5, 5)
        assert archive["layers.5.weight"].shape == (64, 16 * 7 * 7)
    assert meta["version"] == 2
    assert [layer["type"] for layer in meta["layers"]] == ["conv2d", "maxpool2d", "conv2d", "avgpool2d", "flatten",
                                                           "dense", "dense"]
    assert meta["layers"][0] == {"type": "conv2d", "filters": 8, "kernel": 5, "stride": 1, "padding": "same",
                                 "activation": "relu", "frozen": False}
    assert meta["layers"][1] == {"type": "maxpool2d", "size": 2}
    assert names == [f"layers.{i}.{part}" for i in (0, 2, 5, 6) for part in ("bias", "weight")]


def test_a_dense_network_is_still_saved_as_version_1_and_loads(tmp_path):
    net = Network(784, [LayerSpec(16), LayerSpec(10, "softmax")], seed=2)
    path = saved(tmp_path / "dense.npz", net)
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].item())
    assert meta["version"] == 1 and all("type" not in layer for layer in meta["layers"])
    assert np.array_equal(load_model(path).network.params, net.params)


def test_a_version_2_file_with_typed_dense_layers_loads(tmp_path):
    """A dense network written by another tool as version 2 (typed or untyped layers) opens too."""
    path = saved(tmp_path / "dense.npz", Network(784, [LayerSpec(16), LayerSpec(10, "softmax")], seed=2))
    rewrite_meta(path, path, lambda meta: meta.update(version=2, layers=[{"type": "dense", **meta["layers"][0]},
                                                                         meta["layers"][1]]))
    assert [spec.units for spec in load_model(path).network.layers] == [16, 10]


def rewrite_meta(source: Path, target: Path, change) -> None:
    with zipfile.ZipFile(source) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with np.load(source, allow_pickle=False) as data:
        meta = json.loads(data["meta"].item())
    change(meta)
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array(json.dumps(meta)), allow_pickle=False)
    members["meta.npy"] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def replace_array(source: Path, target: Path, name: str, value: np.ndarray | None) -> None:
    import io
    with zipfile.ZipFile(source) as archive:
        members = {member: archive.read(member) for member in archive.namelist()}
    if value is None:
        del members[f"{name}.npy"]
    else:
        buffer = io.BytesIO()
        np.save(buffer, value, allow_pickle=False)
        members[f"{name}.npy"] = buffer.getvalue()
    with zipfile.ZipFile(target, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def _layer(index, **changes):
    def change(meta):
        layer = meta["layers"][index]
        for key, value in changes.items():
            if value is None:
                layer.pop(key, None)
            else:
                layer[key] = value
    return change


def _meta(**changes):
    return lambda meta: meta.update(changes)


MALFORMED_META = {
    "unknown type": (_layer(1, type="dropout2d"), "meta's layers[1] has type \"dropout2d\"; expected one of dense"),
    "type not text": (_layer(1, type=3), "meta's layers[1] has type 3; expected one of"),
    "missing kernel": (_layer(0, kernel=None), "meta's layers[0] (conv2d) is missing 'kernel'"),
    "unknown conv key": (_layer(0, dilation=2), "meta's layers[0] (conv2d) has an unknown key \"dilation\""),
    "pool with units": (_layer(1, units=4), "meta's layers[1] (maxpool2d) has an unknown key \"units\""),
    "filters true": (_layer(0, filters=True), "meta's layers[0] (conv2d) has filters true, not a whole number"),
    "kernel 5.0": (_layer(0, kernel=5.0), "meta's layers[0] (conv2d) has kernel 5.0, not a whole number"),
    "filters 0": (_layer(0, filters=0), "layer 1 has filters 0; it must be a whole number of at least 1"),
    "padding full": (_layer(0, padding="full"), "meta's layers[0] (conv2d) has padding \"full\"; expected one of"),
    "stride 3": (_layer(0, stride=3), "layer 1 has stride 3; a convolution here steps 1 or 2 pixels"),
    "kernel larger than input": (_layer(2, kernel=17, padding="valid"),
                                 "layer 3 has a 17×17 kernel, larger than its 14×14 input"),
    "even kernel, same": (_layer(0, kernel=4), "has an even 4×4 kernel, and padding 'same' needs an odd one"),
    "pooling to nothing": (_layer(3, size=15), "layer 4 pools 15×15 windows of a 14×14 map, which would leave "
                                                "nothing"),
    "softmax conv": (_layer(0, activation="softmax"), "layer 1 cannot use softmax: it is an output-only activation"),
    "conv dropout": (_layer(0, dropout=0.5), "meta's layers[0] (conv2d) has an unknown key \"dropout\""),
    "no flatten": (lambda meta: meta["layers"].pop(4), "meta's layers[4] is a dense layer right after a convolution"),
    "flatten first": (lambda meta: meta["layers"].insert(0, {"type": "flatten"}),
                      "layer 1 (flatten) must follow a convolution or pooling layer"),
    "pooling last": (lambda meta: meta["layers"].__delitem__(slice(4, None)),
                     "the output layer must be a dense layer, not avgpool2"),
    "conv after dense": (lambda meta: meta["layers"].insert(6, meta["layers"][0]),
                         "layer 7 (conv8x5) needs (channels, height, width) maps, and the dense before it"),
    "conv on features": (_meta(input_shape=[784]), "layer 1 (conv8x5) needs images, and each sample here is 784"),
    "huge image": (_meta(input_shape=[1, 4000, 4000]), "is larger than the 4,194,304 a convolutional network"),
    "version 1 with types": (_meta(version=1), "meta's layers[0] must be an object with units and activation"),
    "three channels": (_meta(input_shape=[3, 28, 28]), "layers.0.weight has shape (8, 1, 5, 5) but the architecture "
                                                         "needs (8, 3, 5, 5)"),
}


@pytest.mark.parametrize("case", MALFORMED_META)
def test_a_malformed_cnn_meta_is_one_sentence(tmp_path, case):
    change, expected = MALFORMED_META[case]
    good = saved(tmp_path / "good.npz", lenet())
    bad = tmp_path / "bad.npz"
    rewrite_meta(good, bad, change)
    with pytest.raises(WeightFileError) as caught:
        load_model(bad)
    message = str(caught.value)
    assert expected in message, message
    assert message.count(". ") == 0 and "\n" not in message


MALFORMED_ARRAYS = {
    "conv weight transposed": ("layers.0.weight", np.zeros((1, 8, 5, 5), np.float32),
                               "layers.0.weight has shape (1, 8, 5, 5) but the architecture needs (8, 1, 5, 5)"),
    "conv weight flat": ("layers.2.weight", np.zeros((16, 200), np.float32),
                         "layers.2.weight has shape (16, 200) but the architecture needs (16, 8, 5, 5)"),
    "conv bias": ("layers.0.bias", np.zeros(7, np.float32), "layers.0.bias has shape (7,) but the architecture needs (8,)"),
    "dense after flatten": ("layers.5.weight", np.zeros((64, 783), np.float32),
                            "layers.5.weight has shape (64, 783) but the architecture needs (64, 784)"),
    "an array for a pooling": ("layers.1.weight", np.zeros((2, 2), np.float32), "unexpected array 'layers.1.weight'"),
    "missing conv weight": ("layers.2.weight", None, "layers.2.weight is missing"),
    "another dtype": ("layers.2.bias", np.zeros(16, np.float64), "layers.2.bias is float64 but meta says the network "
                                                                 "is float32"),
    "NaN in a kernel": ("layers.0.weight", np.full((8, 1, 5, 5), np.nan, np.float32),
                        "layers.0.weight has 200 non-finite values"),
}


@pytest.mark.parametrize("case", MALFORMED_ARRAYS)
def test_a_malformed_cnn_array_is_one_sentence(tmp_path, case):
    name, value, expected = MALFORMED_ARRAYS[case]
    good = saved(tmp_path / "good.npz", lenet())
    bad = tmp_path / "bad.npz"
    replace_array(good, bad, name, value)
    with pytest.raises(WeightFileError) as caught:
        load_model(bad)
    assert expected in str(caught.value), str(caught.value)


def test_an_impossible_input_shape_is_not_saved(tmp_path):
    with pytest.raises(WeightFileError, match="not saved because its architecture is impossible: layer 1 "
                                              r"\(conv8x5\) needs images"):
        saved(tmp_path / "x.npz", lenet(), input_shape=(784,))
    assert not (tmp_path / "x.npz").exists()


def documented_recipe() -> str:
    text = (ROOT / "docs" / "weight-file-format.md").read_text(encoding="utf-8")
    section = text.split("### Using the weights in PyTorch", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


@pytest.mark.parametrize("kind", ["cnn", "strided cnn", "dense"])
def test_the_documented_pytorch_recipe_gives_our_outputs(tmp_path, kind):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed; the recipe is untested")
    if kind == "dense":
        net = Network(784, [LayerSpec(12, "leaky_relu"), LayerSpec(10, "softmax")], dtype=np.float64, seed=3)
        shape = (784,)
    elif kind == "cnn":
        net, shape = lenet(np.float64, seed=4), (1, 28, 28)
    else:
        layers = [ConvSpec(6, 3, stride=2, padding="valid", activation="sigmoid"), PoolSpec(2, "avgpool2d"),
                  ConvSpec(4, 3, stride=2, activation="leaky_relu"), FlattenSpec(), LayerSpec(10, "softmax")]
        net, shape = Network((28, 28), layers, dtype=np.float64, seed=5), (1, 28, 28)
    path = saved(tmp_path / "model.npz", net)
    code = documented_recipe().replace('"digits.npz"', repr(str(path)))
    scope: dict = {}
    exec(compile(code, "docs/weight-file-format.md", "exec"), scope)
    x = np.random.default_rng(6).random((5, 784))
    with torch.no_grad():
        theirs = scope["model"](torch.from_numpy(x.reshape(5, *shape))).numpy()
    np.testing.assert_allclose(net.forward(x), theirs, rtol=1e-6, atol=1e-6)
