"""Weight-file meta: one list of required keys (the docs' and the loader's), dtype taken from the
arrays, and every field checked for type and range before use — each failure one sentence naming
the file and the field."""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.weights_file import SavedModel, WeightFileError, load_model, save_model
from nnlab.data.weights_meta import REQUIRED_KEYS
from nnlab.engine.network import LayerSpec, Network

from .damaged_npz import arrays_of, with_arrays

ROOT = Path(__file__).resolve().parents[2]


def saved(tmp_path, dtype=np.float32) -> Path:
    network = Network(4, [LayerSpec(3, "relu", dropout=0.5), LayerSpec(2, "softmax")], dtype=dtype, seed=1)
    path = tmp_path / "good.npz"
    save_model(path, SavedModel(network, "cross_entropy", ["cat", "dog"], (4,), "none",
                                {"experiment": {"split": [0.7, 0.15, 0.15], "seed": 0}}))
    return path


def rewrite(source: Path, target: Path, meta_text: str | None = None, **arrays) -> Path:
    """``source``'s arrays with meta replaced by ``meta_text`` and any array replaced or added."""
    with_arrays(**({} if meta_text is None else {"meta": np.array(meta_text)}), **arrays)(source, target)
    return target


def meta_of(path: Path) -> dict:
    return json.loads(arrays_of(path)["meta"].item())


def assert_one_sentence(error: WeightFileError, path: Path) -> str:
    message = str(error)
    assert message.startswith(f"{path}: ") and message.endswith(".")
    problem = message[len(f"{path}: "):]
    assert ". " not in problem and "\n" not in problem
    message.encode("utf-8")  # printable anywhere: no lone surrogate reaches the message
    return problem


# -- one list of required keys ----------------------------------------------------------------
def _documented_keys() -> dict[str, str]:
    """The docs' table of meta keys: each key with its "Required" cell (yes/no)."""
    text = (ROOT / "docs" / "weight-file-format.md").read_text(encoding="utf-8")
    table = text.split("#### The keys of `meta`", 1)[1].split("\n\n")[1]
    keys = {}
    for row in table.splitlines()[2:]:  # after the header and the |---| line
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        for key in re.findall(r"`(\w+)`", cells[0]):
            keys[key] = cells[1]
    return keys


def test_the_documented_required_keys_are_the_loaders_list():
    documented = _documented_keys()
    assert [key for key, required in documented.items() if required == "yes"] == list(REQUIRED_KEYS)
    assert set(documented.values()) == {"yes", "no"}
    assert documented["dtype"] == "no"


def test_the_readme_names_the_same_required_keys():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = readme.split("## Weight files", 1)[1].split("\n## ", 1)[0]
    named = paragraph.split("required keys are", 1)[1].split(".\n", 1)[0]
    assert re.findall(r"`(\w+)`", named) == list(REQUIRED_KEYS)


@pytest.mark.parametrize("missing", REQUIRED_KEYS[2:])  # format and version have their own messages
def test_each_required_key_is_required(tmp_path, missing):
    good = saved(tmp_path)
    meta = meta_of(good)
    del meta[missing]
    bad = rewrite(good, tmp_path / "bad.npz", json.dumps(meta))
    with pytest.raises(WeightFileError) as caught:
        load_model(bad)
    assert assert_one_sentence(caught.value, bad) == f"meta is missing {missing!r}."


# -- dtype is derived from the arrays ---------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_meta_without_dtype_takes_the_arrays_dtype(tmp_path, dtype):
    good = saved(tmp_path, dtype)
    meta = meta_of(good)
    del meta["dtype"]
    plain = rewrite(good, tmp_path / "no-dtype.npz", json.dumps(meta))
    loaded = load_model(plain)
    assert loaded.network.dtype == np.dtype(dtype)
    assert loaded.network.params.tobytes() == load_model(good).network.params.tobytes()
    assert "dtype" not in loaded.extra


def test_without_dtype_the_layer_arrays_must_still_share_one(tmp_path):
    good = saved(tmp_path)
    meta = meta_of(good)
    del meta["dtype"]
    mixed = rewrite(good, tmp_path / "mixed.npz", json.dumps(meta),
                    **{"layers.1.bias": np.zeros(2, np.float64)})
    with pytest.raises(WeightFileError) as caught:
        load_model(mixed)
    assert assert_one_sentence(caught.value, mixed) == \
        "layers.1.bias is float64 but layers.0.weight is float32; a network has one dtype."


