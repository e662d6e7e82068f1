"""The CLI's sub-commands; each takes parsed arguments and returns an exit code."""
from __future__ import annotations

import os
import sys

import numpy as np

from nnlab.data.experiment import Experiment, open_dataset, prepare, provenance, saved_model
from nnlab.data.splits import split_dataset
from nnlab.data.weights_file import SavedModel, load_model, save_model
from nnlab.engine import BatchProgress, EpochResult, TrainConfig, TrainingEnded, evaluate as evaluate_on
from nnlab.engine.network import outputs_to_classes

from . import print_json


def train(args) -> int:
    from tqdm import tqdm

    experiment = Experiment(
        dataset=args.dataset, hidden=args.layers, activation=args.activation, loss=args.loss,
        output_activation=args.output_activation, init=args.init, dropout=args.dropout,
        augment=args.augment, split=args.split, dtype="float64" if args.float64 else "float32",
        train=TrainConfig(optimizer=args.optimizer, learning_rate=args.lr, momentum=args.momentum,
                          batch_size=args.batch_size, epochs=args.epochs, seed=args.seed, l1=args.l1,
                          l2=args.l2, early_stopping_patience=args.early_stopping))
    if args.out is not None:
        _check_writable(args.out)
    prepared = prepare(experiment)
    trainer, splits = prepared.trainer, prepared.splits
    bar = tqdm(total=args.epochs * trainer.n_batches, unit="batch", file=sys.stderr, disable=args.json,
               dynamic_ncols=True, mininterval=0.25)
    ended = None
    with bar:
        for record in trainer.run():
            if isinstance(record, BatchProgress):
                bar.set_description(f"epoch {record.epoch}/{args.epochs}", refresh=False)
                bar.update(1)
            elif isinstance(record, EpochResult) and record.validation is not None:
                bar.set_postfix(loss=f"{record.train_loss:.4f}", val_acc=f"{record.val_accuracy:.2%}")
            elif isinstance(record, TrainingEnded):
                ended = record
    if ended.reason == "diverged":
        raise ValueError(f"training diverged: {ended.message}; nothing was saved")
    network, n_classes = prepared.network, prepared.dataset.n_classes
    results = {part: evaluate_on(network, ds.x, ds.y, experiment.loss, n_classes)
               for part, ds in (("train", splits.train), ("validation", splits.validation),
                                ("test", splits.test)) if len(ds)}
    if args.out is not None:
        save_model(args.out, saved_model(prepared, experiment))
    if args.json:
        print_json({"dataset": prepared.dataset.name, "epochs": ended.epochs_done, "ended": ended.reason,
                    "message": ended.message, "saved_to": str(args.out) if args.out else None,
                    **{part: {"loss": ev.loss, "accuracy": ev.accuracy} for part, ev in results.items()}})
        return 0
    if ended.reason != "finished":
        print(ended.message, file=sys.stderr)
    print(" | ".join(f"{part} loss {ev.loss:.4f} accuracy {ev.accuracy:.2%}" for part, ev in results.items()))
    if args.out is not None:
        print(f"saved {args.out}")
    return 0


