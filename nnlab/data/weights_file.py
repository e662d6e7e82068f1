"""Save and load a trained network as one NumPy ``.npz`` weight file.

Why this format: ``numpy.load(path, allow_pickle=False)`` opens it anywhere, the
arrays use PyTorch's ``nn.Linear`` layout so students can carry weights into
PyTorch in a few lines, and one JSON ``meta`` string describes everything else.

Weight files are untrusted input (students swap them), so loading never unpickles
and checks every part — zip, headers, meta, architecture, shapes, dtypes, sizes,
values — before a Network is built: a bad file raises one :class:`WeightFileError`
sentence and changes nothing. Saving checks the model the same way, so a file we
write is always one we can read back (bit for bit). What makes a meta valid lives in
:mod:`nnlab.data.weights_meta`, how one ``.npy`` member is read safely in
:mod:`nnlab.data.weights_npy`; this module is the file: its zip, members and arrays.

Room to grow: meta keys we do not know are kept in ``SavedModel.extra``; arrays
whose names start with ``session.`` are kept in ``SavedModel.session_arrays`` (for
whole-session data). Any other unknown array is an error — it means the file is
not what it claims to be.
"""
from __future__ import annotations

import contextlib
import json
import math
import os
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from nnlab import __version__
from nnlab.engine.layers import input_shape_for
from nnlab.engine.network import MAX_PARAMETERS, Network

from .meta_checks import FileProblem, counted, first_sentence
from .weights_meta import (DTYPES, FORMAT, MAX_INPUT_DIMS, MODEL_KEYS, PREPROCESS_MODES, VERSION, MetaSpec,
                           layers_meta, parse_meta)
from .weights_npy import MAX_HEADER_BYTES, READ_ERRORS, check_code_points, read_array, read_header

__all__ = ["DTYPES", "FORMAT", "MAX_HEADER_BYTES", "MAX_INPUT_DIMS", "MAX_META_CHARS", "MAX_SESSION_BYTES",
           "PREPROCESS_MODES", "SESSION_PREFIX", "VERSION", "SavedModel", "WeightFileError",
           "load_model", "save_model"]

SESSION_PREFIX = "session."
MAX_META_CHARS = 16_000_000       # meta is descriptive; bulk session data belongs in session.* arrays
MAX_SESSION_BYTES = 1 << 30

_STAMP_KEYS = ("nnlab_version", "saved_at")  # rewritten on every save; loaded into ``extra``


class WeightFileError(ValueError):
    """A weight file that cannot be loaded or saved; ``str()`` is one sentence for the UI.

    Reads e.g. ``"models/digits.npz: layers.1.weight is missing."``.
    """

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem.rstrip('.')}.")

    def __reduce__(self):  # picklable across processes, like DatasetFormatError
        return (type(self), (self.path, self.problem))


@dataclass
class SavedModel:
    """A network plus what the lab needs to use it: loss, class names, how to prepare an input.

    ``extra`` holds any other meta keys (kept through a round trip; ``nnlab_version`` and
    ``saved_at`` of a loaded file land here). ``session_arrays`` holds ``session.*`` arrays.
    """

    network: Network
    loss: str
    classes: list[str]
    input_shape: tuple[int, ...]
    preprocess: str = "none"
    extra: dict = field(default_factory=dict)
    session_arrays: dict[str, np.ndarray] = field(default_factory=dict)


# -- save ---------------------------------------------------------------------------------------
def save_model(path: str | os.PathLike, model: SavedModel) -> None:
    """Write ``model`` to exactly ``path`` (no ``.npz`` added), complete or not at all."""
    save_checked(path, lambda: _arrays_for(model), WeightFileError)


def save_checked(path: str | os.PathLike, make_arrays, error: type) -> None:
    """Build a file's arrays, then write them atomically; either failure is one ``error(path, sentence)``
    (weight files and session files alike)."""
    try:
        arrays = make_arrays()
    except FileProblem as bad:
        raise error(path, f"not saved because {bad}") from None
    try:
        write_atomically(Path(path), arrays)
    except OSError as exc:
        raise error(path, f"not saved ({first_sentence(exc)})") from exc


