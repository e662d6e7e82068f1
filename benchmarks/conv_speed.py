"""A LeNet-style training epoch of NN Lab's own Trainer against PyTorch CPU, each in its own process.

conv8x5 (same) → ReLU → maxpool2 → conv16x5 (same) → ReLU → maxpool2 → flatten → dense 64 ReLU →
dense 10 softmax; cross-entropy, Adam (lr 1e-3), batch 64, float32, on the first 14,000 training digits
of ../shared/mnist/mnist.npz (the shipped 5,000 `digits` where that file is absent).

    python benchmarks/conv_speed.py [--repeats 5] [--threads 2|1] [--profile] [--json]

Ours is the app's training path itself: a ``Network`` of those layers trained by ``Trainer`` on the digits
held as bytes (``ScaledBytes``), as ``nnlab train`` and the window's worker do (conv_batch_step.py: the two
halves of each batch side by side when that is faster). PyTorch: ``nn.Sequential`` of the same layers.
Each repeat starts one fresh process per framework, alternating (ours, PyTorch, ours, …): timed in one
process right after our engine, PyTorch's epoch was ~50 % slower (OpenBLAS's spinning threads compete
with its own; notes/performance.md). A process trains one warm-up epoch, then times one epoch (wall
and CPU seconds) and the forward pass of one drawing (28×28 → probabilities, median of 2,000 calls:
``Network.predict_one``, the canvas's call). ``--threads 1`` holds each process to one core (its CPU
affinity, set before NumPy or PyTorch load) and gives PyTorch ``torch.set_num_threads(1)``; the default
is the machine's two cores. The machines are shared: read the medians and their ratio, and the load
average printed with them — with other processes busy, PyTorch's two threads spin and its epoch stretches,
and the scheduler gives each process one share of the CPU whatever its threads.
``--profile`` trains one more epoch timed per operation: ours in CPU time per thread, summed (the
engine's kernels, activations, loss and optimizer wrapped where the trainer looks them up); PyTorch by its
profiler. ``--framework nnlab|torch`` runs one process's work alone. benchmarks/conv_alternatives.py
times the other ways of computing each operation.
"""
from __future__ import annotations

import argparse
import importlib.util
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
    """(description, x (n, 28, 28) uint8, y (n,) int64): the digits as the app holds them, bytes."""
    import numpy as np

    if SHARED_MNIST.exists():
        with np.load(SHARED_MNIST) as data:
            x, y = data["x_train"][:N_DIGITS], data["y_train"][:N_DIGITS]
        description = f"MNIST training digits ({len(x):,})"
    else:
        from nnlab.data.builtin import load_builtin

        digits = load_builtin("digits")
        x, y = digits.x.raw_bytes(), digits.y
        description = f"shipped digits ({len(x):,}; ../shared/mnist absent)"
    return description, np.ascontiguousarray(x.reshape(-1, 28, 28)), np.asarray(y, dtype=np.int64)


# -- ours -------------------------------------------------------------------------------------
LAYERS = "conv8x5,maxpool2,conv16x5,maxpool2,64"


