"""Render the network editor mid-training for the XOR and digits templates, and with a CNN (offscreen, no display
needed).

    python scripts/editor_screenshots.py [--out-dir docs] [--only editor-cnn]

Writes docs/editor-xor.png and docs/editor-digits.png: each template applied through the
editor's Templates menu, trained for a few epochs in the window, pictured while the run
is still going, with a validation sample inspected (neurons shaded by its activations).
docs/editor-cnn.png is the whole window at 1280×720: the LeNet-style digits template trained
on digits, a 7 drawn in the Draw dock, the editor's maps live for it and the inspector's Layer
tab showing its first convolution's eight maps.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout, not an installed copy
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("NNLAB_SETTINGS", str(Path(tempfile.mkdtemp()) / "settings.ini"))

SHOTS = {  # file stem: (template, epochs before the picture, epochs of the run)
    "editor-xor": ("XOR 2-4-1", 60, 20_000),
    "editor-digits": ("Digits 784-128-64-10", 2, 50),
}
CNN_SHOT = "editor-cnn"
CNN_EPOCHS = 3  # LeNet-style on digits reads ~95 % of its validation digits by then (~10 s an epoch here)
SEVEN = ([(0.2, 0.15), (0.8, 0.15)], [(0.8, 0.15), (0.45, 0.88)])  # strokes in 0…1 of the Draw dock's paper


def wait(milliseconds: int) -> None:
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def shoot(window, template: str, epochs: int, run_epochs: int, out: Path) -> None:
    from PySide6.QtCore import QEventLoop

    from nnlab.lab.selection import InspectedInput, NeuronRef

    editor = window.editor
    editor.toolbar.template_actions[template].trigger()
    assert editor.last_message.startswith(f"Template {template}"), editor.last_message
    window.panel.epochs.setValue(run_epochs)
    validation = window.session.splits.validation
    shape = tuple(window.session.dataset.input_shape) if len(window.session.dataset.input_shape) == 2 else None
    window.selection.set_input(InspectedInput(validation.x[1], shape, "validation sample 2", int(validation.y[1])))
    loop, seen = QEventLoop(), []
    window.training.epoch_finished.connect(lambda r: (seen.append(r), len(seen) >= epochs and loop.quit()))
    window.start_training()
    loop.exec()
    wait(600)  # a fresh weight snapshot from mid-epoch
    assert window.training.state == "running", "the run ended before the picture: give it more epochs"
    window.actions["pause"].trigger()  # the paused picture is the one a learner edits
    wait(300)
    editor.select_layer(1)
    window.selection.select_neuron(NeuronRef(1, 1))
    wait(50)
    out.parent.mkdir(parents=True, exist_ok=True)
    editor.grab().save(str(out))
    window.stop_training()
    print(f"wrote {out} ({template}, paused after {len(seen)} epochs)")


def shoot_cnn(window, out: Path) -> None:
    from PySide6.QtCore import QEventLoop

    from nnlab.lab.selection import NeuronRef

    assert window.choose_dataset("digits")
    window.resize(1280, 720)
    window.docks["inspector"].show()
    editor = window.editor
    editor.toolbar.template_actions["LeNet-style digits"].trigger()
    assert editor.last_message.startswith("Template LeNet-style digits"), editor.last_message
    window.panel.epochs.setValue(CNN_EPOCHS)
    loop = QEventLoop()
    window.training.finished.connect(loop.quit)
    window.start_training()
    loop.exec()
    wait(300)
    window.docks["canvas"].raise_()
    for stroke in SEVEN:
        window.canvas.draw_stroke(stroke)
    wait(300)  # the drawing becomes the inspected input
    editor.select_layer(1)
    window.inspector.show_tab("layer")
    window.selection.select_neuron(NeuronRef(1, 0))  # the Layer tab on conv8x5: its eight maps of the 7
    wait(1000)  # the plots draw on a later turn of the event loop
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(f"wrote {out} (LeNet-style digits, {window.session.epochs_trained} epochs; input: "
          f"{window.selection.input.origin})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    parser.add_argument("--only", choices=[*SHOTS, CNN_SHOT], help="render this picture alone")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from nnlab.ui.main_window import MainWindow

    app = QApplication([])
    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.resize(1500, 980)
    window.docks["inspector"].hide()  # the picture is the editor's: give it the window's height
    window.show()
    window.choose_dataset("xor")
    app.processEvents()
    for stem, (template, epochs, run_epochs) in SHOTS.items():
        if args.only in (None, stem):
            shoot(window, template, epochs, run_epochs, args.out_dir / f"{stem}.png")
    if args.only in (None, CNN_SHOT):
        shoot_cnn(window, args.out_dir / f"{CNN_SHOT}.png")
    window.session.set_dirty(False)
    window.close()


if __name__ == "__main__":
    main()
