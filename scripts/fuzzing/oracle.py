"""Load one file and judge what happened: a valid result, a documented refusal, or a finding.

Findings: an undocumented exception ("escaped"), pickle called ("unpickled"), a result that
breaks the Dataset/model contract ("wrong"), a refusal that does not name the file or is more
than one line ("vague"), and — through the window's ``LabSession`` — a failed load that changed
the open session ("session changed") or raised what the window does not catch ("session escaped").
Time and tracemalloc peak are measured for every load; the runner judges them.
"""
from __future__ import annotations

import contextlib
import hashlib
import math
import os
import pickle
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError
from nnlab.data.importers import load_dataset_file
from nnlab.data.session_file import SessionFileError
from nnlab.data.weights_file import SavedModel, WeightFileError, load_model
from nnlab.engine.scaled_bytes import ScaledBytes
from nnlab.lab.session_io import OpenedSession, read_session

DOCUMENTED = {"datasets": DatasetFormatError, "weights": WeightFileError, "sessions": SessionFileError,
              "conv": WeightFileError}
# A session file is read as the window reads it: the file, then every run rebuilt and the dataset reopened.
LOADERS = {"datasets": load_dataset_file, "weights": load_model, "sessions": read_session, "conv": load_model}
FINDINGS = ("escaped", "unpickled", "wrong", "vague", "session changed", "session escaped")


class Unpickled(BaseException):
    """pickle was asked to load something: a BaseException, so no ``except Exception`` hides it."""


@dataclass
class Outcome:
    status: str  # "loaded", "refused" or one of FINDINGS
    error: str = ""  # the exception's type
    message: str = ""
    seconds: float = 0.0  # wall-clock
    cpu_seconds: float = 0.0  # this process's CPU time: what the time verdict uses, as other work on a
    # shared machine does not inflate it
    peak_bytes: int = 0  # tracemalloc's peak during the load


@contextlib.contextmanager
def pickle_forbidden(calls: list[str]):
    """Make every way into pickle raise Unpickled (and record it, in case something swallows it)."""
    saved = pickle.load, pickle.loads, pickle.Unpickler

    def refuse(name):
        def call(*args, **kwargs):
            calls.append(name)
            raise Unpickled(f"pickle.{name} was called")
        return call

    class NoUnpickler:
        def __init__(self, *args, **kwargs):
            refuse("Unpickler")()

    pickle.load, pickle.loads, pickle.Unpickler = refuse("load"), refuse("loads"), NoUnpickler
    try:
        yield
    finally:
        pickle.load, pickle.loads, pickle.Unpickler = saved


def load_once(kind: str, path: Path, folder: Path) -> Outcome:
    """Load ``path`` with the kind's loader under the pickle guard, timing it and tracing its memory."""
    calls: list[str] = []
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    tracemalloc.reset_peak()
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        with pickle_forbidden(calls):
            result = LOADERS[kind](path)
        status, error, message = "loaded", "", _check_result(result)
        if message:
            status = "wrong"
    except Unpickled as signal:
        status, error, message = "unpickled", "Unpickled", str(signal)
    except DOCUMENTED[kind] as refusal:
        message = str(refusal)
        named = message.startswith(str(folder))
        status = "refused" if named and "\n" not in message else "vague"
        error = type(refusal).__name__
    except Exception as other:  # noqa: BLE001 — anything else is the finding
        status, error, message = "escaped", type(other).__name__, str(other)[:300]
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    peak = tracemalloc.get_traced_memory()[1]
    if not was_tracing:
        tracemalloc.stop()
    if calls and status != "unpickled":
        status, error, message = "unpickled", "Unpickled", f"pickle.{calls[0]} was called and the error swallowed"
    return Outcome(status, error, message, seconds, cpu_seconds, peak)


def _check_result(result) -> str:
    """'' when a loaded result keeps its type's contract, else what is wrong with it."""
    if isinstance(result, OpenedSession):
        return check_opened_session(result)
    if isinstance(result, SavedModel):
        params = result.network.params
        if not np.isfinite(params).all():
            return "model with non-finite parameters"
        if math.prod(result.input_shape) != result.network.input_size:
            return f"model input_shape {result.input_shape} vs {result.network.input_size} inputs"
        if not result.network.is_dense:  # a CNN's maps are sized by its meta: one sample must go through
            output = result.network.forward(np.zeros((2, result.network.input_size), result.network.dtype))
            if output.shape != (2, result.network.n_outputs):
                return f"the model's forward pass gave shape {output.shape}"
        return ""
    if not isinstance(result, Dataset):
        return f"loader returned {type(result).__name__}"
    return check_dataset(result)


