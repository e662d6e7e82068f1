"""From a mouse move on the Draw canvas to updated class probabilities, in the real window.

    python benchmarks/canvas_latency.py [--events 400] [--lenet] [--json]

(a) compute: a synthesised mouse-move event on the paper → ink stamped → MNIST transform of the
    280×280 sheet → forward pass on the snapshot → ``prediction_changed`` emitted (the throttle's
    timer is bypassed with ``predict_now``, so this is all the work one update costs);
(b) live: the same moves sent 8 ms apart through the event loop, as a mouse would; the time from
    each move to the next ``prediction_changed`` includes the ≤ 30 ms throttle by design;
(c) the parts of (a): the transform alone and the forward pass alone.
``--lenet``: the editor's "LeNet-style digits" template (conv8x5, maxpool2, conv16x5, maxpool2, 64, 10)
instead of the dense 784-128-64-10, the CNN case of issue 15. The target is (a) ≤ 10 ms. Medians and p95 over all events; a busy shared machine only adds time.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNLAB_SETTINGS", str(Path(tempfile.mkdtemp(prefix="nnlab-bench-")) / "settings.ini"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402


def stroke_points(n: int) -> list[tuple[float, float]]:
    """A wandering figure-of-eight, so the ink's bounding box keeps changing like a real drawing."""
    t = np.linspace(0, 4 * np.pi, n)
    return list(zip(0.5 + 0.3 * np.sin(t), 0.5 + 0.35 * np.sin(t / 2) * np.cos(t / 3)))


def percentiles(values: list[float]) -> dict:
    ms = np.array(values) * 1000
    return {"median_ms": round(float(np.median(ms)), 3), "p95_ms": round(float(np.percentile(ms, 95)), 3),
            "n": len(ms)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--lenet", action="store_true", help="the LeNet-style digits template, a CNN")
    args = parser.parse_args()

    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from nnlab.data.transforms import mnist_transform
    from nnlab.engine.layers import layer_word
    from nnlab.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_last_dataset=False)
    window.choose_dataset("digits")
    if args.lenet:
        assert window.editor.apply_template("LeNet-style digits"), window.editor.last_message
    window.show()
    window.docks["canvas"].raise_()
    app.processEvents()
    canvas, surface = window.canvas, window.canvas.surface
    rect = surface.paper_rect()
    points = [QPoint(round(rect.left() + x * rect.width()), round(rect.top() + y * rect.height()))
              for x, y in stroke_points(args.events)]
    stamps: list[float] = []
    canvas.prediction_changed.connect(lambda _p: stamps.append(time.perf_counter()))

    compute = []
    QTest.mousePress(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        start = time.perf_counter()
        QTest.mouseMove(surface, point)
        canvas.predict_now()
        compute.append(stamps[-1] - start)
    QTest.mouseRelease(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])

    canvas.clear()
    app.processEvents()
    live = []
    QTest.mousePress(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[0])
    for point in points[1:]:
        seen = len(stamps)
        start = time.perf_counter()
        QTest.mouseMove(surface, point)
        while len(stamps) == seen and time.perf_counter() - start < 0.2:
            app.processEvents()
            time.sleep(0.0005)
        if len(stamps) > seen:
            live.append(stamps[seen] - start)
        while time.perf_counter() - start < 0.008:
            app.processEvents()
    QTest.mouseRelease(surface, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, points[-1])

    image = surface.sheet.image()
    network = window.selection.snapshot
    transform, forward = [], []
    for _ in range(args.events):
        start = time.perf_counter()
        row = mnist_transform(image).reshape(-1)
        middle = time.perf_counter()
        network.predict_one(row)
        transform.append(middle - start)
        forward.append(time.perf_counter() - middle)

    result = {"compute": percentiles(compute), "live_with_throttle": percentiles(live),
              "transform_only": percentiles(transform), "forward_only": percentiles(forward),
              "network": "-".join(map(str, network.sizes)) if network.is_dense else
              ", ".join(layer_word(spec) for spec in network.layers)}
    window.session.set_dirty(False)  # a template changed the network: no "Save first?" question at close
    window.close()
    if args.json:
        print(json.dumps(result))
        return
    print(f"network {result['network']}, {args.events} mouse moves on a "
          f"{surface.width()}×{surface.height()} px canvas")
    for name, label in (("compute", "(a) move → probabilities, compute"),
                        ("live_with_throttle", "(b) move → probabilities, live (≤ 30 ms throttle)"),
                        ("transform_only", "(c) transform 280×280 → 28×28"),
                        ("forward_only", "(c) forward pass")):
        figures = result[name]
        print(f"{label:52s} median {figures['median_ms']:7.3f} ms   p95 {figures['p95_ms']:7.3f} ms")


if __name__ == "__main__":
    main()
