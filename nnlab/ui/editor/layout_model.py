"""What the editor draws and where, decided without Qt: columns, elided neurons, strongest weights.

Kept apart from the widget so the level-of-detail choices (collapsing wide layers, the
image grid, which connections are worth a line) are plain functions a test can call.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_NEURONS = 16           # drawn per hidden/output column; the rest are summarised as "… N more"
MAX_CONNECTIONS = 320      # lines drawn in total, shared fairly between layers
STRENGTH_LEVELS = 8        # lines are batched by sign and strength: a few pens per paint
PLACEHOLDER = "No network yet — choose a dataset, or pick a template above"


@dataclass(frozen=True)
class Column:
    """One drawn column: a layer's caption, which neurons appear, and how many do not."""

    title: str                  # "hidden 1 · 128 · relu"
    notes: str                  # "frozen · dropout 0.2", or ""
    neurons: tuple[int, ...]    # neuron indices drawn, top to bottom (every pixel for an image grid)
    more: int                   # neurons left out
    frozen: bool
    names: tuple[str, ...] = ()  # output column: a name per drawn neuron
    image_shape: tuple[int, int] | None = None  # input column drawn as a grid of pixels

    @property
    def more_text(self) -> str:
        return f"… {self.more:,} more" if self.more else ""


@dataclass(frozen=True)
class Geometry:
    """Pixel positions for one widget size: column centres, neuron centres, the "more" gaps."""

    xs: list[float]
    ys: list[np.ndarray]              # y of each drawn neuron, per column
    neuron_xs: list[np.ndarray]       # x of each drawn neuron (differs from xs only in an image grid)
    gaps: list[float | None]
    radius: float
    cell: float                       # width of one column
    pixel: float                      # side of one input-grid pixel (0 without a grid)
    label_top: float


def shown_neurons(width: int, limit: int = MAX_NEURONS) -> np.ndarray:
    """The first and last ``limit // 2`` neurons of a wide layer; all of a narrow one."""
    if width <= limit:
        return np.arange(width)
    head = limit // 2
    return np.concatenate([np.arange(head), np.arange(width - (limit - head), width)])


