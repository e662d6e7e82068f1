"""The canvas's ink as a NumPy sheet, with a soft round brush and stroke-wise undo — no Qt.

The sheet, not the screen, is what the model sees: the widget only displays it, so a stroke
drawn by the mouse, by a test or by the drawn-accuracy check goes through one rasteriser.
Coordinates are sheet pixels (x right, y down); pixel (i, j) covers [j, j+1) × [i, i+1).
"""
from __future__ import annotations

import math

import numpy as np

SHEET_PX = 280  # ten sheet pixels per MNIST pixel
DEFAULT_RADIUS = 11.0
MIN_RADIUS, MAX_RADIUS = 2.0, 40.0
SOFT_EDGE = 0.35  # the brush fades over this share of its radius: soft, never jagged
MAX_UNDO = 64  # 64 × 280² float32 ≈ 20 MB at most


def stamp_segment(sheet: np.ndarray, start: tuple[float, float], end: tuple[float, float], radius: float,
                  erase: bool = False) -> None:
    """Paint (or erase) a round-capped line of ``radius`` px from start to end, in place.

    Ink is 1 - clip((d - radius) / edge + 0.5) of the distance d to the segment, so the edge is
    anti-aliased and a stroke laid over itself never darkens twice (max, not sum).
    """
    edge = max(1.0, SOFT_EDGE * radius)
    reach = radius + edge
    (x0, y0), (x1, y1) = start, end
    height, width = sheet.shape
    left, right = max(int(math.floor(min(x0, x1) - reach)), 0), min(int(math.ceil(max(x0, x1) + reach)), width)
    top, bottom = max(int(math.floor(min(y0, y1) - reach)), 0), min(int(math.ceil(max(y0, y1) + reach)), height)
    if left >= right or top >= bottom:
        return
    px = np.arange(left, right, dtype=np.float32) + np.float32(0.5 - x0)
    py = (np.arange(top, bottom, dtype=np.float32) + np.float32(0.5 - y0))[:, None]
    dx, dy = np.float32(x1 - x0), np.float32(y1 - y0)
    length2 = float(dx * dx + dy * dy)
    if length2 > 1e-12:
        t = np.clip((px * dx + py * dy) * np.float32(1.0 / length2), 0.0, 1.0)
        distance = np.hypot(px - t * dx, py - t * dy)
    else:
        distance = np.hypot(px, py)
    value = np.clip((np.float32(radius) - distance) * np.float32(1.0 / edge) + np.float32(0.5), 0.0, 1.0)
    region = sheet[top:bottom, left:right]
    if erase:
        np.minimum(region, 1.0 - value, out=region)
    else:
        np.maximum(region, value, out=region)


class InkSheet:
    """A square sheet of ink (1) on paper (0), an optional photo under it, and an undo stack.

    ``image()`` is what a camera would see: the photo (or white paper) darkened by the ink,
    grey in [0, 1] with 0 black — the form every transform in ``nnlab.data.transforms`` takes.
    """

    def __init__(self, size: int = SHEET_PX) -> None:
        self.size = int(size)
        self.ink = np.zeros((self.size, self.size), np.float32)
        self.photo: np.ndarray | None = None
        self._undo: list[tuple[np.ndarray, np.ndarray | None]] = []
        self._last: tuple[float, float] | None = None
        self._radius = DEFAULT_RADIUS
        self._erase = False
        self.version = 0  # bumped on every change, so viewers repaint only when needed

    # -- strokes ------------------------------------------------------------------------------------
    def begin_stroke(self, point: tuple[float, float], radius: float, erase: bool = False) -> None:
        self._remember()
        self._radius, self._erase = float(radius), bool(erase)
        self._last = (float(point[0]), float(point[1]))
        stamp_segment(self.ink, self._last, self._last, self._radius, self._erase)
        self.version += 1

    def extend_stroke(self, point: tuple[float, float]) -> None:
        if self._last is None:
            return
        point = (float(point[0]), float(point[1]))
        stamp_segment(self.ink, self._last, point, self._radius, self._erase)
        self._last = point
        self.version += 1

    def end_stroke(self) -> None:
        self._last = None

    @property
    def drawing(self) -> bool:
        return self._last is not None

    def draw_stroke(self, points, radius: float = DEFAULT_RADIUS, erase: bool = False) -> None:
        """One whole stroke through ``points`` given in sheet pixels."""
        points = list(points)
        if not points:
            return
        self.begin_stroke(points[0], radius, erase)
        for point in points[1:]:
            self.extend_stroke(point)
        self.end_stroke()

    # -- whole-sheet edits ------------------------------------------------------------------------------
    def clear(self) -> None:
        if self.is_blank:
            return
        self._remember()
        self.ink[...] = 0.0
        self.photo = None
        self.version += 1

    def set_photo(self, grey: np.ndarray) -> None:
        """Put a picture (H, W) grey in [0, 1] under the ink: centre-cropped square, resized, ink cleared."""
        from nnlab.data.transforms import faces_transform

        self._remember()
        self.photo = faces_transform(grey, (self.size, self.size)).astype(np.float32)
        self.ink[...] = 0.0
        self.version += 1

    def undo(self) -> bool:
        if not self._undo:
            return False
        self.ink, self.photo = self._undo.pop()
        self._last = None
        self.version += 1
        return True

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def is_blank(self) -> bool:
        return self.photo is None and not self.ink.any()

    def image(self) -> np.ndarray:
        """(size, size) grey, 0 black … 1 white: the paper or photo with the ink on it."""
        paper = np.float32(1.0) if self.photo is None else self.photo
        return paper * (np.float32(1.0) - self.ink)

    def _remember(self) -> None:
        self._undo.append((self.ink.copy(), self.photo))
        del self._undo[:-MAX_UNDO]
