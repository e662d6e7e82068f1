"""What a network's outputs mean — the one set of rules the trainer, the metrics, the CLI, the canvas
and the inspector share, so that they cannot tell a learner two different things about one answer.

A network either predicts numbers (:func:`is_regression`) or classes. A classifier's outputs are
either probabilities (:func:`is_probability`: softmax, sigmoid) or raw scores (tanh, ReLU, … trained
with squared error). Its class is :func:`outputs_to_classes`; its probability per class, summing to
1 as a bar chart or a "93 %" needs, is :func:`class_probabilities`.
"""
from __future__ import annotations

import numpy as np

PROBABILITY_OUTPUTS = ("softmax", "sigmoid")


def is_regression(loss: str, output_activation: str) -> bool:
    """The one rule for whether a network predicts numbers or classes.

    A linear output trained with mse predicts numbers (regression: scored by MSE, MAE and R²);
    every other pair predicts classes — a single sigmoid unit stays a binary classifier.
    """
    return loss == "mse" and output_activation == "linear"


def is_probability(output_activation: str) -> bool:
    """True when a classifier's outputs are probabilities (softmax, sigmoid); others are raw scores."""
    return output_activation in PROBABILITY_OUTPUTS


def outputs_to_classes(outputs: np.ndarray) -> np.ndarray:
    """Class indices (n_samples,) from outputs (n_samples, n_outputs): the largest output, or for a
    single unit class 1 when it is above 0.5 — the same class :func:`class_probabilities` puts on top."""
    outputs = np.asarray(outputs)
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.5).astype(np.int64)
    return outputs.argmax(axis=1)


def class_probabilities(outputs: np.ndarray) -> np.ndarray:
    """(n_samples, n_classes) float64 rows that sum to 1, from a classifier's outputs (n_samples, n_outputs)
    or one sample's (n_outputs,).

    One output unit is p(class 1) and becomes [1 − p, p], so a two-class network reads the same with one
    sigmoid unit or two softmax units. With several units each row's parts above 0 are scaled to sum to 1:
    softmax rows stay what they are, and several sigmoid units — each a yes/no for its own class — become
    shares of one answer. Raw scores (``not is_probability``) get the same treatment, which is all a bar
    per class can show of them; a caller that can print the scores themselves (the CLI) does. An output
    that says nothing — NaN, or no part above 0 — gives equal shares.
    """
    outputs = np.atleast_2d(np.asarray(outputs, dtype=np.float64))
    if outputs.shape[1] == 1:
        p = np.clip(np.nan_to_num(outputs[:, 0], nan=0.5), 0.0, 1.0)
        return np.stack([1.0 - p, p], axis=1)
    positive = np.clip(np.nan_to_num(outputs, nan=0.0), 0.0, None)
    total = positive.sum(axis=1, keepdims=True)
    shares = np.full_like(positive, 1.0 / positive.shape[1])
    np.divide(positive, total, out=shares, where=total > 0)
    return shares
