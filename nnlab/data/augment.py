"""Random image augmentation applied to every training mini-batch.

Small shifts, turns and zooms teach a network that a digit moved by two pixels
is still the same digit. It runs once per mini-batch, so every step is
vectorised over the batch: shifts pick one window per image from a
zero-padded view, turns and zooms use four gathers for bilinear sampling.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np
from numpy.lib.stride_tricks import as_strided

Augmenter = Callable[[np.ndarray, np.random.Generator], np.ndarray]


@dataclass
class AugmentConfig:
    """shift_px: largest shift in pixels; rotate_deg: largest turn either way;
    scale: largest relative zoom (0.1 → ×0.9 … ×1.1); noise: std of added Gaussian noise."""

    shift_px: int = 2
    rotate_deg: float = 0.0
    scale: float = 0.0
    noise: float = 0.0


def _image_shape(input_shape: tuple[int, ...]) -> tuple[int, int]:
    if len(input_shape) != 2 or min(input_shape) < 1:
        raise ValueError(f"augmentation needs an image input shape (height, width), got {tuple(input_shape)}")
    return int(input_shape[0]), int(input_shape[1])


def _check_config(config: AugmentConfig, height: int, width: int) -> None:
    shift = config.shift_px
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or shift < 0:
        raise ValueError(f"shift_px must be a whole number ≥ 0, got {shift!r}")
    if shift >= min(height, width):
        raise ValueError(f"shift_px {shift} would push the whole {height}×{width} image off the canvas")
    if not 0 <= config.rotate_deg <= 180:
        raise ValueError(f"rotate_deg must lie in 0 … 180, got {config.rotate_deg!r}")
    if not 0 <= config.scale < 1:
        raise ValueError(f"scale must lie in 0 … 1 (exclusive), got {config.scale!r}")
    if not config.noise >= 0 or not np.isfinite(config.noise):
        raise ValueError(f"noise must be a finite number ≥ 0, got {config.noise!r}")


def _check_batch(batch: np.ndarray, height: int, width: int) -> None:
    if batch.ndim != 2 or batch.shape[1] != height * width:
        raise ValueError(f"expected a batch of shape (batch, {height * width}) for {height}×{width} images, "
                         f"got {batch.shape}")


def _shift_into(padded: np.ndarray, batch: np.ndarray, shifts: np.ndarray, pad: int) -> np.ndarray:
    """Shift using padded, a (B, H+2·pad, W+2·pad) float32 buffer whose border is 0.

    Copies the images into the buffer's middle, then picks one (H, W) window per
    image from a strided view; only the window copy allocates.
    """
    n, hp, wp = padded.shape
    height, width = hp - 2 * pad, wp - 2 * pad
    padded[:, pad:pad + height, pad:pad + width] = batch.reshape(n, height, width)
    s0, s1, s2 = padded.strides
    windows = as_strided(padded, (n, 2 * pad + 1, 2 * pad + 1, height, width), (s0, s1, s2, s1, s2),
                         writeable=False)
    return windows[np.arange(n), pad - shifts[:, 0], pad - shifts[:, 1]].reshape(n, height * width)


def shift_batch(batch: np.ndarray, input_shape: tuple[int, int], shifts: np.ndarray) -> np.ndarray:
    """Move each image by whole pixels, filling with 0.

    batch: (B, H*W); shifts: (B, 2) integer (down, right) per image, |shift| < H, W.
    Returns a new (B, H*W) float32 array.
    """
    height, width = _image_shape(input_shape)
    _check_batch(batch, height, width)
    shifts = np.asarray(shifts)
    if shifts.shape != (len(batch), 2) or not np.issubdtype(shifts.dtype, np.integer):
        raise ValueError(f"shifts must be whole numbers of shape ({len(batch)}, 2), got {shifts.dtype} {shifts.shape}")
    pad = int(np.abs(shifts).max(initial=0))
    if pad >= min(height, width):
        raise ValueError(f"a shift of {pad} pixels would push a whole {height}×{width} image off the canvas")
    padded = np.zeros((len(batch), height + 2 * pad, width + 2 * pad), np.float32)
    return _shift_into(padded, batch, shifts, pad)


def _affine_batch(batch: np.ndarray, height: int, width: int, angle: np.ndarray, zoom: np.ndarray,
                  shifts: np.ndarray) -> np.ndarray:
    """Turn by angle (B,) radians and zoom by zoom (B,) about the centre, then shift (B, 2).

    Each output pixel samples the input at the inverse-mapped position with
    bilinear weights; positions off the image read 0.
    """
    n = len(batch)
    f32 = np.float32
    cy, cx = (height - 1) / 2, (width - 1) / 2
    oy = np.repeat(np.arange(height, dtype=f32) - f32(cy), width)[None, :] - shifts[:, :1].astype(f32)
    ox = np.tile(np.arange(width, dtype=f32) - f32(cx), height)[None, :] - shifts[:, 1:].astype(f32)
    c = (np.cos(angle) / zoom).astype(f32)[:, None]
    s = (np.sin(angle) / zoom).astype(f32)[:, None]
    sy = np.clip(c * oy - s * ox + f32(cy + 1), 0, height + 1)
    sx = np.clip(s * oy + c * ox + f32(cx + 1), 0, width + 1)
    y0, x0 = np.floor(sy), np.floor(sx)
    fy, fx = sy - y0, sx - x0
    hp, wp = height + 3, width + 3
    padded = np.zeros((n, hp, wp), f32)
    padded[:, 1:1 + height, 1:1 + width] = batch.reshape(n, height, width)
    flat = padded.reshape(-1)
    base = y0.astype(np.intp) * wp + x0.astype(np.intp) + (np.arange(n, dtype=np.intp) * (hp * wp))[:, None]
    top = np.take(flat, base)
    top += (np.take(flat, base + 1) - top) * fx
    bottom = np.take(flat, base + wp)
    bottom += (np.take(flat, base + wp + 1) - bottom) * fx
    top += (bottom - top) * fy
    return top


def make_augmenter(input_shape: tuple[int, ...], config: AugmentConfig) -> Augmenter:
    """Build augment(batch (B, H*W) float32, rng) -> new (B, H*W) float32 array.

    The input batch is never modified. For speed the shift path keeps a zero-bordered
    scratch buffer per thread and batch size; a fresh 200 kB buffer per call costs
    more in page faults than the shift itself.
    """
    height, width = _image_shape(input_shape)
    _check_config(config, height, width)
    shift, noise = int(config.shift_px), float(config.noise)
    max_turn, max_zoom = np.deg2rad(float(config.rotate_deg)), float(config.scale)
    warp = max_turn > 0 or max_zoom > 0
    scratch = threading.local()

    def padded_buffer(n: int) -> np.ndarray:
        buffer = getattr(scratch, "buffer", None)
        if buffer is None or len(buffer) != n:
            buffer = scratch.buffer = np.zeros((n, height + 2 * shift, width + 2 * shift), np.float32)
        return buffer

    def augment(batch: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        _check_batch(batch, height, width)
        n = len(batch)
        shifts = rng.integers(-shift, shift + 1, size=(n, 2)) if shift else np.zeros((n, 2), np.int64)
        if warp:
            angle = rng.uniform(-max_turn, max_turn, n)
            zoom = 1.0 + rng.uniform(-max_zoom, max_zoom, n)
            out = _affine_batch(batch, height, width, angle, zoom, shifts)
        elif shift:
            out = _shift_into(padded_buffer(n), batch, shifts, shift)
        else:
            out = np.array(batch, dtype=np.float32, copy=True)
        if noise > 0:
            out += noise * rng.standard_normal(out.shape, dtype=np.float32)
            np.clip(out, 0.0, 1.0, out=out)
        return out

    return augment
