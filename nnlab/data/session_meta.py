"""What a valid session-file ``meta`` is, and the arrays it promises — before any array is read.

A session's JSON meta describes its runs: their networks (as weight files describe one), settings,
datasets, events, snapshot epochs and the trainer state's scalars. From it follows the exact set of
arrays the file must hold, each with its shape and dtype (:class:`Expected`), so that the loader
refuses a missing, unexpected, mis-shaped or oversized array from its header alone. Saving runs the
same parse on the meta it is about to write. Problems are :class:`FileProblem` sentences; the
loader names the file. See docs/session-file-format.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .importers.limits import MAX_VALUES
from .meta_checks import (FileProblem, bounded_list, check_header, check_values, field_name, keyed_object,
                          real_number, shares, short_repr, text_field, whole_number)
from .weights_meta import FORMAT as WEIGHTS_FORMAT, VERSION as WEIGHTS_VERSION, MetaSpec, parse_meta

FORMAT = "nnlab-session"
VERSION = 1
MAX_RUNS = 1_000
"""A learner compares a handful of runs; a thousand is a whole course's worth, and keeps a hostile meta's
run list (each run adds arrays to check) small."""
MAX_SNAPSHOTS = 20_000
"""In all runs together: a hundred runs of 200 kept epochs. Each snapshot is several arrays whose headers
are read one by one (~0.1 ms each), so this bounds the time a hostile file can cost at a few seconds."""
MAX_EVENTS = 100_000  # per run: a start, pause and resume at every one of 10,000 epochs, three times over
MAX_USER_SAMPLES = 100_000  # per run: the Draw dock saves one file per sample; nobody draws more
MAX_TRAINER_FIELDS = 64  # per trainer state; NN Lab's has about 25
MAX_TEXT_CHARS = 10_000  # an event's text, a trainer state's text field
MAX_ORDER_LENGTH = MAX_VALUES
"""A trainer state's sample order has one index per training sample; no importer reads a set of more
values than this, so no training set has more samples."""
MAX_ARRAY_BYTES = 4 * 2**30
"""All arrays together, from their headers, before any is read: forty runs at the default snapshot
budget (100 MiB each) fit, and a header that declares terabytes is refused without allocating."""
MAX_META_CHARS = 32_000_000
"""The meta grows by ~600 characters a snapshot (the trainer's scalars) and ~100 an event: 20,000
snapshots with their events fit in a fifth of this."""
HISTORY_ROWS = {"batches": 5, "epochs": 3, "validation": 4}  # nnlab.lab.history's tables, by their row count
_FLOAT_WORDS = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}
_INT64 = 2**63
_RUN_KEYS = {"id", "name", "parent", "network", "settings", "dataset", "split", "seed", "user_samples", "events",
             "seconds_trained", "start_epoch", "regression", "snapshot_spacing", "snapshot_budget", "snapshots",
             "state"}
_TOP_KEYS = ("format", "version", "network", "epochs_trained", "dataset", "runs", "current_run", "selection", "view",
             "same_as")


@dataclass(frozen=True)
class Expected:
    """What one array must be: ``shape`` exactly (None where a length is free), one of ``dtypes``,
    and — for a trainer array — a length from ``lengths`` (float arrays) or at most ``max_length``."""

    shape: tuple[int | None, ...]
    dtypes: tuple[str, ...]
    lengths: tuple[int, ...] = ()
    max_length: int | None = None
    finite: bool = False  # weights: NaN or infinity is refused

    def problem(self, key: str, shape: tuple[int, ...], dtype: np.dtype) -> str:
        """"" when an array of ``shape`` and ``dtype`` is what this expects, else the sentence why not."""
        if dtype.name not in self.dtypes:
            return f"{key} has dtype {dtype.name}; it must be {' or '.join(self.dtypes)}"
        if len(shape) != len(self.shape) or any(want is not None and got != want
                                                for got, want in zip(shape, self.shape)):
            wanted = "(" + ", ".join("n" if n is None else str(n) for n in self.shape) + ("," if len(self.shape) == 1
                                                                                         else "") + ")"
            return f"{key} has shape {shape}, not {wanted}"
        if dtype.kind == "f" and self.lengths and shape[0] not in self.lengths:
            return f"{key} holds {shape[0]:,} numbers; it must hold {' or '.join(f'{n:,}' for n in self.lengths)}"
        if dtype.kind == "i" and self.max_length is not None and shape[0] > self.max_length:
            return f"{key} holds {shape[0]:,} numbers; the limit is {self.max_length:,}"
        return ""


@dataclass
class TrainerMeta:
    """A trainer state's scalars (by name, as 0-d arrays) and the names of its array members."""

    scalars: dict[str, np.ndarray]
    arrays: list[str]


@dataclass
class SnapshotMeta:
    epoch: int
    trainer: TrainerMeta | None


@dataclass
class RunMeta:
    id: int
    name: str
    parent: tuple[int, int] | None
    network: MetaSpec
    settings: dict
    dataset: dict
    split: tuple[float, float, float]
    seed: int
    user_samples: list[str]
    events: list[dict]
    seconds_trained: float
    start_epoch: int
    regression: bool
    snapshot_spacing: int
    snapshot_budget: int
    snapshots: list[SnapshotMeta]
    state: TrainerMeta | None  # None: no state; its params then are absent too
    has_state: bool = False

    @property
    def n_params(self) -> int:
        return self.network.n_parameters


@dataclass
class SessionMeta:
    network: MetaSpec | None
    epochs_trained: int
    dataset: dict | None
    runs: list[RunMeta]
    current_run: int | None
    selection: dict
    view: dict
    same_as: dict[str, str]
    extra: dict
    expected: dict[str, Expected] = field(default_factory=dict)  # every array the file must hold


def parse_session_meta(meta) -> SessionMeta:
    """Check a decoded session meta in reading order; describe the session and the arrays it promises."""
    if not isinstance(meta, dict):
        raise FileProblem(f"meta must be a JSON object, not a {type(meta).__name__}")
    check_values(meta)
    check_header(meta, file_format=FORMAT, kind="session", versions=(VERSION,), required=_TOP_KEYS, short=short_repr,
                 others={WEIGHTS_FORMAT: "this is an NN Lab weight file, not a session: open it as weights"})
    expected: dict[str, Expected] = {}
    network = None
    if meta["network"] is not None:
        network = _network(meta["network"], "network", require_dtype=True)
        for key, shape in network.array_shapes().items():
            expected[f"network.{key}"] = Expected(shape, (network.dtype,), finite=True)
    dataset = None if meta["dataset"] is None else _open_dataset(meta["dataset"])
    runs_value = bounded_list(meta["runs"], "runs", MAX_RUNS)
    runs, snapshots = [], 0
    for index, value in enumerate(runs_value):
        run = _run(value, f"runs[{index}]")
        if any(other.id == run.id for other in runs):
            raise FileProblem(f"meta's runs[{index}] has the id {run.id} of an earlier run")
        snapshots += len(run.snapshots)
        if snapshots > MAX_SNAPSHOTS:
            raise FileProblem(f"its runs hold more than {MAX_SNAPSHOTS:,} snapshots, the limit")
        runs.append(run)
        expected.update(_run_arrays(run))
    current = meta["current_run"]
    if current is not None and (type(current) is not int or all(run.id != current for run in runs)):
        raise FileProblem(f"meta's current_run is {short_repr(current)}, which is not the id of one of its runs")
    same_as = _aliases(meta["same_as"], expected)
    extra = {key: value for key, value in meta.items() if key not in _TOP_KEYS}
    return SessionMeta(network, whole_number(meta["epochs_trained"], "epochs_trained"), dataset, runs, current,
                       _selection(meta["selection"]), _view(meta["view"]), same_as, extra, expected)


# -- the parts -------------------------------------------------------------------------------------
def _network(value, where: str, require_dtype: bool) -> MetaSpec:
    if not isinstance(value, dict):
        raise FileProblem(f"meta's {where} must be an object describing a network")
    if require_dtype and value.get("dtype") not in ("float32", "float64"):
        raise FileProblem(f"meta's {where}.dtype must be \"float32\" or \"float64\"")
    try:
        # A network's own "version" (1: dense layers; 2: typed layers) — else the newest, which reads both.
        return parse_meta({"version": WEIGHTS_VERSION, **value, "format": WEIGHTS_FORMAT})
    except FileProblem as problem:
        raise FileProblem(f"meta's {where}: {problem}") from None


def _open_dataset(value) -> dict:
    obj = keyed_object(value, "dataset", {"source", "split", "seed", "data_seed"})
    return {"source": text_field(obj["source"], "dataset.source", 4096, empty=False),
            "split": list(shares(obj["split"], "dataset.split")), "seed": whole_number(obj["seed"], "dataset.seed"),
            "data_seed": whole_number(obj["data_seed"], "dataset.data_seed")}


def _run(value, where: str) -> RunMeta:
    obj = keyed_object(value, where, _RUN_KEYS)
    run_id = whole_number(obj["id"], f"{where}.id", 1, 10**9)
    parent = obj["parent"]
    if parent is not None:
        parent_obj = keyed_object(parent, f"{where}.parent", {"run", "epoch"})
        parent = (whole_number(parent_obj["run"], f"{where}.parent.run", 1, 10**9),
                  whole_number(parent_obj["epoch"], f"{where}.parent.epoch"))
    network = _network(obj["network"], f"{where}.network", require_dtype=True)
    dataset = keyed_object(obj["dataset"], f"{where}.dataset",
                           {"kind", "name", "n_samples", "n_features", "seed", "sha256"})
    for key in ("kind", "name", "sha256"):
        text_field(dataset[key], f"{where}.dataset.{key}", 4096)
    for key in ("n_samples", "n_features", "seed"):
        whole_number(dataset[key], f"{where}.dataset.{key}")
    if not isinstance(obj["settings"], dict):
        raise FileProblem(f"meta's {where}.settings must be an object")
    samples = bounded_list(obj["user_samples"], f"{where}.user_samples", MAX_USER_SAMPLES)
    for i, name in enumerate(samples):
        text_field(name, f"{where}.user_samples[{i}]", 255)
    events = [_event(item, f"{where}.events[{i}]") for i, item in
              enumerate(bounded_list(obj["events"], f"{where}.events", MAX_EVENTS))]
    start = whole_number(obj["start_epoch"], f"{where}.start_epoch")
    spacing = whole_number(obj["snapshot_spacing"], f"{where}.snapshot_spacing", 1, 2**40)
    if spacing & (spacing - 1):
        raise FileProblem(f"meta's {where}.snapshot_spacing is {spacing}, not a power of 2")
    snapshots, last = [], None
    for i, item in enumerate(bounded_list(obj["snapshots"], f"{where}.snapshots", MAX_SNAPSHOTS)):
        snap = keyed_object(item, f"{where}.snapshots[{i}]", {"epoch", "trainer"})
        epoch = whole_number(snap["epoch"], f"{where}.snapshots[{i}].epoch", start)
        if last is not None and epoch <= last:
            raise FileProblem(f"meta's {where}.snapshots[{i}] is of epoch {epoch}, after epoch {last}: "
                              "snapshots go in increasing order of epoch")
        last = epoch
        trainer = None if snap["trainer"] is None else _trainer(snap["trainer"], f"{where}.snapshots[{i}].trainer")
        snapshots.append(SnapshotMeta(epoch, trainer))
    state, has_state = None, obj["state"] is not None
    if has_state:
        state_obj = keyed_object(obj["state"], f"{where}.state", {"trainer"})
        state = None if state_obj["trainer"] is None else _trainer(state_obj["trainer"], f"{where}.state.trainer")
    regression = obj["regression"]
    if type(regression) is not bool:
        raise FileProblem(f"meta's {where}.regression must be true or false")
    return RunMeta(run_id, text_field(obj["name"], f"{where}.name", 80, empty=False), parent, network, obj["settings"],
                   dataset, shares(obj["split"], f"{where}.split"), whole_number(obj["seed"], f"{where}.seed"),
                   list(samples), events, real_number(obj["seconds_trained"], f"{where}.seconds_trained"), start,
                   regression, spacing, whole_number(obj["snapshot_budget"], f"{where}.snapshot_budget", 0, 2**62),
                   snapshots, state, has_state)


def _run_arrays(run: RunMeta) -> dict[str, Expected]:
    """The arrays a run's meta promises, by name."""
    prefix, n_params, dtype = f"runs.{run.id}", run.n_params, run.network.dtype
    arrays = {f"{prefix}.history.{name}": Expected((rows, None), ("float64",)) for name, rows in HISTORY_ROWS.items()}
    arrays[f"{prefix}.history.blow_up"] = Expected((None,), ("float64",), lengths=(0, 4))
    places = [(f"{prefix}.snapshots.{snap.epoch}", snap.trainer) for snap in run.snapshots]
    if run.has_state:
        places.append((f"{prefix}.state", run.state))
    for place, trainer in places:
        arrays[f"{place}.params"] = Expected((n_params,), (dtype,), finite=True)
        for name in trainer.arrays if trainer is not None else ():
            arrays[f"{place}.trainer.{name}"] = Expected((None,), (dtype, "int64"), lengths=(0, n_params),
                                                         max_length=MAX_ORDER_LENGTH)
    return arrays


def _trainer(value, where: str) -> TrainerMeta:
    obj = keyed_object(value, where, {"int", "float", "text", "arrays"})
    scalars: dict[str, np.ndarray] = {}
    names: list[str] = []
    for group in ("int", "float", "text"):
        items = obj[group]
        if not isinstance(items, dict):
            raise FileProblem(f"meta's {where}.{group} must be an object of named values")
        for name, item in items.items():
            names.append(field_name(name, f"{where}.{group}"))
            scalars[name] = _scalar(group, item, f"{where}.{group}.{name}")
    arrays = bounded_list(obj["arrays"], f"{where}.arrays", MAX_TRAINER_FIELDS)
    for i, name in enumerate(arrays):
        names.append(field_name(name, f"{where}.arrays[{i}]"))
    if len(names) > MAX_TRAINER_FIELDS:
        raise FileProblem(f"meta's {where} has {len(names)} fields; the limit is {MAX_TRAINER_FIELDS}")
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise FileProblem(f"meta's {where} names the field {twice[0]!r} twice")
    return TrainerMeta(scalars, list(arrays))


def _scalar(group: str, item, where: str) -> np.ndarray:
    if group == "int":
        if type(item) is not int or not -_INT64 <= item < _INT64:
            raise FileProblem(f"meta's {where} must be a whole number of 64 bits, not {short_repr(item)}")
        return np.array(item, dtype=np.int64)
    if group == "float":
        if isinstance(item, str) and item in _FLOAT_WORDS:
            return np.array(_FLOAT_WORDS[item], dtype=np.float64)
        if type(item) not in (int, float):
            raise FileProblem(f"meta's {where} must be a number (or \"inf\", \"-inf\", \"nan\"), "
                              f"not {short_repr(item)}")
        return np.array(float(item), dtype=np.float64)
    return np.array(text_field(item, where, MAX_TEXT_CHARS), dtype=np.str_)


def _event(value, where: str) -> dict:
    obj = keyed_object(value, where, {"kind", "epoch", "batch", "seconds", "text"})
    batch = obj["batch"]
    return {"kind": text_field(obj["kind"], f"{where}.kind", 20), "epoch": whole_number(obj["epoch"], f"{where}.epoch"),
            "batch": None if batch is None else whole_number(batch, f"{where}.batch", 1),
            "seconds": real_number(obj["seconds"], f"{where}.seconds"), "text": text_field(obj["text"], f"{where}.text",
                                                                                 MAX_TEXT_CHARS)}


def _selection(value) -> dict:
    obj = keyed_object(value, "selection", {"neuron", "connection"})
    out = {}
    for key, length in (("neuron", 2), ("connection", 3)):
        item = obj[key]
        if item is not None and (not isinstance(item, list) or len(item) != length
                                 or not all(type(n) is int and 0 <= n < 10**9 for n in item)):
            raise FileProblem(f"meta's selection.{key} must be null or {length} whole numbers")
        out[key] = None if item is None else list(item)
    return out


def _view(value) -> dict:
    obj = keyed_object(value, "view", {"epoch", "ticked"})
    epoch = obj["epoch"]
    if epoch != "live":
        whole_number(epoch, "view.epoch")
    ticked = bounded_list(obj["ticked"], "view.ticked", MAX_RUNS)
    for i, run_id in enumerate(ticked):
        whole_number(run_id, f"view.ticked[{i}]", 1, 10**9)
    return {"epoch": epoch, "ticked": list(ticked)}


def _aliases(value, expected: dict[str, Expected]) -> dict[str, str]:
    """``same_as``: arrays stored once for several names (a best epoch's weights, a run's end state)."""
    if not isinstance(value, dict):
        raise FileProblem("meta's same_as must be an object")
    for name, target in value.items():
        if name not in expected:
            raise FileProblem(f"meta's same_as names {short_repr(name)}, which is not an array of this session")
        if not isinstance(target, str) or target not in expected or target in value:
            raise FileProblem(f"meta's same_as.{name} must name another array of this session that is stored")
    return dict(value)


def trainer_meta(arrays: dict[str, np.ndarray]) -> dict:
    """A trainer state's named arrays (its ``to_arrays()``) as meta: scalars by kind, the names of the rest."""
    out: dict = {"int": {}, "float": {}, "text": {}, "arrays": []}
    for name, value in arrays.items():
        value = np.asarray(value)
        if value.ndim:
            out["arrays"].append(name)
        elif value.dtype.kind in "iu":
            out["int"][name] = int(value)
        elif value.dtype.kind == "f":
            number = float(value)
            out["float"][name] = number if math.isfinite(number) else \
                ("nan" if math.isnan(number) else "inf" if number > 0 else "-inf")
        elif value.dtype.kind == "U":
            out["text"][name] = str(value)
        else:
            raise FileProblem(f"the trainer state's {name!r} is a {value.dtype} value, which a session file "
                              "does not keep")
    return out
