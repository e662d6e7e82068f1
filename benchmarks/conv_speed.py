"""A LeNet-style training epoch on NN Lab's convolution kernels against PyTorch CPU, each in its own process.

conv8x5 (same) → ReLU → maxpool2 → conv16x5 (same) → ReLU → maxpool2 → flatten → dense 64 ReLU →
dense 10 softmax; cross-entropy, Adam (lr 1e-3), batch 64, float32, on the first 14,000 training digits
of ../shared/mnist/mnist.npz (the shipped 5,000 `digits` where that file is absent).

    python benchmarks/conv_speed.py [--repeats 5] [--threads 2|1] [--profile] [--json]

Each repeat starts one fresh process per framework, alternating (ours, PyTorch, ours, …): timed in one
process right after our engine, PyTorch's epoch was ~50 % slower (OpenBLAS's spinning threads compete
with its own; notes/performance.md). A process trains one warm-up epoch, then times one epoch (wall
and CPU seconds) and the forward pass of one drawing (1×1×28×28 → probabilities, median of 2,000
calls). ``--threads`` is the cores each side may use: ``torch.set_num_threads`` for PyTorch; for ours
``Conv2D(threads=…)`` with one BLAS thread (the window's setting). The machines are shared: read the
medians and their ratio, and the load average printed with them — with other processes busy,
PyTorch's two threads spin and its epoch stretches tenfold, so a ratio measured then flatters us.
``--profile`` adds the time of each of our operations; ``--framework nnlab|torch`` runs one process's
work alone. benchmarks/conv_alternatives.py times the other ways of computing each operation.
Our side wires the kernels by hand (nnlab.engine.conv / pooling, the engine's activations, loss and
Adam) — the Network class does not know convolutions yet.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED_MNIST = ROOT.parent / "shared" / "mnist" / "mnist.npz"
N_DIGITS = 14_000
BATCH = 64
LATENCY_CALLS = 2000


def load_digits():
    """(description, x (n, 1, 28, 28) float32 in [0, 1], y (n,) int64)."""
    import numpy as np

    if SHARED_MNIST.exists():
        with np.load(SHARED_MNIST) as data:
            x, y = data["x_train"][:N_DIGITS], data["y_train"][:N_DIGITS]
        x = x.astype(np.float32) / np.float32(255)
        description = f"MNIST training digits ({len(x):,})"
    else:
        from nnlab.data.builtin import load_builtin

        digits = load_builtin("digits")
        x, y = np.asarray(digits.x), digits.y
        description = f"shipped digits ({len(x):,}; ../shared/mnist absent)"
    return description, np.ascontiguousarray(x.reshape(-1, 1, 28, 28)), np.asarray(y, dtype=np.int64)


# -- ours -------------------------------------------------------------------------------------
class NumpyLeNet:
    """The LeNet-style network on one flat float32 parameter vector (the dense engine's layout)."""

    SHAPES = [("conv1.weight", (8, 1, 5, 5)), ("conv1.bias", (8,)), ("conv2.weight", (16, 8, 5, 5)),
              ("conv2.bias", (16,)), ("dense1.weight_t", (784, 64)), ("dense1.bias", (64,)),
              ("dense2.weight_t", (64, 10)), ("dense2.bias", (10,))]

    def __init__(self, seed: int, threads: int = 1):
        import numpy as np

        from nnlab.engine.activations import get_activation
        from nnlab.engine.conv import Conv2D, ConvGeometry
        from nnlab.engine.losses import get_loss
        from nnlab.engine.optimizers import Adam
        from nnlab.engine.pooling import MaxPool2D

        self.np = np
        size = sum(int(np.prod(shape)) for _, shape in self.SHAPES)
        self.params, self.grads = np.empty(size, np.float32), np.zeros(size, np.float32)
        self.p, self.g, start = {}, {}, 0
        for name, shape in self.SHAPES:
            stop = start + int(np.prod(shape))
            self.p[name] = self.params[start:stop].reshape(shape)
            self.g[name] = self.grads[start:stop].reshape(shape)
            start = stop
        rng = np.random.default_rng(seed)
        for name, shape in self.SHAPES:  # PyTorch's default: U(±1/√fan_in) for weights and biases
            fan_in = {"conv1": 25, "conv2": 200, "dense1": 784, "dense2": 64}[name.split(".")[0]]
            self.p[name][...] = rng.uniform(-1, 1, shape) / np.sqrt(fan_in)
        self.conv1 = Conv2D(ConvGeometry(1, 28, 28, 8, 5), np.float32, threads)
        self.conv2 = Conv2D(ConvGeometry(8, 14, 14, 16, 5), np.float32, threads)
        self.pool1, self.pool2 = MaxPool2D(2), MaxPool2D(2)
        self.relu = get_activation("relu")
        self.softmax = get_activation("softmax")
        self.loss = get_loss("cross_entropy")
        self.adam = Adam(1e-3)
        self.clock = defaultdict(float)
        self._buffers = {}

    def _tick(self, name: str, started: float) -> float:
        now = time.perf_counter()
        self.clock[name] += now - started
        return now

    def _buffer(self, name: str, shape: tuple):
        """Buffers per batch size, allocated once, as the dense trainer's _Workspace does."""
        key = (name, shape)
        if key not in self._buffers:
            self._buffers[key] = self.np.empty(shape, self.np.float32)
        return self._buffers[key]

    def forward(self, x):
        """Probabilities (n, 10), plus what backward needs."""
        np, p, tick, t, n, buffer = self.np, self.p, self._tick, time.perf_counter(), len(x), self._buffer
        z1 = self.conv1.forward(x, p["conv1.weight"], p["conv1.bias"]); t = tick("conv1 forward", t)
        a1 = self.relu.forward(z1, out=buffer("a1", z1.shape)); t = tick("relu", t)
        p1 = self.pool1.forward(a1); t = tick("maxpool forward", t)
        z2 = self.conv2.forward(p1, p["conv2.weight"], p["conv2.bias"]); t = tick("conv2 forward", t)
        a2 = self.relu.forward(z2, out=buffer("a2", z2.shape)); t = tick("relu", t)
        p2 = self.pool2.forward(a2); t = tick("maxpool forward", t)
        flat = p2.reshape(n, -1)  # (C, H, W) order per sample: PyTorch's nn.Flatten
        z3 = np.matmul(flat, p["dense1.weight_t"], out=buffer("z3", (n, 64)))
        z3 += p["dense1.bias"]
        a3 = self.relu.forward(z3, out=buffer("a3", (n, 64)))
        z4 = np.matmul(a3, p["dense2.weight_t"], out=buffer("z4", (n, 10)))
        z4 += p["dense2.bias"]
        a4 = self.softmax.forward(z4, out=buffer("a4", (n, 10))); tick("dense forward", t)
        return a4, (z1, z2, flat, z3, a3, z4)

    def step(self, x, targets) -> float:
        np, p, g, tick = self.np, self.p, self.g, self._tick
        a4, (z1, z2, flat, z3, a3, z4) = self.forward(x)
        t = time.perf_counter()
        loss, delta = self.loss.compute(z4, a4, targets, "softmax"); t = tick("loss", t)
        np.matmul(a3.T, delta, out=g["dense2.weight_t"]); np.sum(delta, axis=0, out=g["dense2.bias"])
        n = len(x)
        upstream = np.matmul(delta, p["dense2.weight_t"].T, out=self._buffer("d3", (n, 64)))
        delta = self.relu.backward(z3, a3, upstream)
        np.matmul(flat.T, delta, out=g["dense1.weight_t"]); np.sum(delta, axis=0, out=g["dense1.bias"])
        upstream = np.matmul(delta, p["dense1.weight_t"].T, out=self._buffer("d_flat", (n, 784)))
        delta = upstream.reshape(n, 16, 7, 7); t = tick("dense backward", t)
        delta = self.pool2.backward(delta); t = tick("maxpool backward", t)
        delta = self.relu.backward(z2, None, delta); t = tick("relu backward", t)
        delta = self.conv2.backward(delta, p["conv2.weight"], g["conv2.weight"], g["conv2.bias"])
        t = tick("conv2 backward (dW, db, dX)", t)
        delta = self.pool1.backward(delta); t = tick("maxpool backward", t)
        delta = self.relu.backward(z1, None, delta); t = tick("relu backward", t)
        self.conv1.backward(delta, p["conv1.weight"], g["conv1.weight"], g["conv1.bias"], input_grad=False)
        t = tick("conv1 backward (dW, db)", t)
        self.adam.step(self.params, self.grads); tick("adam", t)
        return loss


def run_ours(x, y, seed: int, profile: bool, threads: int) -> dict:
    """One BLAS thread, as in the window's process (nnlab.app.prefer_single_threaded_blas): the products
    here are far below the size where a second BLAS thread pays (nnlab/engine/blas_threads.py)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from nnlab.engine.network import targets_for

    with threadpool_limits(1, user_api="blas"):
        return _train_ours(x, y, seed, profile, threads)


def _train_ours(x, y, seed: int, profile: bool, threads: int) -> dict:
    import numpy as np

    from nnlab.engine.network import targets_for

    net = NumpyLeNet(seed, threads)
    targets = targets_for(y, 10)
    rng = np.random.default_rng(seed)
    xb = np.empty((BATCH, 1, 28, 28), np.float32)
    tb = np.empty((BATCH, 10), np.float32)

    def epoch() -> tuple[float, float, float]:
        order = rng.permutation(len(x))
        started, cpu, losses = time.perf_counter(), time.process_time(), []
        with np.errstate(under="ignore"):
            for first in range(0, len(x), BATCH):
                idx = order[first:first + BATCH]
                batch_x = xb if len(idx) == BATCH else np.empty((len(idx), 1, 28, 28), np.float32)
                batch_t = tb if len(idx) == BATCH else np.empty((len(idx), 10), np.float32)
                np.take(x, idx, axis=0, out=batch_x, mode="clip")
                np.take(targets, idx, axis=0, out=batch_t, mode="clip")
                losses.append(net.step(batch_x, batch_t))
        return time.perf_counter() - started, time.process_time() - cpu, float(np.mean(losses))

    epoch()  # warm-up: buffers of both batch sizes, BLAS's first calls
    seconds, cpu, loss = epoch()
    result = {"epoch_seconds": seconds, "epoch_cpu_seconds": cpu, "epoch_loss": loss}
    if profile:
        net.clock.clear()
        result["profile_epoch_seconds"] = epoch()[0]
        result["profile"] = dict(net.clock)
    drawing = np.ascontiguousarray(x[:1])
    result["forward_us"] = _latency(lambda: net.forward(drawing)[0])
    return result


# -- PyTorch ----------------------------------------------------------------------------------
def run_torch(x, y, seed: int, threads: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def epoch() -> tuple[float, float, float]:
        started, cpu, total = time.perf_counter(), time.process_time(), 0.0
        order = torch.randperm(len(xt))
        for first in range(0, len(xt), BATCH):
            idx = order[first:first + BATCH]
            optimizer.zero_grad()
            loss = loss_fn(model(xt[idx]), yt[idx])
            loss.backward()
            optimizer.step()
            total += float(loss) * len(idx)
        return time.perf_counter() - started, time.process_time() - cpu, total / len(xt)

    epoch()
    seconds, cpu, loss = epoch()
    drawing = xt[:1].clone()
    model.eval()
    with torch.no_grad():
        forward_us = _latency(lambda: torch.softmax(model(drawing), dim=1))
    return {"epoch_seconds": seconds, "epoch_cpu_seconds": cpu, "epoch_loss": loss, "forward_us": forward_us,
            "torch_threads": torch.get_num_threads()}


def _latency(call) -> float:
    """Median µs of one call, over LATENCY_CALLS calls in 10 rounds after 200 warm-up calls."""
    for _ in range(200):
        call()
    rounds = []
    for _ in range(10):
        started = time.perf_counter()
        for _ in range(LATENCY_CALLS // 10):
            call()
        rounds.append((time.perf_counter() - started) / (LATENCY_CALLS // 10) * 1e6)
    return statistics.median(rounds)


# -- the parent -------------------------------------------------------------------------------
def child(framework: str, seed: int, profile: bool, threads: int) -> dict:
    description, x, y = load_digits()
    result = (run_ours(x, y, seed, profile, threads) if framework == "nnlab"
              else run_torch(x, y, seed, threads))
    result["data"] = description
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def spawn(framework: str, seed: int, profile: bool, threads: int) -> dict:
    command = [sys.executable, __file__, "--framework", framework, "--seed", str(seed),
               "--threads", str(threads)] + (["--profile"] if profile else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes per framework (default 5)")
    parser.add_argument("--profile", action="store_true", help="time each of our operations too")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--threads", type=int, choices=(1, 2), default=2,
                        help="cores each framework may use (default 2, PyTorch's default here): ours splits "
                             "each convolution's batch over that many threads, with one BLAS thread "
                             "(the window's setting); PyTorch gets torch.set_num_threads")
    parser.add_argument("--framework", choices=("nnlab", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.framework:
        print(json.dumps(child(args.framework, args.seed, args.profile, args.threads)))
        return

    try:
        import torch  # noqa: F401
        frameworks = ("nnlab", "torch")
    except ImportError:
        frameworks = ("nnlab",)
        print("PyTorch is not installed: timing ours alone", file=sys.stderr)
    runs: dict[str, list[dict]] = {name: [] for name in frameworks}
    loads = [os.getloadavg()[0]]
    for repeat in range(args.repeats):
        for name in frameworks:
            runs[name].append(spawn(name, repeat, args.profile and name == "nnlab", args.threads))
        loads.append(os.getloadavg()[0])
    summary = {"data": runs["nnlab"][0]["data"], "repeats": args.repeats, "threads": args.threads,
               "load_average_1min": [round(load, 1) for load in loads]}
    for name, results in runs.items():
        summary[name] = {key: statistics.median(r[key] for r in results)
                         for key in ("epoch_seconds", "epoch_cpu_seconds", "forward_us", "peak_rss_mb", "epoch_loss")}
        summary[name]["epoch_seconds_all"] = [round(r["epoch_seconds"], 3) for r in results]
    if "torch" in runs:
        summary["torch"]["threads"] = runs["torch"][0]["torch_threads"]
        summary["ours_over_torch_epoch"] = summary["nnlab"]["epoch_seconds"] / summary["torch"]["epoch_seconds"]
        summary["ours_over_torch_each_repeat"] = [
            round(ours["epoch_seconds"] / theirs["epoch_seconds"], 2)
            for ours, theirs in zip(runs["nnlab"], runs["torch"])]
    if args.profile:
        ops = runs["nnlab"][0]["profile"].keys()
        summary["profile_ms_per_batch"] = {
            op: statistics.median(r["profile"][op] / r["profile_epoch_seconds"] * r["epoch_seconds"]
                                  for r in runs["nnlab"]) / (N_DIGITS / BATCH) * 1e3 for op in ops}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"data: {summary['data']}; batch {BATCH}; {args.threads} thread(s) each; {args.repeats} processes per "
          f"framework, alternating; medians. 1-min load average during the runs: {summary['load_average_1min']}")
    for name in runs:
        s = summary[name]
        print(f"  {name:<6} {s['epoch_seconds']:6.2f} s/epoch {s['epoch_seconds_all']} "
              f"(CPU {s['epoch_cpu_seconds']:.2f} s)  "
              f"forward of one drawing {s['forward_us']:7.1f} µs  peak RSS {s['peak_rss_mb']:5.0f} MB  "
              f"epoch loss {s['epoch_loss']:.3f}")
    if "torch" in runs:
        print(f"  ours / PyTorch per epoch: {summary['ours_over_torch_epoch']:.2f}×  "
              f"(each pair: {summary['ours_over_torch_each_repeat']}); PyTorch threads {summary['torch']['threads']}")
    if args.profile:
        print("  ours per batch (median over processes, scaled to the timed epoch):")
        for op, ms in sorted(summary["profile_ms_per_batch"].items(), key=lambda item: -item[1]):
            print(f"    {op:<30} {ms:6.3f} ms")


if __name__ == "__main__":
    main()
