"""Session files: bit-exact round trips of runs, snapshots and trainer states, arrays stored once, and one
clear sentence (with nothing built) for every kind of damaged or hostile file — as weight files get."""
from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest

from nnlab.data import session_file
from nnlab.data.session_file import RunData, SessionDocument, SessionFileError, SnapshotData, load_session, \
    save_session
from nnlab.data.weights_file import SavedModel, save_model
from nnlab.data.weights_meta import parse_meta
from nnlab.engine.network import LayerSpec, Network

from .damaged_npz import Booby, arrays_of, huge_header, lzma_garbage, unpickled, with_arrays, with_meta

LAYERS = [LayerSpec(5, "tanh", dropout=0.1), LayerSpec(2, "softmax")]
N_PARAMS = (2 + 1) * 5 + (5 + 1) * 2  # 27


def network_meta() -> dict:
    return {"input_shape": [2], "layers": [{"units": 5, "activation": "tanh", "dropout": 0.1, "frozen": False},
                                           {"units": 2, "activation": "softmax", "dropout": 0.0, "frozen": False}],
            "loss": "cross_entropy", "classes": ["no", "yes"], "preprocess": "none", "dtype": "float32"}


def trainer_arrays(epoch: int, rng) -> dict:
    """A trainer state's named arrays as ``TrainerState.to_arrays`` gives them: 0-d scalars and vectors."""
    return {"completed_epochs": np.array(epoch, np.int64), "rng_state": np.array(str(2**127 + epoch)),
            "best_val_loss": np.array(math.inf), "exploded_above": np.array(math.nan),
            "smoothed_loss": np.array(0.1 + epoch), "optimizer.name": np.array("adam"),
            "optimizer.scaled_m": rng.standard_normal(N_PARAMS).astype(np.float32),
            "optimizer.scaled_v": rng.random(N_PARAMS).astype(np.float32),
            "best_params": np.empty(0, np.float32), "order": rng.permutation(70).astype(np.int64)}


def history(epochs: int) -> dict:
    x = np.arange(1, epochs + 1, dtype=float)
    return {"batches": np.vstack([x - 0.5, 1 / x, x / 10, 1 / x, x / 10]), "epochs": np.vstack([x, 1 / x, x / 10]),
            "validation": np.vstack([x, 2 / x, x / 20, 1 / x]), "blow_up": np.array([2.5, np.inf, 2.0, 0.0])}


def make_document() -> SessionDocument:
    rng = np.random.default_rng(7)
    network = Network(2, LAYERS, seed=3)
    network.biases[0][...] = np.linspace(-1, 1, 5)
    model = SavedModel(network, "cross_entropy", ["no", "yes"], (2,), "none")
    snapshots = [SnapshotData(e, rng.standard_normal(N_PARAMS).astype(np.float32), trainer_arrays(e, rng))
                 for e in range(4)]
    snapshots[1].params[0] = -0.0  # the sign of zero survives
    first = RunData(1, "run 1", None, parse_meta({"format": "nnlab-weights", "version": 1, **network_meta()}),
                    {"dataset": "xor", "train": {"learning_rate": 0.1}},
                    {"kind": "builtin", "name": "xor", "n_samples": 400, "n_features": 2, "seed": 0, "sha256": ""},
                    (0.7, 0.15, 0.15), 0, history(3), False, snapshots, ["1700-1.npz"],
                    [{"kind": "start", "epoch": 0, "batch": None, "seconds": 0.0, "text": ""},
                     {"kind": "stop", "epoch": 3, "batch": 4, "seconds": 1.25, "text": "stopped by you"}],
                    1.25, 0, 2, 10**8, SnapshotData(3, snapshots[3].params, snapshots[3].trainer))
    second = RunData(2, "lr 0.01 ✓", (1, 2), first.network, {"dataset": "xor"}, dict(first.dataset),
                     (0.7, 0.15, 0.15), 0, history(0) | {"blow_up": np.empty(0)}, True,
                     [SnapshotData(2, snapshots[2].params, None)], state=None, start_epoch=2)
    return SessionDocument(model, {"source": "xor", "split": [0.7, 0.15, 0.15], "seed": 0, "data_seed": 0}, 3,
                           [first, second], 2, {"neuron": [1, 3], "connection": None}, {"epoch": 2, "ticked": [1, 2]})


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.nnlab"
    save_session(path, make_document())
    return path


