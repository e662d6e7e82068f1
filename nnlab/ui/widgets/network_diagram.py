"""A read-only picture of a network: columns of neurons, its strongest weights as lines.

Why it stays this simple: it fills the main window until the network editor replaces it.
Training sends weight snapshots several times a second, so ``set_weights`` copies only the
few weights that can be drawn (at most 16 × 16 per layer, so the caller's arrays are never
kept) and the strongest of those are chosen once per snapshot, at the next paint. Wide
layers show their first and last neurons around an "… N more" gap.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from .diagram_model import MAX_CONNECTIONS, PLACEHOLDER, STRENGTH_LEVELS, Column, columns_for, strongest


def _mix(base: QColor, full: QColor, amount: float) -> QColor:
    amount = min(max(amount, 0.0), 1.0)
    return QColor.fromRgbF(*(b + (f - b) * amount for b, f in zip(base.getRgbF()[:3], full.getRgbF()[:3])))


def _wrap(text: str, metrics, width: float) -> list[str]:
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
class _Layout:
    xs: list[float]
    ys: list[np.ndarray]          # y of each drawn neuron, per column
    gaps: list[float | None]      # y of the "… N more" text, per column
    radius: float
    cell: float
    label_top: float
    captions: list[list[tuple[str, bool]]]   # per column: (line, is_note)


class NetworkDiagram(QWidget):
    """Columns of neurons (one per layer) joined by their strongest weights.

    Blue lines are positive weights, orange negative; stronger weights are wider and more
    opaque, relative to the strongest drawn weight of their layer.
    """

    def __init__(self, parent: QWidget | None = None, *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(parent)
        self._max_connections = max_connections
        self._sizes: list[int] = []
        self._columns: list[Column] = []
        self._weights: list[np.ndarray] | None = None       # drawn sub-matrices, (out, in)
        self._brightness: list[np.ndarray | None] | None = None
        self._selection: list[np.ndarray] | None = None     # cached per snapshot
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Network diagram")

    # -- data -------------------------------------------------------------------------------
    def set_network(self, sizes: list[int], layers: list, class_names: list[str] | None = None) -> None:
        """Show an architecture; weights and activations survive only if the sizes are unchanged."""
        sizes = [int(n) for n in sizes]
        if len(sizes) < 2 or len(layers) != len(sizes) - 1 or min(sizes) < 1:
            raise ValueError(f"sizes {sizes} do not match {len(layers)} layers")
        if any(spec.units != width for spec, width in zip(layers, sizes[1:])):
            raise ValueError(f"layer widths {[spec.units for spec in layers]} differ from sizes {sizes[1:]}")
        columns = columns_for(sizes, list(layers), class_names)
        if sizes != self._sizes:
            self._weights = self._brightness = self._selection = None
        self._sizes, self._columns = sizes, columns
        self.update()

    def set_from_network(self, network, class_names: list[str] | None = None) -> None:
        """Convenience: architecture and current weights of an engine ``Network``."""
        self.set_network(network.sizes, network.layers, class_names)
        self.set_weights(network.weights)

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Keep a copy of the drawable part of a weight snapshot; stale shapes are ignored.

        A snapshot queued by a worker can arrive after the architecture changed, so a
        mismatch is dropped rather than raised.
        """
        expected = list(zip(self._sizes[1:], self._sizes[:-1]))
        if len(weights) != len(expected) or any(np.shape(w) != shape for w, shape in zip(weights, expected)):
            return
        self._weights = [np.asarray(w)[np.ix_(self._columns[i + 1].neurons, self._columns[i].neurons)]
                         for i, w in enumerate(weights)]  # fancy indexing: always a copy
        self._selection = None
        self.update()

    def set_activations(self, activations: list[np.ndarray | None]) -> None:
        """Shade neurons by activation, one 1-D array per column (input first); None skips one.

        Shading runs from the background (0) towards the text colour (1), so it never looks
        like a weight's blue or orange. Values in 0..1 are used as they are; a column reaching
        above 1 (ReLU) is scaled by its largest drawn value; negatives show as 0. A list that
        does not fit the network (a stale one) is ignored, like a stale weight snapshot.
        """
        if len(activations) != len(self._sizes):
            return
        brightness: list[np.ndarray | None] = []
        for column, width, values in zip(self._columns, self._sizes, activations):
            if values is None or np.size(values) != width:
                brightness.append(None)
                continue
            drawn = np.nan_to_num(np.asarray(values, dtype=np.float64).reshape(-1)[list(column.neurons)])
            brightness.append(np.clip(drawn / max(float(drawn.max()), 1.0), 0.0, 1.0))
        self._brightness = brightness
        self.update()

    def clear(self) -> None:
        self._sizes, self._columns = [], []
        self._weights = self._brightness = self._selection = None
        self.update()

    # -- drawing model (what tests check) ---------------------------------------------------
    def placeholder(self) -> str:
        """The text shown instead of a network, or "" when a network is shown."""
        return "" if self._columns else PLACEHOLDER

    def column(self, index: int) -> Column:
        """Column 0 is the input, column i (i ≥ 1) is layer i - 1's output."""
        return self._columns[index]

    def visible_neurons(self, column: int) -> list[int]:
        return list(self._columns[column].neurons)

    def neuron_brightness(self, column: int) -> np.ndarray | None:
        """0..1 shading of the drawn neurons of a column, or None when it is not shaded."""
        shades = self._brightness[column] if self._brightness else None
        return None if shades is None else shades.copy()

    def visible_connections(self) -> list[tuple[int, int, int, float]]:
        """(layer, from neuron, to neuron, weight) per drawn line; strongest first per layer.

        ``layer`` i joins column i to column i + 1, as ``weights[layer][to, from]`` does.
        """
        connections = []
        for layer, (pairs, block) in enumerate(zip(self._selected(), self._weights or [])):
            sources, targets = self._columns[layer].neurons, self._columns[layer + 1].neurons
            rows, cols = np.unravel_index(pairs, block.shape)
            connections += [(layer, sources[c], targets[r], float(block[r, c])) for r, c in zip(rows, cols)]
        return connections

    def _selected(self) -> list[np.ndarray]:
        if self._weights is None:
            return []
        if self._selection is None:
            self._selection = strongest(self._weights, self._max_connections)
        return self._selection

    # -- painting ---------------------------------------------------------------------------
    def sizeHint(self) -> QSize:
        return QSize(720, 460)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 180)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self._columns:
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QRectF(self.rect()).adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, PLACEHOLDER)
            return
        layout = self._layout()
        self._paint_connections(painter, layout)
        self._paint_frozen_bands(painter, layout)
        self._paint_neurons(painter, layout)
        self._paint_labels(painter, layout)

    def _layout(self) -> _Layout:
        metrics = self.fontMetrics()
        margin, line = 12.0, float(metrics.height())
        names = self._columns[-1].names
        names_width = min(150.0, max(metrics.horizontalAdvance(n) for n in names) + 10.0) if names else 0.0
        cell = max(self.width() - 2 * margin - names_width, 1.0) / len(self._columns)
        captions = [[(text, False) for text in _wrap(column.title, metrics, cell - 6)]
                    + [(text, True) for text in _wrap(column.notes, metrics, cell - 6)]
                    for column in self._columns]
        label_top = self.height() - margin - max(map(len, captions)) * line
        top, bottom = margin, label_top - 8
        slots = max(len(c.neurons) + (1 if c.more else 0) for c in self._columns)
        pitch = max(bottom - top, 1.0) / slots
        radius = min(max(pitch * 0.36, 2.5), 11.0)
        xs, ys, gaps = [], [], []
        for index, column in enumerate(self._columns):
            xs.append(margin + cell * (index + 0.5))
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
        return _Layout(xs, ys, gaps, radius, cell, label_top, captions)

    def _sign_colours(self) -> tuple[QColor, QColor]:
        dark = self.palette().color(QPalette.ColorRole.Window).lightness() < 128
        return QColor("#5eb0ff" if dark else "#1f63b4"), QColor("#ffa040" if dark else "#d95f02")

    def _paint_frozen_bands(self, painter: QPainter, layout: _Layout) -> None:
        """A hatched strip over each frozen column's line ends: its weights will not change."""
        palette = self.palette()
        veil = QColor(palette.color(QPalette.ColorRole.Window))
        veil.setAlpha(190)
        hatch = QBrush(palette.color(QPalette.ColorRole.Mid), Qt.BrushStyle.BDiagPattern)
        pad, rim = layout.radius + 8, layout.radius + 4
        painter.setPen(Qt.PenStyle.NoPen)
        for x, ys, column in zip(layout.xs, layout.ys, self._columns):
            if column.frozen:
                band = QRectF(x - pad, float(ys[0]) - rim, 2 * pad, float(ys[-1] - ys[0]) + 2 * rim)
                for brush in (QBrush(veil), hatch):
                    painter.setBrush(brush)
                    painter.drawRoundedRect(band, rim / 2, rim / 2)

    def _paint_connections(self, painter: QPainter, layout: _Layout) -> None:
        """Lines run centre to centre under the neurons, with flat caps and opaque colours.

        Opacity is imitated by mixing with the background: translucent or round-capped
        antialiased lines are 10-40x slower in Qt's raster engine, far beyond a 16 ms frame.
        """
        palette = self.palette()
        background = palette.color(QPalette.ColorRole.Window)
        if self._weights is None:  # architecture only: faint wiring between drawn neurons
            painter.setPen(QPen(_mix(background, palette.color(QPalette.ColorRole.Text), 0.12), 0.8))
            for i in range(len(self._columns) - 1):
                x1, x2 = layout.xs[i], layout.xs[i + 1]
                painter.drawLines([QLineF(x1, y1, x2, y2) for y1 in layout.ys[i].tolist()
                                   for y2 in layout.ys[i + 1].tolist()])
            return
        positive, negative = self._sign_colours()
        grey = palette.color(QPalette.ColorRole.Mid)
        batches: dict[tuple[int, bool, bool], list[QLineF]] = {}
        for layer, (pairs, block) in enumerate(zip(self._selected(), self._weights)):
            if not pairs.size:
                continue
            rows, cols = np.unravel_index(pairs, block.shape)
            values = block[rows, cols]
            peak = float(np.abs(values).max()) or 1.0
            levels = np.minimum((np.abs(values) / peak * STRENGTH_LEVELS).astype(int), STRENGTH_LEVELS - 1)
            x1, x2 = layout.xs[layer], layout.xs[layer + 1]
            y1s, y2s = layout.ys[layer][cols], layout.ys[layer + 1][rows]
            frozen = self._columns[layer + 1].frozen
            for level, value, y1, y2 in zip(levels.tolist(), values.tolist(), y1s.tolist(), y2s.tolist()):
                batches.setdefault((level, value >= 0, frozen), []).append(QLineF(x1, y1, x2, y2))
        for (level, is_positive, frozen), lines in sorted(batches.items()):  # strongest on top
            strength = (level + 1) / STRENGTH_LEVELS
            colour = positive if is_positive else negative
            if frozen:
                colour = _mix(colour, grey, 0.6)
            painter.setPen(QPen(_mix(background, colour, 0.15 + 0.85 * strength), 0.6 + 2.2 * strength,
                                Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            painter.drawLines(lines)

    def _paint_neurons(self, painter: QPainter, layout: _Layout) -> None:
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        grey = palette.color(QPalette.ColorRole.Mid)
        outline = _mix(palette.color(QPalette.ColorRole.Window), text, 0.7)
        hatch = QBrush(grey, Qt.BrushStyle.BDiagPattern)
        r = layout.radius
        for index, column in enumerate(self._columns):
            x, ys = layout.xs[index], layout.ys[index]
            shades = self._brightness[index] if self._brightness else None
            painter.setPen(QPen(grey if column.frozen else outline, 1.2))
            painter.setBrush(_mix(base, grey, 0.35) if column.frozen else base)
            for k, y in enumerate(ys.tolist()):
                if shades is not None:
                    painter.setBrush(_mix(base, text, 0.85 * float(shades[k])))
                painter.drawEllipse(QPointF(x, y), r, r)
            if column.frozen:
                painter.setBrush(hatch)
                for y in ys.tolist():
                    painter.drawEllipse(QPointF(x, y), r, r)
            if column.more:
                self._paint_more(painter, column.more_text, x, layout.gaps[index], layout.cell)
            self._paint_names(painter, column.names, x + r + 6, ys)

    def _paint_more(self, painter: QPainter, text: str, x: float, y: float, cell: float) -> None:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(cell - 4))
        width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
        box = QRectF(x - width / 2, y - height / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette().color(QPalette.ColorRole.Window))
        painter.drawRoundedRect(box, height / 2, height / 2)
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.font())

    def _paint_names(self, painter: QPainter, names: tuple[str, ...], x: float, ys) -> None:
        if not names:
            return
        metrics = self.fontMetrics()
        width = max(self.width() - x - 4, 10.0)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        for name, y in zip(names, ys.tolist()):
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(width))
            painter.drawText(QRectF(x, y - metrics.height() / 2, width, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_labels(self, painter: QPainter, layout: _Layout) -> None:
        line = self.fontMetrics().height()
        text, note = (self.palette().color(role) for role in
                      (QPalette.ColorRole.Text, QPalette.ColorRole.PlaceholderText))
        width = layout.cell - 6
        for x, lines in zip(layout.xs, layout.captions):
            for row, (caption, is_note) in enumerate(lines):
                painter.setPen(note if is_note else text)
                painter.drawText(QRectF(x - width / 2, layout.label_top + row * line, width, line),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, caption)