def test_a_dtype_that_is_present_must_agree_with_the_arrays(tmp_path):
    good = saved(tmp_path)
    wrong = rewrite(good, tmp_path / "wrong.npz", json.dumps({**meta_of(good), "dtype": "float64"}))
    with pytest.raises(WeightFileError) as caught:
        load_model(wrong)
    assert assert_one_sentence(caught.value, wrong) == \
        "layers.0.weight is float32 but meta says the network is float64."


# -- every field: type and range before any conversion ----------------------------------------
def _layer0(**changes):
    def change(meta):
        meta["layers"][0].update(changes)
    return change


def _set(key, value):
    def change(meta):
        meta[key] = value
    return change


def _extra_split(value):
    def change(meta):
        meta["experiment"]["split"][1] = value
    return change


class TextEdit:
    """An edit of the meta's JSON text, for values Python's json never writes (1e400)."""

    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new


def _class_name(name):
    def change(meta):
        meta["classes"][1] = name
    return change


# case: (a change to the decoded meta or a TextEdit of its JSON, the expected problem)
HOSTILE = {
    "dropout 10**400": (_layer0(dropout=10**400),
                        "meta's layers[0].dropout is a number beyond the range of a 64-bit float"),
    "dropout -10**400": (_layer0(dropout=-10**400),
                         "meta's layers[0].dropout is a number beyond the range of a 64-bit float"),
    "dropout 1e400": (TextEdit('"dropout": 0.5', '"dropout": 1e400'),
                      "meta's layers[0].dropout is not a finite number"),
    "dropout 10**300": (_layer0(dropout=10**300), "meta's layers[0] has dropout 1000000000000000000000"),
    "dropout 1": (_layer0(dropout=1), "meta's layers[0] has dropout 1; dropout is at least 0 and below 1"),
    "dropout true": (_layer0(dropout=True), "meta's layers[0] has dropout true, not a number"),
    "dropout text": (_layer0(dropout="0.5"), "meta's layers[0] has dropout \"0.5\", not a number"),
    "units true": (_layer0(units=True), "meta's layers[0] has units true, not a whole number"),
    "units 3.0": (_layer0(units=3.0), "meta's layers[0] has units 3.0, not a whole number"),
    "units 10**400": (_layer0(units=10**400),
                      "meta's layers[0].units is a number beyond the range of a 64-bit float"),
    "units 10**300": (_layer0(units=10**300), "hidden layer 1 must have between 1 and 100000 units"),
    "frozen 1": (_layer0(frozen=1), "meta's layers[0] has frozen 1, not true or false"),
    "activation list": (_layer0(activation=["relu"]), "meta's layers[0] has activation [\"relu\"]; expected"),
    "activation unknown": (_layer0(activation="swish"), "meta's layers[0] has activation \"swish\"; expected"),
    "activation surrogate": (_layer0(activation="relu\ud800"),
                             "meta's layers[0].activation is not valid Unicode text"),
    "layer key": (_layer0(bias=True), "meta's layers[0] has an unknown key \"bias\""),
    "version true": (_set("version", True), "meta's version must be a whole number, not true"),
    "version 10**400": (_set("version", 10**400),
                        "meta's version is a number beyond the range of a 64-bit float"),
    "version 10**300": (_set("version", 10**300), "made by a newer NN Lab (weight format version 1000"),
    "input_shape 10**400": (_set("input_shape", [10**400]),
                            "meta's input_shape[0] is a number beyond the range of a 64-bit float"),
    "input_shape true": (_set("input_shape", [True, 4]), "meta's input_shape must be a list of 1 to 4"),
    "input_shape nested": (_set("input_shape", [[2, 2]]), "meta's input_shape must be a list of 1 to 4"),
    "loss number": (_set("loss", 3), "meta's loss is 3; expected one of"),
    "loss surrogate": (_set("loss", "\udc00mse"), "meta's loss is not valid Unicode text"),
    "classes nested": (_set("classes", ["cat", ["dog"]]), "meta's classes must be a list of names"),
    "classes text": (_set("classes", "catdog"), "meta's classes must be a list of names"),
    "class surrogate": (_class_name("d\ud800g"),
                        "meta's classes[1] is not valid Unicode text (it holds the lone surrogate \\ud800 "
                        "at character 2)"),
    "class low surrogate": (_class_name("\udfff"), "meta's classes[1] is not valid Unicode text"),
    "class escape": (_class_name("\x1b[31mdog"),
                     "meta's classes[1] holds the control character U+001B at character 1, which would steer "
                     "the terminal it is printed in"),
    "class newline": (_class_name("do\ng"), "meta's classes[1] holds the control character U+000A at character 3"),
    "class C1 escape": (_class_name("dog\x9b2J"), "meta's classes[1] holds the control character U+009B at"),
    "class line separator": (_class_name("dog\u2028"), "meta's classes[1] holds the control character U+2028"),
    "class reversed": (_class_name("\u202egod"), "meta's classes[1] holds the control character U+202E at character 1"),
    "class isolate": (_class_name("dog\u2067"), "meta's classes[1] holds the control character U+2067 at character 4"),
    "preprocess list": (_set("preprocess", ["mnist"]), "meta's preprocess is [\"mnist\"]; expected one of"),
    "dtype float16": (_set("dtype", "float16"), "meta's dtype is \"float16\"; expected float32 or float64"),
    "dtype true": (_set("dtype", True), "meta's dtype is true; expected float32 or float64"),
    "extra huge": (_extra_split(10**400), "meta's experiment.split[1] is a number beyond the range"),
    "extra infinite": (TextEdit("0.15, 0.15", "1e999, 0.15"),
                       "meta's experiment.split[1] is not a finite number"),
    "extra surrogate": (_set("note", {"by": ["ok", "\ud83d"]}), "meta's note.by[1] is not valid Unicode text"),
    "key surrogate": (_set("\ud800", 1), "a key in meta is not valid Unicode text"),
    "nested key surrogate": (_set("note", {"a": {"\udbff": 1}}), "a key in meta's note.a is not valid Unicode"),
}


