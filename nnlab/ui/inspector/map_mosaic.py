"""One layer's feature maps (C, H, W) side by side in one image, and which map pixel each image pixel is.

The Layer tab draws a convolution's or pooling's maps with one ``GridImage`` (one colour scale for the
whole layer, so a quiet map looks quiet beside a loud one); this lays them out on a near-square grid
with a one-pixel gap, and answers "which map, which pixel" for the mouse. No Qt: NumPy only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

GAP = 1  # image pixels between two maps: wide enough for the outline drawn round each


@dataclass(frozen=True)
class Mosaic:
    image: np.ndarray   # (rows, columns) values, NaN in the gaps
    channel: np.ndarray  # (rows, columns) the map each image pixel shows, -1 in the gaps
    row: np.ndarray      # (rows, columns) the pixel's row in its map
    col: np.ndarray      # (rows, columns) the pixel's column in its map
    tiles: tuple[int, int]  # maps per column of the grid, maps per row
    map_shape: tuple[int, int]

    def at(self, index: int) -> tuple[int, int, int] | None:
        """(channel, row, col) of the image's flat pixel ``index`` (row-major), or None in a gap."""
        if not 0 <= index < self.image.size:
            return None
        channel = int(self.channel.flat[index])
        return None if channel < 0 else (channel, int(self.row.flat[index]), int(self.col.flat[index]))

    def index_of(self, channel: int, row: int, col: int) -> int:
        """The image's flat pixel index of map pixel (channel, row, col)."""
        top, left = self.origin(channel)
        return (top + row) * self.image.shape[1] + left + col

    def origin(self, channel: int) -> tuple[int, int]:
        """(top, left) of map ``channel`` in the image."""
        h, w = self.map_shape
        grid_row, grid_col = divmod(channel, self.tiles[1])
        return grid_row * (h + GAP), grid_col * (w + GAP)


def maps_per_row(count: int, map_shape: tuple[int, int], box: tuple[float, float] | None = None) -> int:
    """How many maps side by side draw them largest in a ``box`` of (width, height) screen pixels (a near-square
    grid, ⌈√count⌉ across, without one): eight maps in a wide, low inspector go 4 × 2, not 3 × 3."""
    if box is None or min(box) <= 0:
        return max(1, math.ceil(math.sqrt(count)))
    h, w = map_shape
    width, height = box

    def scale(per_row: int) -> float:
        rows = math.ceil(count / per_row)
        return min(width / (per_row * (w + GAP) - GAP), height / (rows * (h + GAP) - GAP))
    return max(range(1, count + 1), key=lambda per_row: (scale(per_row), -per_row))


def mosaic(maps: np.ndarray, box: tuple[float, float] | None = None) -> Mosaic:
    """``maps``: (C, H, W) of one sample, left to right, top to bottom, as many in a row as draws them largest
    in ``box`` (the picture's (width, height) on screen; without one, a near-square grid)."""
    maps = np.asarray(maps, dtype=np.float64)
    count, h, w = maps.shape
    per_row = maps_per_row(count, (h, w), box)
    rows = math.ceil(count / per_row)
    shape = (rows * (h + GAP) - GAP, per_row * (w + GAP) - GAP)
    image = np.full(shape, np.nan)
    channel, row, col = (np.full(shape, -1, np.int64) for _ in range(3))
    local_rows, local_cols = np.indices((h, w))
    built = Mosaic(image, channel, row, col, (rows, per_row), (h, w))
    for k in range(count):
        top, left = built.origin(k)
        image[top:top + h, left:left + w] = maps[k]
        channel[top:top + h, left:left + w] = k
        row[top:top + h, left:left + w] = local_rows
        col[top:top + h, left:left + w] = local_cols
    return built


def tile_outlines(built: Mosaic) -> tuple[np.ndarray, np.ndarray]:
    """x and y of a rectangle round every map, NaN between them (one ``PlotDataItem`` with connect="finite")."""
    h, w = built.map_shape
    xs, ys = [], []
    for k in range(int(built.channel.max()) + 1):
        top, left = built.origin(k)
        xs += [left, left + w, left + w, left, left, np.nan]
        ys += [top, top, top + h, top + h, top, np.nan]
    return np.array(xs, np.float64), np.array(ys, np.float64)
