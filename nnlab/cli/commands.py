"""The CLI's sub-commands; each takes parsed arguments and returns an exit code."""
from __future__ import annotations

import os
import re
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.experiment import Experiment, open_dataset, provenance
from nnlab.data.splits import split_dataset
from nnlab.data.weights_file import load_model
from nnlab.engine import TrainConfig, evaluate as evaluate_on
from nnlab.engine.outputs import is_probability, is_regression
from nnlab.lab.reading import model_misfit
from nnlab.lab.session import LabSession

from . import print_json, sessions
from .reports import (figures, one_line, predicted_classes, predicted_values, print_classification, print_predictions,
                      print_regression)
from .sessions import train_and_record


def train(args) -> int:
    from tqdm import tqdm

    if args.resume is not None:
        session, experiment = _resumed(args)
    else:
        loss = args.loss or ("mse" if getattr(BUILTIN_DATASETS.get(args.dataset), "kind", "") == "regression"
                             else "cross_entropy")
        experiment = Experiment(
            dataset=args.dataset, hidden=args.layers, activation=args.activation, loss=loss,
            output_activation=args.output_activation, init=args.init, dropout=args.dropout,
            augment=args.augment, split=args.split, dtype="float64" if args.float64 else "float32",
            train=TrainConfig(optimizer=args.optimizer, learning_rate=args.lr, momentum=args.momentum,
                              batch_size=args.batch_size, epochs=args.epochs, seed=args.seed, l1=args.l1,
                              l2=args.l2, early_stopping_patience=args.early_stopping))
        session = None
    session_out = args.session if args.session is not None else args.resume
    out = args.out if args.out is not None or session_out is not None else default_model_path(args.dataset)
    for path in (out, session_out):
        if path is not None:
            _check_writable(path)
    if session is None:
        # The window's session and recipe, without the window: the same dataset, split, network, checks and
        # weight file as Start and Save there. Not the Draw dock's samples: a command's run is its arguments.
        session = LabSession()
        session.load_dataset(experiment.dataset, experiment.split, experiment.train.seed)
    trainer = session.make_trainer(experiment)
    dataset, splits, network = session.dataset, session.splits, session.network
    regression = is_regression(experiment.loss, network.layers[-1].activation)
    bar = tqdm(total=args.epochs * trainer.n_batches, unit="batch", file=sys.stderr, disable=args.json,
               dynamic_ncols=True, mininterval=0.25)
    with bar:
        ended = train_and_record(session, trainer, bar, regression)
    if ended.reason == "diverged":
        raise ValueError(f"training diverged: {ended.message}; nothing was saved")
    results = {part: evaluate_on(network, ds.x, ds.answers, experiment.loss, dataset.n_classes)
               for part, ds in (("train", splits.train), ("validation", splits.validation),
                                ("test", splits.test)) if len(ds)}
    if out is not None:
        session.save(out)
    if session_out is not None:
        session.save_session(session_out)
    saved = [str(path) for path in (out, session_out) if path is not None]
    if args.json:
        print_json({"dataset": dataset.name, "task": "regression" if regression else "classification",
                    "epochs": ended.epochs_done, "ended": ended.reason, "message": ended.message,
                    "saved_to": str(out) if out is not None else None,
                    "session": str(session_out) if session_out is not None else None,
                    "run": session.runs.current.id, **{part: figures(ev) for part, ev in results.items()}})
        return 0
    if ended.reason != "finished":
        print(ended.message, file=sys.stderr)
    print(" | ".join(f"{part} {one_line(ev)}" for part, ev in results.items()))
    named = args.out is not None or session_out is not None
    print(f"saved {' and '.join(saved)}" + ("" if named else " (no --out given: the default name)"))
    return 0


def _resumed(args):
    """The session of ``--resume`` with its current run's experiment, for ``--epochs`` more epochs."""
    session = LabSession()
    session.open_session(args.resume)
    run = session.runs.current
    if run is None:
        raise ValueError(f"{args.resume} has no current run to carry on")
    experiment = run.experiment()
    experiment.train = replace(experiment.train, epochs=args.epochs)
    experiment.train.validate()
    return session, experiment