def _arrays_for(model: SavedModel) -> dict[str, np.ndarray]:
    network = model.network
    if not isinstance(network, Network):
        raise FileProblem(f"the model's network is a {type(network).__name__}, not a Network")
    clash = [key for key in model.extra if key in MODEL_KEYS]
    if clash:
        raise FileProblem(f"extra uses the reserved meta key {clash[0]!r}")
    version, layers = layers_meta(network.layers)
    meta = {"format": FORMAT, "version": version, "input_shape": list(model.input_shape), "layers": layers,
            "loss": model.loss, "classes": list(model.classes), "preprocess": model.preprocess,
            "dtype": network.dtype.name, "nnlab_version": __version__,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    meta.update((key, value) for key, value in model.extra.items() if key not in _STAMP_KEYS)
    try:
        text = json.dumps(meta, allow_nan=False, default=_json_default)
    except (TypeError, ValueError) as exc:
        raise FileProblem(f"the meta cannot be written as JSON ({first_sentence(exc)})") from None
    if len(text) > MAX_META_CHARS:
        raise FileProblem(f"the meta is {len(text):,} characters; the limit is {MAX_META_CHARS:,}")
    spec = parse_meta(json.loads(text))  # the loader's own checks: what we write, we can read
    if math.prod(spec.input_shape) != network.input_size:
        raise FileProblem(f"input_shape {spec.input_shape} holds {math.prod(spec.input_shape)} values "
                          f"but the network takes {network.input_size} inputs")
    if not network.is_dense and input_shape_for(spec.input_shape, spec.layers) != network.input_shape:
        raise FileProblem(f"input_shape {spec.input_shape} does not give the network's "
                          f"{'×'.join(map(str, network.input_shape))} input images")
    non_finite = network.params.size - int(np.count_nonzero(np.isfinite(network.params)))
    if non_finite:
        raise FileProblem(f"the network has {counted(non_finite, 'non-finite parameter')} (NaN or infinity)")
    arrays = {"meta": np.array(text), **layer_arrays(network)}
    session = {name: np.asarray(value) for name, value in model.session_arrays.items()}
    for name, value in session.items():
        if not isinstance(name, str) or not name.startswith(SESSION_PREFIX) or value.dtype.hasobject:
            raise FileProblem(f"session array {name!r} needs a name starting with {SESSION_PREFIX!r} "
                              "and must not hold Python objects")
    if sum(value.nbytes for value in session.values()) > MAX_SESSION_BYTES:
        raise FileProblem(f"the session arrays take more than {MAX_SESSION_BYTES:,} bytes")
    return {**arrays, **session}


def layer_arrays(network: Network) -> dict[str, np.ndarray]:
    """``layers.{i}.weight`` / ``layers.{i}.bias`` of every layer with parameters (copies, PyTorch's layout)."""
    arrays = {}
    for i, (spec, weight, bias) in enumerate(zip(network.layers, network.weights, network.biases)):
        if spec.has_parameters:
            arrays[f"layers.{i}.weight"], arrays[f"layers.{i}.bias"] = np.ascontiguousarray(weight), bias.copy()
    return arrays


def network_from_arrays(spec: MetaSpec, dtype, arrays: dict[str, np.ndarray], prefix: str = "") -> Network:
    """The network ``spec`` describes, with the checked arrays ``{prefix}layers.{i}.weight`` / ``.bias``."""
    network = Network(spec.input_shape, spec.layers, dtype=dtype)
    for i, layer in enumerate(network.layers):
        if layer.has_parameters:
            network.weights[i][...] = arrays[f"{prefix}layers.{i}.weight"]
            network.biases[i][...] = arrays[f"{prefix}layers.{i}.bias"]
    return network


def _json_default(value):
    if isinstance(value, np.generic):  # numpy scalars in input_shape or extra
        return value.item()
    raise TypeError(f"{type(value).__name__} values cannot be stored")


def write_atomically(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Temp file in the same folder, fsync, then os.replace: never a half-written file at ``path``
    (session files are saved the same way)."""
    mode = 0o644  # keep an existing file's permissions, not mkstemp's private 0600
    with contextlib.suppress(OSError):
        mode = stat.S_IMODE(os.stat(path).st_mode)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_arrays(handle, arrays)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _sync_directory(path.parent)


def _write_arrays(handle, arrays: dict[str, np.ndarray]) -> None:
    # An open file object: np.savez would append ".npz" to a bare name.
    np.savez(handle, allow_pickle=False, **arrays)


def _sync_directory(directory: Path) -> None:
    """Make the rename itself durable where the OS allows it (not on Windows)."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# -- load ---------------------------------------------------------------------------------------
def load_model(path: str | os.PathLike) -> SavedModel:
    """Read and fully validate a weight file; raise WeightFileError naming the first problem."""
    try:
        return _load(Path(path))
    except FileProblem as bad:
        raise WeightFileError(path, str(bad)) from None


def _load(path: Path) -> SavedModel:
    with open_archive(path, "weight file") as archive:
        return _read_archive(archive)


@contextlib.contextmanager
def open_archive(path: Path, what: str):
    """The zip of an NN Lab ``what`` ("weight file", "session file"), refused in one FileProblem
    sentence when it is missing, a folder, a FIFO, empty or not a zip at all."""
    try:
        mode = os.stat(path).st_mode
        handle = open(path, "rb") if stat.S_ISREG(mode) else None  # a FIFO would block open()
    except FileNotFoundError:
        raise FileProblem("there is no such file") from None
    except OSError as exc:
        raise FileProblem(f"the file cannot be read ({first_sentence(exc)})") from None
    if handle is None:
        raise FileProblem("this is a folder, not a file" if stat.S_ISDIR(mode)
                          else "this is not a regular file")
    with handle:
        head = handle.read(6)
        if not head:
            raise FileProblem("the file is empty (0 bytes)")
        try:
            archive = zipfile.ZipFile(handle)
        except READ_ERRORS:
            raise FileProblem(_not_a_zip(head, what)) from None
        with archive:
            yield archive


def _not_a_zip(head: bytes, what: str) -> str:
    if head.startswith(b"PK"):
        return "the file is damaged or incomplete (its .npz archive is truncated or corrupt)"
    if head.startswith(b"\x93NUMPY"):
        return f"this is a single NumPy .npy array, not an NN Lab .npz {what}"
    return f"this is not an NN Lab {what} (it is not a NumPy .npz archive)"


def archive_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The archive's arrays by name (".npy" dropped); an array named twice is refused."""
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
        if key in members:
            raise FileProblem(f"it contains the array {key!r} twice")
        members[key] = info
    return members


def _read_archive(archive: zipfile.ZipFile) -> SavedModel:
    members = archive_members(archive)
    if "meta" not in members:
        raise FileProblem("it has no 'meta' array, so it is not an NN Lab weight file")
    spec = parse_meta(read_meta(archive, members["meta"]))
    expected = spec.array_shapes()
    for key in expected:
        if key not in members:
            raise FileProblem(f"{key} is missing")
    # Every test here is a dict or str lookup: a list membership test made loading 60,000 session
    # arrays quadratic (24-29 s); now it is linear (2 s, most of it opening each member twice).
    session = [key for key in members if key.startswith(SESSION_PREFIX)]
    for key in members:
        if key != "meta" and key not in expected and not key.startswith(SESSION_PREFIX):
            raise FileProblem(f"it has an unexpected array {key!r}")
    headers = {key: read_header(archive, members[key], key) for key in [*expected, *session]}
    dtype = _check_headers(spec, expected, headers, session)
    arrays = {key: read_array(archive, members[key], key, headers[key]) for key in [*expected, *session]}
    for key in expected:
        bad = arrays[key].size - int(np.count_nonzero(np.isfinite(arrays[key])))
        if bad:
            raise FileProblem(f"{key} has {counted(bad, 'non-finite value')} (NaN or infinity)")
    for key in session:
        if arrays[key].dtype.kind == "U":
            check_code_points(arrays[key], key)
    network = network_from_arrays(spec, dtype, arrays)
    return SavedModel(network, spec.loss, spec.classes, spec.input_shape, spec.preprocess,
                      spec.extra, {key: arrays[key] for key in session})


def read_meta(archive: zipfile.ZipFile, info: zipfile.ZipInfo, max_chars: int = MAX_META_CHARS):
    """The decoded JSON of a ``meta`` member: one 0-d unicode array of at most ``max_chars``,
    checked on its header before it is read; NaN and Infinity are not JSON here."""
    header = read_header(archive, info, "meta")
    shape, dtype = header.shape, header.dtype
    if dtype.hasobject:
        raise FileProblem(pickled("meta"))
    if dtype.kind != "U" or shape != ():
        raise FileProblem(f"meta must be one JSON string (a 0-d unicode array), "
                          f"not a {dtype.name} array of shape {shape}")
    if dtype.itemsize // 4 > max_chars:
        raise FileProblem(f"meta is {dtype.itemsize // 4:,} characters; the limit is {max_chars:,}")
    array = read_array(archive, info, "meta", header)
    check_code_points(array, "meta", surrogates=False)  # those are named by field in parse_meta
    text = str(array[()])
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise FileProblem(f"meta is not valid JSON ({exc.msg} at character {exc.pos})") from None
    except (ValueError, RecursionError) as exc:
        raise FileProblem(f"meta is not valid JSON ({first_sentence(exc)})") from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a JSON value")


def _check_headers(spec: MetaSpec, expected: dict, headers: dict, session: list[str]) -> str:
    """Sizes, dtypes and shapes from headers alone, so nothing absurd is ever allocated.

    Returns the network's dtype: meta's when it names one (the arrays must agree), else the
    first weight array's (the others must agree with it).
    """
    total = sum(math.prod(headers[key].shape) for key in expected)
    if total > MAX_PARAMETERS:
        raise FileProblem(f"its layer arrays would hold {total:,} numbers; the limit is {MAX_PARAMETERS:,}")
    session_bytes = sum(math.prod(headers[key].shape) * headers[key].dtype.itemsize for key in session)
    if session_bytes > MAX_SESSION_BYTES:
        raise FileProblem(f"its session arrays would take {session_bytes:,} bytes; "
                          f"the limit is {MAX_SESSION_BYTES:,}")
    for key in [*expected, *session]:
        if headers[key].dtype.hasobject:
            raise FileProblem(pickled(key))
    first_key = next(iter(expected))  # the first layer with parameters' weight
    first = headers[first_key].dtype.name
    for key, needed in expected.items():
        shape, dtype = headers[key].shape, headers[key].dtype
        if dtype.kind != "f" or dtype.itemsize not in (4, 8):
            raise FileProblem(f"{key} has dtype {dtype.name}; weight arrays must be float32 or float64")
        if key == "layers.0.weight" and len(shape) == 2 and shape[0] == needed[0] \
                and shape[1] != needed[1]:
            raise FileProblem(f"layers.0.weight takes {shape[1]} inputs but input_shape "
                              f"{spec.input_shape} holds {needed[1]} values")
        if shape != needed:
            raise FileProblem(f"{key} has shape {shape} but the architecture needs {needed}")
        if spec.dtype is not None and dtype.name != spec.dtype:
            raise FileProblem(f"{key} is {dtype.name} but meta says the network is {spec.dtype}")
        if dtype.name != first:
            raise FileProblem(f"{key} is {dtype.name} but {first_key} is {first}; "
                              "a network has one dtype")
    return spec.dtype or first


# -- wording ------------------------------------------------------------------------------------
def pickled(key: str) -> str:
    return f"{key} holds Python objects, which NN Lab never loads because unpickling them could run code"
