"""Training inside the window against the headless engine, the UI's stalls while it trains, start-up time.

    python benchmarks/window_training.py [--epochs 4] [--repeats 3] [--stall-seconds 10] [--json]

(a) epoch time of a run in the window (worker thread + live plots + diagram + metrics) over the
    same run in the headless engine, same data, same seed — the median of each run's epochs after
    the first (the engine times each epoch itself): the ratio should stay ≤ 1.15;
(b) the event loop's stalls while the window trains full MNIST (../shared; the shipped digits
    otherwise), sampled by a 5 ms QTimer from the moment Start is pressed (the window has had
    0.3 s to paint itself first, as a learner's window has): p99 and max of the gaps between ticks;
(c) launch to first shown window, in a fresh process (median of 5).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from nnlab.app import prefer_single_threaded_blas  # noqa: E402

# The window's process runs BLAS on one thread; the headless side is measured in this same process,
# so both train under the same settings.
prefer_single_threaded_blas()

import numpy as np  # noqa: E402
os.environ.setdefault("NNLAB_SETTINGS", str(Path("/tmp") / f"nnlab-bench-{os.getpid()}.ini"))

SHARED_MNIST = Path(__file__).resolve().parents[2] / "shared" / "mnist" / "mnist.npz"


def benchmark_dataset():
    from nnlab.data.builtin import load_builtin
    from nnlab.data.dataset import Dataset

    if not SHARED_MNIST.exists():
        return load_builtin("digits")
    with np.load(SHARED_MNIST) as data:
        x = np.concatenate([data["x_train"], data["x_test"]]).reshape(-1, 784) / np.float32(255)
        y = np.concatenate([data["y_train"], data["y_test"]])
    return Dataset("mnist", x, y, [str(d) for d in range(10)], (28, 28), "mnist")


def window_with(dataset, epochs):
    from nnlab.ui.main_window import MainWindow

    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.resize(1400, 900)
    window.show()
    window.session.load_dataset(dataset)
    window.run_settings.dataset = dataset.name
    window.run_settings.suggest_for("image")
    window.run_settings.epochs = epochs
    window.new_network(ask=False)
    return window


def run_in_window(app, dataset, epochs, stall_seconds=None):
    """Median seconds per epoch (after the first) in the window, and the 5 ms timer's gaps (ms)."""
    from PySide6.QtCore import QElapsedTimer, QEventLoop, QTimer

    window = window_with(dataset, epochs)
    settle = QEventLoop()  # the window's first paint is start-up, not a stall while training
    QTimer.singleShot(300, settle.quit)
    settle.exec()
    gaps, clock = [], QElapsedTimer()
    ticker = QTimer()
    ticker.setInterval(5)

    def tick():
        gaps.append(clock.nsecsElapsed() / 1e6)
        clock.restart()

    ticker.timeout.connect(tick)
    done, loop, epoch_seconds = [], QEventLoop(), []
    window.training.finished.connect(lambda ended: (done.append(time.perf_counter()), loop.quit()))
    window.training.epoch_finished.connect(lambda result: epoch_seconds.append(result.seconds))
    if stall_seconds:
        QTimer.singleShot(int(stall_seconds * 1000), loop.quit)
    clock.start()
    ticker.start()
    window.start_training()
    loop.exec()
    ticker.stop()
    window.stop_training()
    window.close()
    return statistics.median(epoch_seconds[1:] or [float("nan")]), gaps[1:]


def window_experiment(dataset, epochs):
    """Exactly the run the window's panel describes, so both sides train the same network."""
    window = window_with(dataset, epochs)
    experiment = window.run_settings.experiment()
    window.close()
    return experiment


def run_headless(dataset, experiment):
    from nnlab.engine import EpochResult
    from nnlab.lab.session import LabSession

    session = LabSession()
    session.load_dataset(dataset, split=experiment.split, seed=experiment.train.seed)
    trainer = session.make_trainer(experiment)
    seconds = [record.seconds for record in trainer.run() if isinstance(record, EpochResult)]
    return statistics.median(seconds[1:])


def launch_to_window_seconds(repeats=5):
    times = []
    for _ in range(repeats):
        env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
        started = time.time()
        out = subprocess.run([sys.executable, "-m", "nnlab", "--startup-probe"], capture_output=True, text=True,
                             env=env, timeout=60)
        shown = float(out.stdout.strip().split()[-1])
        times.append(shown - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=3, help="interleaved runs of each side")
    parser.add_argument("--stall-seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    dataset = benchmark_dataset()
    headless, in_window = [], []
    experiment = window_experiment(dataset, args.epochs)
    for _ in range(args.repeats):  # interleaved, so a noisy neighbour slows both alike
        headless.append(run_headless(dataset, experiment))
        in_window.append(run_in_window(app, dataset, args.epochs)[0])
    _, gaps = run_in_window(app, dataset, 1000, stall_seconds=args.stall_seconds)
    gaps = np.array(gaps)
    result = {
        "data": f"{dataset.name} ({len(dataset):,} samples, 70 % for training)",
        "headless_epoch_seconds": statistics.median(headless),
        "window_epoch_seconds": statistics.median(in_window),
        "window_over_headless": statistics.median(in_window) / statistics.median(headless),
        "stall_samples": int(gaps.size), "stall_p50_ms": float(np.percentile(gaps, 50)),
        "stall_p99_ms": float(np.percentile(gaps, 99)), "stall_max_ms": float(gaps.max()),
        "launch_to_window_seconds": launch_to_window_seconds(),
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"data: {result['data']}; {args.epochs} epochs a run, {args.repeats} interleaved runs each")
    print(f"  (a) seconds per epoch: headless {result['headless_epoch_seconds']:.3f}, in the window "
          f"{result['window_epoch_seconds']:.3f}: {result['window_over_headless']:.2f}×")
    print(f"  (b) 5 ms timer over {args.stall_seconds:g} s of training: gap p50 {result['stall_p50_ms']:.1f} ms, "
          f"p99 {result['stall_p99_ms']:.1f} ms, max {result['stall_max_ms']:.1f} ms")
    print(f"  (c) launch to first shown window {result['launch_to_window_seconds']:.2f} s (median of 5)")


if __name__ == "__main__":
    main()
