"""Peak memory and epoch time of `nnlab train` on the 60,000 MNIST training digits, as bytes and as float32.

Writes the digits from ../shared/mnist/mnist.npz into a temporary folder as three .npz files of
the layout a user imports (x (n, 28, 28), y (n,)): the 60,000 as uint8, the way MNIST comes; the
same 60,000 as float32 already scaled to [0, 1], which the importer keeps as float32 rows (the old
way every image set was held); and the first 30,000 as uint8, to measure how memory grows with
the set. Each `nnlab train --dataset <file> --epochs E` (default split 70/15/15, batch 64) runs in
its own process, the three kinds interleaved (bytes, float32, half, bytes, …) so that a noisy
neighbour slows them alike (each saves its weights into the temporary folder too). The parent reads
each child's peak resident memory from os.wait4; the child reports the seconds of each epoch
(EpochResult.seconds: the batches and the validation pass).

    python benchmarks/train_memory.py [--runs 3] [--epochs 2] [--json]

Whether a file's images are held as bytes depends on the importer handing its uint8 pixels on as
they are; the "rows" column says what the trainer got.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "mnist" / "mnist.npz"
PROJECT = Path(__file__).resolve().parents[1]
MiB = 2 ** 20
BIG_SET = 500_000

# Runs `nnlab train` as the command line does, reporting the seconds of each epoch and what the
# trainer's rows are held as into the JSON file named by its first argument.
CHILD = r"""
import json, sys
from nnlab.engine import trainer as trainer_module
from nnlab.engine.scaled_bytes import ScaledBytes

report, argv = sys.argv[1], sys.argv[2:]
seen = {"epoch_seconds": [], "rows": None}
run = trainer_module.Trainer.run

def observed_run(self, *args, **kwargs):
    seen["rows"] = "bytes" if isinstance(self.x, ScaledBytes) else str(self.x.dtype)
    for record in run(self, *args, **kwargs):
        if isinstance(record, trainer_module.EpochResult):
            seen["epoch_seconds"].append(record.seconds)
        yield record

trainer_module.Trainer.run = observed_run
from nnlab.cli import main
code = main(argv)
with open(report, "w") as file:
    json.dump(seen, file)
sys.exit(code)
"""


# Writes the three files. It runs in a process of its own: a child started from this process
# counts this process's own peak memory as its own at start (Linux folds the forked copy's peak
# into the child's ru_maxrss at exec), so this process must never hold the digits.
WRITE_SETS = r"""
import sys
import numpy as np
mnist, folder = sys.argv[1:]
with np.load(mnist) as data:
    x, y = data["x_train"], data["y_train"]
np.savez(f"{folder}/mnist-bytes.npz", x=x, y=y)
np.savez(f"{folder}/mnist-float32.npz", x=x.astype(np.float32) / np.float32(255), y=y)
np.savez(f"{folder}/mnist-bytes-half.npz", x=x[:len(x) // 2], y=y[:len(x) // 2])
"""
FULL = 60_000


def write_sets(folder: Path) -> dict[str, tuple[Path, int]]:
    subprocess.run([sys.executable, "-c", WRITE_SETS, str(SHARED_MNIST), str(folder)], check=True)
    return {"bytes": (folder / "mnist-bytes.npz", FULL), "float32": (folder / "mnist-float32.npz", FULL),
            "bytes, half": (folder / "mnist-bytes-half.npz", FULL // 2)}


def run_train(path: Path, epochs: int, report: Path) -> dict:
    """One `nnlab train` in a child process: its peak RSS (MiB), epoch seconds and row storage."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])))
    command = [sys.executable, "-c", CHILD, str(report), "train", "--dataset", str(path),
               "--epochs", str(epochs), "--json", "--out", str(report.with_suffix(".npz"))]
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"nnlab train --dataset {path} failed with exit code {child.returncode}")
    seen = json.loads(report.read_text())
    return {"peak_mib": usage.ru_maxrss * 1024 / MiB, **seen}  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="processes per kind of file")
    parser.add_argument("--epochs", type=int, default=2, help="epochs each process trains")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    if not SHARED_MNIST.exists():
        sys.exit(f"{SHARED_MNIST} is missing: this benchmark needs the 60,000 MNIST training digits")

    with tempfile.TemporaryDirectory(prefix="nnlab-train-memory-") as folder:
        sets = write_sets(Path(folder))
        runs: dict[str, list[dict]] = {name: [] for name in sets}
        for repeat in range(args.runs):
            for name, (path, _) in sets.items():
                runs[name].append(run_train(path, args.epochs, Path(folder) / f"{name}-{repeat}.json"))

    summary = {}
    for name, results in runs.items():
        summary[name] = {
            "images": sets[name][1],
            "rows": sorted({r["rows"] for r in results}),
            "peak_mib_median": statistics.median(r["peak_mib"] for r in results),
            "peak_mib_max": max(r["peak_mib"] for r in results),
            "epoch_seconds_median": statistics.median(s for r in results for s in r["epoch_seconds"]),
        }
    full, half = summary["bytes"], summary["bytes, half"]
    per_image = (full["peak_mib_median"] - half["peak_mib_median"]) * MiB / (full["images"] - half["images"])
    result = {
        "runs_per_kind": args.runs, "epochs_per_run": args.epochs, "kinds": summary,
        "bytes_over_float32_epoch": full["epoch_seconds_median"] / summary["float32"]["epoch_seconds_median"],
        "bytes_per_image": per_image,
        "peak_mib_500k_images": full["peak_mib_median"] + per_image * (BIG_SET - full["images"]) / MiB,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"nnlab train, default split 70/15/15, batch 64; {args.runs} processes per file, interleaved, "
          f"{args.epochs} epochs each; medians (epoch time over all {args.runs * args.epochs} epochs)")
    print(f"  {'file x':<14} {'images':>7}  {'rows held as':<12} {'peak RSS':>10} {'max':>8}  {'s/epoch':>7}")
    for name, kind in summary.items():
        print(f"  {name:<14} {kind['images']:>7,}  {', '.join(kind['rows']):<12} "
              f"{kind['peak_mib_median']:7.0f} MiB {kind['peak_mib_max']:4.0f} MiB  {kind['epoch_seconds_median']:7.3f}")
    print(f"  epoch time, bytes / float32: {result['bytes_over_float32_epoch']:.2f}×")
    print(f"  memory grows {per_image:,.0f} bytes an image (30,000 → 60,000 images); "
          f"a {BIG_SET:,}-image 28×28 set would peak near {result['peak_mib_500k_images']:,.0f} MiB")


if __name__ == "__main__":
    main()
