"""LeNet-style accuracy, epoch time and peak memory: NN Lab's engine on full MNIST and on the built-in digits,
and the same network in PyTorch CPU, each run in a process of its own.

The network: conv8x5 (same) → max-pool 2 → conv16x5 (same) → max-pool 2 → 64 → 10; ReLU, softmax with
cross-entropy, Adam lr 1e-3, batch 64, PyTorch's default initialisation scales aside (ours: He).
MNIST is read from ../shared/mnist/mnist.npz (the official 60,000 / 10,000 split): train on the
60,000, the test accuracy after every epoch on the 10,000. Our engine holds the digits as bytes
(``ScaledBytes``, as nnlab does for an 8-bit image set); PyTorch gets float32 tensors. The built-in
``digits`` (5,000) are split 70/15/15 as ``nnlab train`` does, trained with ±2 px shifts (``--augment``:
3,500 digits are few for 60,000 weights — without it the test part peaked at 97.2 % and ended at 96.7 % after 20
epochs, seed 2; with it 97.6 % and 97.5 %, seeds 0 and 1) and scored on the 750 of the test part.

Each process's peak resident memory comes from os.wait4 (ru_maxrss), as in train_memory.py; the
epoch figures are medians of the epochs of each run and of ``--repeats`` processes per framework,
taken in turns (ours, PyTorch, ours, …) so that a noisy neighbour slows both alike.

    python benchmarks/cnn_accuracy.py [--epochs 5] [--repeats 1] [--threads N] [--json]

--threads N caps every library's threads (OpenBLAS, OpenMP, MKL, PyTorch's intra-op pool) at N.
"""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "mnist" / "mnist.npz"
PROJECT = Path(__file__).resolve().parents[1]
LAYERS = "conv8x5,maxpool2,conv16x5,maxpool2,64"
BATCH = 64
MiB = 2 ** 20


# -- the workers: each runs in a process of its own ----------------------------------------------
def mnist():
    import numpy as np

    with np.load(SHARED_MNIST) as data:
        return (data["x_train"].reshape(-1, 784), data["y_train"].astype(np.int64),
                data["x_test"].reshape(-1, 784), data["y_test"].astype(np.int64))


def lenet_ours(seed: int):
    from nnlab.engine import LayerSpec, Network
    from nnlab.engine.layers import parse_layer_words

    return Network((28, 28), [*parse_layer_words(LAYERS), LayerSpec(10, "softmax")], seed=seed)


def ours(dataset: str, epochs: int, seed: int) -> dict:
    import numpy as np

    from nnlab.engine import EpochResult, TrainConfig, Trainer, evaluate
    from nnlab.engine.scaled_bytes import ScaledBytes

    if dataset == "mnist":
        x, y, x_test, y_test = mnist()
        x, x_test = ScaledBytes(x), ScaledBytes(x_test)
        augment = None
    else:
        from nnlab.data.augment import AugmentConfig, make_augmenter
        from nnlab.data.builtin import load_builtin
        from nnlab.data.splits import split_dataset

        splits = split_dataset(load_builtin("digits"), (0.70, 0.15, 0.15), seed=seed)
        x, y, x_test, y_test = splits.train.x, splits.train.y, splits.test.x, splits.test.y
        augment = make_augmenter((28, 28), AugmentConfig())
    net = lenet_ours(seed)
    trainer = Trainer(net, x, y, TrainConfig(batch_size=BATCH, epochs=1, seed=seed, learning_rate=1e-3),
                      n_classes=10, augment=augment)
    seconds, accuracy = [], []
    for _ in range(epochs):
        for record in trainer.run():
            if isinstance(record, EpochResult):
                seconds.append(record.seconds)
        accuracy.append(evaluate(net, x_test, y_test, "cross_entropy", 10).accuracy)
    one = np.asarray(x_test[:1], np.float32)[0]
    calls = []
    for _ in range(300):  # one drawing through the trained network, as the canvas asks
        started = time.perf_counter()
        net.predict_one(one)
        calls.append(time.perf_counter() - started)
    return {"framework": "nnlab", "dataset": dataset, "epoch_seconds": seconds, "test_accuracy": accuracy,
            "train_samples": len(y), "test_samples": len(y_test),
            "one_drawing_ms": 1000 * statistics.median(calls[50:])}


def torch_run(dataset: str, epochs: int, seed: int) -> dict:
    import numpy as np
    import torch

    nn = torch.nn
    torch.manual_seed(seed)
    x, y, x_test, y_test = mnist()
    as_images = lambda pixels: torch.from_numpy(pixels.astype(np.float32).reshape(-1, 1, 28, 28) / 255)  # noqa: E731
    xt, yt, xv, yv = as_images(x), torch.from_numpy(y), as_images(x_test), torch.from_numpy(y_test)
    model = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(16 * 7 * 7, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    seconds, accuracy = [], []
    for _ in range(epochs):
        started = time.perf_counter()
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), BATCH):
            idx = order[start:start + BATCH]
            optimizer.zero_grad()
            loss_fn(model(xt[idx]), yt[idx]).backward()
            optimizer.step()
        seconds.append(time.perf_counter() - started)
        with torch.no_grad():
            accuracy.append(float((model(xv).argmax(1) == yv).float().mean()))
    return {"framework": "torch", "dataset": dataset, "epoch_seconds": seconds, "test_accuracy": accuracy,
            "train_samples": len(y), "test_samples": len(y_test), "torch_threads": torch.get_num_threads()}