def bits(array: np.ndarray) -> bytes:
    return array.dtype.str.encode() + repr(array.shape).encode() + np.ascontiguousarray(array).tobytes()


# -- round trip -------------------------------------------------------------------------------------
def test_round_trip_is_bit_for_bit(good):
    saved, loaded = make_document(), load_session(good)
    assert loaded.model.network.params.tobytes() == saved.model.network.params.tobytes()
    assert loaded.model.network.layers == LAYERS and loaded.model.classes == ["no", "yes"]
    assert (loaded.dataset, loaded.epochs_trained, loaded.current_run, loaded.selection, loaded.view) == \
        (saved.dataset, 3, 2, saved.selection, saved.view)
    assert loaded.extra["nnlab_version"] and "T" in loaded.extra["saved_at"]
    for before, after in zip(saved.runs, loaded.runs):
        assert (after.id, after.name, after.parent, after.settings, after.dataset, after.split, after.seed,
                after.user_samples, after.events, after.seconds_trained, after.start_epoch, after.regression,
                after.snapshot_spacing, after.snapshot_budget) == \
               (before.id, before.name, before.parent, before.settings, before.dataset, before.split, before.seed,
                before.user_samples, before.events, before.seconds_trained, before.start_epoch, before.regression,
                before.snapshot_spacing, before.snapshot_budget)
        assert {k: bits(v) for k, v in after.history.items()} == {k: bits(v) for k, v in before.history.items()}
        for old, new in zip(before.snapshots, after.snapshots):
            assert new.epoch == old.epoch and bits(new.params) == bits(old.params)
            if old.trainer is None:
                assert new.trainer is None
            else:  # every scalar, inf and NaN included, and every vector, with its dtype
                assert {k: bits(v) for k, v in new.trainer.items()} == {k: bits(v) for k, v in old.trainer.items()}
    first = loaded.runs[0]
    assert first.state.epoch == 3 and bits(first.state.params) == bits(saved.runs[0].state.params)
    assert loaded.runs[1].state is None


def test_an_array_kept_under_several_names_is_stored_once_and_loaded_once(good):
    with np.load(good, allow_pickle=False) as archive:
        meta = json.loads(archive["meta"].item())
        names = set(archive.files)
    assert meta["same_as"]["runs.1.state.params"] == "runs.1.snapshots.3.params"
    assert meta["same_as"]["runs.2.snapshots.2.params"] == "runs.1.snapshots.2.params"
    assert "runs.1.state.params" not in names and "runs.1.state.trainer.optimizer.scaled_m" not in names
    loaded = load_session(good)
    assert loaded.runs[0].state.params is loaded.runs[0].snapshots[3].params


def test_plain_numpy_reads_it_without_pickle(good):
    arrays = arrays_of(good)
    meta = json.loads(arrays["meta"].item())
    assert (meta["format"], meta["version"]) == ("nnlab-session", 1)
    assert meta["network"]["format"] == "nnlab-weights"  # the open network, as a weight file says it
    assert arrays["network.layers.0.weight"].shape == (5, 2)  # PyTorch's (out, in), as in weight files
    assert arrays["runs.1.snapshots.0.params"].shape == (N_PARAMS,)
    assert arrays["runs.1.history.epochs"].shape == (3, 3)
    assert meta["runs"][0]["snapshots"][0]["trainer"]["float"] == {"best_val_loss": "inf", "exploded_above": "nan",
                                                                   "smoothed_loss": 0.1}
    assert meta["runs"][0]["snapshots"][0]["trainer"]["text"]["rng_state"] == str(2**127)


