"""Render the inspector's two documentation pictures offscreen.

docs/inspector-digit.png: a first-layer neuron of a digits model (784-32-10, trained for
eight epochs here) looking at a validation digit. docs/debugger-dogcat.png: the dog/cat
lesson's step-debugger in the middle of the backward pass.
Run: python scripts/inspector_screenshots.py
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PySide6.QtWidgets import QApplication

from nnlab.engine import TrainConfig, Trainer
from nnlab.ui.main_window import MainWindow
from nnlab.lab.selection import ConnectionRef, NeuronRef
from nnlab.ui.settings import Settings

SIZE = (1280, 470)


def settle(app: QApplication, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def digit_picture(app: QApplication, window: MainWindow, out: Path) -> None:
    window.choose_dataset("digits")
    window.panel.hidden_layers.setText("32")  # few, well-trained first-layer neurons show clearer strokes
    window.new_network(ask=False)
    session = window.session
    splits = session.splits
    trainer = Trainer(session.network, splits.train.x, splits.train.y,
                      TrainConfig(optimizer="adam", learning_rate=1e-3, batch_size=32, epochs=8, l2=1e-3),
                      n_classes=session.dataset.n_classes)
    for _ in trainer.run():
        pass
    session.weights_written()  # trained outside the session: the views show the new weights
    inspector = window.inspector
    inspector.show_tab("neuron")
    inspector.sample_spin.setValue(3)
    inspector.inspect_sample()
    hidden = session.network.forward_trace(window.selection.input.values).activations[1][0]
    window.selection.select_neuron(NeuronRef(1, int(hidden.argmax())))  # a neuron this digit switches on
    inspector.finish_stats()
    settle(app)
    inspector.resize(*SIZE)
    settle(app)
    inspector.grab().save(str(out))


def debugger_picture(app: QApplication, window: MainWindow, out: Path) -> None:
    inspector = window.inspector
    window.session.set_dirty(False)
    inspector.open_lesson(inspector.lessons.lesson("04-dog-cat"))
    window.selection.select_neuron(NeuronRef(1, 0))
    window.selection.select_connection(ConnectionRef(1, 0, 0))
    inspector.resize(*SIZE)
    inspector.tabs.setCurrentWidget(inspector.debugger)
    settle(app)
    debugger = inspector.debugger
    backward = [i for i, s in enumerate(debugger.stages) if s.kind == "backward"]
    debugger.go_to(backward[-1])  # backward through layer 1: the middle of the backward pass
    settle(app)
    inspector.grab().save(str(out))


def main() -> None:
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(settings=Settings(Path(folder) / "s.ini"), load_last_dataset=False)
        window.resize(1280, 800)  # the default size: the offscreen screen is smaller, and the window fits it
        window.show()
        settle(app)
        docs = REPO / "docs"
        digit_picture(app, window, docs / "inspector-digit.png")
        debugger_picture(app, window, docs / "debugger-dogcat.png")
        window.session.set_dirty(False)
        window.close()
    print("wrote docs/inspector-digit.png and docs/debugger-dogcat.png")


if __name__ == "__main__":
    main()
