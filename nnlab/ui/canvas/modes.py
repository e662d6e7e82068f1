"""What the canvas is for a dataset, and how a drawing becomes the model's row — no Qt.

Digits and sketch faces use the MNIST recipe, photos of faces the 25×25 crop, imported image
sets their own size; 2-D point sets get a scatter plot instead of paper, and a set of numbers to
predict from one input (the curve) a plot of its points and the network's line.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.transforms import to_model_input


@dataclass(frozen=True)
class CanvasMode:
    kind: str  # "draw" (a picture), "points" (2-D scatter), "curve" (y against x) or "none" (nothing to draw)
    preprocess: str
    input_shape: tuple[int, ...]
    classes: tuple[str, ...]
    light_ink: bool = False  # "resize" sets whose pictures are light strokes on dark get inverted paper
    dataset_name: str = ""
    predicts_numbers: bool = False  # a regression set: no classes to pick, add or colour

    @property
    def image_shape(self) -> tuple[int, int] | None:
        return tuple(self.input_shape) if len(self.input_shape) == 2 else None

    def describe(self) -> str:
        if self.kind == "points":
            return "Click to add a point of the chosen class; the background shows the network's decision."
        if self.kind == "curve":
            return "The dots are the data; the line is the network's prediction for every x, live while it trains."
        if self.kind == "none" and self.predicts_numbers:
            return (f"{self.dataset_name} — numbers to predict from {self.input_shape[0]} inputs: there is nothing "
                    "to draw. Once the network is evaluated, the Metrics tab plots its predictions against the "
                    "true values.")
        if self.kind == "none":
            return f"{self.dataset_name}'s samples are neither pictures nor 2-D points: there is nothing to draw."
        h, w = self.input_shape
        how = {"mnist": "the MNIST recipe (fit into 20×20, centre of mass in the middle)",
               "faces": "a grey square crop", "resize": "a grey resize"}.get(self.preprocess, self.preprocess)
        return f"Your drawing becomes {h}×{w} pixels by {how}."

    def model_input(self, grey: np.ndarray, on_paper: bool = True) -> np.ndarray:
        """Canvas picture (H, W) grey, 0 black → the (n_features,) float32 row the network takes.

        Ink drawn on the white paper is inverted for a set of light strokes on dark (``light_ink``); a
        picture the learner opened (``on_paper=False``) goes in as it is, as ``nnlab predict`` takes it.
        """
        if self.kind != "draw":
            raise ValueError(f"{self.dataset_name} does not take pictures")
        if self.light_ink and on_paper:
            grey = 1.0 - grey
        return to_model_input(grey, self.preprocess, self.input_shape)

    def finds_nothing(self, row: np.ndarray) -> bool:
        """True when the transform found no drawing: the MNIST recipe gives all zeros for a blank picture,
        a speck, or ruled lines alone (nnlab.data.background); a photo's row of zeros is a black photo."""
        return self.preprocess == "mnist" and not np.any(row)


def mode_for(dataset: Dataset | None) -> CanvasMode:
    if dataset is None:
        return CanvasMode("none", "none", (0,), (), dataset_name="No dataset")
    shape, classes = tuple(dataset.input_shape), tuple(dataset.classes)
    if dataset.is_regression:
        kind = "curve" if shape == (1,) and len(classes) == 1 else "none"
        return CanvasMode(kind, "none", shape, classes, dataset_name=dataset.name, predicts_numbers=True)
    if len(shape) == 2 and dataset.preprocess in ("mnist", "faces", "resize"):
        light = dataset.preprocess == "resize" and len(dataset) > 0 and float(dataset.x.mean()) < 0.5
        return CanvasMode("draw", dataset.preprocess, shape, classes, light, dataset.name)
    if shape == (2,):
        return CanvasMode("points", "none", shape, classes, dataset_name=dataset.name)
    return CanvasMode("none", "none", shape, classes, dataset_name=dataset.name)