class OpClock:
    """CPU seconds per operation, each thread's own (``time.thread_time``), summed over the threads.

    Installed by wrapping the engine's kernels, activations, loss, gathering and optimizer where the trainer
    looks them up — the trainer's own code runs unchanged. What no wrapper covers (the dense layers'
    products, the trainer's loop) is reported as the rest of the process's CPU time.
    """

    def __init__(self):
        import threading

        self._local = threading.local()
        self._tables: list[dict] = []

    def add(self, name: str, seconds: float) -> None:
        table = getattr(self._local, "table", None)
        if table is None:
            table = self._local.table = defaultdict(float)
            self._tables.append(table)
        table[name] += seconds

    def wrap(self, name, call):
        """``call`` timed under ``name`` (a string, or a function of the call's first argument)."""
        def timed(*args, **kwargs):
            started = time.thread_time()
            result = call(*args, **kwargs)
            self.add(name if isinstance(name, str) else name(args[0]), time.thread_time() - started)
            return result
        return timed

    def totals(self) -> dict:
        merged = defaultdict(float)
        for table in self._tables:
            for name, seconds in table.items():
                merged[name] += seconds
        return dict(merged)

    def clear(self) -> None:
        for table in self._tables:
            table.clear()

    def install(self, optimizer) -> None:
        from dataclasses import replace

        from nnlab.engine import activations, losses
        from nnlab.engine.conv import Conv2D
        from nnlab.engine.pooling import MaxPool2D
        from nnlab.engine.scaled_bytes import ScaledBytes

        def conv_name(kernel, what):
            g = kernel.geometry
            return f"conv {g.in_channels}→{g.filters} on {g.height}×{g.width} {what}"

        forward, backward = Conv2D.forward, Conv2D.backward
        Conv2D.forward = lambda kernel, *a, **k: self.wrap(conv_name(kernel, "forward"), forward)(kernel, *a, **k)
        Conv2D.backward = lambda kernel, *a, **k: self.wrap(
            conv_name(kernel, "backward (∂W, ∂b" + (", ∂x)" if k.get("input_grad", a[4] if len(a) > 4 else True)
                                                   else ")")), backward)(kernel, *a, **k)
        MaxPool2D.forward = self.wrap("maxpool forward", MaxPool2D.forward)
        MaxPool2D.backward = self.wrap("maxpool backward", MaxPool2D.backward)
        for name in ("relu", "softmax"):
            entry = activations.ACTIVATIONS[name]
            activations.ACTIVATIONS[name] = replace(entry, forward=self.wrap(f"{name} forward", entry.forward),
                                                    backward=self.wrap(f"{name} backward", entry.backward))
        loss = losses.LOSSES["cross_entropy"]
        losses.LOSSES["cross_entropy"] = replace(loss, compute=self.wrap("loss", loss.compute))
        ScaledBytes.gather_into = self.wrap("gathering the batch", ScaledBytes.gather_into)
        optimizer.step = self.wrap("adam", optimizer.step)


# The ways our step can be made to run (--ours), for measuring the alternatives: the app chooses batch by batch
# whether the halves run side by side; the others fix one way.
OURS_WAYS = {
    "app": "as the app runs: the halves side by side or in turn, whichever was faster lately",
    "side-by-side": "the halves always side by side, one BLAS thread each",
    "in-turn": "the halves always one after the other, one BLAS thread",
    "whole": "the whole batch in one pass, one BLAS thread",
    "whole-blas2": "the whole batch in one pass, the BLAS pool's two threads for every product",
}


def _fix_the_way(way: str):
    """Patch the engine to run ``way``; the TrainConfig's blas_threads to use."""
    from nnlab.engine import conv_batch_step, side_by_side

    if way in ("side-by-side", "in-turn"):
        side_by_side.SideBySideChoice.choose = lambda choice: way == "side-by-side"
    if way.startswith("whole"):
        conv_batch_step.batch_parts = lambda size: [(0, size)]
    return 2 if way == "whole-blas2" else None


def run_ours(x, y, seed: int, profile: bool, way: str = "app") -> dict:
    """The app's own training: a LeNet-style ``Network`` trained by ``Trainer`` on the digits held as bytes
    (``ScaledBytes``), as ``nnlab train --dataset mnist`` does — the BLAS pool as the process started (the
    trainer picks threads per product; the window's process starts with one)."""
    import numpy as np

    from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer
    from nnlab.engine.layers import parse_layer_words
    from nnlab.engine.scaled_bytes import ScaledBytes

    blas_threads = _fix_the_way(way)
    net = Network((28, 28), [*parse_layer_words(LAYERS), LayerSpec(10, "softmax")], seed=seed)
    config = TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=BATCH, epochs=1, seed=seed,
                         blas_threads=blas_threads)
    trainer = Trainer(net, ScaledBytes(x.reshape(len(x), -1)), y, config, n_classes=10)

    def epoch() -> tuple[float, float, float]:
        started, cpu = time.perf_counter(), time.process_time()
        ended = list(trainer.run())[-2]  # the EpochResult before TrainingEnded
        return time.perf_counter() - started, time.process_time() - cpu, ended.train_loss

    epoch()  # warm-up: buffers of both batch sizes, BLAS's first calls
    seconds, cpu, loss = epoch()
    result = {"epoch_seconds": seconds, "epoch_cpu_seconds": cpu, "epoch_loss": loss}
    if profile:
        clock = OpClock()
        clock.install(trainer.optimizer)
        profile_seconds, profile_cpu, _ = epoch()
        ops = clock.totals()
        ops["the rest (dense layers, the trainer's loop)"] = profile_cpu - sum(ops.values())
        result.update(profile_epoch_seconds=profile_seconds, profile_cpu_seconds=profile_cpu, profile=ops)
    drawing = np.asarray(x[0], np.float32).reshape(-1) / np.float32(255)
    result["forward_us"] = _latency(lambda: net.predict_one(drawing))
    return result


