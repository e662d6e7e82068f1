"""The editor's drawing: columns of neurons joined by their strongest weights, live from snapshots.

Blue lines are positive weights, orange negative; stronger weights are wider and darker,
relative to the strongest drawn weight of their layer. The layout (neuron centres,
captions; ``scene.py``) is made once per architecture and widget size, the drawn connections once
per snapshot; the picture is rendered into a pixmap (``canvas_painter.py``) once per change, and kept
(``picture_cache.py``): a paint between two changes (hover), or back at a picture already seen
(scrubbing), only blits it.
"""
from __future__ import annotations

import hashlib
import time

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..colours import quiet_text, sign_colours
from .layout_model import MAX_CONNECTIONS, PLACEHOLDER, Column, activation_shades, nearest_segment
from .canvas_painter import FILL_LEVELS, CanvasPainter
from .picture_cache import PictureCache
from .scene import Scene, SceneLayout, build_layout, find_connections

HIT_TOLERANCE = 4.0


class NetworkCanvas(QWidget):
    """Draws one network; clicking picks a layer, a neuron or a connection (see the signals)."""

    layer_clicked = Signal(int)               # sizes-column
    neuron_clicked = Signal(int, int)         # sizes-column, unit
    connection_clicked = Signal(int, int, int)  # layer, source, target (ConnectionRef order)

    def __init__(self, parent: QWidget | None = None, *, max_connections: int = MAX_CONNECTIONS) -> None:
        super().__init__(parent)
        self.max_connections = max_connections
        self.columns: list[Column] = []
        self.sizes: list[int] = []
        self._snapshot = None
        self._shades: list[np.ndarray | None] | None = None
        self._fill_levels: list[np.ndarray] | None = None  # the shades as drawn: FILL_LEVELS steps per sign
        self._shading_key = b""
        self._current_layer: int | None = None
        self._selected: tuple[int, int] | None = None
        self._hovered: int | None = None
        self._layout: SceneLayout | None = None  # kept while only the weights change
        self._scene_cache: Scene | None = None
        self._picture: QPixmap | None = None   # the rendered scene, shading, current layer, selection
        self.kept_pictures = PictureCache()    # pictures already rendered, by what they show (bounded)
        self.paints = self.renders = 0
        self.last_paint_seconds, self.last_paint_fresh = 0.0, False
        self.paint_log: list[tuple[float, bool]] | None = None
        self.setMouseTracking(True)
        # A click takes the keyboard focus, as a learner expects: the field left behind applies its typing
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # the picture covers every pixel
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Network editor drawing")

    # -- data -------------------------------------------------------------------------------
    def set_columns(self, columns: list[Column], sizes: list[int]) -> None:
        """A new architecture (or an edit of its captions, freezing): the old snapshot may no longer fit."""
        self.columns, self.sizes = list(columns), list(sizes)
        if self._snapshot is not None and self._snapshot.sizes != self.sizes:
            self._snapshot = None
            self._set_shades(None)
        self._relayout()

    def set_snapshot(self, network) -> bool:
        """An independent network copy (never the live one); one of another architecture is ignored."""
        if network is not None and network.sizes != self.sizes:
            return False
        self._snapshot = network
        self._invalidate()
        return True

    def set_activations(self, activations: list[np.ndarray] | None) -> None:
        """One array per column (input first), shaded -1..1; None clears the shading."""
        if activations is None or len(activations) != len(self.columns):
            self._set_shades(None)
        else:
            self._set_shades([activation_shades(np.asarray(a).reshape(-1)[list(c.neurons)])
                              for a, c in zip(activations, self.columns)])
        self._repicture()

    def _set_shades(self, shades: list[np.ndarray] | None) -> None:
        """The shades, and what a picture of them depends on: each circle's fill level, the grid's exact shades."""
        self._shades = shades
        if shades is None:
            self._fill_levels, self._shading_key = None, b""
            return
        self._fill_levels = [np.round(s * FILL_LEVELS).astype(np.int64) for s in shades]
        drawn = b"|".join((s if c.image_shape is not None else level).tobytes()
                          for s, level, c in zip(shades, self._fill_levels, self.columns))
        self._shading_key = hashlib.blake2b(drawn, digest_size=16).digest()  # kept pictures' keys stay small

    def set_current_layer(self, column: int | None) -> None:
        self._current_layer = column
        self._repicture()

    def set_selected_neuron(self, neuron: tuple[int, int] | None) -> None:
        self._selected = neuron
        self._repicture()

    def _relayout(self) -> None:
        """Columns, size or font changed: every position moves, and no kept picture fits any more."""
        self._layout = None
        self.kept_pictures.clear()
        self._invalidate()

    def _invalidate(self) -> None:
        """New weights (or a new layout): other connections; the layout stays."""
        self._scene_cache = self._picture = None
        self._hovered = None
        self.update()

    def _repicture(self) -> None:
        self._picture = None
        self.update()

    def resizeEvent(self, event) -> None:
        self._relayout()
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.FontChange:  # the captions' line breaks and the names' width
            self._relayout()
        self._picture = None  # palette changes: kept pictures are keyed by the palette, they stay
        super().changeEvent(event)

    # -- what is drawn (tests read these) ---------------------------------------------------
    def visible_connections(self) -> list[tuple[int, int, int, float]]:
        """(layer, source, target, weight) per drawn line, strongest first per layer."""
        return list(self._scene().refs) if self.columns else []

    def neuron_position(self, column: int, unit: int) -> QPointF:
        geometry = self._scene().geometry
        k = self.columns[column].neurons.index(unit)
        return QPointF(float(geometry.neuron_xs[column][k]), float(geometry.ys[column][k]))

    def connection_midpoint(self, index: int) -> QPointF:
        x1, y1, x2, y2 = self._scene().segments[index]
        return QPointF((x1 + x2) / 2, (y1 + y2) / 2)

    def shade(self, column: int) -> np.ndarray | None:
        return None if self._shades is None else self._shades[column].copy()

    # -- hit testing ------------------------------------------------------------------------
    def neuron_at(self, point: QPointF) -> tuple[int, int] | None:
        if not self.columns:
            return None
        geometry = self._scene().geometry
        reach = max(geometry.radius, geometry.pixel / 2) + 1
        for index, column in enumerate(self.columns):
            if abs(point.x() - geometry.xs[index]) > geometry.cell / 2:
                continue
            dx = geometry.neuron_xs[index] - point.x()
            dy = geometry.ys[index] - point.y()
            near = np.hypot(dx, dy) if column.image_shape is None else np.maximum(abs(dx), abs(dy))
            if near.size and float(near.min()) <= reach:
                return index, column.neurons[int(np.argmin(near))]
        return None

    def column_at(self, point: QPointF) -> int | None:
        if not self.columns:
            return None
        geometry = self._scene().geometry
        index = int((point.x() - (geometry.xs[0] - geometry.cell / 2)) // geometry.cell)
        return index if 0 <= index < len(self.columns) else None

    def connection_at(self, point: QPointF) -> int | None:
        """Index into ``visible_connections()`` of the line under ``point``, if any."""
        if not self.columns:
            return None
        return nearest_segment(self._scene().segments, point.x(), point.y(), HIT_TOLERANCE)

    def tooltip_at(self, point: QPointF) -> str:
        index = self.connection_at(point)
        if index is None:
            return ""
        layer, source, target, weight = self._scene().refs[index]
        exact = str(self._snapshot.dtype.type(weight))  # the shortest text that is exactly this float
        return (f"w = {exact}\nfrom {self._name(layer, source)} to {self._name(layer + 1, target)}\n"
                f"weights[{layer}][{target}, {source}]")

    def _name(self, column: int, unit: int) -> str:
        if column == 0:
            shape = self.columns[0].image_shape
            return f"pixel ({unit // shape[1]}, {unit % shape[1]})" if shape else f"input {unit}"
        kind = "output" if column == len(self.columns) - 1 else f"hidden {column}"
        return f"{kind} unit {unit}"

    def mouseMoveEvent(self, event) -> None:
        point = event.position()
        index = self.connection_at(point) if self.neuron_at(point) is None else None
        if index != self._hovered:
            self._hovered = index
            self.update()
        text = self.tooltip_at(point) if index is not None else ""
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        else:
            QToolTip.hideText()
        super().mouseMoveEvent(event)

    def mousePressEvent(self, event) -> None:
        point = event.position()
        column = self.column_at(point)
        if column is not None:
            self.layer_clicked.emit(column)
        neuron = self.neuron_at(point)
        if neuron is not None:
            self.neuron_clicked.emit(*neuron)
        else:
            index = self.connection_at(point)
            if index is not None:
                layer, source, target, _ = self._scene().refs[index]
                self.connection_clicked.emit(layer, source, target)
        super().mousePressEvent(event)

    # -- the cached scene -------------------------------------------------------------------
    def _scene(self) -> Scene:
        if self._scene_cache is None:
            if self._layout is None:
                self._layout = build_layout(self.columns, self.width(), self.height(), self.fontMetrics())
            connections = find_connections(self.columns, self._snapshot, self._layout.geometry,
                                           self.max_connections)
            self._scene_cache = Scene(self._layout, connections)
        return self._scene_cache

    def _picture_key(self, scene: Scene) -> tuple:
        """Everything the picture shows but the layout (a new layout empties the kept pictures)."""
        return (scene.connections.picture_key, self._shading_key, self._current_layer, self._selected,
                self.palette().cacheKey(), self.font().key(), self.devicePixelRatioF())

    def _painter(self) -> CanvasPainter:
        return CanvasPainter(self.columns, self.width(), self.height(), self.devicePixelRatioF(), self.palette(),
                              self.font(), self._shades, self._fill_levels, self._current_layer, self._selected)

    def sign_colours(self) -> tuple[QColor, QColor]:
        return sign_colours(self.palette())

    def sizeHint(self) -> QSize:
        return QSize(760, 480)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 180)

    def paintEvent(self, event) -> None:
        started = time.perf_counter()
        self.paints += 1
        self.last_paint_fresh = False
        self._paint(QPainter(self))
        self.last_paint_seconds = time.perf_counter() - started
        if self.paint_log is not None:  # benchmarks/editor_repaint.py
            self.paint_log.append((self.last_paint_seconds, self.last_paint_fresh))

    def _paint(self, painter: QPainter) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.columns:  # the widget paints every pixel itself (opaque): the background too
            painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Window))
            painter.setPen(quiet_text(self.palette()))
            painter.drawText(QRectF(self.rect()).adjusted(16, 16, -16, -16),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, PLACEHOLDER)
            return
        scene = self._scene()
        if self._picture is None:
            key = self._picture_key(scene)
            self._picture = self.kept_pictures.get(key)
            if self._picture is None:
                self._picture = self._painter().render(scene)
                self.kept_pictures.put(key, self._picture)
                self.renders += 1
                self.last_paint_fresh = True
        painter.drawPixmap(0, 0, self._picture)
        if self._hovered is not None and self._hovered < len(scene.segments):
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 3.5))
            painter.drawLine(QLineF(*scene.segments[self._hovered]))
