"""How well a LeNet-style CNN reads digits drawn on the canvas, for several cheap training recipes.

The drawn digits are those of ``tests/test_drawn_accuracy.py``: the 1,000 digits of the built-in
``digits`` set's 20 % test part (split seed 0, the dense network's), thinned to their centre lines,
retraced with the canvas brush at random sizes, places and widths (drawing seed 1) and sent through
the canvas's own path (sheet → MNIST transform → network). The network is the "LeNet-style digits"
one: conv8x5 (same) → max-pool 2 → conv16x5 (same) → max-pool 2 → 64 → 10, ReLU, Adam lr 1e-3, batch 64.

Recipes (each for every ``--seeds`` seed: the network's initialisation and the trainer's shuffling):

- ``digits``: the other 4,000 digits, accuracy after each epoch in ``--epochs``;
- ``digits+shift``: the same with the app's augmentation, ±2 px shifts;
- ``digits+warp``: ±2 px shifts, ±10° turns and ±10 % zooms;
- ``mnist``: the built-in ``mnist``'s 60,000 training digits less the 1,000 test digits
  (the ``digits`` set is drawn from MNIST's training part), accuracy after each epoch in ``--mnist-epochs``;
- ``mnistN``: N of those, balanced (e.g. ``mnist10000``); ``+shift`` and ``+warp`` apply to these too.

    python benchmarks/cnn_drawn_accuracy.py [--recipes digits,digits+shift,mnist] [--seeds 0,1,2]
        [--epochs 5,10,15,20] [--mnist-epochs 1,2,3,5] [--draw-seeds 1,2] [--json]

Training seconds are wall-clock on whatever else the machine is doing; BLAS runs on one thread, as in
the tests (``prefer_single_threaded_blas``).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout, not an installed copy

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # as the test suite runs (tests/conftest.py)

PROJECT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(PROJECT), str(PROJECT / "tests")]

import numpy as np  # noqa: E402


def parse_recipe(name: str) -> tuple[str, str, int | None]:
    """'digits', 'mnist' or 'mnist10000', optionally '+shift' or '+warp' → (data, augmentation, subset)."""
    data, _, augment = name.partition("+")
    subset = data[len("mnist"):] if data.startswith("mnist") else ""
    if data != "digits" and not data.startswith("mnist") or subset and not subset.isdigit() \
            or augment not in ("", "shift", "warp"):
        raise SystemExit(f"unknown recipe {name!r}")
    return data[:len("mnist")] if subset else data, augment or "none", int(subset) if subset else None


WARP = dict(shift_px=2, rotate_deg=10.0, scale=0.1)


def training_rows(data: str, subset: int | None, seed: int, splits):
    """The digits set's training part, or MNIST's training digits less the test part (a balanced subset)."""
    from conftest import mnist_training_digits

    from nnlab.data.builtin import _balanced_subset

    if data == "digits":
        return splits.train
    rows = mnist_training_digits(splits.test.x)
    return rows if subset is None else rows.subset(_balanced_subset(rows.y, subset, seed))


def train(data: str, augment: str, subset: int | None, checkpoints: list[int], seed: int, splits):
    """Yield (epochs, network, training seconds so far) at each checkpoint."""
    from conftest import lenet_style_network

    from nnlab.data.augment import AugmentConfig, make_augmenter
    from nnlab.engine import TrainConfig, Trainer

    rows = training_rows(data, subset, seed, splits)
    augmenter = None
    if augment != "none":
        augmenter = make_augmenter((28, 28), AugmentConfig(**(WARP if augment == "warp" else {"shift_px": 2})))
    network = lenet_style_network(seed)
    config = TrainConfig(loss="cross_entropy", optimizer="adam", learning_rate=1e-3, batch_size=64,
                         epochs=1, seed=seed)
    trainer = Trainer(network, rows.x, rows.y, config, n_classes=10, augment=augmenter)
    seconds = 0.0
    for epoch in range(1, max(checkpoints) + 1):
        started = time.perf_counter()
        for _ in trainer.run():
            pass
        seconds += time.perf_counter() - started
        if epoch in checkpoints:
            yield epoch, network, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--recipes", default="digits,digits+shift,digits+warp,mnist")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", default="5,10,15,20", help="digits recipes: where to measure")
    parser.add_argument("--mnist-epochs", default="1,2,3,5", help="mnist recipes: where to measure")
    parser.add_argument("--draw-seeds", default="1", help="the drawings' seeds (the test's: 1)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    from conftest import digits_splits
    from test_drawn_accuracy import accuracy, drawn_inputs

    splits = digits_splits()
    test = splits.test
    started = time.perf_counter()
    drawn = {int(seed): drawn_inputs(np.asarray(test.x), int(seed)) for seed in args.draw_seeds.split(",")}
    print(f"{len(test.y)} test digits drawn {len(drawn)}× in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    checkpoints = {data: sorted(int(e) for e in text.split(","))
                   for data, text in (("digits", args.epochs), ("mnist", args.mnist_epochs))}
    rows = []
    for recipe in args.recipes.split(","):
        data, augment, subset = parse_recipe(recipe)
        for seed in (int(s) for s in args.seeds.split(",")):
            epochs = checkpoints[data]
            for epoch, network, seconds in train(data, augment, subset, epochs, seed, splits):
                row = {"recipe": recipe, "seed": seed, "epochs": epoch, "train_seconds": round(seconds, 1),
                       "clean": accuracy(network, test.x, test.y),
                       "drawn": {draw: accuracy(network, rows_, test.y) for draw, rows_ in drawn.items()}}
                rows.append(row)
                figures = "  ".join(f"{100 * a:.1f} %" for a in row["drawn"].values())
                print(f"{recipe:14} seed {seed}  {epoch:2} epochs  {seconds:6.1f} s   clean "
                      f"{100 * row['clean']:.1f} %  drawn {figures}", flush=True)
    if args.json:
        print(json.dumps(rows))


if __name__ == "__main__":
    main()