# -- PyTorch ----------------------------------------------------------------------------------
def run_torch(x, y, seed: int, threads: int, profile: bool) -> dict:
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    nn = torch.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(8, 16, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    xt = torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32) / np.float32(255))
    yt = torch.from_numpy(y)

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
    profile_ms = None
    if profile:
        from torch.profiler import ProfilerActivity, profile as torch_profile

        with torch_profile(activities=[ProfilerActivity.CPU]) as profiler:
            epoch()
        profile_ms = {event.key: event.self_cpu_time_total / 1e6 for event in profiler.key_averages()}
    drawing = xt[:1].clone()
    model.eval()
    with torch.no_grad():
        forward_us = _latency(lambda: torch.softmax(model(drawing), dim=1))
    return {"epoch_seconds": seconds, "epoch_cpu_seconds": cpu, "epoch_loss": loss, "forward_us": forward_us,
            "torch_threads": torch.get_num_threads(), **({"profile": profile_ms} if profile else {})}


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
def child(framework: str, seed: int, profile: bool, threads: int, way: str = "app") -> dict:
    if threads == 1:  # before NumPy or PyTorch load: their thread pools size themselves by the cores they see
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    description, x, y = load_digits()
    result = (run_ours(x, y, seed, profile, way) if framework == "nnlab"
              else run_torch(x, y, seed, threads, profile))
    result["data"] = description
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def spawn(framework: str, seed: int, profile: bool, threads: int, way: str = "app") -> dict:
    command = [sys.executable, __file__, "--framework", framework, "--seed", str(seed),
               "--threads", str(threads), "--ours", way] + (["--profile"] if profile else [])
    done = subprocess.run(command, capture_output=True, text=True, check=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="processes per framework (default 5)")
    parser.add_argument("--profile", action="store_true",
                        help="one more epoch, timed per operation (ours: CPU time; PyTorch: its profiler)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--threads", type=int, choices=(1, 2), default=2,
                        help="cores each framework may use (default 2, PyTorch's default here); with 1, each "
                             "process is held to one core (its affinity) and PyTorch gets torch.set_num_threads(1)")
    parser.add_argument("--ours", choices=OURS_WAYS, default="app",
                        help="how our step runs: " + "; ".join(f"{k}: {v}" for k, v in OURS_WAYS.items()))
    parser.add_argument("--framework", choices=("nnlab", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.framework:
        print(json.dumps(child(args.framework, args.seed, args.profile, args.threads, args.ours)))
        return

    # Not imported here: a child's ru_maxrss starts from this process's size when it was forked (Linux), and
    # with PyTorch loaded here every child reported ≥ 220 MB, ours too.
    if importlib.util.find_spec("torch"):
        frameworks = ("nnlab", "torch")
    else:
        frameworks = ("nnlab",)
        print("PyTorch is not installed: timing ours alone", file=sys.stderr)
    runs: dict[str, list[dict]] = {name: [] for name in frameworks}
    loads = [os.getloadavg()[0]]
    for repeat in range(args.repeats):
        for name in frameworks:
            runs[name].append(spawn(name, repeat, args.profile, args.threads, args.ours))
        loads.append(os.getloadavg()[0])
    summary = {"data": runs["nnlab"][0]["data"], "repeats": args.repeats, "threads": args.threads, "ours": args.ours,
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
        for name, results in runs.items():
            ops = set().union(*(r["profile"] for r in results))
            summary[f"{name}_profile_ms_per_batch"] = {
                op: statistics.median(r["profile"].get(op, 0.0) for r in results) / (N_DIGITS / BATCH) * 1e3
                for op in ops}
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"data: {summary['data']}; batch {BATCH}; {args.threads} core(s) each; {args.repeats} processes per "
          f"framework, alternating; medians. 1-min load average during the runs: {summary['load_average_1min']}")
    print(f"  ours: {OURS_WAYS[args.ours]}")
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
        print("  ours per batch, CPU ms (both threads' time summed; median over processes):")
        for op, ms in sorted(summary["nnlab_profile_ms_per_batch"].items(), key=lambda item: -item[1]):
            print(f"    {op:<52} {ms:6.3f}")
        if "torch" in runs:
            print("  PyTorch per batch, ms its profiler gives each operator (self time on the calling thread; its "
                  "intra-op threads work within it):")
            for op, ms in sorted(summary["torch_profile_ms_per_batch"].items(), key=lambda item: -item[1])[:14]:
                print(f"    {op:<52} {ms:6.3f}")

if __name__ == "__main__":
    main()
