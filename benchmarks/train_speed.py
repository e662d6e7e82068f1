"""Training speed of NN Lab's engine against PyTorch CPU and scikit-learn, side by side in one run.

784-128-64-10 ReLU / softmax / cross-entropy, Adam lr 1e-3, one epoch over the 60,000 MNIST
training digits from ../shared/mnist/mnist.npz (the shipped 5,000-digit subset when absent).
Runs are interleaved (ours, PyTorch, scikit-learn, ours, …) so that a noisy neighbour slows
all of them alike; the figures that matter are the ratios.

    python benchmarks/train_speed.py [--repeats 3] [--json]

PyTorch is optional: `pip install torch==2.13.0` takes the CPU build on these machines.
"""
from __future__ import annotations

import argparse
import json
import statistics
import time
import warnings
from pathlib import Path

import numpy as np

from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "mnist" / "mnist.npz"
HIDDEN = (128, 64)


def load_training_digits():
    if SHARED_MNIST.exists():
        with np.load(SHARED_MNIST) as data:
            return "full MNIST (60,000)", data["x_train"].reshape(-1, 784) / np.float32(255), data["y_train"]
    from nnlab.data.builtin import load_builtin

    digits = load_builtin("digits")
    return f"shipped digits ({len(digits)})", digits.x, digits.y


def time_ours(x, y, batch_size, seed):
    net = Network(784, [LayerSpec(HIDDEN[0]), LayerSpec(HIDDEN[1]), LayerSpec(10, "softmax")], seed=seed)
    trainer = Trainer(net, x, y, TrainConfig(batch_size=batch_size, epochs=1, seed=seed), n_classes=10)
    started = time.perf_counter()
    for _ in trainer.run():
        pass
    return time.perf_counter() - started


def time_torch(torch, x, y, batch_size, seed):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(784, HIDDEN[0]), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN[0], HIDDEN[1]), torch.nn.ReLU(),
                                torch.nn.Linear(HIDDEN[1], 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
    started = time.perf_counter()
    order = torch.randperm(len(xt))
    for start in range(0, len(xt), batch_size):
        idx = order[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(xt[idx]), yt[idx])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - started


def time_sklearn(MLPClassifier, x, y, batch_size, seed):
    model = MLPClassifier(hidden_layer_sizes=HIDDEN, solver="adam", learning_rate_init=1e-3,
                          batch_size=batch_size, max_iter=1, random_state=seed)
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ConvergenceWarning after one epoch is the point
        model.fit(x, y)
    return time.perf_counter() - started


def matmul_gflops(repeats=7, n=2048):
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per trainer and batch size")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()

    data_name, x, y = load_training_digits()
    x = np.ascontiguousarray(x, dtype=np.float32)
    try:
        import torch
    except ImportError:
        torch = None
    try:
        from sklearn.neural_network import MLPClassifier
    except ImportError:
        MLPClassifier = None

    times: dict[str, list[float]] = {}
    for batch_size in (64, 256):
        for repeat in range(args.repeats):
            times.setdefault(f"nnlab_b{batch_size}", []).append(time_ours(x, y, batch_size, repeat))
            if torch is not None:
                times.setdefault(f"torch_b{batch_size}", []).append(time_torch(torch, x, y, batch_size, repeat))
            if MLPClassifier is not None and batch_size == 64:
                times.setdefault("sklearn_b64", []).append(time_sklearn(MLPClassifier, x, y, 64, repeat))
    medians = {name: statistics.median(values) for name, values in times.items()}
    peak = matmul_gflops()
    epoch_gflop = 3 * 2 * (784 * HIDDEN[0] + HIDDEN[0] * HIDDEN[1] + HIDDEN[1] * 10) * len(x) / 1e9
    result = {
        "data": data_name,
        "median_epoch_seconds": medians,
        "matmul_gflops": peak,
        "ours_b256_fraction_of_matmul_peak": epoch_gflop / medians["nnlab_b256"] / peak,
        "single_sample_forward_us": single_sample_latency_us(),
    }
    if torch is not None:
        result["ours_over_torch_b64"] = medians["nnlab_b64"] / medians["torch_b64"]
        result["ours_over_torch_b256"] = medians["nnlab_b256"] / medians["torch_b256"]
    if MLPClassifier is not None:
        result["ours_over_sklearn_b64"] = medians["nnlab_b64"] / medians["sklearn_b64"]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data: {data_name}; {args.repeats} epochs per trainer, interleaved; medians")
    for name, seconds in medians.items():
        print(f"  {name:<14} {seconds:6.3f} s/epoch")
    for key in ("ours_over_torch_b64", "ours_over_torch_b256", "ours_over_sklearn_b64"):
        if key in result:
            print(f"  {key:<34} {result[key]:.2f}×")
    print(f"  float32 matmul peak {peak:.0f} GFLOP/s; ours at batch 256 reaches "
          f"{result['ours_b256_fraction_of_matmul_peak']:.0%} of it")
    print(f"  single-sample forward {result['single_sample_forward_us']:.1f} µs")


if __name__ == "__main__":
    main()
