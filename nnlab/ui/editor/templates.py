"""One-click architectures, each with the dataset it was made for."""
from __future__ import annotations

from dataclasses import dataclass

from nnlab.engine.layers import ConvSpec, PoolSpec, layer_word
from nnlab.engine.network import LayerSpec


@dataclass(frozen=True)
class Template:
    name: str                 # "XOR 2-4-1"
    dataset: str              # the built-in dataset it fits
    input_size: int
    n_classes: int
    hidden: tuple  # LayerSpec, ConvSpec, PoolSpec
    loss: str
    output_activation: str
    why: str                  # one line on what it teaches
    image_shape: tuple[int, int] | None = None  # the images a template with convolutions reads

    @property
    def widths(self) -> str:
        output = 1 if self.loss == "binary_cross_entropy" and self.n_classes == 2 else self.n_classes
        first = "×".join(map(str, self.image_shape)) if self.image_shape else str(self.input_size)
        return "-".join((first, *(layer_word(s) for s in self.hidden), str(output)))

    @property
    def input(self):
        """What ``Network`` takes: the image shape for a template with convolutions, else the width."""
        return self.image_shape or self.input_size


TEMPLATES: dict[str, Template] = {t.name: t for t in (
    Template("XOR 2-4-1", "xor", 2, 2, (LayerSpec(4, "tanh"),), "binary_cross_entropy", "sigmoid",
             "the smallest network that can learn XOR: four tanh units bend the plane"),
    Template("Digits 784-128-64-10", "digits", 784, 10, (LayerSpec(128, "relu"), LayerSpec(64, "relu")),
             "cross_entropy", "softmax", "the classic MNIST network: 28×28 pixels to ten digit scores"),
    Template("Faces 625-32-2", "faces", 625, 2, (LayerSpec(32, "relu"),), "cross_entropy", "softmax",
             "25×25 pixels, one small hidden layer, face or not"),
    Template("LeNet-style digits", "digits", 784, 10,
             (ConvSpec(8, 5), PoolSpec(2), ConvSpec(16, 5), PoolSpec(2), LayerSpec(64, "relu")),
             "cross_entropy", "softmax", "eight 5×5 filters find strokes, sixteen combine them into parts, "
             "pooling halves each map: a small convolutional network", image_shape=(28, 28)),
)}


def fits(template: Template, n_features: int, n_classes: int) -> str:
    """"" when the template fits a dataset of that shape, else why not."""
    if (n_features, n_classes) == (template.input_size, template.n_classes):
        return ""
    return (f"{template.name} takes {template.input_size} inputs and {template.n_classes} classes; "
            f"the open dataset has {n_features} inputs and {n_classes} classes")