def evaluate(args) -> int:
    model = load_model(args.model)
    dataset = open_dataset(args.dataset)
    _check_fits(model, dataset.n_features, dataset.n_classes, dataset.name)
    made_with = provenance(model.extra)
    part = args.part or ("test" if made_with.dataset == args.dataset else "all")
    if part != "all":
        splits = split_dataset(dataset, made_with.split, seed=made_with.seed)
        dataset = getattr(splits, part)
        if not len(dataset):
            raise ValueError(f"the {part} part of {args.dataset!r} is empty")
    result = evaluate_on(model.network, dataset.x, dataset.y, model.loss, len(model.classes))
    if args.json:
        print_json({"dataset": args.dataset, "part": part, "samples": len(dataset),
                    **result.as_dict(model.classes)})
        return 0
    print(f"{args.dataset} ({part}, {len(dataset)} samples): loss {result.loss:.4f}, "
          f"accuracy {result.accuracy:.2%}")
    width = max(5, *(len(name) for name in model.classes))
    print(f"{'class':>{width}}  precision  recall     f1  support")
    for name, p, r, f, s in zip(model.classes, result.precision, result.recall, result.f1, result.support):
        print(f"{name:>{width}}  {p:9.3f}  {r:6.3f}  {f:5.3f}  {s:7d}")
    print("confusion matrix (rows: true class, columns: predicted class)")
    cell = max(4, len(str(result.confusion.max())) + 1)
    print(" " * width + "".join(f"{name[:cell - 1]:>{cell}}" for name in model.classes))
    for name, row in zip(model.classes, result.confusion):
        print(f"{name:>{width}}" + "".join(f"{count:>{cell}d}" for count in row))
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
    # Only softmax and sigmoid outputs are probabilities; a linear (MSE) output is a raw score.
    is_probability = model.network.layers[-1].activation in ("softmax", "sigmoid")
    scores = class_probabilities(outputs) if is_probability else outputs
    classes = outputs_to_classes(outputs)
    key = "probabilities" if is_probability else "outputs"
    predictions = []
    for name, row, best in zip(names, scores, classes):
        item = {"input": name, "class": model.classes[best], key: dict(zip(model.classes, map(float, row)))}
        if is_probability:
            item["confidence"] = float(row[best])
        predictions.append(item)
    if args.json:
        print_json({"predictions": predictions})
        return 0
    for item in predictions:
        ranked = sorted(item[key].items(), key=lambda kv: -kv[1])[:3]
        if is_probability:
            shown = ", ".join(f"{cls} {p:.1%}" for cls, p in ranked)
            print(f"{item['input']}: {item['class']} ({item['confidence']:.1%})   [{shown}]")
        else:
            shown = ", ".join(f"{cls} {v:.4g}" for cls, v in ranked)
            print(f"{item['input']}: {item['class']}   [outputs: {shown}]")
    return 0


def info(args) -> int:
    model = load_model(args.model)
    net = model.network
    layers = [{"units": s.units, "activation": s.activation, "dropout": s.dropout, "frozen": s.frozen,
               "parameters": int(w.size + b.size)} for s, w, b in zip(net.layers, net.weights, net.biases)]
    summary = {"file": str(args.model), "input_shape": list(model.input_shape), "layers": layers,
               "parameters": net.n_parameters, "loss": model.loss, "classes": model.classes,
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
        flags = "".join([f", dropout {layer['dropout']:g}" if layer["dropout"] else "",
                         ", frozen" if layer["frozen"] else ""])
        print(f"  {kind:<10} {layer['units']} × {layer['activation']} ({layer['parameters']:,} parameters{flags})")
    print(f"  classes    {', '.join(model.classes)}")
    return 0


def _check_writable(path) -> None:
    """Fail before a long training run, not after it, when the weights could not be saved."""
    folder = path.resolve().parent
    if not folder.is_dir():
        raise ValueError(f"cannot save to {path}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise ValueError(f"cannot save to {path}: the folder {folder} is not writable")


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """(n, n_classes) probabilities; a single sigmoid unit p becomes [1 − p, p]."""
    if outputs.shape[1] == 1:
        return np.hstack([1.0 - outputs, outputs])
    return outputs


def _check_fits(model: SavedModel, n_features: int, n_classes: int, name: str) -> None:
    if model.network.input_size != n_features:
        raise ValueError(f"the model takes {model.network.input_size} inputs but {name!r} has {n_features} "
                         "features per sample")
    if len(model.classes) != n_classes:
        raise ValueError(f"the model knows {len(model.classes)} classes but {name!r} has {n_classes}")


__all__ = ["train", "evaluate", "predict", "info"]
