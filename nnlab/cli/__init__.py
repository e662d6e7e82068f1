"""``nnlab``: the window with no sub-command; train, evaluate, predict and info without one.

Every bad argument or file ends with exit code 2 and one sentence on stderr — no
traceback — because the people typing these commands are learning, not debugging.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2
COMMANDS = ("train", "evaluate", "predict", "info", "export")
# What ``train --resume`` may be given besides the file: the run's own settings carry it on.
RESUME_OPTIONS = ("resume", "epochs", "session", "out", "json")


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument in one line (no usage block)."""

    def error(self, message: str):
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _int_list(text: str) -> list[int]:
    if not text.strip():
        return []
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected whole numbers separated by commas, got {text!r}") from None


def _hidden_layers(text: str) -> list[int | str]:
    """Dense widths and layer words ("conv8x5,maxpool2,64"), within the window's limits
    (nnlab/engine/reshape.py) so a run typed here could be rebuilt there. Whether a convolution fits
    the dataset's images is the recipe's question, once the dataset is open."""
    from nnlab.engine.layers import hidden_layout, parse_layer_words
    from nnlab.engine.network import LayerSpec
    from nnlab.engine.reshape import MAX_HIDDEN_LAYERS, check_width

    try:
        layers = parse_layer_words(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if len(layers) > MAX_HIDDEN_LAYERS:
        raise argparse.ArgumentTypeError(f"{len(layers)} hidden layers asked for; the limit is {MAX_HIDDEN_LAYERS}")
    try:
        for spec in layers:
            if spec.kind == "dense":
                check_width(spec.units)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return list(hidden_layout([*layers, LayerSpec(1)]))


def _float_list(text: str) -> list[float]:
    try:
        return [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def _split(text: str) -> tuple[float, float, float]:
    parts = _float_list(text)
    if len(parts) != 3 or not all(math.isfinite(p) and p >= 0 for p in parts) or parts[0] <= 0:
        raise argparse.ArgumentTypeError(f"expected three percentages train,validation,test (train above 0), "
                                         f"got {text!r}")
    total = sum(parts)
    return tuple(p / total for p in parts)


def build_parser() -> argparse.ArgumentParser:
    from nnlab import __version__
    from nnlab.data.builtin import BUILTIN_DATASETS
    from nnlab.engine import ACTIVATIONS, LOSSES, OPTIMIZERS
    from nnlab.engine.reshape import MAX_HIDDEN_LAYERS, MAX_HIDDEN_UNITS
    from nnlab.engine.trainer_schedule import LR_SCHEDULES

    parser = _Parser(prog="nnlab", description="NN Lab: see neural networks learn. "
                     "With no command, opens the lab window.")
    parser.add_argument("--version", action="version", version=f"nnlab {__version__}")
    parser.add_argument("--startup-probe", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--smoke", action="store_true", help=argparse.SUPPRESS)  # nnlab/ui/smoke.py
    parser.add_argument("--smoke-hold", type=float, default=0.0, help=argparse.SUPPRESS)
    subcommands = parser.add_subparsers(dest="command", parser_class=_Parser)

    builtins = ", ".join(BUILTIN_DATASETS)
    train = subcommands.add_parser("train", help="train a network and save its weights")
    train.add_argument("--dataset", default="digits", help=f"built-in name ({builtins}) or a dataset "
                       "file/folder; curve is regression: numbers to predict, with mse and a linear output")
    train.add_argument("--layers", type=_hidden_layers, default=[128, 64],
                       help=f"hidden layers, e.g. 128,64 or conv8x5,maxpool2,conv16x5,maxpool2,64: at most "
                            f"{MAX_HIDDEN_LAYERS} layers of 1 to {MAX_HIDDEN_UNITS:,} units, the lab window's limits "
                            "too (a weight file made elsewhere may hold wider layers; both open it); conv{F}x{K} is "
                            "a convolution of F filters of K×K (add s2 for stride 2, valid for no padding: "
                            "conv16x3s2valid), maxpool{N} and avgpool{N} pool N×N windows — image datasets only")
    train.add_argument("--activation", default="relu",
                       choices=[n for n, a in ACTIVATIONS.items() if a.hidden_allowed],
                       help="of every hidden layer, convolutions included")
    train.add_argument("--loss", default=None, choices=list(LOSSES),
                       help="default: cross_entropy, or mse for a regression set (curve)")
    train.add_argument("--output-activation", choices=list(ACTIVATIONS), default=None,
                       help="default: softmax for cross_entropy, sigmoid for binary, linear for mse "
                            "(a linear output with mse predicts numbers: scored by MSE, MAE and R²)")
    train.add_argument("--optimizer", default="adam", choices=list(OPTIMIZERS))
    train.add_argument("--lr", type=float, default=1e-3, help="learning rate")
    train.add_argument("--lr-schedule", default="constant", choices=list(LR_SCHEDULES),
                       help="constant: --lr throughout; cosine: from --lr down to a twentieth of it over the run's "
                            "epochs (LeNet-style on MNIST: 99 %% in 5 epochs with --lr 3e-3)")
    train.add_argument("--momentum", type=float, default=0.9)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--l1", type=float, default=0.0)
    train.add_argument("--l2", type=float, default=0.0)
    train.add_argument("--dropout", type=float, default=0.0, help="dropout on every hidden dense layer")
    train.add_argument("--early-stopping", type=int, default=None, metavar="PATIENCE",
                       help="stop after this many epochs without a better validation loss")
    train.add_argument("--augment", action="store_true", help="random ±2 px shifts of training images")
    own_tests = "; ".join(f"{info.name} is tested on its own {info.own_test_rows:,} whatever the test share, and "
                          "train and validation share the rest in the proportion of theirs"
                          for info in BUILTIN_DATASETS.values() if info.own_test_rows)
    train.add_argument("--split", type=_split, default=(0.70, 0.15, 0.15), help="train,validation,test "
                       "percentages (default 70,15,15)" + (f"; {own_tests}" if own_tests else ""))
    train.add_argument("--init", default="auto", choices=["auto", "he", "xavier", "small_uniform"])
    train.add_argument("--float64", action="store_true", help="train in float64 (slower)")
    train.add_argument("--out", type=Path, default=None, help="weight file to write (.npz); default "
                       "<dataset>-model.npz in the current folder (-2, -3… rather than overwrite a file)")
    train.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    train.add_argument("--session", type=Path, default=None, metavar="FILE",
                       help="also write a session file (.nnlab): the run with its curves and snapshots, to carry "
                            "on with --resume or in the window; with --session and no --out, no weight file")
    train.add_argument("--resume", type=Path, default=None, metavar="FILE",
                       help="carry on the current run of a session file for --epochs more epochs, exactly as if "
                            "it had never stopped; the file is updated (or --session FILE2 written)")

    evaluate = subcommands.add_parser("evaluate", help="loss, accuracy, precision/recall/F1, confusion matrix; "
                                      "MSE, MAE and R² for a model that predicts numbers")
    evaluate.add_argument("model", type=Path)
    evaluate.add_argument("--dataset", default=None, help="built-in name or dataset file/folder; default: the "
                          "built-in dataset the model was trained on, as its file records")
    evaluate.add_argument("--part", choices=["test", "validation", "train", "all"], default=None,
                          help="which part; default: the test part of the split the model was trained "
                               "on, or all of a dataset it never saw")
    evaluate.add_argument("--json", action="store_true")

    predict = subcommands.add_parser("predict", help="classify images or a raw input vector (a model that "
                                     "predicts numbers prints them by its outputs' names)")
    predict.add_argument("model", type=Path)
    predict.add_argument("images", type=Path, nargs="*")
    predict.add_argument("--input", type=_float_list, default=None, help="raw vector, e.g. 0.9,0.2,0.8,0.3")
    predict.add_argument("--json", action="store_true")

    info = subcommands.add_parser("info", help="architecture, parameter count and classes (or outputs) of a "
                                  "weight file; the runs of a session file (.nnlab)")
    info.add_argument("model", type=Path)
    info.add_argument("--json", action="store_true")

    export = subcommands.add_parser("export", help="write a weight file of a session's run at an epoch")
    export.add_argument("session", type=Path, help="a session file (.nnlab)")
    export.add_argument("--run", type=int, default=None, help="the run's id (default: the current run)")
    export.add_argument("--epoch", type=int, default=None, help="the epoch (default: the run's last)")
    export.add_argument("--out", type=Path, required=True, help="weight file to write (.npz)")
    parser.train_parser = train
    return parser


def opens_window(words: list[str]) -> bool:
    """Decided before argparse (which imports the engine, hence NumPy): no command word, a window."""
    return not any(word in COMMANDS for word in words)


def main(argv: list[str] | None = None) -> int:
    from nnlab.app import ensure_standard_streams, prefer_single_threaded_blas

    ensure_standard_streams()
    if opens_window(sys.argv[1:] if argv is None else argv) and "numpy" not in sys.modules:
        prefer_single_threaded_blas()
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "train" and args.resume is not None:
        _refuse_settings_with_resume(parser, args)
    if args.command is None:
        from nnlab.app import main as run_app

        return run_app([], startup_probe=args.startup_probe, smoke=args.smoke, smoke_hold=args.smoke_hold)
    from nnlab.cli import commands
    from nnlab.lab.events import EmitLoopError, slot_error

    try:
        return getattr(commands, args.command)(args)
    except (ValueError, OSError, EmitLoopError) as error:
        cause = slot_error(error)  # raised by a slot inside a psygnal emission: the slot's own error counts
        if not isinstance(cause, (ValueError, OSError)):
            raise
        print(f"nnlab {args.command}: error: {_sentence(cause)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nnlab: interrupted", file=sys.stderr)
        return 130


def _refuse_settings_with_resume(parser: argparse.ArgumentParser, args) -> None:
    """``--resume`` carries a run on with its own settings: a setting given beside it would be silently ignored."""
    train = parser.train_parser
    for action in train._actions:
        if action.option_strings and action.dest not in (*RESUME_OPTIONS, "help") \
                and getattr(args, action.dest) != action.default:
            train.error(f"{action.option_strings[-1]} cannot be given with --resume: the run carries on with its "
                        "own settings (to try others, branch it in the window)")


def _sentence(error: Exception) -> str:
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return " ".join(str(error).split()) or type(error).__name__


def print_json(payload: dict) -> None:
    print(json.dumps(payload, default=_json_default))


def _json_default(value):
    import numpy as np

    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


if __name__ == "__main__":
    sys.exit(main())
