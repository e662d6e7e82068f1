"""The words and tables the CLI prints for an evaluation or a prediction, classifier or regressor.

What a model's outputs mean follows the engine's rules (``nnlab.engine.outputs``: a linear output
with mse predicts numbers; softmax and sigmoid outputs are probabilities); this module only says the numbers.
"""
from __future__ import annotations

import numpy as np

from nnlab.engine.metrics import Evaluation, RegressionEvaluation
from nnlab.engine.outputs import class_probabilities, outputs_to_classes


def one_line(result: Evaluation | RegressionEvaluation, between: str = " ") -> str:
    """``loss 0.1234 accuracy 95.00%`` or ``loss 0.005711 MSE 0.01142 MAE 0.08003 R² 0.959``."""
    if isinstance(result, RegressionEvaluation):
        parts = [f"loss {result.loss:.4g}", f"MSE {result.mse:.4g}", f"MAE {result.mae:.4g}", f"R² {result.r2:.3f}"]
    else:
        parts = [f"loss {result.loss:.4f}", f"accuracy {result.accuracy:.2%}"]
    return between.join(parts)


def figures(result: Evaluation | RegressionEvaluation) -> dict:
    """The headline numbers as JSON fields (``nnlab train --json``)."""
    if isinstance(result, RegressionEvaluation):
        return {"loss": result.loss, "mse": result.mse, "mae": result.mae, "r2": result.r2}
    return {"loss": result.loss, "accuracy": result.accuracy}


def print_regression(result: RegressionEvaluation, names: list[str]) -> None:
    width = max(6, *(len(name) for name in names))
    print(f"{'output':>{width}}  {'MSE':>10}  {'MAE':>10}  {'R²':>7}")
    for name, mse, mae, r2 in zip(names, result.output_mse, result.output_mae, result.output_r2):
        print(f"{name:>{width}}  {mse:10.4g}  {mae:10.4g}  {r2:7.3f}")


def print_classification(result: Evaluation, names: list[str]) -> None:
    width = max(5, *(len(name) for name in names))
    print(f"{'class':>{width}}  precision  recall     f1  support")
    for name, p, r, f, s in zip(names, result.precision, result.recall, result.f1, result.support):
        print(f"{name:>{width}}  {p:9.3f}  {r:6.3f}  {f:5.3f}  {s:7d}")
    print("confusion matrix (rows: true class, columns: predicted class)")
    cell = max(4, len(str(result.confusion.max())) + 1)
    print(" " * width + "".join(f"{name[:cell - 1]:>{cell}}" for name in names))
    for name, row in zip(names, result.confusion):
        print(f"{name:>{width}}" + "".join(f"{count:>{cell}d}" for count in row))


def class_names(classes: list[str], n_outputs: int) -> list[str]:
    """A name for every class index the outputs can give: a single unit thresholded at 0.5 answers
    "not C" or "C" when the model names only the one class C."""
    if n_outputs == 1 and len(classes) == 1:
        return [f"not {classes[0]}", classes[0]]
    return list(classes)


def predicted_values(names: list[str], inputs: list[str], outputs: np.ndarray) -> list[dict]:
    """A regressor's predictions: each input's output values by the outputs' names."""
    return [{"input": name, "outputs": dict(zip(names, map(float, row)))} for name, row in zip(inputs, outputs)]


def predicted_classes(classes: list[str], inputs: list[str], outputs: np.ndarray,
                      is_probability: bool) -> list[dict]:
    """A classifier's predictions: the class, and the probabilities (softmax, sigmoid) or raw outputs."""
    names = class_names(classes, outputs.shape[1])
    scores = class_probabilities(outputs) if is_probability else outputs
    if scores.shape[1] == len(names):
        score_names = names
    elif scores.shape[1] == 1:  # one unit scores class 1: the class it answers above 0.5
        score_names = names[1:]
    else:
        score_names = list(classes)
    key = "probabilities" if is_probability else "outputs"
    predictions = []
    for name, row, best in zip(inputs, scores, outputs_to_classes(outputs)):
        item = {"input": name, "class": names[best], key: dict(zip(score_names, map(float, row)))}
        if is_probability:
            item["confidence"] = float(row[best])
        predictions.append(item)
    return predictions


def print_predictions(predictions: list[dict]) -> None:
    for item in predictions:
        if "class" not in item:
            values = ", ".join(f"{name} = {value:.4g}" for name, value in item["outputs"].items())
            print(f"{item['input']}: {values}")
        elif "probabilities" in item:
            ranked = sorted(item["probabilities"].items(), key=lambda kv: -kv[1])[:3]
            shown = ", ".join(f"{cls} {p:.1%}" for cls, p in ranked)
            print(f"{item['input']}: {item['class']} ({item['confidence']:.1%})   [{shown}]")
        else:
            ranked = sorted(item["outputs"].items(), key=lambda kv: -kv[1])[:3]
            shown = ", ".join(f"{cls} {v:.4g}" for cls, v in ranked)
            print(f"{item['input']}: {item['class']}   [outputs: {shown}]")
