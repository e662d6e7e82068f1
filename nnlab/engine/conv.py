"""2-D convolution with PyTorch's ``Conv2d`` numbers: forward and backward, fast, in NumPy alone.

Arrays: input ``x`` (N, C, H, W); ``weight`` (F, C, K, K) and ``bias`` (F,) — the layout of
``torch.nn.Conv2d`` — and output ``y`` (N, F, Ho, Wo); padding "same" or "valid", stride 1 or more
(sizes: conv_geometry.py). How the arithmetic is laid out, and the alternatives measured against it,
is in conv_lanes.py.

``Conv2D`` keeps its buffers per batch size, as the dense trainer does, and remembers the input of
its last forward pass for the backward pass. ``conv2d`` and ``conv2d_gradients`` are one-off calls
returning fresh arrays (tests, the inspector).
"""
from __future__ import annotations

import numpy as np

from .conv_geometry import PADDINGS, ConvGeometry, conv_output_size  # noqa: F401  (the public names)
from .conv_lanes import make_lane
from .side_by_side import run_side_by_side

# A batch smaller than twice this runs on one thread even with threads=2: one drawing gains nothing
# from a second thread, and handing work over costs ~50 µs.
MIN_SAMPLES_PER_THREAD = 4


class Conv2D:
    """Forward and backward of one convolution for one geometry; buffers kept per batch size.

    ``forward`` remembers its input for ``backward``: call them in that order for each batch.
    Results are buffers reused by the next call of the same batch size — copy one to keep it.
    ``threads=2`` computes the two halves of a batch at once on two threads (NumPy's copies and BLAS
    release the GIL), for a caller whose BLAS runs on one thread. The trainer does not use it: it
    splits the whole step, every layer, into halves instead (conv_batch_step.py), which meet once a
    batch rather than twice a layer.
    """

    def __init__(self, geometry: ConvGeometry, dtype=np.float32, threads: int = 1):
        self.geometry = geometry
        self.dtype = np.dtype(dtype)
        if self.dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, not {self.dtype}")
        if threads not in (1, 2):
            raise ValueError(f"a convolution runs on 1 or 2 threads, not {threads!r}")
        self._lanes = [make_lane(geometry, self.dtype) for _ in range(threads)]
        self._joined: dict[tuple[str, int], np.ndarray] = {}  # both halves' results, per batch size
        self._spare_grad: np.ndarray | None = None  # the second half's ∂W

    @property
    def threads(self) -> int:
        return len(self._lanes)

    def forward(self, x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                out: np.ndarray | None = None) -> np.ndarray:
        """y (N, F, Ho, Wo) = conv(x (N, C, H, W), weight (F, C, K, K)) + bias (F,) (None: no bias);
        into ``out`` (a contiguous (N, F, Ho, Wo) array of the layer's dtype) when given, else a buffer."""
        g = self.geometry
        self._check(x, "input", g.input_shape)
        self._check_parameter(weight, g.weight_shape, "weight")
        if bias is not None:
            self._check_parameter(bias, (g.filters,), "bias")
        if out is not None:
            self._check(out, "output", g.output_shape)
        halves = self._halves(x.shape[0])
        if len(halves) == 1:
            return self._lanes[0].forward(x, weight, bias, out)
        y = self._joined_buffer("y", (x.shape[0], *g.output_shape)) if out is None else out
        run_side_by_side(*(lambda lane=lane, a=a, b=b: lane.forward(x[a:b], weight, bias, y[a:b])
                    for lane, a, b in halves))
        return y

    def backward(self, delta: np.ndarray, weight: np.ndarray, grad_weight: np.ndarray | None = None,
                 grad_bias: np.ndarray | None = None, input_grad: bool = True) -> np.ndarray | None:
        """From δ = ∂L/∂y (N, F, Ho, Wo): write ∂L/∂weight into ``grad_weight`` (F, C, K, K) and
        ∂L/∂bias into ``grad_bias`` (F,) when given (a frozen layer passes None), and return
        ∂L/∂x (N, C, H, W) when ``input_grad`` (the first layer needs none: pass False)."""
        g = self.geometry
        self._check(delta, "δ", g.output_shape)
        self._check_parameter(weight, g.weight_shape, "weight")
        halves = self._halves(delta.shape[0])
        for lane, a, b in halves:
            lane.remembered(b - a)
        if grad_weight is not None:
            self._check_parameter(grad_weight, g.weight_shape, "weight gradient")
        if grad_bias is not None:
            self._check_parameter(grad_bias, (g.filters,), "bias gradient")
            np.sum(delta, axis=(0, 2, 3), out=grad_bias)
        if len(halves) == 1:
            lane = self._lanes[0]
            if grad_weight is not None:
                lane.weight_gradient(delta, grad_weight)
            return lane.input_gradient(delta, weight) if input_grad else None
        if grad_weight is not None and self._spare_grad is None:
            self._spare_grad = np.empty(g.weight_shape, self.dtype)
        dx = self._joined_buffer("dx", (delta.shape[0], *g.input_shape)) if input_grad else None

        def half(index: int, grad: np.ndarray | None) -> None:
            lane, a, b = halves[index]
            if grad is not None:
                lane.weight_gradient(delta[a:b], grad)
            if input_grad:
                lane.input_gradient(delta[a:b], weight, dx[a:b])

        spare = None if grad_weight is None else self._spare_grad
        run_side_by_side(lambda: half(0, grad_weight), lambda: half(1, spare))
        if grad_weight is not None:
            grad_weight += spare
        return dx

    def _halves(self, n: int) -> list:
        if len(self._lanes) == 1 or n < 2 * MIN_SAMPLES_PER_THREAD:
            return [(self._lanes[0], 0, n)]
        return [(self._lanes[0], 0, n // 2), (self._lanes[1], n // 2, n)]

    def _joined_buffer(self, name: str, shape: tuple) -> np.ndarray:
        key = (name, shape[0])
        if key not in self._joined:
            self._joined[key] = np.empty(shape, self.dtype)
        return self._joined[key]

    def _check(self, array: np.ndarray, what: str, sample_shape: tuple) -> None:
        if not isinstance(array, np.ndarray) or array.ndim != 4 or array.shape[1:] != tuple(sample_shape):
            raise ValueError(f"the convolution's {what} has shape {np.shape(array)}; it takes "
                             f"(N, {', '.join(map(str, sample_shape))})")
        if array.dtype != self.dtype:
            raise ValueError(f"the convolution's {what} is {array.dtype}; this layer computes in {self.dtype}")

    def _check_parameter(self, array: np.ndarray, shape: tuple, what: str) -> None:
        if (not isinstance(array, np.ndarray) or array.shape != shape or array.dtype != self.dtype
                or not array.flags.c_contiguous):
            raise ValueError(f"the convolution's {what} must be a contiguous {self.dtype} array of shape "
                             f"{shape}, not {getattr(array, 'dtype', type(array).__name__)} {np.shape(array)}")


_ONE_OFF: dict[tuple, Conv2D] = {}


def _one_off(x_shape, weight: np.ndarray, stride: int, padding: str) -> Conv2D:
    geometry = ConvGeometry.of(x_shape, weight.shape, stride, padding)
    key = (geometry, weight.dtype.str)
    if key not in _ONE_OFF:
        if len(_ONE_OFF) > 32:  # one-off calls from tests and the inspector: keep the cache small
            _ONE_OFF.clear()
        _ONE_OFF[key] = Conv2D(geometry, weight.dtype)
    return _ONE_OFF[key]


def conv2d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None, stride: int = 1,
           padding: str = "same") -> np.ndarray:
    """y (N, F, Ho, Wo) for x (N, C, H, W), weight (F, C, K, K), bias (F,): a fresh array."""
    weight = np.ascontiguousarray(weight)
    bias = None if bias is None else np.ascontiguousarray(bias)
    return _one_off(x.shape, weight, stride, padding).forward(x, weight, bias).copy()


def conv2d_gradients(x: np.ndarray, weight: np.ndarray, delta: np.ndarray, stride: int = 1,
                     padding: str = "same", input_grad: bool = True):
    """(∂L/∂x or None, ∂L/∂weight, ∂L/∂bias) from δ = ∂L/∂y (N, F, Ho, Wo): fresh arrays."""
    weight = np.ascontiguousarray(weight)
    conv = _one_off(x.shape, weight, stride, padding)
    conv.forward(x, weight, None)
    grad_weight = np.empty_like(weight)
    grad_bias = np.empty(weight.shape[0], weight.dtype)
    dx = conv.backward(delta, weight, grad_weight, grad_bias, input_grad)
    return (None if dx is None else dx.copy()), grad_weight, grad_bias
