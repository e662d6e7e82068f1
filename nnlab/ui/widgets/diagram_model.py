"""What the network diagram draws, decided without Qt: which neurons, which lines, which labels.

Kept apart from the widget so the choices (collapsing wide layers, the strongest weights)
are plain functions a test can call directly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_NEURONS = 16           # drawn per column; the rest are summarised as "… N more"
MAX_CONNECTIONS = 300      # lines drawn in total, shared fairly between layers
STRENGTH_LEVELS = 8        # lines are batched by sign and strength: a few pens per paint
PLACEHOLDER = "No network yet — choose a dataset and press Start"


@dataclass(frozen=True)
class Column:
    """One drawn column: a layer's caption, which neurons appear, and how many do not."""

    title: str                  # "hidden 1 · 128 · relu"
    notes: str                  # "frozen · dropout 0.2", or ""
    neurons: tuple[int, ...]    # neuron indices drawn, top to bottom
    more: int                   # neurons left out
    frozen: bool
    names: tuple[str, ...] = ()  # output column: a name per drawn neuron

    @property
    def more_text(self) -> str:
        return f"… {self.more:,} more" if self.more else ""


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


def columns_for(sizes: list[int], layers: list, class_names: list[str] | None) -> list[Column]:
    columns = []
    for index, width in enumerate(sizes):
        neurons = tuple(int(n) for n in shown_neurons(width))
        more = width - len(neurons)
        if index == 0:
            columns.append(Column(f"input {width:,}", "", neurons, more, False))
            continue
        spec = layers[index - 1]
        last = index == len(sizes) - 1
        title = f"output {width:,} · {spec.activation}" if last else \
            f"hidden {index} · {width:,} · {spec.activation}"
        notes = " · ".join(note for note in ("frozen" if spec.frozen else "",
                                             f"dropout {spec.dropout:g}" if spec.dropout else "") if note)
        names = output_names(width, class_names) if last else ()
        columns.append(Column(title, notes, neurons, more, bool(spec.frozen),
                              tuple(names[n] for n in neurons) if names else ()))
    return columns


def output_names(units: int, class_names: list[str] | None) -> list[str]:
    if not class_names:
        return []
    names = [str(name) for name in class_names]
    if units == 1 and len(names) == 2:  # one sigmoid unit: high means the second class
        return [f"{names[1]} (else {names[0]})"]
    if len(names) != units:
        raise ValueError(f"{len(names)} class names for an output layer of {units} units")
    return names
