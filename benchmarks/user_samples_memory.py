"""Peak memory of a training run with the learner's own samples, on digits and on the 60,000 MNIST digits.

Each case runs in its own process: the set (the built-in ``digits``, or the 60,000 training digits of
../shared/mnist/mnist.npz as uint8), its default 70/15/15 split, a UserSampleStore in a temporary
folder holding 0 or 3 random samples, then the window's recipe (``make_run`` with ``user_samples``)
and one epoch of a 128-unit network, batch 64. The parent reads the child's peak resident memory
from os.wait4; the child says how the trainer's rows are held.

    python benchmarks/user_samples_memory.py [--samples 3] [--epochs 1]

Measured here (peak RSS): digits 52 MiB without samples, 55 MiB with 3 (67 MiB when the samples turned
the part into float32 rows); MNIST 111 MiB without, 143 MiB with 3 (340 MiB as float32 rows).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
SHARED_MNIST = PROJECT.parent / "shared" / "mnist" / "mnist.npz"
MiB = 2 ** 20

CHILD = r"""
import sys, tempfile
import numpy as np
from nnlab.data.builtin import load_builtin
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment
from nnlab.data.splits import split_dataset
from nnlab.data.user_samples import UserSampleStore
from nnlab.engine.trainer import TrainConfig
from nnlab.lab.recipe import make_run

which, n_samples, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if which == "digits":
    dataset = load_builtin("digits")
else:
    with np.load(which) as data:
        x = data["x_train"]
        dataset = Dataset("mnist", x.reshape(len(x), -1), data["y_train"], [str(k) for k in range(10)], (28, 28),
                          "mnist")
experiment = Experiment(dataset=dataset.name, hidden=[128], train=TrainConfig(batch_size=64, epochs=epochs))
splits = split_dataset(dataset, experiment.split, seed=0)
with tempfile.TemporaryDirectory() as folder:
    store = UserSampleStore(folder)
    rng = np.random.default_rng(0)
    for k in range(n_samples):
        store.add(dataset, rng.random(dataset.n_features, dtype=np.float32), k % dataset.n_classes)
    run = make_run(experiment, dataset, splits, user_samples=store)
    for _ in run.trainer.run():
        pass
print(type(run.trainer.x).__name__, len(run.trainer.x), run.user_samples_used)
"""


def peak(which: str, samples: int, epochs: int) -> tuple[float, str]:
    """One child process: its peak RSS in MiB and what the trainer held its rows as."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])))
    read, write = os.pipe()
    child = subprocess.Popen([sys.executable, "-c", CHILD, which, str(samples), str(epochs)], env=env,
                             stdout=write, stderr=subprocess.DEVNULL)
    os.close(write)
    _, status, usage = os.wait4(child.pid, 0)
    with os.fdopen(read) as out:
        said = out.read().strip()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the {which} run with {samples} samples failed")
    return usage.ru_maxrss * 1024 / MiB, said  # ru_maxrss is in KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=1)
    args = parser.parse_args()
    sets = {"digits": "digits"}
    if SHARED_MNIST.exists():
        sets["mnist 60,000"] = str(SHARED_MNIST)
    print(f"{'set':<13} {'samples':>7} {'peak RSS':>9}  trainer rows (kind, count, samples used)")
    for name, which in sets.items():
        for samples in (0, args.samples):
            mib, said = peak(which, samples, args.epochs)
            print(f"{name:<13} {samples:>7} {mib:6.0f} MiB {said}")


if __name__ == "__main__":
    main()