@pytest.mark.parametrize("case", HOSTILE)
def test_hostile_field_values_give_one_sentence_naming_file_and_field(tmp_path, case):
    change, expected = HOSTILE[case]
    good = saved(tmp_path)
    if isinstance(change, TextEdit):
        text = json.dumps(meta_of(good))
        assert change.old in text
        text = text.replace(change.old, change.new)
    else:
        meta = meta_of(good)
        change(meta)
        text = json.dumps(meta)  # ensure_ascii: a lone surrogate travels as the escape "\ud800"
    bad = rewrite(good, tmp_path / "bad.npz", text)
    with pytest.raises(WeightFileError) as caught:
        load_model(bad)
    assert expected in assert_one_sentence(caught.value, bad)



def test_info_and_predict_print_no_escape_from_a_class_name(tmp_path, capsys):
    """A class named "\x1b[31mdog" reached the terminal through `nnlab info` and `predict` and
    turned it red; now the file is refused in one sentence that names the class and the character."""
    from nnlab.cli import main

    good = saved(tmp_path)
    meta = meta_of(good)
    meta["classes"][1] = "\x1b[31mdog"
    bad = rewrite(good, tmp_path / "red.npz", json.dumps(meta))
    np.savetxt(tmp_path / "row.csv", np.zeros((1, 4)), delimiter=",")
    for command in (["info", str(bad)], ["predict", str(bad), str(tmp_path / "row.csv")]):
        assert main(command) == 2
        out, err = capsys.readouterr()
        assert out == "" and "\x1b" not in err
        assert "red.npz: meta's classes[1] holds the control character U+001B at character 1" in err

def test_a_valid_surrogate_pair_is_ordinary_text(tmp_path):
    good = saved(tmp_path)
    meta = meta_of(good)
    meta["classes"] = ["cat \U0001F431", "dog"]
    text = json.dumps(meta)
    assert "\\ud83d\\udc31" in text  # the pair of escapes JSON uses for one emoji
    loaded = load_model(rewrite(good, tmp_path / "emoji.npz", text))
    assert loaded.classes == ["cat \U0001F431", "dog"]


def test_a_model_whose_class_name_is_not_unicode_is_not_saved(tmp_path):
    network = Network(4, [LayerSpec(2, "softmax")])
    path = tmp_path / "model.npz"
    with pytest.raises(WeightFileError) as caught:
        save_model(path, SavedModel(network, "cross_entropy", ["cat", "d\ud800g"], (4,), "none"))
    assert "not saved because meta's classes[1] is not valid Unicode text" in \
        assert_one_sentence(caught.value, path)
    assert not path.exists()
