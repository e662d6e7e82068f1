"""The editor's drawing: columns of neurons joined by their strongest weights, live from snapshots.

Blue lines are positive weights, orange negative; stronger weights are wider and darker,
relative to the strongest drawn weight of their layer. The layout (neuron centres,
captions; ``scene.py``) is made once per architecture and widget size, the drawn connections once
per snapshot; the picture is rendered into a pixmap once per change, and kept (``picture_cache.py``):
a paint between two changes (hover), or back at a picture already seen (scrubbing), only blits it.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..colours import mix, quiet_text, sign_colours
from .layout_model import MAX_CONNECTIONS, PLACEHOLDER, Column, Geometry, activation_shades, nearest_segment
from .picture_cache import PictureCache
from .scene import Scene, SceneLayout, build_layout, find_connections, line_batches

HIT_TOLERANCE = 4.0
FILL_LEVELS = 12  # activation shading steps per sign: finer than the eye tells apart on a small circle


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
        self.pictures = PictureCache()         # pictures already rendered, by what they show (bounded)
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
        self._shading_key = b"|".join((s if c.image_shape is not None else level).tobytes()
                                      for s, level, c in zip(shades, self._fill_levels, self.columns))

    def set_current_layer(self, column: int | None) -> None:
        self._current_layer = column
        self._repicture()

    def set_selected_neuron(self, neuron: tuple[int, int] | None) -> None:
        self._selected = neuron
        self._repicture()

    def _relayout(self) -> None:
        """Columns, size or font changed: every position moves, and no kept picture fits any more."""
        self._layout = None
        self.pictures.clear()
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
            self._picture = self.pictures.get(key)
            if self._picture is None:
                self._picture = self._render(scene)
                self.pictures.put(key, self._picture)
                self.renders += 1
                self.last_paint_fresh = True
        painter.drawPixmap(0, 0, self._picture)
        if self._hovered is not None and self._hovered < len(scene.segments):
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 3.5))
            painter.drawLine(QLineF(*scene.segments[self._hovered]))

    def _render(self, scene: Scene) -> QPixmap:
        """The whole picture but the hover highlight, drawn once per change: hovering only blits it."""
        ratio = self.devicePixelRatioF()
        picture = QPixmap(max(int(self.width() * ratio), 1), max(int(self.height() * ratio), 1))
        picture.setDevicePixelRatio(ratio)
        picture.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(picture)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_current_layer(painter, scene.geometry)
        for pen, lines in line_batches(scene.connections, self.palette()):
            painter.setPen(pen)
            painter.drawLines(lines)
        self._paint_frozen_bands(painter, scene.geometry)
        self._paint_neurons(painter, scene.geometry)
        self._paint_labels(painter, scene)
        painter.end()
        return picture

    def _paint_current_layer(self, painter: QPainter, geometry: Geometry) -> None:
        if self._current_layer is None or not 0 <= self._current_layer < len(self.columns):
            return
        colour = QColor(self.palette().color(QPalette.ColorRole.Highlight))
        colour.setAlpha(28)
        x = geometry.xs[self._current_layer]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(x - geometry.cell / 2 + 3, 4, geometry.cell - 6, self.height() - 8), 8, 8)

    def _paint_frozen_bands(self, painter: QPainter, geometry: Geometry) -> None:
        """A hatched strip over each frozen column's line ends: its weights will not change."""
        palette = self.palette()
        veil = QColor(palette.color(QPalette.ColorRole.Window))
        veil.setAlpha(190)
        hatch = QBrush(palette.color(QPalette.ColorRole.Mid), Qt.BrushStyle.BDiagPattern)
        pad, rim = geometry.radius + 8, geometry.radius + 4
        painter.setPen(Qt.PenStyle.NoPen)
        for x, ys, column in zip(geometry.xs, geometry.ys, self.columns):
            if column.frozen and len(ys):
                band = QRectF(x - pad, float(ys[0]) - rim, 2 * pad, float(ys[-1] - ys[0]) + 2 * rim)
                for brush in (QBrush(veil), hatch):
                    painter.setBrush(brush)
                    painter.drawRoundedRect(band, rim / 2, rim / 2)

    def _paint_neurons(self, painter: QPainter, geometry: Geometry) -> None:
        """Neurons grouped by fill (shades quantised to ``FILL_LEVELS`` per sign): one pen and brush per group.

        One drawEllipse per circle: stroking a single path of all the circles instead costs about 3× as much
        (2.1 against 0.65 ms for the 42 circles of 784-128-64-10) — the stroker works on the whole path.
        """
        palette = self.palette()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        grey = palette.color(QPalette.ColorRole.Mid)
        outline = mix(palette.color(QPalette.ColorRole.Window), text, 0.7)
        r = geometry.radius
        groups: dict[tuple[int, bool], list[QPointF]] = {}   # (signed fill level, frozen) -> centres
        for index, column in enumerate(self.columns):
            xs, ys = geometry.neuron_xs[index], geometry.ys[index]
            if column.image_shape is not None:
                shades = self._shades[index] if self._shades else None
                self._paint_grid(painter, geometry, index, shades, base, text, outline)
                continue
            levels = self._fill_levels[index] if self._fill_levels else np.zeros(len(xs), int)
            for level, x, y in zip(levels.tolist(), xs.tolist(), ys.tolist()):
                groups.setdefault((level, column.frozen), []).append(QPointF(x, y))
        negative = QColor("#8e44ad")
        for (level, frozen), centres in groups.items():
            fill = mix(base, text if level >= 0 else negative, 0.85 * abs(level) / FILL_LEVELS)
            if frozen and level == 0:
                fill = mix(base, grey, 0.35)
            painter.setPen(QPen(grey if frozen else outline, 1.2))
            painter.setBrush(fill)
            for centre in centres:
                painter.drawEllipse(centre, r, r)
        hatched = [centre for (_, frozen), centres in groups.items() if frozen for centre in centres]
        if hatched:  # outlined again with the last group's pen, as drawn since frozen layers were shown
            painter.setBrush(QBrush(grey, Qt.BrushStyle.BDiagPattern))
            for centre in hatched:
                painter.drawEllipse(centre, r, r)
        for index, column in enumerate(self.columns):
            if column.more:
                self._paint_more(painter, column.more_text, geometry.xs[index], geometry.gaps[index], geometry.cell)
            self._paint_names(painter, column.names, geometry.xs[index] + r + 6, geometry.ys[index])
        if self._selected is not None:
            column, unit = self._selected
            if 0 <= column < len(self.columns) and unit in self.columns[column].neurons:
                point = self.neuron_position(column, unit)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2.5))
                reach = r + 3 if self.columns[column].image_shape is None else geometry.pixel
                painter.drawEllipse(point, reach, reach)

    def _paint_grid(self, painter, geometry, index, shades, base, text, outline) -> None:
        """The input image as its pixels: dark where the inspected input is bright."""
        rows, cols = self.columns[index].image_shape
        side = geometry.pixel
        left = float(geometry.neuron_xs[index][0]) - side / 2
        top = float(geometry.ys[index][0]) - side / 2
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(base)
        frame = QRectF(left, top, side * cols, side * rows)
        painter.drawRect(frame)
        if shades is not None:  # one small image, scaled up without smoothing: sharp pixels, one call
            amount = np.clip(shades, 0.0, 1.0).reshape(rows, cols, 1)
            low = np.array(base.getRgb()[:3], dtype=np.float64)
            high = np.array(text.getRgb()[:3], dtype=np.float64)
            rgba = np.empty((rows, cols, 4), np.uint8)
            rgba[..., :3] = np.round(low + (high - low) * amount)
            rgba[..., 3] = 255
            image = QImage(rgba.data, cols, rows, cols * 4, QImage.Format.Format_RGBA8888)
            painter.drawImage(frame, image)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(outline, 1.0))
        painter.drawRect(frame)

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
        painter.setPen(quiet_text(self.palette()))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.font())

    def _paint_names(self, painter: QPainter, names: tuple[str, ...], x: float, ys) -> None:
        if not names:
            return
        metrics = self.fontMetrics()
        width = max(self.width() - x - 4, 10.0)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        for name, y in zip(names, ys.tolist()):
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(width))
            painter.drawText(QRectF(x, y - metrics.height() / 2, width, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_labels(self, painter: QPainter, scene: Scene) -> None:
        line = self.fontMetrics().height()
        text, note = self.palette().color(QPalette.ColorRole.WindowText), quiet_text(self.palette())
        width = scene.geometry.cell - 6
        for x, lines in zip(scene.geometry.xs, scene.captions):
            for row, (caption, is_note) in enumerate(lines):
                painter.setPen(note if is_note else text)
                painter.drawText(QRectF(x - width / 2, scene.geometry.label_top + row * line, width, line),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, caption)
