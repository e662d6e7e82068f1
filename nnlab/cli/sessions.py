"""The CLI on session files: ``nnlab info FILE.nnlab`` lists the runs, ``nnlab export`` writes a weight file of
a run at an epoch, and the training loop both ``nnlab train`` and ``nnlab train --resume`` record runs with."""
from __future__ import annotations

import math
from pathlib import Path

from nnlab.data.session_file import SessionFileError, load_session
from nnlab.engine import BatchProgress, EpochResult, TrainingEnded
from nnlab.engine.layers import hidden_layout
from nnlab.lab.run_export import export_run_weights
from nnlab.lab.runs import differing_settings
from nnlab.lab.session_io import run_from_data

from . import print_json

SESSION_SUFFIX = ".nnlab"


def is_session(path: Path) -> bool:
    return Path(path).suffix.lower() == SESSION_SUFFIX


def train_and_record(session, trainer, bar, regression: bool) -> TrainingEnded:
    """Run ``trainer`` to its end, recording every epoch into the session's current run (weights and trainer
    state copied at each epoch's end: the snapshots a session file keeps), with the progress bar."""
    last = trainer.completed_epochs + trainer.config.epochs

    def show(record) -> None:
        if isinstance(record, BatchProgress):
            bar.set_description(f"epoch {record.epoch}/{last}", refresh=False)
            bar.update(1)
        elif isinstance(record, EpochResult) and record.validation is not None:
            watched = {"val_mae": f"{record.val_mean_absolute_error:.4g}"} if regression else \
                {"val_acc": f"{record.val_accuracy:.2%}"}
            bar.set_postfix(loss=f"{record.train_loss:.4f}", **watched)

    return session.train_recorded(trainer, show)


def _runs(path: Path):
    document = load_session(path)
    try:
        return document, [run_from_data(data) for data in document.runs]
    except ValueError as problem:
        raise SessionFileError(path, str(problem)) from None


def info(args) -> int:
    """List a session file's runs: id, name, parent, epochs, best validation loss and score, what differs."""
    document, runs = _runs(args.model)
    differs = differing_settings(runs)
    rows = []
    for run in runs:
        best = run.best_validation
        rows.append({"id": run.id, "name": run.name, "parent": None if run.parent is None else list(run.parent),
                     "epochs": run.last_epoch, "start_epoch": run.start_epoch, "best_epoch": run.best_epoch,
                     "best_val_loss": None if best is None else best[0],
                     ("best_val_mae" if run.history.regression else "best_val_accuracy"): None if best is None
                     else best[1], "seconds": round(run.seconds_trained, 3), "differs": differs[run.id],
                     "kept_epochs": len(run.snapshots), "dataset": run.dataset.words,
                     "current": run.id == document.current_run})
    if args.json:
        print_json({"file": str(args.model), "runs": rows, "current_run": document.current_run,
                    "saved_at": document.extra.get("saved_at"), "nnlab_version": document.extra.get("nnlab_version")})
        return 0
    network = document.model.network if document.model is not None else None
    layout = None if network is None else (network.sizes if network.is_dense else
                                           [network.input_size, *hidden_layout(network.layers), network.n_outputs])
    shape = "" if network is None else f", network {'-'.join(map(str, layout))} ({network.dtype})"
    print(f"{args.model}: {len(runs)} run{'s' * (len(runs) != 1)}{shape}")
    print(f"  {'':1} {'id':>3}  {'name':<16} {'from':<10} {'epochs':>6}  {'best val loss':>16}  {'best score':>10}"
          f"  {'time':>7}  differs")
    for run, row in zip(runs, rows):
        best = run.best_validation
        loss = "—" if best is None else f"{best[0]:.4g} (ep {run.best_epoch})"
        score = "—" if best is None else (f"{best[1]:.4g} MAE" if run.history.regression else f"{best[1]:.2%}")
        origin = "—" if run.parent is None else f"{run.parent.run_id} @ {run.parent.epoch}"
        print(f"  {'*' if row['current'] else ' '} {run.id:>3}  {_cut(run.name, 16):<16} {origin:<10} "
              f"{run.last_epoch:>6}  {loss:>16}  {score:>10}  {_seconds(run.seconds_trained):>7}  {row['differs']}")
    return 0


def export(args) -> int:
    """Write the weights of run ``--run`` (default: the current one) at ``--epoch`` (default: its last)."""
    document, runs = _runs(args.session)
    run_id = args.run if args.run is not None else document.current_run
    by_id = {run.id: run for run in runs}
    if run_id not in by_id:
        known = ", ".join(map(str, by_id)) or "none"
        raise ValueError(f"{args.session} has no run {run_id} (its runs: {known})")
    run = by_id[run_id]
    epoch = run.last_epoch if args.epoch is None else args.epoch
    export_run_weights(run, epoch, args.out, Path(args.session).name)
    print(f"saved {args.out}: {run.name} at epoch {epoch}")
    return 0


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width - 1] + "…"


def _seconds(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes = math.floor(seconds / 60)
    return f"{minutes} min {seconds - 60 * minutes:.0f} s"


__all__ = ["export", "info", "is_session", "train_and_record"]
