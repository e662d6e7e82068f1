"""Training speed of NN Lab's engine against PyTorch CPU and scikit-learn, each in a process of its own.

784-128-64-10 ReLU / softmax / cross-entropy, Adam lr 1e-3, one epoch over the 60,000 MNIST
training digits from ../shared/mnist/mnist.npz (the shipped 5,000-digit subset when absent).
Our engine trains on the digits' bytes, as nnlab holds an 8-bit image set; PyTorch and
scikit-learn on float32 rows.

Every timed epoch runs in a fresh process (this script again, with --worker). In one shared
process PyTorch's batch-64 epoch took 1.39–1.87 s right after our engine's and 0.9–1.1 s alone:
OpenBLAS's threads keep spinning after a product and compete with PyTorch's (ours slowed too,
0.91 s against 0.54 s). PyTorch's batch-64 epoch is unsteady even alone — 0.8 or 1.4 s from one
process to the next — hence medians over several processes. A process per repeat rather than one per
framework lets the frameworks' processes take turns (ours, PyTorch, scikit-learn, ours, …) so that
a noisy neighbour slows them alike. Each process trains one untimed warm-up epoch (thread pools,
lazy set-up, first-touch page faults) and then times one; the figures are medians over the
processes, and the ones that matter are the ratios.

    python benchmarks/train_speed.py [--repeats 5] [--threads N] [--json]

--threads N caps every library's threads (OpenBLAS, OpenMP, MKL) at N. Leave it out for the
figures a user gets; on a machine busy with other work, --threads 1 keeps the frameworks from
fighting the neighbours with spinning threads (PyTorch's batch-64 epoch took 1.4–73 s there).

PyTorch is optional: `pip install torch==2.13.0` takes the CPU build on these machines.
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
import warnings
from pathlib import Path

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "mnist" / "mnist.npz"
PROJECT = Path(__file__).resolve().parents[1]
HIDDEN = (128, 64)
BATCH_SIZES = (64, 256)
SKLEARN_BATCH_SIZES = (64,)  # one epoch at 256 tells nothing the batch-64 ratio does not


# -- the workers: each runs in a process of its own ----------------------------------------------
class Stopwatch:
    """Wall-clock seconds of one timed stretch, and the CPU seconds this process's threads spent in it.

    With one thread per library (--threads 1) the CPU seconds change less when other work shares the
    machine: our batch-64 epoch took 0.60 and 0.54 CPU seconds in two runs whose wall-clock medians
    were 0.88 and 0.56 s.
    """

    def __enter__(self) -> "Stopwatch":
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exception) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def load_training_digits():
    """(description, uint8 pixels (n, 784), labels (n,))."""
    import numpy as np

    if SHARED_MNIST.exists():
        with np.load(SHARED_MNIST) as data:
            return "full MNIST (60,000)", data["x_train"].reshape(-1, 784), data["y_train"].astype(np.int64)
    from nnlab.data.builtin import load_builtin

    digits = load_builtin("digits")
    return f"shipped digits ({len(digits)})", digits.x.raw_bytes, digits.y


def as_floats(pixels):
    import numpy as np

    return pixels.astype(np.float32) / np.float32(255)


def time_ours(pixels, y, batch_size, seed):
    from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer
    from nnlab.engine.scaled_bytes import ScaledBytes

    net = Network(784, [LayerSpec(HIDDEN[0]), LayerSpec(HIDDEN[1]), LayerSpec(10, "softmax")], seed=seed)
    trainer = Trainer(net, ScaledBytes(pixels), y, TrainConfig(batch_size=batch_size, epochs=1, seed=seed),
                      n_classes=10)
    for _ in trainer.run():  # warm-up epoch
        pass
    with Stopwatch() as watch:
        for _ in trainer.run():
            pass
    return watch


def time_torch(pixels, y, batch_size, seed):
    import numpy as np
    import torch

    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN[0]), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN[0], HIDDEN[1]), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN[1], 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(as_floats(pixels)), torch.from_numpy(y.astype(np.int64))

    def epoch():
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()

    epoch()  # warm-up
    with Stopwatch() as watch:
        epoch()
    return watch


def time_sklearn(pixels, y, batch_size, seed):
    from sklearn.neural_network import MLPClassifier

    x = as_floats(pixels)
    model = MLPClassifier(hidden_layer_sizes=HIDDEN, solver="adam", learning_rate_init=1e-3,
                          batch_size=batch_size, max_iter=1, random_state=seed, warm_start=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning after one epoch is the point
        model.fit(x, y)  # warm-up; warm_start makes the next fit one more epoch
        with Stopwatch() as watch:
            model.fit(x, y)
    return watch


def matmul_gflops(repeats=7, n=2048):
    import numpy as np

    a = np.random.default_rng(0).random((n, n), dtype=np.float32)
    b = a.copy()
    a @ b
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - started)
    return 2 * n ** 3 / statistics.median(times) / 1e9


def single_sample_latency_us(calls=20000):
    import numpy as np
    from nnlab.engine import LayerSpec, Network

    net = Network(784, [LayerSpec(HIDDEN[0]), LayerSpec(HIDDEN[1]), LayerSpec(10, "softmax")])
    sample = np.random.default_rng(0).random(784, dtype=np.float32)
    for _ in range(1000):
        net.predict_one(sample)
    rounds = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(calls // 5):
            net.predict_one(sample)
        rounds.append((time.perf_counter() - started) / (calls // 5) * 1e6)
    return statistics.median(rounds)


TRAINERS = {"nnlab": time_ours, "torch": time_torch, "sklearn": time_sklearn}


def worker(task: str, batch_size: int, seed: int) -> dict:
    if task == "machine":
        return {"matmul_gflops": matmul_gflops(), "single_sample_forward_us": single_sample_latency_us()}
    data, pixels, y = load_training_digits()
    watch = TRAINERS[task](pixels, y, batch_size, seed)
    return {"data": data, "images": len(pixels), "seconds": watch.wall, "cpu_seconds": watch.cpu}


# -- the parent: starts the workers, one process each, and prints medians and ratios ---------------
def run_worker(task: str, batch_size: int = 0, seed: int = 0, threads: int | None = None) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(PROJECT), os.environ.get("PYTHONPATH")])))
    if threads:
        env.update({name: str(threads) for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
    done = subprocess.run([sys.executable, __file__, "--worker", task, str(batch_size), str(seed)],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"the {task} worker failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1])


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes (one timed epoch each) per trainer "
                        "and batch size")
    parser.add_argument("--threads", type=int, default=None, help="cap every library's threads (default: "
                        "each library's own choice)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--worker", nargs=3, metavar=("TASK", "BATCH", "SEED"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        task, batch_size, seed = args.worker
        print(json.dumps(worker(task, int(batch_size), int(seed))))
        return

    frameworks = ["nnlab", *(name for name in ("torch", "sklearn") if installed(name))]
    times: dict[str, list[float]] = {}
    cpu_times: dict[str, list[float]] = {}
    data, images = None, 0
    for repeat in range(args.repeats):
        for batch_size in BATCH_SIZES:
            for name in frameworks:
                if name == "sklearn" and batch_size not in SKLEARN_BATCH_SIZES:
                    continue
                result = run_worker(name, batch_size, repeat, args.threads)
                data, images = result["data"], result["images"]
                times.setdefault(f"{name}_b{batch_size}", []).append(result["seconds"])
                cpu_times.setdefault(f"{name}_b{batch_size}", []).append(result["cpu_seconds"])
    medians = {name: statistics.median(values) for name, values in times.items()}
    cpu_medians = {name: statistics.median(values) for name, values in cpu_times.items()}
    machine = run_worker("machine", threads=args.threads)
    epoch_gflop = 3 * 2 * (784 * HIDDEN[0] + HIDDEN[0] * HIDDEN[1] + HIDDEN[1] * 10) * images / 1e9
    result = {
        "data": data,
        "processes_per_figure": args.repeats,
        "threads": args.threads or "each library's default",
        "median_epoch_seconds": medians,
        "epoch_seconds": times,
        "median_epoch_cpu_seconds": cpu_medians,
        "epoch_cpu_seconds": cpu_times,
        **machine,
        "ours_b256_fraction_of_matmul_peak": epoch_gflop / medians["nnlab_b256"] / machine["matmul_gflops"],
    }
    for other in ("torch", "sklearn"):
        for batch_size in BATCH_SIZES:
            if f"{other}_b{batch_size}" in medians:
                result[f"ours_over_{other}_b{batch_size}"] = medians[f"nnlab_b{batch_size}"] / medians[
                    f"{other}_b{batch_size}"]
                result[f"cpu_ours_over_{other}_b{batch_size}"] = cpu_medians[f"nnlab_b{batch_size}"] / cpu_medians[
                    f"{other}_b{batch_size}"]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data: {data}; each figure the median of {args.repeats} processes, one warmed-up epoch each, "
          f"the trainers' processes interleaved; threads: {result['threads']}")
    print(f"  {'':<14} {'s/epoch':>7}  {'range':<13}  {'CPU s':>6}")
    for name, seconds in medians.items():
        print(f"  {name:<14} {seconds:7.3f}  {min(times[name]):5.3f}–{max(times[name]):5.3f}  {cpu_medians[name]:6.3f}")
    for key in [k for k in result if k.startswith("ours_over_")]:
        print(f"  {key:<34} {result[key]:.2f}×   (CPU seconds: {result['cpu_' + key]:.2f}×)")
    print(f"  float32 matmul peak {machine['matmul_gflops']:.0f} GFLOP/s; ours at batch 256 reaches "
          f"{result['ours_b256_fraction_of_matmul_peak']:.0%} of it")
    print(f"  single-sample forward {machine['single_sample_forward_us']:.1f} µs")


if __name__ == "__main__":
    main()
