"""The editor's picture in two parts: where things go (once per layout) and which lines (once per snapshot).

Scrubbing and training change the weights, never the layout: the ``SceneLayout`` (neuron centres,
captions) is kept across snapshots, and a new snapshot only picks its strongest ``Connections`` with
array operations. Pens and ``QLineF``s are made only when a picture is rendered (``line_batches``),
which the canvas skips when it has already rendered the same picture. Lines are opaque colours mixed
with the background and flat-capped: translucent or round-capped antialiased lines are 10-40x slower
in Qt's raster engine.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

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


@dataclass(frozen=True)
class SceneLayout:
    """What depends on the architecture, the widget's size and font only: kept while the weights change."""

    geometry: Geometry
    captions: list[list[tuple[str, bool]]]


def build_layout(columns: list[Column], width: int, height: int, metrics) -> SceneLayout:
    names = columns[-1].names
    names_width = min(150.0, max(metrics.horizontalAdvance(n) for n in names) + 10.0) if names else 0.0
    cell = max(width - 24 - names_width, 1.0) / len(columns)
    captions = [[(text, False) for text in wrap(c.title, metrics, cell - 6)]
                + [(text, True) for text in wrap(c.notes, metrics, cell - 6)] for c in columns]
    geometry = layout(columns, width, height, max(map(len, captions)), float(metrics.height()), names_width)
    return SceneLayout(geometry, captions)


@dataclass(frozen=True)
class Connections:
    """The drawn lines of one snapshot, strongest first per layer, as arrays."""

    segments: np.ndarray   # (n, 4) x1 y1 x2 y2
    keys: np.ndarray       # (n,) pen of each line: strength level * 4 + positive * 2 + frozen
    ids: np.ndarray        # (n, 3) layer, source, target
    values: np.ndarray     # (n,) the weight

    @cached_property
    def refs(self) -> list[tuple[int, int, int, float]]:
        """(layer, source, target, weight) per line; made when a test, a tooltip or a click asks."""
        return [(a, b, c, v) for (a, b, c), v in zip(self.ids.tolist(), self.values.tolist())]

    @cached_property
    def picture_key(self) -> bytes:
        """Which lines with which pens, as a 128-bit digest: two snapshots with equal keys draw the same lines
        (in one layout)."""
        return hashlib.blake2b(self.keys.astype(np.int64).tobytes() + self.ids.astype(np.int64).tobytes(),
                               digest_size=16).digest()


NO_CONNECTIONS = Connections(np.zeros((0, 4)), np.zeros(0, np.int64), np.zeros((0, 3), np.int64), np.zeros(0))


def find_connections(columns: list[Column], network, geometry: Geometry, max_connections: int) -> Connections:
    """The strongest weights between the drawn neurons, their pens' keys and their pixel positions."""
    if network is None:
        return NO_CONNECTIONS
    blocks = [np.asarray(w)[np.ix_(columns[i + 1].neurons, columns[i].neurons)]
              for i, w in enumerate(network.weights)]
    parts = []  # per layer: x1 y1 x2 y2, key, layer source target, weight
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
        return NO_CONNECTIONS
    return Connections(*(np.concatenate([p[i] for p in parts]) for i in range(4)))


def line_pen(key: int, palette: QPalette) -> QPen:
    """The pen of one line key: darker and wider with strength, greyed for a frozen layer's weights."""
    level, is_positive, frozen = key // 4, bool(key & 2), bool(key & 1)
    strength = (level + 1) / STRENGTH_LEVELS
    positive, negative = sign_colours(palette)
    colour = positive if is_positive else negative
    if frozen:
        colour = mix(colour, palette.color(QPalette.ColorRole.Mid), 0.6)
    return QPen(mix(palette.color(QPalette.ColorRole.Window), colour, 0.15 + 0.85 * strength),
                0.6 + 2.2 * strength, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap)


def line_batches(connections: Connections, palette: QPalette) -> list[tuple[QPen, list[QLineF]]]:
    """(pen, lines) per key — a few drawLines calls of many lines — weakest first, so the strongest are on top."""
    return [(line_pen(key, palette), [QLineF(*row) for row in connections.segments[connections.keys == key].tolist()])
            for key in np.unique(connections.keys).tolist()]


@dataclass(frozen=True)
class Scene:
    """Everything one paint needs: the layout and the snapshot's connections."""

    layout: SceneLayout
    connections: Connections

    @property
    def geometry(self) -> Geometry:
        return self.layout.geometry

    @property
    def captions(self) -> list[list[tuple[str, bool]]]:
        return self.layout.captions

    @property
    def segments(self) -> np.ndarray:
        return self.connections.segments

    @property
    def refs(self) -> list[tuple[int, int, int, float]]:
        return self.connections.refs
