"""How long the inspector takes to follow the learner: after a new selected neuron and after a new input.

Measured in the real window, offscreen: the time from the selection hub's change to the
dock having redrawn (the slot's work plus a synchronous repaint), for the dog/cat lesson
(4 inputs) and a 784-128-64-10 digits network (784 inputs), on the Neuron, Layer and
Backprop tabs. The dataset-wide figures (top 9 samples, dead-ReLU) are deferred by
150 ms and timed separately. Target: one frame, ~16.7 ms. Prints medians and p95.
Run: python benchmarks/inspector_update.py
"""
from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
from PySide6.QtWidgets import QApplication

from nnlab.ui.main_window import MainWindow
from nnlab.lab.selection import InspectedInput, NeuronRef
from nnlab.ui.settings import Settings

FRAME_MS = 1000 / 60
REPEATS = 60


def timed(app, action, repaint) -> float:
    start = time.perf_counter()
    action()
    repaint()
    return (time.perf_counter() - start) * 1000


def report(name: str, times: list[float]) -> None:
    times = sorted(times)
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"{name:<52} median {median:6.2f} ms  p95 {p95:6.2f} ms  ({median / FRAME_MS:4.2f} frames)")


def measure(app, window, title: str, layers: list[int]) -> None:
    inspector, selection = window.inspector, window.selection
    net = selection.snapshot
    rng = np.random.default_rng(0)
    inputs = [InspectedInput(rng.random(net.input_size), selection.input.image_shape, f"random {i}")
              for i in range(8)]
    for name in ("neuron", "layer", "backprop"):
        inspector.show_tab(name)
        app.processEvents()
        neuron_times = [timed(app, lambda i=i: selection.select_neuron(
            NeuronRef(layers[i % len(layers)], (i * 7) % net.sizes[layers[i % len(layers)]])), inspector.repaint)
            for i in range(REPEATS)]
        input_times = [timed(app, lambda i=i: selection.set_input(inputs[i % len(inputs)]), inspector.repaint)
                       for i in range(REPEATS)]
        report(f"{title}, {name} tab: new neuron", neuron_times)
        report(f"{title}, {name} tab: new input", input_times)
    inspector.show_tab("neuron")
    chunks, totals = [], []
    for i in range(10):
        selection.select_neuron(NeuronRef(1, i))
        inspector.stats.cancel()
        inspector.stats.forget()
        start = time.perf_counter()
        while True:
            begun = time.perf_counter()
            finished = inspector.stats.step()
            inspector.repaint()
            chunks.append((time.perf_counter() - begun) * 1000)
            if finished:
                break
        totals.append((time.perf_counter() - start) * 1000)
    report(f"{title}, top-9 + dead-ReLU: each event-loop turn", chunks)
    report(f"{title}, top-9 + dead-ReLU: all turns (after 150 ms)", totals)


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(Path(folder) / "s.ini")
        settings.set("start_page_seen", True)
        window = MainWindow(settings=settings, load_last_dataset=False)
        window.resize(1400, 900)
        window.show()
        app.processEvents()
        window.inspector.open_lesson(window.inspector.lessons.lesson("04-dog-cat"))
        app.processEvents()
        measure(app, window, "dog/cat 4-3-2", [1, 2])
        window.session.set_dirty(False)
        window.panel.hidden_layers.setText("128, 64")
        assert window.choose_dataset("digits")
        window.panel.hidden_layers.setText("128, 64")
        window.new_network(ask=False)
        app.processEvents()
        measure(app, window, "digits 784-128-64-10", [1, 2, 3])
        window.session.set_dirty(False)
        window.close()
    print(f"one frame = {FRAME_MS:.1f} ms; measured offscreen on a shared 2-core machine")


if __name__ == "__main__":
    main()
