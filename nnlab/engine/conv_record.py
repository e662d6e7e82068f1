"""One sample through a convolution or a pooling, with everything the inspector writes out.

``record_conv2d`` gives every feature map's z and a; ``pixel_sum`` takes one output pixel apart into
z = Σ_c Σ_ki Σ_kj w·x + b with the real numbers and its receptive field (the K × K window, part of
which may lie on the zero padding); ``record_max_pool`` gives the pooled maps and which input won.
All arrays returned are fresh copies the caller may keep.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .conv import conv2d
from .conv_geometry import ConvGeometry
from .pooling import AvgPool2D, MaxPool2D


@dataclass(frozen=True)
class FeatureMaps:
    """One sample's output of a convolution layer: ``z`` and ``a`` (filters, Ho, Wo)."""

    z: np.ndarray
    a: np.ndarray


@dataclass(frozen=True)
class PixelSum:
    """z of output pixel (``row``, ``col``) of feature map ``filter``, term by term.

    ``inputs`` and ``weights`` are (C, K, K): the input values under the kernel and the kernel
    itself; ``inside`` (K, K) is False where the kernel lies on padding (its inputs are 0 there).
    The window's top-left tap reads input (``top``, ``left``), negative on the padding.
    """

    filter: int
    row: int
    col: int
    top: int
    left: int
    inputs: np.ndarray
    weights: np.ndarray
    inside: np.ndarray
    bias: float

    @property
    def products(self) -> np.ndarray:
        return self.inputs * self.weights

    @property
    def channel_sums(self) -> np.ndarray:
        """Σ w·x per input channel (C,): the grouping written beyond one channel."""
        return self.products.reshape(self.products.shape[0], -1).sum(axis=1)

    @property
    def z(self) -> float:
        return float(self.channel_sums.sum() + self.bias)


def _sample(sample: np.ndarray) -> np.ndarray:
    sample = np.asarray(sample)
    if sample.ndim != 3:
        raise ValueError(f"one sample is (channels, height, width), not shape {sample.shape}")
    return sample


def record_conv2d(sample: np.ndarray, weight: np.ndarray, bias: np.ndarray, activation: str,
                  stride: int = 1, padding: str = "same") -> FeatureMaps:
    """z and a of every feature map for one ``sample`` (C, H, W)."""
    sample = _sample(sample)
    z = conv2d(sample[None].astype(weight.dtype, copy=False), weight, bias, stride, padding)[0]
    return FeatureMaps(z, get_activation(activation).forward(z))


def pixel_sum(sample: np.ndarray, weight: np.ndarray, bias: np.ndarray, filter: int, row: int, col: int,
              stride: int = 1, padding: str = "same") -> PixelSum:
    """Output pixel (``row``, ``col``) of feature map ``filter`` for ``sample`` (C, H, W), term by term."""
    sample = _sample(sample)
    geometry = ConvGeometry.of(sample.shape, weight.shape, stride, padding)
    if not 0 <= filter < geometry.filters:
        raise ValueError(f"feature map {filter} does not exist; this layer has {geometry.filters}")
    top, left = geometry.receptive_field(row, col)
    k = geometry.kernel
    rows, cols = np.arange(top, top + k), np.arange(left, left + k)
    inside = (((rows >= 0) & (rows < geometry.height))[:, None]
              & ((cols >= 0) & (cols < geometry.width))[None, :])
    framed = np.pad(sample, ((0, 0), (k, k), (k, k)))  # zeros all round, at least as wide as any padding
    inputs = framed[:, top + k:top + 2 * k, left + k:left + 2 * k].copy()
    return PixelSum(filter, row, col, top, left, inputs, np.array(weight[filter]), inside,
                    float(bias[filter]))


def record_max_pool(sample: np.ndarray, pool: int) -> tuple[np.ndarray, np.ndarray]:
    """(pooled (C, H // N, W // N), winners shaped alike: 0 … N²−1 row-major within each window)."""
    sample = _sample(sample)
    layer = MaxPool2D(pool, sample.dtype)
    pooled = layer.forward(sample[None])[0].copy()
    return pooled, layer.winners()[0]


def record_avg_pool(sample: np.ndarray, pool: int) -> np.ndarray:
    """The pooled maps (C, H // N, W // N) of one ``sample``."""
    sample = _sample(sample)
    return AvgPool2D(pool, sample.dtype).forward(sample[None])[0].copy()
