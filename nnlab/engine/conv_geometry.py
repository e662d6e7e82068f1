"""The shape of a convolution layer: sizes, padding, and which input pixels an output pixel reads.

Padding ``"same"`` pads K // 2 zeros on every side (odd K only), so Ho = ⌈H / stride⌉: at stride 1
the output keeps the input's size; at stride 2 it is PyTorch's ``Conv2d(padding=K // 2, stride=2)``
(PyTorch refuses ``padding="same"`` with a stride, and TensorFlow's "same" pads one row more at the
bottom instead). ``"valid"`` pads nothing: Ho = ⌊(H − K) / stride⌋ + 1. ``"full"`` (K − 1 on every
side) is the backward pass's own: the gradient of a "valid" convolution is a "full" one.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

PADDINGS = ("same", "valid")
ALL_PADDINGS = (*PADDINGS, "full")


def padding_width(kernel: int, padding: str) -> int:
    return {"same": kernel // 2, "valid": 0, "full": kernel - 1}[padding]


def conv_output_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """Output height (or width) of a convolution over ``size`` input rows (or columns)."""
    return (size + 2 * padding_width(kernel, padding) - kernel) // stride + 1


@dataclass(frozen=True)
class ConvGeometry:
    """One convolution layer's shape: ``in_channels`` × ``height`` × ``width`` in, ``filters`` out.

    Its sizes are worked out once (``cached_property``): a training step asks for them ~80 times a layer.
    """

    in_channels: int
    height: int
    width: int
    filters: int
    kernel: int
    stride: int = 1
    padding: str = "same"

    def __post_init__(self):
        for name in ("in_channels", "height", "width", "filters", "kernel", "stride"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"a convolution's {name.replace('_', ' ')} must be a whole number of at "
                                 f"least 1, not {value!r}")
        if self.padding not in ALL_PADDINGS:
            raise ValueError(f"unknown padding {self.padding!r}; choose one of: {', '.join(PADDINGS)}")
        if self.padding == "same" and self.kernel % 2 == 0:
            raise ValueError(f"padding 'same' needs an odd kernel size (it pads kernel // 2 on every side); "
                             f"{self.kernel} is even")
        if self.padding == "valid" and self.kernel > min(self.height, self.width):
            raise ValueError(f"a {self.kernel}×{self.kernel} kernel does not fit a {self.height}×{self.width} "
                             "input without padding: use padding 'same' or a smaller kernel")

    @classmethod
    def of(cls, x_shape, weight_shape, stride: int = 1, padding: str = "same") -> "ConvGeometry":
        """The geometry of ``weight`` (F, C, K, K) applied to samples of ``x_shape`` (…, C, H, W)."""
        if len(weight_shape) != 4 or weight_shape[2] != weight_shape[3]:
            raise ValueError(f"a convolution weight has shape (filters, channels, K, K), not {tuple(weight_shape)}")
        if len(x_shape) < 3 or x_shape[-3] != weight_shape[1]:
            raise ValueError(f"the input {tuple(x_shape)} is not (N, C, H, W) with the weight's "
                             f"{weight_shape[1]} channel(s)")
        return cls(int(weight_shape[1]), int(x_shape[-2]), int(x_shape[-1]), int(weight_shape[0]),
                   int(weight_shape[2]), stride, padding)

    @cached_property
    def pad(self) -> int:
        return padding_width(self.kernel, self.padding)

    @cached_property
    def out_height(self) -> int:
        return conv_output_size(self.height, self.kernel, self.stride, self.padding)

    @cached_property
    def out_width(self) -> int:
        return conv_output_size(self.width, self.kernel, self.stride, self.padding)

    @cached_property
    def input_shape(self) -> tuple[int, int, int]:
        return self.in_channels, self.height, self.width

    @cached_property
    def output_shape(self) -> tuple[int, int, int]:
        return self.filters, self.out_height, self.out_width

    @cached_property
    def weight_shape(self) -> tuple[int, int, int, int]:
        return self.filters, self.in_channels, self.kernel, self.kernel

    @property
    def n_parameters(self) -> int:
        return self.filters * (self.in_channels * self.kernel ** 2 + 1)

    def transposed(self) -> "ConvGeometry":
        """The stride-1 convolution that carries δ (F, Ho, Wo) back to the input (C, H, W)."""
        if self.stride != 1:
            raise ValueError("only a stride-1 convolution's gradient is a plain convolution")
        back = {"same": "same", "valid": "full", "full": "valid"}[self.padding]
        return ConvGeometry(self.filters, self.out_height, self.out_width, self.in_channels, self.kernel, 1, back)

    def receptive_field(self, row: int, col: int) -> tuple[int, int]:
        """Input (row, column) of the kernel's top-left tap for output pixel (row, col); the window is
        K × K from there, and the rows/columns outside 0 … H−1 / 0 … W−1 are the zero padding."""
        if not (0 <= row < self.out_height and 0 <= col < self.out_width):
            raise ValueError(f"output pixel ({row}, {col}) is outside the {self.out_height}×{self.out_width} "
                             "feature map")
        return row * self.stride - self.pad, col * self.stride - self.pad
