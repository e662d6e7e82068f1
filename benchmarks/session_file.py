"""Session files: save and open times and the file's size for 100 epochs of the built-in digits.

Trains 784-128-64-10 (ReLU, Adam 1e-3, batch 64) for 100 epochs on digits, recording every epoch as the
window does (weights and trainer state at each epoch's end, thinned within the run's 100 MiB budget),
then saves the session file and opens it again, several times each: ``save`` is ``LabSession.save_session``
(the checks, the arrays stored once, the atomic write with its fsync), ``load`` is ``load_session`` (the
file read and checked, plain data) and ``open`` is ``LabSession.read_session`` (that, then every run
rebuilt — curves, snapshots, trainer states — and the dataset reopened and split).

    python benchmarks/session_file.py [--epochs 100] [--repeats 5] [--folder DIR] [--json]
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))


def trained_session(epochs: int):
    from nnlab.data.experiment import Experiment
    from nnlab.engine import TrainConfig
    from nnlab.lab.session import LabSession

    session = LabSession()
    session.load_dataset("digits")
    trainer = session.make_trainer(Experiment(hidden=[128, 64], train=TrainConfig(epochs=epochs, batch_size=64)))
    began = time.perf_counter()
    session.train_recorded(trainer)
    return session, time.perf_counter() - began


def measure(epochs: int, repeats: int, folder: Path) -> dict:
    from nnlab.data.session_file import load_session
    from nnlab.lab.session import LabSession

    session, training = trained_session(epochs)
    run = session.runs.current
    path = folder / "digits-100.nnlab"
    saves, loads, opens = [], [], []
    for _ in range(repeats):
        began = time.perf_counter()
        session.save_session(path)
        saves.append(time.perf_counter() - began)
        began = time.perf_counter()
        load_session(path)
        loads.append(time.perf_counter() - began)
        began = time.perf_counter()
        opened = LabSession().read_session(path)
        opens.append(time.perf_counter() - began)
    assert opened.current.snapshots.epochs == run.snapshots.epochs
    return {"epochs": epochs, "training_s": training, "snapshots_kept": len(run.snapshots),
            "snapshot_mib": run.snapshots.nbytes / 2**20, "spacing": run.snapshots.spacing,
            "file_mib": path.stat().st_size / 2**20, "median_save_s": statistics.median(saves),
            "median_load_s": statistics.median(loads), "median_open_s": statistics.median(opens),
            "repeats": repeats}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--folder", type=Path, default=None, help="where to write the file (default: a temp folder)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nnlab-session-bench-") as tmp:
        result = measure(args.epochs, args.repeats, args.folder or Path(tmp))
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"digits, 784-128-64-10, Adam, {result['epochs']} epochs recorded ({result['training_s']:.0f} s): "
          f"{result['snapshots_kept']} snapshots kept, {result['snapshot_mib']:.1f} MiB in memory "
          f"(spacing {result['spacing']})")
    print(f"  file size            {result['file_mib']:8.1f} MiB")
    print(f"  save (median of {result['repeats']})   {1000 * result['median_save_s']:8.0f} ms")
    print(f"  load, plain data     {1000 * result['median_load_s']:8.0f} ms")
    print(f"  open, runs rebuilt   {1000 * result['median_open_s']:8.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
