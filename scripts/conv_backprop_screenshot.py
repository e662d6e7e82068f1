"""Render the convolutional inspector's two documentation pictures offscreen.

docs/inspector-receptive-field.png: the window at its default 1280×800, the inspector dragged taller, the
Feature map tab with a drawn 7 — a conv8x5 map pixel, its 5×5 receptive field on the input and
z = Σ w·x + b written out.
docs/conv-backprop.png: the inspector alone at 1280×720, its Backprop tab at the update stage for the
validation digit the network is least sure of — a map pixel's δ, a kernel weight's ∂L/∂w as a sum over the
784 positions, each with its central-difference check, and the new weight.
The network is the editor's "LeNet-style digits" template trained two epochs on `digits` with the window's
Start (Adam, seeded); the step shown is plain SGD, η = 0.01. The pixel shown is the conv8x5 pixel whose δ is
largest (and not tied for a max-pooling window's max), the kernel weight its filter's of largest gradient,
so the numbers are not zeros.

    python scripts/conv_backprop_screenshot.py [--out-dir docs]
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

WINDOW_SIZE = (1280, 800)  # the default size (the pictures are 1280 wide: they read on a 1280×720 screen)
INSPECTOR_HEIGHT = 480  # the Feature map tab whole: its three pictures and the sum under them
INSPECTOR_SIZE = (1280, 720)  # the Backprop tab alone: the script and the worked sums unscrolled
EPOCHS = 2
SEVEN = [(0.22, 0.2), (0.78, 0.2), (0.62, 0.45), (0.45, 0.85)]  # a drawn 7, canvas fractions


def settle(app, rounds: int = 8) -> None:
    for _ in range(rounds):
        app.processEvents()


def train(app, window) -> None:
    """EPOCHS epochs through the window's own Start (Adam, seeded), so the curves show the run."""
    from PySide6.QtCore import QEventLoop

    window.run_settings.optimizer, window.run_settings.learning_rate = "adam", 1e-3
    window.run_settings.epochs = EPOCHS
    loop = QEventLoop()
    window.training.finished.connect(lambda _result: loop.quit())
    assert window.start_training()
    loop.exec()
    while window.training.state != "idle":
        app.processEvents()


def pick_targets(window):
    """The conv8x5 pixel with the largest |δ| for the drawing, and its filter's weight of largest |∂L/∂w|."""
    import numpy as np

    from nnlab.engine.conv_backprop_steps import ConvBackpropWalk
    from nnlab.engine.conv_backprop_words import max_pool_rival
    from nnlab.engine.network import targets_for
    from nnlab.lab.selection import FeatureRef, KernelWeightRef

    inp, net = window.selection.input, window.selection.snapshot
    label = int(np.argmax(net.predict_one(inp.values))) if inp.label is None else inp.label
    walk = ConvBackpropWalk(net, inp.values, targets_for(np.array([label]), 10, np.float64)[0], "cross_entropy")
    for flat in np.argsort(-np.abs(walk.deltas[0]), axis=None):  # the largest |δ| not tied for a pool's max
        channel, row, col = np.unravel_index(int(flat), walk.deltas[0].shape)
        if max_pool_rival(walk, 1, int(channel), int(row), int(col)) is None:
            break
    gradient = walk.weight_gradients()[0][channel]
    _, i, j = np.unravel_index(int(np.argmax(np.abs(gradient))), gradient.shape)
    return FeatureRef(1, int(channel), int(row), int(col)), KernelWeightRef(0, int(channel), 0, int(i), int(j))


def unsure_sample(window) -> int:
    """The validation digit whose true class the network gives a probability nearest ½: a step with
    gradients worth reading (on a digit it is sure of, every δ is ~1e−5)."""
    import numpy as np

    validation = window.session.splits.validation
    chances = window.session.network.forward(validation.x)[np.arange(len(validation.y)), validation.y]
    return int(np.argmin(np.abs(chances - 0.5)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", type=Path, default=ROOT / "docs")
    args = parser.parse_args()

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from nnlab.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    window = MainWindow(load_last_dataset=False)
    window.questions.ask_save_changes = lambda: "discard"
    window.resize(*WINDOW_SIZE)
    window.show()
    assert window.choose_dataset("digits")
    assert window.editor.apply_template("LeNet-style digits")
    train(app, window)
    window.run_settings.optimizer, window.run_settings.learning_rate = "sgd", 0.01  # the step shown: plain SGD
    window.docks["canvas"].raise_()  # the drawing beside the network that reads it
    settle(app)
    window.canvas.draw_stroke(SEVEN)
    window.canvas.predict_now()
    settle(app)
    feature, kernel = pick_targets(window)
    window.selection.select_feature(feature)
    window.selection.select_kernel_weight(kernel)
    settle(app)
    window.resizeDocks([window.docks["inspector"]], [INSPECTOR_HEIGHT], Qt.Orientation.Vertical)
    settle(app)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(args.out_dir / "inspector-receptive-field.png"))
    inspector = window.inspector
    inspector.sample_spin.setValue(unsure_sample(window) + 1)
    inspector.inspect_sample()
    feature, kernel = pick_targets(window)
    window.selection.select_feature(feature)
    window.selection.select_kernel_weight(kernel)
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)  # the update: δ, ∂L/∂w and the new w all shown
    dock = window.docks["inspector"]
    dock.setFloating(True)  # out of the window's layout, so it takes the size of the picture
    dock.resize(*INSPECTOR_SIZE)
    settle(app)
    inspector.grab().save(str(args.out_dir / "conv-backprop.png"))
    print(f"wrote {args.out_dir / 'inspector-receptive-field.png'} and {args.out_dir / 'conv-backprop.png'} "
          f"({feature}, {kernel})")
    window.session.set_dirty(False)
    window.close()


if __name__ == "__main__":
    main()
