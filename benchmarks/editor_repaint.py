"""Repaint time of the network editor for 784-256-128-10, idle and while the window trains.

    python benchmarks/editor_repaint.py [--seconds 10] [--fps 30] [--json]

The editor is asked to repaint synchronously ``--fps`` times a second (far more often
than the window asks: it only has news from the 1 Hz weight snapshots) while the
window trains the built-in digits on its worker thread, with an inspected digit so
every snapshot also runs a forward pass for the neuron shading. Printed: median and
p95 of the editor's paintEvent over all frames, over the "fresh" frames (those that
render a picture: the first after each snapshot, as every training snapshot is new —
the cost that matters, since other frames only blit the picture), and of the whole window
flush each repaint() triggers — idle and training side by side. Target: median ≤ 16 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNLAB_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q / 100 * (len(ordered) - 1))), len(ordered) - 1)] if ordered else float("nan")


def measure(app, canvas, seconds: float, fps: int, on_tick=None) -> dict[str, list[float]]:
    """Ask for a synchronous repaint ``fps`` times a second; the editor logs its own paint times.

    ``repaint()`` also flushes whatever else in the window is waiting to be painted (the
    inspector, the plots), so the editor's paintEvent times itself (every paint, also
    those after a snapshot's ``update()``); the whole flush is kept as "window" for context.
    """
    from PySide6.QtCore import QEventLoop, QTimer

    frames = {"all": [], "fresh": [], "window": []}
    deadline = time.perf_counter() + seconds

    def tick() -> None:
        if on_tick is not None:
            on_tick()
        start = time.perf_counter()
        canvas.repaint()
        frames["window"].append((time.perf_counter() - start) * 1000)
        if time.perf_counter() > deadline:
            loop.quit()

    canvas.paint_log = []  # every paint, also those the window's own update() calls cause
    loop = QEventLoop()
    timer = QTimer(interval=max(int(1000 / fps), 1))
    timer.timeout.connect(tick)
    timer.start()
    loop.exec()
    timer.stop()
    for seconds, fresh in canvas.paint_log:
        frames["all"].append(seconds * 1000)
        if fresh:
            frames["fresh"].append(seconds * 1000)
    canvas.paint_log = None
    return frames


def summary(frames: dict[str, list[float]]) -> dict[str, float]:
    return {f"{kind}_{stat}": round(value, 2) for kind, values in frames.items()
            for stat, value in (("median_ms", statistics.median(values) if values else float("nan")),
                                ("p95_ms", percentile(values, 95)), ("n", len(values)))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--fps", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from nnlab.ui.main_window import MainWindow
    from nnlab.ui.training.run import DIAGRAM_REFRESH_SECONDS
    from nnlab.lab.selection import InspectedInput

    app = QApplication([])
    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.resize(1600, 1000)
    window.show()
    window.choose_dataset("digits")
    window.panel.hidden_layers.setText("256, 128")
    window.new_network(ask=False)
    window.panel.epochs.setValue(1000)
    assert window.session.network.sizes == [784, 256, 128, 10]
    sample = window.session.splits.validation
    window.selection.set_input(InspectedInput(sample.x[0], (28, 28), "validation sample 0", int(sample.y[0])))
    canvas = window.editor.canvas
    app.processEvents()

    last = [0.0]

    def idle_snapshot() -> None:  # the same snapshots training would send
        now = time.perf_counter()
        if now - last[0] >= DIAGRAM_REFRESH_SECONDS:
            last[0] = now
            window.selection.set_snapshot(window.session.network.copy())

    idle = measure(app, canvas, args.seconds / 2, args.fps, idle_snapshot)
    snapshots = []
    window.selection.snapshot_changed.connect(lambda _: snapshots.append(time.perf_counter()))
    window.start_training()
    training = measure(app, canvas, args.seconds, args.fps)
    batches = window.training.trainer.completed_epochs if window.training.trainer else 0
    window.stop_training()
    result = {"canvas": f"{canvas.width()}x{canvas.height()}", "lines_drawn": len(canvas.visible_connections()),
              "idle": summary(idle), "training": summary(training), "epochs_done_meanwhile": batches,
              "snapshots_per_second": round(len(snapshots) / args.seconds, 2)}
    window.session.set_dirty(False)
    window.close()
    if args.json:
        print(json.dumps(result))
        return
    print(f"editor 784-256-128-10, canvas {result['canvas']} px, {result['lines_drawn']} lines, "
          f"{args.fps} repaints/s requested, {result['snapshots_per_second']} weight snapshots/s while training, "
          f"{batches} epochs trained meanwhile")
    print(f"{'':22}{'idle':>16}{'training':>16}")
    for kind in ("all", "fresh", "window"):
        for stat in ("median_ms", "p95_ms", "n"):
            key = f"{kind}_{stat}"
            print(f"{kind + ' frames ' + stat:22}{result['idle'][key]:>16}{result['training'][key]:>16}")
    median = result["training"]["all_median_ms"]
    print(f"training median {median} ms → {'meets' if median <= 16 else 'MISSES'} the 16 ms target "
          f"(training/idle median ratio {median / max(result['idle']['all_median_ms'], 1e-9):.2f})")


if __name__ == "__main__":
    main()