def test_saves_atomically_to_exactly_the_path_given(tmp_path, good, monkeypatch):
    save_session(tmp_path / "lesson one", make_document())
    assert load_session(tmp_path / "lesson one").current_run == 2
    before = good.read_bytes()

    def fail(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(SessionFileError, match="not saved \\(No space left on device\\)"):
        save_session(good, make_document())
    assert good.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["good.nnlab", "lesson one"]


def test_what_could_not_be_read_back_is_not_written(tmp_path, good):
    before = good.read_bytes()
    document = make_document()
    document.runs[0].snapshots[2].params[3] = np.nan
    with pytest.raises(SessionFileError, match="not saved because runs.1.snapshots.2.params holds a value that is "
                                               "not finite"):
        save_session(good, document)
    document = make_document()
    document.runs[0].snapshots[1].trainer["optimizer.scaled_m"] = np.zeros(5, np.float32)
    with pytest.raises(SessionFileError, match="holds 5 numbers; it must hold 0 or 27"):
        save_session(good, document)
    document = make_document()
    document.runs[1].name = ""
    with pytest.raises(SessionFileError, match="runs\\[1\\].name must be text of 1 to 80"):
        save_session(good, document)
    assert good.read_bytes() == before


# -- malformed files --------------------------------------------------------------------------------
def _set(path: str, value):
    def change(meta):
        *parents, last = path.split("/")
        node = meta
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        if value is KeyError:
            del node[int(last) if isinstance(node, list) else last]
        else:
            node[int(last) if isinstance(node, list) else last] = value
    return with_meta(change)


def _weights_file(good, bad):
    save_model(bad, SavedModel(Network(2, LAYERS), "cross_entropy", ["no", "yes"], (2,), "none"))


MALFORMED = {
    "lzma garbage": (lzma_garbage, "meta is not a readable NumPy array (Invalid or unsupported options)"),
    "empty file": (lambda good, bad: bad.write_bytes(b""), "the file is empty (0 bytes)"),
    "truncated": (lambda good, bad: bad.write_bytes(good.read_bytes()[:3000]), "damaged or incomplete"),
    "text file": (lambda good, bad: bad.write_text("runs: 2\n"), "not an NN Lab session file (it is not a NumPy"),
    "weight file": (_weights_file, "this is an NN Lab weight file, not a session: open it as weights"),
    "pickled snapshot": (with_arrays(**{"runs.1.snapshots.0.params": np.array([Booby()], dtype=object)}),
                         "runs.1.snapshots.0.params holds Python objects"),
    "pickled meta": (with_arrays(meta=np.array(Booby(), dtype=object)), "meta holds Python objects"),
    "missing meta": (with_arrays(meta=None), "no 'meta' array"),
    "missing snapshot": (with_arrays(**{"runs.1.snapshots.2.params": None}), "runs.1.snapshots.2.params is missing"),
    "missing trainer array": (with_arrays(**{"runs.1.snapshots.0.trainer.order": None}),
                              "runs.1.snapshots.0.trainer.order is missing"),
    "extra array": (with_arrays(notes=np.zeros(2)), "unexpected array 'notes'"),
    "stored twice": (with_arrays(**{"runs.1.state.params": np.zeros(N_PARAMS, np.float32)}),
                     "holds 'runs.1.state.params', which meta says is stored as 'runs.1.snapshots.3.params'"),
    "short params": (with_arrays(**{"runs.1.snapshots.1.params": np.zeros(26, np.float32)}),
                     "runs.1.snapshots.1.params has shape (26,), not (27,)"),
    "float64 params": (with_arrays(**{"runs.1.snapshots.1.params": np.zeros(N_PARAMS)}),
                       "runs.1.snapshots.1.params has dtype float64; it must be float32"),
    "nan params": (with_arrays(**{"runs.1.snapshots.1.params": np.full(N_PARAMS, np.nan, np.float32)}),
                   "runs.1.snapshots.1.params has 27 non-finite values"),
    "nan network": (with_arrays(**{"network.layers.1.bias": np.array([np.inf, 0], np.float32)}),
                    "network.layers.1.bias has 1 non-finite value"),
    "odd moments": (with_arrays(**{"runs.1.snapshots.1.trainer.optimizer.scaled_m": np.zeros(9, np.float32)}),
                    "holds 9 numbers; it must hold 0 or 27"),
    "2-d order": (with_arrays(**{"runs.1.snapshots.1.trainer.order": np.zeros((2, 35), np.int64)}),
                  "runs.1.snapshots.1.trainer.order has shape (2, 35), not (n,)"),
    "text history": (with_arrays(**{"runs.1.history.epochs": np.array(["a", "b"])}),
                     "runs.1.history.epochs has dtype str"),
    "history rows": (with_arrays(**{"runs.1.history.epochs": np.zeros((2, 3))}),
                     "runs.1.history.epochs has shape (2, 3), not (3, n)"),
    "absurd header": (huge_header("runs.1.history.batches", "<f8", (5, 2**31)), "its arrays would take 85,899,3"),
    "meta not json": (with_arrays(meta=np.array("{runs: [")), "meta is not valid JSON"),
    "newer version": (_set("version", 2), "made by a newer NN Lab (session format version 2"),
    "wrong format": (_set("format", "keras"), "not an NN Lab session file (meta has format 'keras'"),
    "no runs key": (_set("runs", KeyError), "meta is missing 'runs'"),
    "bad network": (_set("network/layers/0/units", 0), "meta's network: its architecture is impossible"),
    "bad run network": (_set("runs/0/network/loss", "hinge"), "meta's runs[0].network: meta's loss is \"hinge\""),
    "two runs one id": (_set("runs/1/id", 1), "runs[1] has the id 1 of an earlier run"),
    "current not a run": (_set("current_run", 9), "current_run is 9, which is not the id of one of its runs"),
    "epochs backwards": (_set("runs/0/snapshots/2/epoch", 1), "snapshots go in increasing order of epoch"),
    "unknown run key": (_set("runs/0/colour", "red"), "runs[0] has an unknown key 'colour'"),
    "bool seed": (_set("runs/0/seed", True), "runs[0].seed must be a whole number"),
    "bad spacing": (_set("runs/0/snapshot_spacing", 3), "snapshot_spacing is 3, not a power of 2"),
    "huge int": (_set("runs/0/snapshots/0/trainer/int/completed_epochs", 2**64),
                 "completed_epochs must be a whole number of 64 bits"),
    "float as text": (_set("runs/0/snapshots/0/trainer/float/smoothed_loss", "lots"),
                      "smoothed_loss must be a number (or \"inf\", \"-inf\", \"nan\")"),
    "odd field name": (_set("runs/0/snapshots/0/trainer/arrays/0", "../etc"), "names a field '../etc'"),
    "field twice": (_set("runs/0/snapshots/0/trainer/text/smoothed_loss", "x"), "names the field 'smoothed_loss' twice"),
    "alias nowhere": (_set("same_as/runs.1.state.params", "runs.9.snapshots.0.params"),
                      "same_as.runs.1.state.params must name another array of this session that is stored"),
    "alias of a history": (_set("same_as/runs.1.state.params", "runs.1.history.batches"),
                           "runs.1.state.params has dtype float64; it must be float32"),
    "surrogate": (_set("runs/0/name", "\ud800"), "not valid Unicode text"),
    "too many events": (_set("runs/0/events", [{"kind": "start", "epoch": 0, "batch": None, "seconds": 0, "text": ""}]
                             * 100_001), "runs[0].events has 100,001 items; the limit is 100,000"),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_malformed_file_gives_one_sentence_and_builds_nothing(tmp_path, good, case, monkeypatch):
    build, expected = MALFORMED[case]
    bad = tmp_path / f"bad {case}.nnlab"
    build(good, bad)
    built = []
    monkeypatch.setattr(session_file, "Network", lambda *a, **k: built.append(a))
    with pytest.raises(SessionFileError) as caught:
        load_session(bad)
    message = str(caught.value)
    assert expected in message
    assert message.startswith(f"{bad}: ") and message.endswith(".") and "\n" not in message
    assert ". " not in message[len(str(bad)):]  # one sentence
    assert isinstance(caught.value, ValueError)
    assert built == [] and unpickled == []


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(SessionFileError, match="there is no such file"):
        load_session(tmp_path / "nope.nnlab")
    with pytest.raises(SessionFileError, match="this is a folder"):
        load_session(tmp_path)
