"""What recording a run costs: epoch times with and without it, side by side in one training run.

Recording an epoch is what the window and ``nnlab train`` do at every epoch's end: copy the weights,
take the trainer's state (Adam's moments, the best epoch's weights, the RNG …), and hand both with the
epoch's batch records and ``EpochResult`` to the session, which appends the curves and keeps a snapshot
(thinning it within the run's budget). Epochs alternate — recorded, not recorded — in one run of one
trainer, so a noisy neighbour on the shared machine slows both alike; each epoch is timed from the end
of the one before (its recording included) to its own end (its recording included). The figures are
medians, and the one that matters is the ratio; the recording's own time per epoch is printed too.

    python benchmarks/recording_overhead.py [--epochs 41] [--mnist] [--json]

Default: the built-in digits (3,500 training images), 784-128-64-10 ReLU, Adam 1e-3, batch 64 — the
window's first network on its first dataset, the shortest epoch of that network and so the largest
share for recording. --mnist: the 60,000 MNIST training digits from ../shared/mnist/mnist.npz.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
SHARED_MNIST = PROJECT.parent / "shared" / "mnist" / "mnist.npz"


def session_on(mnist: bool):
    from nnlab.data.dataset import Dataset
    from nnlab.lab.session import LabSession

    session = LabSession()
    if not mnist:
        session.load_dataset("digits")
        return session, "digits"
    with np.load(SHARED_MNIST) as data:
        x = data["x_train"].reshape(len(data["x_train"]), -1)
        y = data["y_train"].astype(np.int64)
    session.load_dataset(Dataset("mnist", x, y, [str(d) for d in range(10)], (28, 28), "mnist"), (0.9, 0.1, 0.0))
    return session, "MNIST"


def measure(epochs: int, mnist: bool) -> dict:
    from nnlab.data.experiment import Experiment
    from nnlab.engine import BatchProgress, EpochResult, TrainConfig

    session, name = session_on(mnist)
    experiment = Experiment(dataset=session.dataset_source, hidden=[128, 64], split=session.split_key[0],
                            train=TrainConfig(epochs=epochs, batch_size=64))
    trainer = session.make_trainer(experiment)
    times = {True: [], False: []}
    recording: list[float] = []
    batches: list = []
    mark = time.perf_counter()
    for record in trainer.run():
        if isinstance(record, BatchProgress):
            batches.append(record)
        elif isinstance(record, EpochResult):
            recorded = record.epoch % 2 == 0
            if recorded:
                began = time.perf_counter()
                session.record_batches(batches)
                session.record_epoch(record, trainer.network.params.copy(), trainer.state())
                recording.append(time.perf_counter() - began)
            batches = []
            now = time.perf_counter()
            if record.epoch > 1:  # the first epoch warms up (buffers, page faults, thread pools)
                times[recorded].append(now - mark)
            mark = now
    run = session.runs.current
    without, with_ = statistics.median(times[False]), statistics.median(times[True])
    return {"dataset": name, "training_samples": len(trainer.x), "epochs_each": len(times[True]),
            "median_epoch_without_s": without, "median_epoch_with_s": with_, "ratio": with_ / without,
            "median_recording_ms": 1000 * statistics.median(recording),
            "recording_share": statistics.median(recording) / without,
            "snapshots_kept": len(run.snapshots), "snapshot_mib": run.snapshots.nbytes / 2**20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=41, help="epochs in all: the first warms up, then they alternate")
    parser.add_argument("--mnist", action="store_true", help="the 60,000 MNIST training digits")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = measure(args.epochs, args.mnist)
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['dataset']} ({result['training_samples']:,} training samples), 784-128-64-10, Adam, batch 64; "
          f"{result['epochs_each']} epochs each way, medians:")
    print(f"  epoch without recording  {1000 * result['median_epoch_without_s']:8.1f} ms")
    print(f"  epoch with recording     {1000 * result['median_epoch_with_s']:8.1f} ms   "
          f"ratio {result['ratio']:.3f}")
    print(f"  recording itself         {result['median_recording_ms']:8.2f} ms   "
          f"{100 * result['recording_share']:.1f} % of an epoch")
    print(f"  snapshots kept: {result['snapshots_kept']} ({result['snapshot_mib']:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
