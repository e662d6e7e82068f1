"""A LabSession as a session file's plain data (``nnlab.data.session_file``) and back.

Reading comes first and taking second, as for weight files: :func:`read_session` loads the file,
rebuilds every run (curves, snapshots, trainer states — each checked on the way in) and reopens the
dataset, without touching the session; ``LabSession.use_session`` then takes it whole. A file that
fails raises one ``SessionFileError`` sentence naming it, and the open session is as it was.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.experiment import open_dataset
from nnlab.data.lessons import LESSON_SOURCE_PREFIX
from nnlab.data.session_file import RunData, SessionDocument, SessionFileError, SnapshotData, load_session
from nnlab.data.splits import split_dataset
from nnlab.data.weights_file import SavedModel
from nnlab.engine import Network

from .history import History
from .reading import PreparedDataset
from .run_identity import NO_FILE, DatasetIdentity, RunNetwork, file_sha256
from .runs import Run, RunEvent, RunOrigin
from .snapshots import Snapshot, SnapshotStore


@dataclass(frozen=True)
class OpenedSession:
    """A session file read and checked, not yet the session's. ``state``: the trainer state Start carries on
    from (the current run's, when the network is where that run stopped); ``selection`` and ``view`` are the
    window's, as plain data (``session_file.SessionDocument``)."""

    path: Path
    runs: list[Run]
    current_run: int | None
    network: Network
    loss: str
    epochs_trained: int
    dataset: PreparedDataset
    data_seed: int  # what a generated dataset was drawn with (its split may use another seed)
    state: object | None
    selection: dict
    view: dict

    @property
    def current(self) -> Run | None:
        return next((run for run in self.runs if run.id == self.current_run), None)


# -- LabSession → document -------------------------------------------------------------------------
def session_document(session, selection: dict | None = None, view: dict | None = None) -> SessionDocument:
    """What a session file keeps of ``session`` (its runs' arrays are shared, not copied: save it at once)."""
    if session.network is None or session.dataset is None:
        raise ValueError("there is no network to save yet")
    dataset = session.dataset
    model = SavedModel(session.network, session.loss, list(dataset.classes), tuple(dataset.input_shape),
                       dataset.preprocess)
    split, seed = session.split_key if session.split_key is not None else ((0.7, 0.15, 0.15), 0)
    opened = {"source": session.dataset_source or dataset.name, "split": [float(p) for p in split],
              "seed": int(seed), "data_seed": int(session.dataset_seed)}
    current = session.runs.current
    return SessionDocument(model, opened, int(session.epochs_trained), [run_data(run) for run in session.runs],
                           None if current is None else current.id,
                           dict(selection or {"neuron": None, "connection": None}),
                           dict(view or {"epoch": "live", "ticked": []}))


def run_data(run: Run) -> RunData:
    history = run.history.to_arrays()
    regression = bool(history.pop("regression"))
    snapshots = [SnapshotData(snap.epoch, snap.params, _state_arrays(snap.trainer_state)) for snap in run.snapshots]
    state = None if run.resume_params is None else SnapshotData(run.last_epoch, run.resume_params,
                                                                _state_arrays(run.state))
    return RunData(run.id, run.name, None if run.parent is None else tuple(run.parent), run.network, run.settings,
                   asdict(run.dataset), tuple(run.split), run.seed, history, regression, snapshots,
                   list(run.user_samples), [asdict(event) for event in run.events], float(run.seconds_trained),
                   run.start_epoch, run.snapshots.spacing, run.snapshots.budget_bytes, state)


def _state_arrays(state) -> dict | None:
    return None if state is None else state.to_arrays()


# -- document → runs -------------------------------------------------------------------------------
def read_session(path: str | Path, budget_bytes: int | None = None) -> OpenedSession:
    """Read ``path`` whole — runs rebuilt, the dataset reopened and checked — without touching any session."""
    document = load_session(path)
    try:
        runs = [run_from_data(data, budget_bytes) for data in document.runs]
    except ValueError as problem:
        raise SessionFileError(path, str(problem)) from None
    if document.model is None or document.dataset is None:
        raise SessionFileError(path, "it holds no network, so there is nothing to open")
    current = next((run for run in runs if run.id == document.current_run), None)
    try:
        prepared = reopen_dataset(document.dataset, current)
    except (ValueError, OSError) as problem:
        raise SessionFileError(path, f"its dataset cannot be opened: {_sentence(problem)}") from None
    network, loss = document.model.network, document.model.loss
    if network.input_size != prepared.dataset.n_features:
        raise SessionFileError(path, f"its network takes {network.input_size} inputs but its dataset "
                                     f"{prepared.source!r} has {prepared.dataset.n_features} features")
    state = None
    if current is not None and current.resume_params is not None and current.network.fits(network, loss) \
            and np.array_equal(current.resume_params.view(np.uint8), network.params.view(np.uint8)):
        state = current.state
    return OpenedSession(Path(path), runs, document.current_run, network, loss, document.epochs_trained, prepared,
                         document.dataset["data_seed"], state, document.selection, document.view)


def run_from_data(data: RunData, budget_bytes: int | None = None) -> Run:
    """A Run from a file's RunData; ValueError names the run and what does not fit."""
    where = f"run {data.id}"
    try:
        spec = data.network
        network = RunNetwork(tuple(spec.input_shape), tuple(spec.layers), spec.loss, tuple(spec.classes),
                             spec.preprocess, spec.dtype)
        history = History.from_arrays({**data.history, "regression": np.array(data.regression)})
        store = SnapshotStore(data.snapshot_budget if budget_bytes is None else budget_bytes)
        store.restore([Snapshot(snap.epoch, snap.params, _trainer_state(snap.trainer)) for snap in data.snapshots],
                      data.snapshot_spacing, history.best_epoch)
        run = Run(data.id, data.name, None if data.parent is None else RunOrigin(*data.parent), data.settings,
                  DatasetIdentity(**data.dataset), network, tuple(data.split), data.seed, list(data.user_samples),
                  history, store, [RunEvent(**event) for event in data.events], data.seconds_trained,
                  start_epoch=data.start_epoch)
        if data.state is not None:
            run.carry_on_from(_shared(data.state.params, store), _trainer_state(data.state.trainer))
        run.experiment()  # the settings must make an Experiment again, for Start and `nnlab train --resume`
    except (ValueError, TypeError) as problem:
        raise ValueError(f"{where}: {_sentence(problem)}") from None
    return run


def _shared(params: np.ndarray, store: SnapshotStore) -> np.ndarray:
    """The run's carry-on weights are usually its latest snapshot's: hold them once."""
    latest = store.latest
    if latest is not None and latest.params is not params and latest.params.dtype == params.dtype \
            and np.array_equal(latest.params, params):
        return latest.params
    params.flags.writeable = False
    return params


def _trainer_state(arrays: dict | None):
    if arrays is None:
        return None
    from nnlab.engine.trainer_state import TrainerState

    return TrainerState.from_arrays(arrays)


def reopen_dataset(opened: dict, current: Run | None) -> PreparedDataset:
    """The dataset a session had open, drawn and split as it was, checked against the current run's identity."""
    source, split, seed = opened["source"], tuple(opened["split"]), opened["seed"]
    if source not in BUILTIN_DATASETS and not source.startswith(LESSON_SOURCE_PREFIX):
        _check_dataset_file(source, current)
    dataset = open_dataset(source, opened["data_seed"])
    if current is not None and current.dataset.name == source:
        problem = current.dataset.misfit(dataset, source)
        if problem:
            raise ValueError(problem)
    return PreparedDataset(source, dataset, split_dataset(dataset, split, seed=seed), (split, seed))


def _check_dataset_file(source: str, current: Run | None) -> None:
    """A session file may be anyone's: the path it names is opened only when it holds, byte for byte, the
    dataset the current run learned from (a weight file never opens a path on its say-so at all)."""
    identity = current.dataset if current is not None and current.dataset.name == source else None
    if identity is None or identity.kind != "file" or identity.sha256 == NO_FILE:
        raise ValueError(f"the session names the dataset file {source}, but no run of it says what that file holds: "
                         "open the dataset yourself")
    path = Path(source)
    if not (path.is_file() or path.is_dir()):
        raise ValueError(f"the dataset file {source} is not there any more: put it back, or open the dataset yourself")
    if file_sha256(path) != identity.sha256:
        raise ValueError(f"the dataset file {source} has changed since the run learned from it (its bytes differ): "
                         "open the file the run used")


def _sentence(problem: Exception) -> str:
    if isinstance(problem, OSError) and problem.filename:
        return f"{problem.filename}: {problem.strerror or problem}"
    return " ".join(str(problem).split()).rstrip(".")