def default_model_path(dataset: str, folder: Path = Path(".")) -> Path:
    """``<dataset>-model.npz`` in ``folder``, or ``-2``, ``-3``… after it: never an existing file."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(dataset).stem if Path(dataset).suffix else dataset).strip("-.")
    stem = stem or "nnlab"
    for number in range(1, 10_000):
        path = folder / (f"{stem}-model.npz" if number == 1 else f"{stem}-model-{number}.npz")
        if not os.path.lexists(path):
            return path
    raise ValueError(f"{folder.resolve()} already holds 9,999 {stem}-model files: give --out")


def evaluate(args) -> int:
    model = load_model(args.model)
    made_with = provenance(model.extra)
    name = args.dataset or made_with.dataset
    if args.dataset is None and made_with.dataset not in BUILTIN_DATASETS:
        trained_on = f"it was trained on {made_with.dataset!r}" if made_with.dataset else \
            "it does not say what it was trained on"
        raise ValueError(f"{args.model} names no built-in dataset to evaluate on ({trained_on}): give --dataset")
    # A generated set (xor, curve, sketch-faces…) depends on the seed it was made with.
    dataset = open_dataset(name, made_with.seed if name == made_with.dataset else 0)
    problem = model_misfit(model, dataset)  # the window's rule for opening weights on a dataset
    if problem:
        raise ValueError(problem)
    part = args.part or ("test" if made_with.dataset == name else "all")
    if part != "all":
        splits = split_dataset(dataset, made_with.split, seed=made_with.seed)
        dataset = getattr(splits, part)
        if not len(dataset):
            raise ValueError(f"the {part} part of {name!r} is empty")
    result = evaluate_on(model.network, dataset.x, dataset.answers, model.loss, len(model.classes))
    regression = is_regression(model.loss, model.network.layers[-1].activation)
    if args.json:
        print_json({"dataset": name, "part": part, "samples": len(dataset),
                    "task": "regression" if regression else "classification", **result.as_dict(model.classes)})
        return 0
    print(f"{name} ({part}, {len(dataset)} samples): {one_line(result, ', ')}")
    if regression:
        print_regression(result, model.classes)
    else:
        print_classification(result, model.classes)
    return 0


def predict(args) -> int:
    from nnlab.data.image_io import read_grey_image
    from nnlab.data.transforms import to_model_input

    model = load_model(args.model)
    if (args.input is None) == (not args.images):
        raise ValueError("give either image files or --input with a raw vector, not both or neither")
    if args.input is not None:
        rows, names = np.array([args.input], dtype=np.float64), ["--input"]
        if rows.shape[1] != model.network.input_size:
            raise ValueError(f"the model takes {model.network.input_size} inputs, --input has {rows.shape[1]}")
    else:
        if model.preprocess == "none":
            raise ValueError("this model takes raw feature vectors, not images: use --input")
        rows = np.stack([to_model_input(read_grey_image(path), model.preprocess, model.input_shape)
                         for path in args.images])
        names = [str(path) for path in args.images]
    outputs = model.network.forward(rows)
    activation = model.network.layers[-1].activation
    if is_regression(model.loss, activation):  # numbers, by the outputs' names; no class to pick
        predictions = predicted_values(model.classes, names, outputs)
    else:  # probabilities as the window's bars show them, or a raw score's own values
        predictions = predicted_classes(model.classes, names, outputs, is_probability(activation))
    if args.json:
        print_json({"predictions": predictions})
        return 0
    print_predictions(predictions)
    return 0


def info(args) -> int:
    if sessions.is_session(args.model):
        return sessions.info(args)
    model = load_model(args.model)
    net = model.network
    layers = [layer_summary(spec, shape, w.size + b.size)
              for spec, shape, w, b in zip(net.layers, net.shapes, net.weights, net.biases)]
    regression = is_regression(model.loss, net.layers[-1].activation)
    summary = {"file": str(args.model), "input_shape": list(model.input_shape), "layers": layers,
               "parameters": net.n_parameters, "loss": model.loss,
               "task": "regression" if regression else "classification", "classes": model.classes,
               "preprocess": model.preprocess, "dtype": str(net.dtype),
               "saved_at": model.extra.get("saved_at"), "nnlab_version": model.extra.get("nnlab_version")}
    if args.json:
        print_json(summary)
        return 0
    shape = "×".join(map(str, model.input_shape))
    print(f"{args.model}: {net.n_parameters:,} parameters, {net.dtype}, loss {model.loss}")
    print(f"  input      {shape} ({net.input_size} values, preprocess {model.preprocess})")
    for index, layer in enumerate(layers):
        kind = "output" if index == len(layers) - 1 else f"hidden {index + 1}"
        print(f"  {kind:<10} {layer_line(layer)}")
    if regression:
        print(f"  outputs    {', '.join(model.classes)} (a linear output with mse: it predicts numbers)")
    else:
        print(f"  classes    {', '.join(model.classes)}")
    return 0


def layer_summary(spec, shape, parameters: int) -> dict:
    """One layer of ``nnlab info --json``: its type, settings, output shape (C, H, W) or (units,), parameters."""
    if spec.kind == "dense":
        settings = {"units": spec.units, "activation": spec.activation, "dropout": spec.dropout, "frozen": spec.frozen}
    elif spec.kind == "conv2d":
        settings = {"filters": spec.filters, "kernel": spec.kernel, "stride": spec.stride, "padding": spec.padding,
                    "activation": spec.activation, "frozen": spec.frozen}
    elif spec.kind == "flatten":
        settings = {}
    else:
        settings = {"size": spec.size}
    return {"type": spec.kind, **settings, "output_shape": list(shape.output_shape), "parameters": int(parameters)}


def layer_line(layer: dict) -> str:
    """``64 × relu (50,240 parameters, dropout 0.2)`` or ``conv2d 8 × 5×5, same, relu → 8×28×28 (208 parameters)``."""
    flags = "".join([f", dropout {layer['dropout']:g}" if layer.get("dropout") else "",
                     ", frozen" if layer.get("frozen") else ""])
    maps = "×".join(map(str, layer["output_shape"]))
    if layer["type"] == "dense":
        return f"{layer['units']} × {layer['activation']} ({layer['parameters']:,} parameters{flags})"
    if layer["type"] == "conv2d":
        stride = f", stride {layer['stride']}" if layer["stride"] != 1 else ""
        return (f"conv2d {layer['filters']} × {layer['kernel']}×{layer['kernel']}, {layer['padding']}{stride}, "
                f"{layer['activation']} → {maps} ({layer['parameters']:,} parameters{flags})")
    if layer["type"] == "flatten":
        return f"flatten → {maps}"
    return f"{layer['type']} {layer['size']}×{layer['size']} → {maps}"


def _check_writable(path) -> None:
    """Fail before a long training run, not after it, when the weights could not be saved."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ValueError(f"cannot save to {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"cannot save to {path}: the folder {folder} is not writable")


def export(args) -> int:
    _check_writable(args.out)
    return sessions.export(args)


__all__ = ["train", "evaluate", "predict", "info", "export"]