def strongest(blocks: list[np.ndarray], budget: int) -> list[np.ndarray]:
    """Flat indices of the largest |w| in each block, sharing ``budget`` fairly between blocks.

    A single global ranking would hand every line to the layer with the biggest weights
    (usually the last); here each block gets an equal share and unused shares pass on.
    """
    picks: list[np.ndarray] = [np.zeros(0, np.intp)] * len(blocks)
    remaining = max(int(budget), 0)
    for done, i in enumerate(sorted(range(len(blocks)), key=lambda k: blocks[k].size)):
        magnitude = np.abs(blocks[i]).ravel()
        take = min(magnitude.size, remaining // (len(blocks) - done))
        if take >= magnitude.size:
            chosen = np.arange(magnitude.size)
        elif take > 0:
            chosen = np.argpartition(magnitude, magnitude.size - take)[-take:]
        else:
            chosen = np.zeros(0, np.intp)
        picks[i] = chosen[np.argsort(-magnitude[chosen], kind="stable")]
        remaining -= len(chosen)
    return picks


def output_names(units: int, class_names: list[str] | None) -> list[str]:
    if not class_names:
        return []
    names = [str(name) for name in class_names]
    if units == 1 and len(names) == 2:  # one sigmoid unit: high means the second class
        return [f"{names[1]} (else {names[0]})"]
    return names if len(names) == units else []


def columns_for(sizes: list[int], layers: list, class_names: list[str] | None = None,
                image_shape: tuple[int, int] | None = None) -> list[Column]:
    """Column 0 is the input; column i ≥ 1 is ``layers[i - 1]``'s output."""
    columns = []
    grid = image_shape if image_shape and int(np.prod(image_shape)) == sizes[0] else None
    for index, width in enumerate(sizes):
        if index == 0:
            if grid:
                columns.append(Column(f"input · {grid[0]}×{grid[1]} pixels", "", tuple(range(width)), 0, False,
                                      image_shape=tuple(grid)))
            else:
                neurons = tuple(int(n) for n in shown_neurons(width))
                columns.append(Column(f"input · {width:,}", "", neurons, width - len(neurons), False))
            continue
        spec = layers[index - 1]
        last = index == len(sizes) - 1
        neurons = tuple(int(n) for n in shown_neurons(width))
        title = f"output · {width:,} · {spec.activation}" if last else \
            f"hidden {index} · {width:,} · {spec.activation}"
        notes = " · ".join(note for note in ("❄ frozen" if spec.frozen else "",
                                             f"dropout {spec.dropout:g}" if spec.dropout else "") if note)
        names = output_names(width, class_names) if last else []
        columns.append(Column(title, notes, neurons, width - len(neurons), bool(spec.frozen),
                              tuple(names[n] for n in neurons) if names else ()))
    return columns


def layout(columns: list[Column], width: float, height: float, caption_lines: int, line: float,
           names_width: float = 0.0, margin: float = 12.0) -> Geometry:
    """Neuron centres for a widget of ``width`` × ``height`` pixels; captions go underneath."""
    cell = max(width - 2 * margin - names_width, 1.0) / len(columns)
    label_top = height - margin - caption_lines * line
    top, bottom = margin, label_top - 8
    slots = max([len(c.neurons) + (1 if c.more else 0) for c in columns if c.image_shape is None] or [1])
    pitch = max(bottom - top, 1.0) / slots
    radius = min(max(pitch * 0.36, 2.5), 11.0)
    xs, ys, neuron_xs, gaps, pixel = [], [], [], [], 0.0
    for index, column in enumerate(columns):
        x = margin + cell * (index + 0.5)
        xs.append(x)
        if column.image_shape is not None:
            rows, cols = column.image_shape
            pixel = max(min((cell * 0.9) / cols, (bottom - top) / rows), 0.5)
            left, upper = x - pixel * cols / 2, top + (bottom - top - pixel * rows) / 2
            r, c = np.divmod(np.arange(rows * cols), cols)
            neuron_xs.append(left + (c + 0.5) * pixel)
            ys.append(upper + (r + 0.5) * pixel)
            gaps.append(None)
            continue
        count = len(column.neurons) + (1 if column.more else 0)
        first = top + (bottom - top - count * pitch) / 2 + pitch / 2
        slot = np.arange(len(column.neurons), dtype=np.float64)
        if column.more:
            head = len(column.neurons) // 2
            slot[head:] += 1
            gaps.append(first + head * pitch)
        else:
            gaps.append(None)
        ys.append(first + slot * pitch)
        neuron_xs.append(np.full(len(column.neurons), x))
    return Geometry(xs, ys, neuron_xs, gaps, radius, cell, pixel, label_top)


def strength_levels(values: np.ndarray) -> np.ndarray:
    """0..STRENGTH_LEVELS-1 per weight, relative to the strongest drawn weight of its layer."""
    if not values.size:
        return np.zeros(0, int)
    peak = float(np.abs(values).max()) or 1.0
    return np.minimum((np.abs(values) / peak * STRENGTH_LEVELS).astype(int), STRENGTH_LEVELS - 1)


def activation_shades(values: np.ndarray) -> np.ndarray:
    """-1..1 per neuron: an activation scaled by its column's largest |value| when that exceeds 1."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64).reshape(-1))
    peak = max(float(np.abs(values).max()) if values.size else 0.0, 1.0)
    return np.clip(values / peak, -1.0, 1.0)


def nearest_segment(points: np.ndarray, x: float, y: float, tolerance: float) -> int | None:
    """Index of the segment (x1, y1, x2, y2 rows) nearest to (x, y) within ``tolerance`` px."""
    if not len(points):
        return None
    start, end = points[:, :2], points[:, 2:]
    direction = end - start
    length2 = np.maximum((direction ** 2).sum(axis=1), 1e-9)
    t = np.clip(((np.array([x, y]) - start) * direction).sum(axis=1) / length2, 0.0, 1.0)
    closest = start + direction * t[:, None]
    distance = np.hypot(closest[:, 0] - x, closest[:, 1] - y)
    best = int(np.argmin(distance))
    return best if distance[best] <= tolerance else None
