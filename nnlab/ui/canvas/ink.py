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


class Picture:
    """A picture put on the sheet, kept whole: cropping or resampling it for the paper would give
    the network another input than ``nnlab predict`` gives it for the same file.

    ``grey`` is the picture as decoded; ``box`` = (top, left, height, width) is where the paper
    shows it, in sheet pixels, aspect kept; ``shown`` is it at that size; ``working`` is it
    averaged down to at most ``2 × size`` pixels a side, for compositing ink onto while a stroke
    grows (a 4000-pixel photo would take a second per stroke at full size).
    """

    def __init__(self, grey: np.ndarray, size: int) -> None:
        from nnlab.data.transforms import resize_image

        self.grey = np.asarray(grey, dtype=np.float32)
        if self.grey.ndim != 2 or not self.grey.size:
            raise ValueError(f"expected an (H, W) grey picture, got shape {self.grey.shape}")
        height, width = self.grey.shape
        scale = size / max(height, width)
        shown_h, shown_w = max(1, round(height * scale)), max(1, round(width * scale))
        self.box = ((size - shown_h) // 2, (size - shown_w) // 2, shown_h, shown_w)
        self.working = _block_mean(self.grey, -(-max(height, width) // (2 * size)))
        self.shown = np.clip(resize_image(_block_mean(self.grey, min(height // shown_h, width // shown_w)),
                                          (shown_h, shown_w)), 0.0, 1.0)


def _block_mean(grey: np.ndarray, block: int) -> np.ndarray:
    """(H, W) averaged over block × block squares (a ragged edge is averaged over what it has)."""
    if block <= 1:
        return grey
    height, width = -(-grey.shape[0] // block), -(-grey.shape[1] // block)
    padded = np.pad(grey, ((0, height * block - grey.shape[0]), (0, width * block - grey.shape[1])), "edge")
    return padded.reshape(height, block, width, block).mean(axis=(1, 3), dtype=np.float32)


class InkSheet:
    """A square sheet of ink (1) on paper (0), an optional picture under it, and an undo stack.

    ``image()`` is what the paper shows: the picture (or white paper) darkened by the ink, grey
    in [0, 1] with 0 black. ``model_image()`` is what the transforms in ``nnlab.data.transforms``
    get: the sheet, or a picture at its own size and shape with the ink drawn over it.
    """

    def __init__(self, size: int = SHEET_PX) -> None:
        self.size = int(size)
        self.ink = np.zeros((self.size, self.size), np.float32)
        self.picture: Picture | None = None
        self._undo: list[tuple[np.ndarray, Picture | None]] = []
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
        self.picture = None
        self.version += 1

    def set_photo(self, grey: np.ndarray) -> None:
        """Put a picture (H, W) grey in [0, 1] under the ink, whole (fitted into the paper), ink cleared."""
        picture = Picture(grey, self.size)
        self._remember()
        self.picture = picture
        self.ink[...] = 0.0
        self.version += 1

    @property
    def photo(self) -> np.ndarray | None:
        """The picture under the ink as it was given, or None."""
        return None if self.picture is None else self.picture.grey

    def paper_box(self) -> tuple[int, int, int, int]:
        """(top, left, height, width) of what the paper shows, in sheet pixels: all of it, or the picture."""
        return (0, 0, self.size, self.size) if self.picture is None else self.picture.box

    def undo(self) -> bool:
        if not self._undo:
            return False
        self.ink, self.picture = self._undo.pop()
        self._last = None
        self.version += 1
        return True

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def is_blank(self) -> bool:
        return self.picture is None and not self.ink.any()

    def image(self) -> np.ndarray:
        """(size, size) grey, 0 black … 1 white: the paper, or the picture fitted into it (white
        around it), with the ink on it — what the paper shows."""
        if self.picture is None:
            return np.float32(1.0) - self.ink
        image = np.ones((self.size, self.size), np.float32)
        top, left, height, width = self.picture.box
        window = (slice(top, top + height), slice(left, left + width))
        image[window] = self.picture.shown * (np.float32(1.0) - self.ink[window])
        return image

    def model_image(self) -> np.ndarray:
        """What the dataset's transform gets, grey 0 black … 1 white: the sheet; or the picture as it
        was given, exactly as ``nnlab predict`` reads its file, while no ink is on it; or, with ink on
        it, the picture (averaged down to the working size) with the ink resampled over it."""
        if self.picture is None:
            return self.image()
        from nnlab.data.transforms import resize_image

        top, left, height, width = self.picture.box
        ink = self.ink[top:top + height, left:left + width]
        if not ink.any():
            return self.picture.grey
        working = self.picture.working
        over = np.clip(resize_image(ink, working.shape), 0.0, 1.0)
        return working * (np.float32(1.0) - over)

    def _remember(self) -> None:
        self._undo.append((self.ink.copy(), self.picture))
        del self._undo[:-MAX_UNDO]
