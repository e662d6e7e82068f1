"""Where the editor draws a convolutional network, decided without Qt: tiles, strips and neurons.

Column 0 is the input image; a convolution's or pooling's column is a grid of tiles, one feature map
each; the flatten is a thin strip; dense columns are neurons as in the dense picture. Every map is
drawn at one common scale (screen pixels per map pixel), so a pooling's maps come out smaller than the
convolution's they pool — the picture shows the maps shrink.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nnlab.engine.layers import CONV2D, DENSE, FLATTEN, POOL_KINDS, layer_word

from .layout_model import MAX_NEURONS, output_names, shown_neurons

MAX_TILES = 32  # maps drawn per layer; past this, "… N more" (64 tiles of 7×7 would be specks)
MIN_SCALE = 1.0  # screen pixels per map pixel: a 7×7 map stays at least 7 px
COLUMN_WIDTHS = {CONV2D: 1.5, **{kind: 1.15 for kind in POOL_KINDS}, "input": 1.2, FLATTEN: 0.4, DENSE: 0.6,
                 "output": 0.9}
"""Shares of the width (others 1.0): a convolution's many maps need the room, a flatten strip and a column
of neurons little — at 1280×720 the editor is ~470 px wide for LeNet's eight columns."""
CAPTION_GAP = 6.0
"""Screen pixels kept clear between neighbouring captions: with none, LeNet's "maxpool2" and "flatten" touched
at 1280×720 (the flatten's 0.4 share was narrower than its own word)."""
ARROW_ROOM = 18.0
"""Screen pixels a column keeps clear of its contents, half at each side: the flow arrow drawn across each
column boundary is 10 px long, plus 4 px of air at each end (tiles at 90 % of a column's width touched it)."""


@dataclass(frozen=True)
class ConvColumn:
    """One column: ``kind`` is "input", a layer kind ("conv2d", "maxpool2d", …, "flatten", "dense") or "output"."""

    title: str
    notes: str
    kind: str
    maps: tuple[int, int, int] | None  # (C, H, W) of a map column
    neurons: tuple[int, ...] = ()      # dense / output: the units drawn
    more: int = 0                      # maps or neurons left out
    names: tuple[str, ...] = ()
    frozen: bool = False

    @property
    def tiles(self) -> int:
        return min(self.maps[0], MAX_TILES) if self.maps else 0


def conv_columns(network, class_names: list[str] | None = None) -> list[ConvColumn]:
    """Column 0 is the input; column i ≥ 1 is ``network.layers[i - 1]``'s output (the sizes columns)."""
    c, h, w = network.input_shape
    columns = [ConvColumn(f"input · {h}×{w}" + (f" × {c}" if c > 1 else ""), "", "input", (c, h, w),
                          more=max(c - MAX_TILES, 0))]
    last = len(network.layers) - 1
    for index, (spec, shape) in enumerate(zip(network.layers, network.shapes)):
        notes = "❄ frozen" if spec.frozen else ""
        if spec.kind == CONV2D:
            f, ho, wo = shape.output_shape
            title = f"{layer_word(spec)} · {f}×{ho}×{wo} · {spec.activation}"
            columns.append(ConvColumn(title, notes, spec.kind, shape.output_shape, more=max(f - MAX_TILES, 0),
                                      frozen=spec.frozen))
        elif spec.kind in POOL_KINDS:
            ch, ho, wo = shape.output_shape
            title = f"{layer_word(spec)} · {ch}×{ho}×{wo}"
            columns.append(ConvColumn(title, "", spec.kind, shape.output_shape, more=max(ch - MAX_TILES, 0)))
        elif spec.kind == FLATTEN:
            columns.append(ConvColumn(f"flatten · {shape.output_shape[0]:,}", "", FLATTEN, None))
        else:
            width = spec.units
            neurons = tuple(int(n) for n in shown_neurons(width))
            names = output_names(width, class_names) if index == last else []
            title = f"output · {width} · {spec.activation}" if index == last else \
                f"{width:,} · {spec.activation}"
            notes = " · ".join(n for n in (notes, f"dropout {spec.dropout:g}" if spec.dropout else "") if n)
            columns.append(ConvColumn(title, notes, "output" if index == last else DENSE, None, neurons,
                                      width - len(neurons), tuple(names[n] for n in neurons) if names else (),
                                      spec.frozen))
    return columns