WORKERS = {"nnlab": ours, "torch": torch_run}


# -- the parent --------------------------------------------------------------------------------------
def run_worker(framework: str, dataset: str, epochs: int, seed: int, threads: int | None) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])))
    if threads:
        env.update({name: str(threads) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    child = subprocess.Popen([sys.executable, __file__, "--worker", framework, dataset, str(epochs), str(seed)],
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(child.pid, 0)
    out, err = child.stdout.read(), child.stderr.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the {framework} worker failed:\n{err}")
    return {**json.loads(out.splitlines()[-1]), "peak_mib": usage.ru_maxrss * 1024 / MiB}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--digits-epochs", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1, help="processes per framework on MNIST")
    parser.add_argument("--first-seed", type=int, default=0, help="the seeds are first-seed, first-seed + 1, …")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--skip", nargs="*", default=[], choices=["digits", "torch"])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", nargs=4, metavar=("FRAMEWORK", "DATASET", "EPOCHS", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        framework, dataset, epochs, seed = args.worker
        if framework == "torch" and args.threads is None and os.environ.get("OMP_NUM_THREADS"):
            import torch

            torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
        print(json.dumps(WORKERS[framework](dataset, int(epochs), int(seed))))
        return
    if not SHARED_MNIST.exists():
        sys.exit(f"{SHARED_MNIST} is missing: this benchmark reads full MNIST from it")
    frameworks = ["nnlab"] + (["torch"] if "torch" not in args.skip and importlib.util.find_spec("torch") else [])
    runs = {name: [] for name in frameworks}
    for repeat in range(args.repeats):
        for name in frameworks:
            runs[name].append(run_worker(name, "mnist", args.epochs, args.first_seed + repeat, args.threads))
            print(f"{name} MNIST run {repeat + 1}: " + json.dumps(runs[name][-1]), file=sys.stderr)
    digits = None
    if "digits" not in args.skip:
        digits = run_worker("nnlab", "digits", args.digits_epochs, args.first_seed, args.threads)
        print("nnlab digits: " + json.dumps(digits), file=sys.stderr)
    summary = {"layers": LAYERS + ",10", "batch": BATCH, "epochs": args.epochs, "repeats": args.repeats,
               "threads": args.threads}
    for name, done in runs.items():
        epochs = [s for run in done for s in run["epoch_seconds"]]
        summary[name] = {"median_epoch_seconds": statistics.median(epochs), "epochs_timed": len(epochs),
                         "one_drawing_ms": [run.get("one_drawing_ms") for run in done],
                         "test_accuracy_by_epoch": [run["test_accuracy"] for run in done],
                         "peak_mib": [round(run["peak_mib"], 1) for run in done]}
    if "torch" in summary:
        summary["ratio_ours_to_torch"] = summary["nnlab"]["median_epoch_seconds"] / summary["torch"]["median_epoch_seconds"]
    if digits is not None:
        summary["digits"] = {"test_accuracy_by_epoch": digits["test_accuracy"],
                             "median_epoch_seconds": statistics.median(digits["epoch_seconds"]),
                             "peak_mib": round(digits["peak_mib"], 1), "test_samples": digits["test_samples"]}
    if args.json:
        print(json.dumps(summary))
        return
    print(f"LeNet-style {summary['layers']}, Adam, batch {BATCH}, {args.epochs} epochs on full MNIST "
          f"({args.repeats} process(es) per framework)")
    for name in frameworks:
        part = summary[name]
        best = [max(acc) for acc in part["test_accuracy_by_epoch"]]
        last = [acc[-1] for acc in part["test_accuracy_by_epoch"]]
        print(f"  {name:<6} epoch {part['median_epoch_seconds']:.2f} s (median of {part['epochs_timed']}), "
              f"test accuracy after the last epoch {', '.join(f'{a:.2%}' for a in last)} (best {max(best):.2%}), "
              f"peak {', '.join(f'{m:.0f}' for m in part['peak_mib'])} MiB"
              + (f", one drawing {min(part['one_drawing_ms']):.2f} ms" if part["one_drawing_ms"][0] else ""))
    if "ratio_ours_to_torch" in summary:
        print(f"  ours / PyTorch epoch time: {summary['ratio_ours_to_torch']:.2f}×")
    if digits is not None:
        part = summary["digits"]
        print(f"  digits ({part['test_samples']} test samples): accuracy by epoch "
              f"{', '.join(f'{a:.1%}' for a in part['test_accuracy_by_epoch'])}; epoch {part['median_epoch_seconds']:.2f} s")


if __name__ == "__main__":
    main()
