"""Session files (``.nnlab``): the open network, every run with its curves and snapshots, the
selection and the view — in one npz container under the weight file's rules.

Never unpickled; the meta is checked whole (``session_meta``) and every array's name, shape and
dtype against it, from headers alone, before any array is read; sizes are limited; saving is
atomic (``weights_file.write_atomically``) and runs the loader's checks first, so a file we write is
one we can read back bit for bit. A file that fails raises one :class:`SessionFileError` sentence
naming it, and nothing is built. Plain data in and out (:class:`SessionDocument`); the lab turns a
``LabSession`` into one and back (``nnlab.lab.session_io``). The format: docs/session-file-format.md.
"""
from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from nnlab import __version__
from nnlab.engine.network import Network

from .meta_checks import FileProblem, counted, first_sentence
from .session_meta import (FORMAT, MAX_ARRAY_BYTES, MAX_META_CHARS, VERSION, Expected, MetaSpec, RunMeta,
                           SessionMeta, TrainerMeta, parse_session_meta, trainer_meta)
from .weights_file import (SavedModel, archive_members, layer_arrays, open_archive, pickled, read_meta,
                           save_checked)
from .weights_meta import layers_meta
from .weights_npy import check_code_points, read_array, read_header

__all__ = ["FORMAT", "VERSION", "RunData", "SessionDocument", "SessionFileError", "SnapshotData", "load_session",
           "save_session"]
SUFFIX = ".nnlab"


class SessionFileError(ValueError):
    """A session file that cannot be opened or saved; ``str()`` is one sentence naming the file."""

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem.rstrip('.')}.")

    def __reduce__(self):
        return (type(self), (self.path, self.problem))


@dataclass
class SnapshotData:
    """A run's weights (flat, like ``Network.params``) at the end of ``epoch``, and its trainer state as
    named arrays (``TrainerState.to_arrays()``: 0-d arrays for the scalars), or None."""

    epoch: int
    params: np.ndarray
    trainer: dict[str, np.ndarray] | None = None


@dataclass
class RunData:
    """One run as plain data; ``network`` describes what its flat parameters mean."""

    id: int
    name: str
    parent: tuple[int, int] | None  # (run id, epoch)
    network: MetaSpec
    settings: dict
    dataset: dict  # kind, name, n_samples, n_features, seed, sha256
    split: tuple[float, float, float]
    seed: int
    history: dict[str, np.ndarray]  # History.to_arrays() without "regression"
    regression: bool = False
    snapshots: list[SnapshotData] = field(default_factory=list)
    user_samples: list[str] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # kind, epoch, batch, seconds, text
    seconds_trained: float = 0.0
    start_epoch: int = 0
    snapshot_spacing: int = 1
    snapshot_budget: int = 0
    state: SnapshotData | None = None  # where the run carries on from (epoch: its last completed one)


@dataclass
class SessionDocument:
    """Everything a session file holds. ``model``: the network open now, as a weight file holds it
    (None: none). ``dataset``: the open dataset's source, split and seed. ``view``: the scrubbed epoch
    ("live" or a number) and the runs ticked for comparison."""

    model: SavedModel | None
    dataset: dict | None  # source, split, seed (the split's), data_seed (a generated set's)
    epochs_trained: int = 0
    runs: list[RunData] = field(default_factory=list)
    current_run: int | None = None
    selection: dict = field(default_factory=lambda: {"neuron": None, "connection": None})
    view: dict = field(default_factory=lambda: {"epoch": "live", "ticked": []})
    extra: dict = field(default_factory=dict)  # other meta keys; nnlab_version and saved_at of a loaded file


# -- save ---------------------------------------------------------------------------------------
def save_session(path: str | os.PathLike, document: SessionDocument) -> None:
    """Write ``document`` to exactly ``path``, complete or not at all; SessionFileError says why not."""
    save_checked(path, lambda: _arrays_for(document), SessionFileError)


