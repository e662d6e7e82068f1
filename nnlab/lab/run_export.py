"""A run's weights at an epoch as a weight file: weight files stay the exchange format.

What the file says beside the weights — the dataset, split, seed and training settings the run used,
and where it came from — so ``nnlab evaluate`` finds the held-out part of the built-in it learned from.
"""
from __future__ import annotations

from pathlib import Path

from nnlab.data.weights_file import SavedModel, save_model

from .runs import Run


def run_weights(run: Run, epoch: int, session_name: str = "") -> SavedModel:
    """The weight file's contents for ``run`` at the end of ``epoch``; ValueError names the nearest kept
    epochs when that one was thinned away."""
    try:
        snapshot = run.snapshots.get(epoch)
    except ValueError as problem:
        raise ValueError(f"{run.name}: {problem}") from None
    made = run.settings
    extra = {"experiment": {"dataset": run.dataset.name, "split": list(run.split), "seed": run.seed,
                            "train": dict(made.get("train", {})), "augment": bool(made.get("augment", False))},
             "exported_from": {"session": session_name, "run": run.id, "epoch": int(epoch)}}
    return run.network.saved_model(snapshot.params, extra)


def export_run_weights(run: Run, epoch: int, path: str | Path, session_name: str = "") -> None:
    """Write ``run``'s weights at ``epoch`` to the weight file ``path`` (atomically, as every weight file)."""
    save_model(path, run_weights(run, epoch, session_name))