@dataclass(frozen=True)
class TileGrid:
    """A map column's tiles: tile k's top-left is (lefts[k], tops[k]); each is ``width`` × ``height`` screen
    pixels, ``scale`` per map pixel."""

    lefts: np.ndarray
    tops: np.ndarray
    width: float
    height: float
    scale: float  # screen pixels per map pixel


@dataclass(frozen=True)
class ConvGeometry:
    xs: list[float]                  # column centres
    cells: list[float]               # column widths: side by side, never overlapping
    grids: list[TileGrid | None]     # map columns
    neuron_ys: list[np.ndarray]      # dense / output columns
    radius: float
    strip: tuple[float, float] | None  # flatten strip's (top, bottom)
    label_top: float


def _fit_scale(maps: tuple[int, int, int], tiles: int, width: float, height: float) -> float:
    """The largest screen pixels per map pixel at which ``tiles`` maps fit in a ``width`` × ``height`` box."""
    _, h, w = maps
    best = 0.0
    gap = 3.0
    for columns in range(1, tiles + 1):
        rows = math.ceil(tiles / columns)
        scale = min((width - gap * (columns - 1)) / (columns * w), (height - gap * (rows - 1)) / (rows * h))
        best = max(best, scale)
    return best


def _inside(cell_width: float) -> float:
    """The width a column's tiles may take: clear of the flow arrows at its sides (at least half the column)."""
    return max(cell_width - ARROW_ROOM, cell_width * 0.5)


def column_widths(columns: list[ConvColumn], available: float, minimums=()) -> list[float]:
    """Each column's width: its share of ``available`` (``COLUMN_WIDTHS``), but never less than its minimum
    (what its caption's longest part needs). Columns held at their minimum leave the rest to the others, by
    their shares; when even the minimums do not fit, every column gets its minimum scaled down alike."""
    shares = [COLUMN_WIDTHS.get(c.kind, 1.0) for c in columns]
    minimums = [float(m) for m in minimums] if len(minimums) else [0.0] * len(columns)
    needed = sum(minimums)
    if needed >= available > 0:
        return [m * available / needed for m in minimums]
    held: set[int] = set()
    unit = available / max(sum(shares), 1e-9)
    while len(held) < len(columns):
        free = available - sum(minimums[i] for i in held)
        unit = free / sum(share for i, share in enumerate(shares) if i not in held)
        newly = {i for i, share in enumerate(shares) if i not in held and share * unit < minimums[i]}
        if not newly:
            break
        held |= newly
    return [minimums[i] if i in held else share * unit for i, share in enumerate(shares)]


def caption_rects(geometry: "ConvGeometry", captions: list[list[str]], advance, line: float) -> list[list[tuple]]:
    """Where each caption line is written, as (left, top, width, height) per line per column: centred under
    its column and no wider than the column less ``CAPTION_GAP``, so no two columns' captions meet.
    ``advance(text)``: its width on screen."""
    rects = []
    for x, cell, lines in zip(geometry.xs, geometry.cells, captions):
        room = max(cell - CAPTION_GAP, 1.0)
        rects.append([(x - min(advance(text), room) / 2, geometry.label_top + row * line, min(advance(text), room),
                       line) for row, text in enumerate(lines)])
    return rects