def _arrays_for(document: SessionDocument) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    meta = {"format": FORMAT, "version": VERSION, "nnlab_version": __version__,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "network": None, "epochs_trained": document.epochs_trained, "dataset": document.dataset, "runs": [],
            "current_run": document.current_run,
            "selection": document.selection, "view": document.view, "same_as": {}}
    clash = [key for key in document.extra if key in meta]
    meta.update((key, value) for key, value in document.extra.items() if key not in meta)
    if clash and clash[0] not in ("nnlab_version", "saved_at"):
        raise FileProblem(f"extra uses the reserved meta key {clash[0]!r}")
    if document.model is not None:
        meta["network"], layers = _model_meta(document.model)
        arrays.update({f"network.{key}": value for key, value in layers.items()})
    for run in document.runs:
        meta["runs"].append(_run_meta(run, arrays))
    unique: dict[tuple, str] = {}
    for key in list(arrays):  # an array stored under several names is stored once
        value = arrays[key]
        if value.ndim != 1 or not value.size:
            continue
        fingerprint = (value.dtype.str, value.shape, hashlib.blake2b(value.tobytes(), digest_size=16).digest())
        first = unique.setdefault(fingerprint, key)
        if first != key and np.array_equal(arrays[first].view(np.uint8), value.view(np.uint8)):
            meta["same_as"][key] = first
            del arrays[key]
    try:
        text = json.dumps(meta, allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise FileProblem(f"the meta cannot be written as JSON ({first_sentence(exc)})") from None
    if len(text) > MAX_META_CHARS:
        raise FileProblem(f"the meta is {len(text):,} characters; the limit is {MAX_META_CHARS:,}")
    parsed = parse_session_meta(json.loads(text))  # the loader's own checks: what we write, we can read
    stored = {key: parsed.expected[key] for key in parsed.expected if key not in parsed.same_as}
    if stored.keys() != arrays.keys():
        odd = sorted(stored.keys() ^ arrays.keys())[0]
        raise FileProblem(f"the array {odd!r} and the meta disagree")
    _check_sizes({key: (value.shape, value.dtype) for key, value in arrays.items()}, stored)
    for key, value in arrays.items():
        if stored[key].finite and not np.isfinite(value).all():
            raise FileProblem(f"{key} holds a value that is not finite (NaN or infinity)")
    return {"meta": np.array(text), **arrays}


def _model_meta(model: SavedModel) -> tuple[dict, dict[str, np.ndarray]]:
    network = model.network
    if not isinstance(network, Network):
        raise FileProblem(f"the model's network is a {type(network).__name__}, not a Network")
    version, described = layers_meta(network.layers)
    meta = {"format": "nnlab-weights", "version": version, "input_shape": list(model.input_shape),
            "layers": described, "loss": model.loss, "classes": list(model.classes), "preprocess": model.preprocess,
            "dtype": network.dtype.name}
    return meta, layer_arrays(network)


def _run_meta(run: RunData, arrays: dict[str, np.ndarray]) -> dict:
    prefix = f"runs.{run.id}"
    network = run.network
    history = {name: np.asarray(run.history[name], dtype=np.float64) for name in ("batches", "epochs", "validation",
                                                                                  "blow_up")}
    arrays.update({f"{prefix}.history.{name}": value for name, value in history.items()})
    snapshots = []
    for snapshot in run.snapshots:
        place = f"{prefix}.snapshots.{snapshot.epoch}"
        snapshots.append({"epoch": snapshot.epoch, "trainer": _place_arrays(place, snapshot, arrays)})
    state = None
    if run.state is not None:
        state = {"trainer": _place_arrays(f"{prefix}.state", run.state, arrays)}
    return {"id": run.id, "name": run.name,
            "parent": None if run.parent is None else {"run": run.parent[0], "epoch": run.parent[1]},
            "network": {"input_shape": list(network.input_shape),
                        "layers": layers_meta(network.layers)[1],
                        "loss": network.loss, "classes": list(network.classes), "preprocess": network.preprocess,
                        "dtype": network.dtype},
            "settings": run.settings, "dataset": run.dataset, "split": list(run.split), "seed": run.seed,
            "user_samples": list(run.user_samples), "events": list(run.events),
            "seconds_trained": run.seconds_trained, "start_epoch": run.start_epoch, "regression": run.regression,
            "snapshot_spacing": run.snapshot_spacing, "snapshot_budget": run.snapshot_budget,
            "snapshots": snapshots, "state": state}


def _place_arrays(place: str, snapshot: SnapshotData, arrays: dict[str, np.ndarray]) -> dict | None:
    arrays[f"{place}.params"] = np.asarray(snapshot.params)
    if snapshot.trainer is None:
        return None
    meta = trainer_meta(snapshot.trainer)
    for name in meta["arrays"]:
        arrays[f"{place}.trainer.{name}"] = np.asarray(snapshot.trainer[name])
    return meta


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"{type(value).__name__} values cannot be stored")


# -- load ---------------------------------------------------------------------------------------
def load_session(path: str | os.PathLike) -> SessionDocument:
    """Read and fully check a session file; SessionFileError names the file and its first problem."""
    try:
        with open_archive(Path(path), "session file") as archive:
            return _read(archive)
    except FileProblem as bad:
        raise SessionFileError(path, str(bad)) from None