def check_opened_session(opened: OpenedSession) -> str:
    """'' when every run's snapshots rebuild its network with finite weights, else what is wrong."""
    if not np.isfinite(opened.network.params).all():
        return "session network with non-finite parameters"
    if opened.network.input_size != opened.dataset.dataset.n_features:
        return f"session network takes {opened.network.input_size} inputs, its dataset has other features"
    for run in opened.runs:
        for snapshot in run.snapshots:
            network = run.network.build(snapshot.params)
            if not np.isfinite(network.params).all():
                return f"run {run.id} epoch {snapshot.epoch} has non-finite weights"
    return ""


def check_dataset(data: Dataset) -> str:
    x, y = data.x, data.y
    if x.dtype not in (np.float32, np.uint8) or x.ndim != 2 or len(x) == 0 or x.shape[1] == 0:
        return f"x is {x.dtype} shaped {x.shape}"
    if math.prod(data.input_shape) != x.shape[1] or min(data.input_shape) < 1:
        return f"input_shape {data.input_shape} for {x.shape[1]} features"
    floats = None if isinstance(x, ScaledBytes) else x  # bytes read as 0..1 and finite by construction
    if floats is not None and not np.isfinite(floats).all():
        return "x holds non-finite values"
    if y.shape != (len(x),) or y.min() < 0 or y.max() >= len(data.classes) or len(np.unique(y)) < 2:
        return f"labels {y[:5]}… do not fit {len(data.classes)} classes"
    for name in data.classes:
        if not isinstance(name, str):
            return f"class name {name!r} is not text"
        try:
            name.encode("utf-8")
        except UnicodeEncodeError:
            return f"class name {name!r} cannot be written as UTF-8"
    if data.preprocess in ("mnist", "resize") and floats is not None and (floats.min() < 0 or floats.max() > 1):
        return f"image values {floats.min():g}..{floats.max():g} outside 0..1"
    return ""


# -- the window's session ---------------------------------------------------------------------------
def open_session(folder: Path):
    """A LabSession as a learner has it: xor open, a trained-shape network, saved to a file."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from nnlab.data.experiment import Experiment
    from nnlab.lab.session import LabSession

    from nnlab.engine import EpochResult, TrainConfig

    lab = LabSession()
    lab.load_dataset("xor")
    experiment = Experiment(dataset="xor", hidden=[3], train=TrainConfig(epochs=1, batch_size=64))
    lab.new_network(experiment)
    trainer = lab.make_trainer(experiment)  # one run recorded: a failed session open must keep it
    for record in trainer.run():
        if isinstance(record, EpochResult):
            lab.record_epoch(record, trainer.network.params.copy(), None)
    lab.epochs_trained = trainer.completed_epochs
    lab.save(folder / "open-session.npz")
    return lab


def session_state(lab) -> tuple:
    """What a failed load must not change: identities of the open objects, weight bytes, path, flags."""
    network = lab.network
    digest = hashlib.sha256(network.params.tobytes()).hexdigest() if network is not None else ""
    runs = getattr(lab, "runs", None)
    kept = () if runs is None else (tuple(id(run) for run in runs), id(runs.current), lab.session_path)
    return (id(network), digest, id(lab.dataset), id(lab.splits), lab.dataset_source, lab.path, lab.dirty,
            lab.loss, lab.epochs_trained, id(lab.experiment), *kept)


def load_in_session(kind: str, path: Path, lab) -> tuple[str, str]:
    """(status, detail) of opening ``path`` through the window's session: "loaded", "refused" or a finding."""
    before = session_state(lab)
    calls: list[str] = []
    try:
        with pickle_forbidden(calls):
            if kind in ("weights", "conv"):
                lab.open_model(path)
            elif kind == "sessions":
                lab.open_session(path)
            else:
                lab.load_dataset(str(path))
    except Unpickled as signal:
        return "unpickled", str(signal)
    except (ValueError, OSError) as refusal:  # what the window's handlers catch
        if calls:
            return "unpickled", "pickle was called and the error swallowed"
        if session_state(lab) != before:
            return "session changed", f"{type(refusal).__name__}: {refusal}"[:300]
        return "refused", ""
    except Exception as other:  # noqa: BLE001
        return "session escaped", f"{type(other).__name__}: {other}"[:300]
    return "loaded", ""
