"""The one shape every dataset takes inside NN Lab, whatever file it came from."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from nnlab.engine.scaled_bytes import Rows, ScaledBytes


@dataclass
class Dataset:
    """Samples as rows, labels as class indices — or, for a regression set, targets as numbers.

    x: (n_samples, n_features) float32 rows, pixels scaled to [0, 1] for image sets. 8-bit data
    (given as uint8) stays bytes — ``ScaledBytes``, one byte a pixel instead of four — and reads as
    float32 ``byte / 255`` wherever rows are taken from it (``x[i]``, ``x[a:b]``, ``np.asarray(x)``).
    y: (n_samples,) int64 in [0, len(classes)).
    targets: None for a classification set; for a regression set (the network predicts numbers)
    (n_samples, k) float32, ``classes`` names the k outputs and ``y`` is all 0 — there are no
    classes, so splitting it is simply a seeded random cut. Build one with :meth:`regression`.
    fixed_test: None, or (n_samples,) bool marking the rows that are the set's own test part (MNIST's
    official 10,000): a split takes them as its test part and never trains on them.
    input_shape: (height, width) for images, (n_features,) otherwise — how to draw one row.
    preprocess: how a raw input becomes a row: "mnist" (drawing → 28×28 digit transform),
    "faces" (photo/drawing → 25×25 grey square), "resize" (any image → input_shape),
    or "none" (raw feature vectors).
    """

    name: str
    x: Rows
    y: np.ndarray
    classes: list[str]
    input_shape: tuple[int, ...]
    preprocess: str = "none"
    description: str = ""
    extra: dict = field(default_factory=dict)
    targets: np.ndarray | None = None
    fixed_test: np.ndarray | None = None

    @classmethod
    def regression(cls, name: str, x: np.ndarray, targets: np.ndarray, output_names: list[str],
                   input_shape: tuple[int, ...], description: str = "", extra: dict | None = None) -> "Dataset":
        """A set whose answers are numbers: targets (n_samples, k), one name per output."""
        return cls(name, x, np.zeros(len(x), np.int64), list(output_names), input_shape, "none", description,
                   dict(extra or {}), targets)

    def __post_init__(self) -> None:
        x = self.x if isinstance(self.x, ScaledBytes) else np.asarray(self.x)
        if x.ndim != 2:
            raise ValueError(f"dataset {self.name!r}: x must be (n_samples, n_features), got {x.shape}")
        if not isinstance(x, ScaledBytes):
            x = ScaledBytes(x) if x.dtype == np.uint8 else np.ascontiguousarray(x, dtype=np.float32)
        self.x = x
        self.y = np.asarray(self.y, dtype=np.int64)
        if self.y.shape != (len(self.x),):
            raise ValueError(f"dataset {self.name!r}: {len(self.x)} samples but y has shape {self.y.shape}")
        if int(np.prod(self.input_shape)) != self.x.shape[1]:
            raise ValueError(f"dataset {self.name!r}: input shape {self.input_shape} does not hold "
                             f"{self.x.shape[1]} features")
        if len(self.y) and (self.y.min() < 0 or self.y.max() >= len(self.classes)):
            raise ValueError(f"dataset {self.name!r}: labels must lie in 0..{len(self.classes) - 1}")
        if self.targets is not None:
            self._check_targets()
        if self.fixed_test is not None:
            self.fixed_test = np.asarray(self.fixed_test, dtype=bool)
            if self.fixed_test.shape != (len(self.x),):
                raise ValueError(f"dataset {self.name!r}: {len(self.x)} samples but its test rows are marked "
                                 f"by shape {self.fixed_test.shape}")

    def _check_targets(self) -> None:
        self.targets = np.ascontiguousarray(self.targets, dtype=np.float32)
        if self.targets.shape != (len(self.x), len(self.classes)):
            raise ValueError(f"dataset {self.name!r}: {len(self.x)} samples and {len(self.classes)} output "
                             f"names need targets of shape {(len(self.x), len(self.classes))}, "
                             f"not {self.targets.shape}")
        if not np.isfinite(self.targets).all():
            raise ValueError(f"dataset {self.name!r}: a target is not a finite number")
        if self.y.any():
            raise ValueError(f"dataset {self.name!r}: a regression set has no classes, so its labels must all be 0")

    @property
    def is_regression(self) -> bool:
        """True when the answers are numbers to predict (``targets``), not classes."""
        return self.targets is not None

    @property
    def answers(self) -> np.ndarray:
        """What a network learns to give: the targets (n, k) of a regression set, else the labels (n,)."""
        return self.targets if self.targets is not None else self.y

    @property
    def n_features(self) -> int:
        return int(self.x.shape[1])

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def __len__(self) -> int:
        return len(self.x)

    def subset(self, indices: np.ndarray, name: str | None = None) -> "Dataset":
        """The rows ``indices`` as a new Dataset; bytes stay bytes, shared (the new set lists their rows)."""
        x = self.x.select(indices) if isinstance(self.x, ScaledBytes) else self.x[indices]
        return Dataset(name or self.name, x, self.y[indices], list(self.classes),
                       tuple(self.input_shape), self.preprocess, self.description, dict(self.extra),
                       None if self.targets is None else self.targets[indices],
                       None if self.fixed_test is None else self.fixed_test[indices])