def _read(archive: zipfile.ZipFile) -> SessionDocument:
    members = archive_members(archive)
    if "meta" not in members:
        raise FileProblem("it has no 'meta' array, so it is not an NN Lab session file")
    session = parse_session_meta(read_meta(archive, members["meta"], MAX_META_CHARS))
    stored = {key: expected for key, expected in session.expected.items() if key not in session.same_as}
    for key in stored:  # names first: nothing is opened before the set of arrays is right
        if key not in members:
            raise FileProblem(f"{key} is missing")
    for key in members:
        if key != "meta" and key not in stored:
            raise FileProblem(f"it has an unexpected array {key!r}" if key not in session.same_as else
                              f"it holds {key!r}, which meta says is stored as {session.same_as[key]!r}")
    headers = {key: read_header(archive, members[key], key) for key in stored}
    for key, header in headers.items():
        if header.dtype.hasobject:
            raise FileProblem(pickled(key))
    _check_sizes({key: (header.shape, header.dtype) for key, header in headers.items()}, stored)
    for key, target in session.same_as.items():  # a repeated array must be what its own name promises too
        problem = session.expected[key].problem(key, headers[target].shape, headers[target].dtype)
        if problem:
            raise FileProblem(f"{problem} (meta says it is stored as {target!r})")
    arrays = {}
    for key in stored:
        array = read_array(archive, members[key], key, headers[key])
        if stored[key].finite:
            bad = array.size - int(np.count_nonzero(np.isfinite(array)))
            if bad:
                raise FileProblem(f"{key} has {counted(bad, 'non-finite value')} (NaN or infinity)")
        arrays[key] = array
    for key, target in session.same_as.items():
        if session.expected[key].finite and not session.expected[target].finite \
                and not np.isfinite(arrays[target]).all():
            raise FileProblem(f"{key} (stored as {target!r}) holds a value that is not finite (NaN or infinity)")
        arrays[key] = arrays[target]
    return _document(session, arrays)


def _check_sizes(shapes: dict[str, tuple], expected: dict[str, Expected]) -> None:
    total = 0
    for key, (shape, dtype) in shapes.items():
        problem = expected[key].problem(key, tuple(shape), np.dtype(dtype))
        if problem:
            raise FileProblem(problem)
        total += math.prod(shape) * np.dtype(dtype).itemsize
    if total > MAX_ARRAY_BYTES:
        raise FileProblem(f"its arrays would take {total:,} bytes; the limit is {MAX_ARRAY_BYTES:,}")


def _document(session: SessionMeta, arrays: dict[str, np.ndarray]) -> SessionDocument:
    model = None
    if session.network is not None:
        spec = session.network
        network = Network(spec.input_shape, spec.layers, dtype=np.dtype(spec.dtype))
        for i, layer in enumerate(network.layers):
            if layer.has_parameters:
                network.weights[i][...] = arrays[f"network.layers.{i}.weight"]
                network.biases[i][...] = arrays[f"network.layers.{i}.bias"]
        model = SavedModel(network, spec.loss, list(spec.classes), tuple(spec.input_shape), spec.preprocess)
    runs = [_run_data(run, arrays) for run in session.runs]
    return SessionDocument(model, session.dataset, session.epochs_trained, runs, session.current_run, session.selection, session.view,
                           session.extra)


def _run_data(run: RunMeta, arrays: dict[str, np.ndarray]) -> RunData:
    prefix = f"runs.{run.id}"
    history = {name: arrays[f"{prefix}.history.{name}"] for name in ("batches", "epochs", "validation", "blow_up")}
    snapshots = [SnapshotData(snap.epoch, arrays[f"{prefix}.snapshots.{snap.epoch}.params"],
                              _trainer_arrays(f"{prefix}.snapshots.{snap.epoch}", snap.trainer, arrays))
                 for snap in run.snapshots]
    state = None
    if run.has_state:
        last = run.snapshots[-1].epoch if run.snapshots else run.start_epoch
        state = SnapshotData(last, arrays[f"{prefix}.state.params"], _trainer_arrays(f"{prefix}.state", run.state,
                                                                                     arrays))
    return RunData(run.id, run.name, run.parent, run.network, run.settings, run.dataset, run.split, run.seed,
                   history, run.regression, snapshots, run.user_samples, run.events, run.seconds_trained,
                   run.start_epoch, run.snapshot_spacing, run.snapshot_budget, state)


def _trainer_arrays(place: str, trainer: TrainerMeta | None, arrays: dict[str, np.ndarray]):
    if trainer is None:
        return None
    named = dict(trainer.scalars)
    for name in trainer.arrays:
        named[name] = arrays[f"{place}.trainer.{name}"]
    for name, value in named.items():
        if value.dtype.kind == "U":
            check_code_points(value, f"{place}.trainer.{name}")
    return named
