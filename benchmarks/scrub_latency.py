"""What one step of the epoch scrubber costs: ← or → moves every view to the next epoch's weights.

A 784-128-64-10 ReLU network (Adam, batch 64) is trained on the built-in digits for 20 epochs and
recorded as the window records it (a snapshot at the start and after every epoch). Then the scrubber
walks back from the last epoch to the first and on again, one epoch per step, as the arrow keys do:

- lab: the time machine alone — the nearest kept snapshot, a network rebuilt from it, the selection told;
- views: the same with the views that read the selection's snapshot listening, offscreen — the network
  editor (weights and neuron shading of the drawing), the Draw panel (its prediction, which the panel
  throttles and the benchmark forces at every step), the inspector's Neuron tab and the scrubber itself; a step ends when the event loop has run the views'
  deferred refreshes and repaints. Both the time until every slot returned and the time until the views
  settled are printed: the repaints are the views' own work (benchmarks/editor_repaint.py has the editor's).
  The editor keeps the pictures it drew (nnlab/ui/editor/picture_cache.py), so after the first walk back a
  step only blits one: the same walk is timed again with nothing kept, every picture drawn anew, as on a
  first visit of each epoch (or while training, when every snapshot is new).

Target: ≤ 16 ms median a step (one frame at 60 Hz). Prints medians and p95 over every step.

    python benchmarks/scrub_latency.py [--epochs 20] [--walks 5] [--json]
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

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

FRAME_MS = 1000 / 60


def recorded_session(epochs: int):
    """digits, 784-128-64-10, ``epochs`` epochs recorded as the window records them."""
    from nnlab.data.experiment import Experiment
    from nnlab.engine import TrainConfig
    from nnlab.lab.session import LabSession

    session = LabSession()
    session.load_dataset("digits")
    experiment = Experiment(dataset="digits", hidden=[128, 64], split=session.split_key[0],
                            train=TrainConfig(epochs=epochs, batch_size=64))
    trainer = session.make_trainer(experiment)
    session.train_recorded(trainer)
    return session, experiment


def walk(epochs: int, walks: int) -> list[str]:
    """Back from the last epoch to the first and on again, ``walks`` times: one key per step."""
    return (["back"] * epochs + ["on"] * epochs) * walks


def timed_steps(step, settle, keys: list[str]) -> tuple[list[float], list[float]]:
    """Per step: (ms until every slot of the selection's event returned, ms until the views settled too)."""
    slots, settled = [], []
    for key in keys:
        began = time.perf_counter()
        step(key)
        slots.append((time.perf_counter() - began) * 1000)
        settle()
        settled.append((time.perf_counter() - began) * 1000)
    return slots, settled


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"steps": len(times), "median_ms": statistics.median(ordered),
            "p95_ms": ordered[int(0.95 * (len(ordered) - 1))]}


def measure(epochs: int, walks: int) -> dict:
    from PySide6.QtWidgets import QApplication

    from nnlab.data.user_samples import UserSampleStore
    from nnlab.lab import RunSettings
    from nnlab.lab.selection import Selection
    from nnlab.lab.time_machine import TimeMachine
    from nnlab.ui.canvas.canvas_panel import CanvasPanel
    from nnlab.ui.editor import NetworkEditor
    from nnlab.ui.inspector.dock import InspectorDock
    from nnlab.ui.runs.scrubber import EpochScrubber
    from nnlab.ui.training.controller import TrainingController

    app = QApplication.instance() or QApplication([])
    session, _ = recorded_session(epochs)
    keys = walk(epochs, walks)
    results = {"network": "-".join(map(str, session.network.sizes)), "epochs": epochs}

    # The time machine alone: a selection nobody listens to.
    selection = Selection()
    selection.set_snapshot(session.network.copy())
    machine = TimeMachine(session.runs, selection)
    moves = {"back": lambda: machine.step(-1), "on": lambda: machine.step(1)}
    results["lab"] = summary(timed_steps(lambda key: moves[key](), lambda: None, keys)[0])
    machine.go_live()

    # With the views listening, as the window binds them.
    with tempfile.TemporaryDirectory() as folder:
        selection = Selection()
        machine = TimeMachine(session.runs, selection)
        run_settings = RunSettings()
        editor = NetworkEditor(session, selection)
        canvas = CanvasPanel(selection, UserSampleStore(Path(folder)))
        inspector = InspectorDock(selection, session, run_settings, TrainingController(run_settings),
                                  open_lesson=lambda _lesson: False)
        scrubber = EpochScrubber(machine)
        for widget, size in ((editor, (900, 600)), (canvas, (420, 600)), (inspector, (900, 350)),
                             (scrubber, (600, 50))):
            widget.resize(*size)
            widget.show()
        canvas.set_dataset(session.dataset)
        session.network_changed.connect(lambda network: machine.set_live(network.copy(), end_scrub=True))
        session.use_run(session.runs.current.id)  # the views take the run's network, as after a click on it
        canvas.draw_stroke([(0.5, 0.15), (0.5, 0.85)])
        canvas.predict_now()
        inspector.show_tab("neuron")
        app.processEvents()
        actions = scrubber.actions_by_name

        def settle() -> None:
            canvas.predict_now()  # the panel's throttled prediction, at once
            app.processEvents()  # the inspector's deferred refresh, every repaint

        pictures = editor.canvas.kept_pictures
        renders = editor.canvas.renders
        slots, settled = timed_steps(lambda key: actions[key].trigger(), settle, keys)
        results["views_slots"], results["views"] = summary(slots), summary(settled)
        results["pictures_drawn"] = editor.canvas.renders - renders
        results["pictures_kept_mb"] = round(pictures.nbytes / 2 ** 20, 1)
        pictures.budget_bytes, kept = 0, pictures.budget_bytes  # nothing kept: every step draws its picture
        pictures.clear()
        results["views_first_visits"] = summary(timed_steps(lambda key: actions[key].trigger(), settle, keys)[1])
        pictures.budget_bytes = kept
        for widget in (editor, canvas, inspector, scrubber):
            widget.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--walks", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure(args.epochs, args.walks)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{results['network']} on digits, {results['epochs']} epochs recorded; one step = one epoch")
    for name, words in (("lab", "time machine alone"),
                        ("views_slots", "views listening: their slots"),
                        ("views", "views listening: slots, refreshes, repaints"),
                        ("views_first_visits", "the same, every editor picture drawn anew")):
        figures = results[name]
        print(f"  {words:<46} median {figures['median_ms']:6.2f} ms  p95 {figures['p95_ms']:6.2f} ms  "
              f"over {figures['steps']} steps  ({figures['median_ms'] / FRAME_MS:4.2f} frames)")
    print(f"  the editor drew {results['pictures_drawn']} pictures in {results['views']['steps']} steps "
          f"and kept {results['pictures_kept_mb']} MB of them")
    print("measured offscreen on a shared 2-core machine; target ≤ 16 ms median a step")


if __name__ == "__main__":
    main()
