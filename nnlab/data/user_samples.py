"""Samples the learner drew and labelled, kept on disk per dataset and added to its training part.

One small ``.npz`` per sample (values, class name, input shape): adding writes a new file
atomically (temporary file, fsync, rename), deleting removes one file, so a crash can lose
at most the sample being written and never the ones already saved. Class names, not indices,
are stored, so a sample still means the same thing if a dataset's classes are listed anew.

An 8-bit image set's training part is bytes (``ScaledBytes``, one byte a pixel), and the samples
join it as bytes too, rounded to the nearest 1/255: every other picture in that part went through
the same rounding (MNIST's anti-aliased digits were stored at 256 levels), it moves a value by at
most 1/510, and keeping the learner's few float rows exact would turn the whole part into float32
rows, four bytes a pixel: a run on the 60,000 MNIST digits with three samples peaked at 340 MiB
that way, 143 MiB as bytes (111 MiB without samples; benchmarks/user_samples_memory.py). On 300
digits drawn through the canvas path, rounding moved no prediction and no probability by more than
0.003. The stored sample keeps its exact values; only the training rows are rounded.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.engine.scaled_bytes import BYTE_MAX, Rows, ScaledBytes

SAMPLES_FOLDER = "samples"
PART_NAME = "your own samples"


@dataclass(frozen=True)
class UserSample:
    path: Path
    values: np.ndarray  # (n_features,) float32: the model's input, already transformed
    label: str  # class name
    input_shape: tuple[int, ...]


def dataset_key(dataset: Dataset) -> str:
    """Folder name for one dataset: its name, its input size and a hash of its class names."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", dataset.name).strip("-")[:40] or "dataset"
    shape = "x".join(str(int(n)) for n in dataset.input_shape)
    classes = hashlib.sha1("\n".join(dataset.classes).encode("utf-8")).hexdigest()[:8]
    return f"{name}-{shape}-{classes}"


class UserSampleStore:
    """The user's samples under ``folder``/samples/<dataset key>/."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)
        self.problems: list[str] = []  # files that could not be read by the last ``samples`` call

    def folder_for(self, dataset: Dataset) -> Path:
        return self.folder / SAMPLES_FOLDER / dataset_key(dataset)

    def add(self, dataset: Dataset, values: np.ndarray, label: int) -> UserSample:
        """Store one sample of class index ``label``; raises ValueError for a bad sample, OSError on disk trouble."""
        values = np.asarray(values, dtype=np.float32).reshape(-1)
        if values.size != dataset.n_features:
            raise ValueError(f"{dataset.name} takes {dataset.n_features} values per sample, got {values.size}")
        if not np.all(np.isfinite(values)):
            raise ValueError("the sample holds values that are not finite numbers")
        if not 0 <= int(label) < dataset.n_classes:
            raise ValueError(f"label {label} is not one of {dataset.name}'s classes 0…{dataset.n_classes - 1}")
        outside = _outside_pixel_range(dataset, values)
        if outside is not None:
            raise ValueError(f"{dataset.name}'s pixels lie in 0…1, but value {values[outside]:g} at position "
                             f"{outside} does not")
        folder = self.folder_for(dataset)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{time.time_ns()}-{int(label)}.npz"
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as file:
                np.savez(file, values=values, label=np.array(dataset.classes[int(label)]),
                         input_shape=np.array(dataset.input_shape, dtype=np.int64))
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return UserSample(path, values, dataset.classes[int(label)], tuple(dataset.input_shape))

    def samples(self, dataset: Dataset) -> list[UserSample]:
        """This dataset's samples, oldest first; unreadable or unfitting files are skipped and named in ``problems``."""
        self.problems = []
        folder = self.folder_for(dataset)
        if not folder.is_dir():
            return []
        found = []
        for path in sorted(folder.glob("*.npz"), key=lambda p: (len(p.name), p.name)):
            try:
                with np.load(path, allow_pickle=False) as data:
                    values = data["values"].astype(np.float32).reshape(-1)
                    label = str(data["label"])
                    shape = tuple(int(n) for n in data["input_shape"])
            except (OSError, ValueError, KeyError) as error:
                self.problems.append(f"{path.name}: cannot be read ({error})")
                continue
            if shape != tuple(dataset.input_shape) or values.size != dataset.n_features:
                self.problems.append(f"{path.name}: holds a {shape} sample, {dataset.name} takes {dataset.input_shape}")
            elif label not in dataset.classes:
                self.problems.append(f"{path.name}: class {label!r} is not one of {dataset.name}'s classes")
            elif (outside := _outside_pixel_range(dataset, values)) is not None:
                self.problems.append(f"{path.name}: value {values[outside]:g} at position {outside} is outside "
                                     f"the 0…1 of {dataset.name}'s pixels")
            else:
                found.append(UserSample(path, values, label, shape))
        return found

    def remove(self, sample: UserSample) -> None:
        sample.path.unlink(missing_ok=True)

    def training_part(self, dataset: Dataset) -> Dataset | None:
        """The user's samples as their own small dataset, or None when there are none."""
        samples = self.samples(dataset)
        if not samples:
            return None
        x = np.stack([s.values for s in samples])
        y = np.array([dataset.classes.index(s.label) for s in samples], dtype=np.int64)
        return Dataset(f"{PART_NAME} ({dataset.name})", x, y, list(dataset.classes), tuple(dataset.input_shape),
                       dataset.preprocess, f"{len(samples)} samples you drew and labelled")


def with_user_samples(store: UserSampleStore | None, dataset: Dataset, x: Rows,
                      y: np.ndarray) -> tuple[Rows, np.ndarray, int]:
    """Training rows x (n, d), y (n,) with the user's samples appended; also how many were added.

    Rows of bytes stay bytes (see the module's docstring): one byte a pixel for the joined rows."""
    part = store.training_part(dataset) if store is not None else None
    if part is None:
        return x, y, 0
    return join_rows(x, part.x), np.concatenate([y, part.y]), len(part)


def join_rows(x: Rows, samples: np.ndarray) -> Rows:
    """``x`` (n, d) then ``samples`` (k, d) float32 in one set of rows: bytes when ``x`` is bytes, the
    samples rounded to the nearest 1/255 (they lie in 0…1: ``add`` and ``samples`` see to it)."""
    if not isinstance(x, ScaledBytes):
        return np.concatenate([x, samples])
    joined = np.empty((len(x) + len(samples), x.shape[1]), np.uint8)
    if x.rows is None:
        joined[:len(x)] = x.store
    else:  # mode="clip": NumPy's default "raise" would gather through a temporary copy
        np.take(x.store, x.rows, axis=0, out=joined[:len(x)], mode="clip")
    np.rint(np.asarray(samples, np.float32) * BYTE_MAX, out=joined[len(x):], casting="unsafe")
    return ScaledBytes(joined)


def _outside_pixel_range(dataset: Dataset, values: np.ndarray) -> int | None:
    """The first position of ``values`` outside 0…1 when ``dataset`` holds bytes, else None:
    a byte set's pixels cannot hold it, and its drawings are always in range."""
    if not isinstance(dataset.x, ScaledBytes):
        return None
    outside = np.flatnonzero((values < 0) | (values > 1))
    return int(outside[0]) if outside.size else None