def conv_layout(columns: list[ConvColumn], width: float, height: float, caption_lines: int, line: float,
                names_width: float = 0.0, margin: float = 12.0, minimums=()) -> ConvGeometry:
    """Positions for a widget of ``width`` × ``height`` pixels; captions go underneath. ``minimums``: each
    column's least width (its caption's longest part), see :func:`column_widths`."""
    cells = column_widths(columns, max(width - 2 * margin - names_width, 1.0), minimums)
    label_top = height - margin - caption_lines * line
    top, bottom = margin, label_top - 8
    room = max(bottom - top, 1.0)
    xs, left = [], margin
    for cell_width in cells:
        xs.append(left + cell_width / 2)
        left += cell_width
    # one scale for every hidden map column (the input may be larger: it is one tile)
    scale = min([_fit_scale(c.maps, c.tiles, _inside(width_), room)
                 for c, width_ in zip(columns[1:], cells[1:]) if c.maps] or [1.0])
    scale = max(scale, MIN_SCALE)
    grids: list[TileGrid | None] = []
    ys: list[np.ndarray] = []
    slots = max([len(c.neurons) + (1 if c.more else 0) for c in columns if c.kind in (DENSE, "output")] or [1])
    pitch = room / max(slots, 1)
    radius = min(max(pitch * 0.36, 2.5), 9.0)
    for x, c, cell_width in zip(xs, columns, cells):
        if c.maps is None:
            grids.append(None)
            count = len(c.neurons) + (1 if c.more else 0)
            first = top + (room - count * pitch) / 2 + pitch / 2
            slot = np.arange(len(c.neurons), dtype=np.float64)
            if c.more:
                slot[len(c.neurons) // 2:] += 1
            ys.append(first + slot * pitch)
            continue
        ys.append(np.zeros(0))
        _, h, w = c.maps
        s = _fit_scale(c.maps, c.tiles, _inside(cell_width), room) if c.kind == "input" else min(
            scale, _fit_scale(c.maps, c.tiles, _inside(cell_width), room))
        gap = 3.0
        per_row = max(1, min(c.tiles, int((_inside(cell_width) + gap) // (w * s + gap))))
        rows = math.ceil(c.tiles / per_row)
        grid_w, grid_h = per_row * w * s + (per_row - 1) * gap, rows * h * s + (rows - 1) * gap
        k = np.arange(c.tiles)
        r, q = np.divmod(k, per_row)
        lefts = x - grid_w / 2 + q * (w * s + gap)
        tops = top + (room - grid_h) / 2 + r * (h * s + gap)
        grids.append(TileGrid(lefts.astype(float), tops.astype(float), w * s, h * s, s))
    strip = (top + room * 0.1, top + room * 0.9)
    return ConvGeometry(xs, cells, grids, ys, radius, strip, label_top)


def map_pixel_at(geometry: ConvGeometry, columns: list[ConvColumn], x: float, y: float):
    """(column, channel, row, col) of the map pixel under (x, y), or None."""
    for index, grid in enumerate(geometry.grids):
        if grid is None:
            continue
        inside = (x >= grid.lefts) & (x < grid.lefts + grid.width) & (y >= grid.tops) & (y < grid.tops + grid.height)
        hits = np.flatnonzero(inside)
        if hits.size:
            k = int(hits[0])
            _, h, w = columns[index].maps
            row = min(int((y - grid.tops[k]) / grid.scale), h - 1)
            col = min(int((x - grid.lefts[k]) / grid.scale), w - 1)
            return index, k, row, col
    return None


def neuron_at(geometry: ConvGeometry, columns: list[ConvColumn], x: float, y: float):
    """(column, unit) of the dense or output neuron under (x, y), or None."""
    for index, c in enumerate(columns):
        if c.maps is not None or not c.neurons or abs(x - geometry.xs[index]) > geometry.radius + 2:
            continue
        distance = np.abs(geometry.neuron_ys[index] - y)
        k = int(np.argmin(distance))
        if distance[k] <= geometry.radius + 2:
            return index, c.neurons[k]
    return None


def map_shades(maps: np.ndarray) -> np.ndarray:
    """-1..1 per value of one layer's maps (C, H, W): scaled by the layer's largest |value| (one scale for
    all its maps, so a quiet map looks quiet beside a loud one)."""
    maps = np.nan_to_num(np.asarray(maps, dtype=np.float64))
    peak = float(np.abs(maps).max()) if maps.size else 0.0
    return np.clip(maps / peak, -1.0, 1.0) if peak > 0 else np.zeros_like(maps)


__all__ = ["ARROW_ROOM", "CAPTION_GAP", "MAX_NEURONS", "ConvColumn", "ConvGeometry", "TileGrid", "caption_rects", "column_widths",
           "conv_columns", "conv_layout", "map_pixel_at", "map_shades", "neuron_at"]
