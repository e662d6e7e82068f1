"""The editor's picture for one snapshot and one widget size: captions, line batches, hit-test segments.

Built once per snapshot (once a second while training) with array operations and replayed by every
paint. Lines are opaque colours mixed with the background and flat-capped: translucent or
round-capped antialiased lines are 10-40x slower in Qt's raster engine.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, Qt
from PySide6.QtGui import QPalette, QPen

from ..colours import mix, sign_colours
from .layout_model import STRENGTH_LEVELS, Column, Geometry, layout, strength_levels, strongest


def wrap(text: str, metrics, width: float) -> list[str]:
    """Break a caption at its " · " joints to fit ``width``; a part still too long is elided."""
    lines: list[str] = []
    for part in text.split(" · ") if text else []:
        joined = f"{lines[-1]} · {part}" if lines else part
        if lines and metrics.horizontalAdvance(joined) <= width:
            lines[-1] = joined
        else:
            lines.append(part)
    return [metrics.elidedText(line, Qt.TextElideMode.ElideRight, int(width)) for line in lines]


@dataclass
class Scene:
    """Everything one paint needs for one snapshot and widget size."""

    geometry: Geometry
    captions: list[list[tuple[str, bool]]]
    batches: list[tuple[QPen, list[QLineF]]]
    segments: np.ndarray           # (n, 4) x1 y1 x2 y2 of every drawn line
    refs: list[tuple[int, int, int, float]]  # (layer, source, target, weight) per segment


def build_scene(columns: list[Column], network, width: int, height: int, metrics, palette: QPalette,
                max_connections: int) -> Scene:
    names = columns[-1].names
    names_width = min(150.0, max(metrics.horizontalAdvance(n) for n in names) + 10.0) if names else 0.0
    cell = max(width - 24 - names_width, 1.0) / len(columns)
    captions = [[(text, False) for text in wrap(c.title, metrics, cell - 6)]
                + [(text, True) for text in wrap(c.notes, metrics, cell - 6)] for c in columns]
    geometry = layout(columns, width, height, max(map(len, captions)), float(metrics.height()), names_width)
    batches, segments, refs = connection_batches(columns, network, geometry, palette, max_connections)
    return Scene(geometry, captions, batches, segments, refs)


def connection_batches(columns: list[Column], network, geometry: Geometry, palette: QPalette,
                       max_connections: int):
    """Line batches (pen, lines) per sign × strength × frozen, built with array operations."""
    if network is None:
        return [], np.zeros((0, 4)), []
    blocks = [np.asarray(w)[np.ix_(columns[i + 1].neurons, columns[i].neurons)]
              for i, w in enumerate(network.weights)]
    parts = []  # per layer: x1 y1 x2 y2, key, layer, source, target, weight
    for layer, (pairs, block) in enumerate(zip(strongest(blocks, max_connections), blocks)):
        if not pairs.size:
            continue
        rows, cols = np.unravel_index(pairs, block.shape)
        values = block[rows, cols].astype(np.float64)
        frozen = columns[layer + 1].frozen
        key = strength_levels(values) * 4 + (values >= 0) * 2 + int(frozen)
        xy = np.column_stack([geometry.neuron_xs[layer][cols], geometry.ys[layer][cols],
                              geometry.neuron_xs[layer + 1][rows], geometry.ys[layer + 1][rows]])
        ids = np.column_stack([np.full(len(rows), layer), np.asarray(columns[layer].neurons)[cols],
                               np.asarray(columns[layer + 1].neurons)[rows]])
        parts.append((xy, key, ids, values))
    if not parts:
        return [], np.zeros((0, 4)), []
    segments = np.concatenate([p[0] for p in parts])
    keys = np.concatenate([p[1] for p in parts])
    ids = np.concatenate([p[2] for p in parts])
    values = np.concatenate([p[3] for p in parts])
    refs = [(int(a), int(b), int(c), float(v)) for (a, b, c), v in zip(ids.tolist(), values.tolist())]
    background = palette.color(QPalette.ColorRole.Window)
    positive, negative = sign_colours(palette)
    grey = palette.color(QPalette.ColorRole.Mid)
    batches = []
    for key in np.unique(keys).tolist():  # ascending strength: the strongest are drawn on top
        level, is_positive, frozen = key // 4, bool(key & 2), bool(key & 1)
        strength = (level + 1) / STRENGTH_LEVELS
        colour = positive if is_positive else negative
        if frozen:
            colour = mix(colour, grey, 0.6)
        pen = QPen(mix(background, colour, 0.15 + 0.85 * strength), 0.6 + 2.2 * strength,
                   Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)
        batches.append((pen, [QLineF(*row) for row in segments[keys == key].tolist()]))
    return batches, segments, refs
