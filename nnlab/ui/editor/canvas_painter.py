"""The dense network canvas's picture of one scene, rendered into a pixmap from plain state — no widget in it.

What the canvas shows (``canvas.py`` keeps the data, answers clicks and keeps the pictures) is drawn
here: the current layer's band, the weights' lines in a few batches, frozen layers' hatching, the
neurons shaded by the inspected input, the "… N more" labels, the output names and the captions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QImage, QPainter, QPalette, QPen, QPixmap

from ..colours import mix, quiet_text
from .layout_model import Column, Geometry
from .scene import Scene, line_batches

FILL_LEVELS = 12  # activation shading steps per sign: finer than the eye tells apart on a small circle


@dataclass(frozen=True)
class CanvasPainter:
    """Everything a picture shows besides its scene: the widget's looks, the shading, the highlights."""

    columns: list[Column]
    width: int
    height: int
    ratio: float                      # device pixels per pixel
    palette: QPalette
    font: QFont
    shades: list[np.ndarray] | None   # -1..1 per drawn neuron, per column
    fill_levels: list[np.ndarray] | None  # the shades as drawn: FILL_LEVELS steps per sign
    current_layer: int | None
    selected: tuple[int, int] | None  # (column, unit)

    @property
    def metrics(self) -> QFontMetrics:
        return QFontMetrics(self.font)

    def render(self, scene: Scene) -> QPixmap:
        """The whole picture but the hover highlight."""
        ratio = self.ratio
        picture = QPixmap(max(int(self.width * ratio), 1), max(int(self.height * ratio), 1))
        picture.setDevicePixelRatio(ratio)
        picture.fill(self.palette.color(QPalette.ColorRole.Window))
        painter = QPainter(picture)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_current_layer(painter, scene.geometry)
        for pen, lines in line_batches(scene.connections, self.palette):
            painter.setPen(pen)
            painter.drawLines(lines)
        self._paint_frozen_bands(painter, scene.geometry)
        self._paint_neurons(painter, scene.geometry)
        self._paint_labels(painter, scene)
        painter.end()
        return picture

    def _paint_current_layer(self, painter: QPainter, geometry: Geometry) -> None:
        if self.current_layer is None or not 0 <= self.current_layer < len(self.columns):
            return
        colour = QColor(self.palette.color(QPalette.ColorRole.Highlight))
        colour.setAlpha(28)
        x = geometry.xs[self.current_layer]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawRoundedRect(QRectF(x - geometry.cell / 2 + 3, 4, geometry.cell - 6, self.height - 8), 8, 8)

    def _paint_frozen_bands(self, painter: QPainter, geometry: Geometry) -> None:
        """A hatched strip over each frozen column's line ends: its weights will not change."""
        palette = self.palette
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
        palette = self.palette
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        grey = palette.color(QPalette.ColorRole.Mid)
        outline = mix(palette.color(QPalette.ColorRole.Window), text, 0.7)
        r = geometry.radius
        groups: dict[tuple[int, bool], list[QPointF]] = {}   # (signed fill level, frozen) -> centres
        for index, column in enumerate(self.columns):
            xs, ys = geometry.neuron_xs[index], geometry.ys[index]
            if column.image_shape is not None:
                shades = self.shades[index] if self.shades else None
                self._paint_grid(painter, geometry, index, shades, base, text, outline)
                continue
            levels = self.fill_levels[index] if self.fill_levels else np.zeros(len(xs), int)
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
        if self.selected is not None:
            column, unit = self.selected
            if 0 <= column < len(self.columns) and unit in self.columns[column].neurons:
                k = self.columns[column].neurons.index(unit)
                point = QPointF(float(geometry.neuron_xs[column][k]), float(geometry.ys[column][k]))
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
        font = QFont(self.font)
        font.setPointSizeF(max(font.pointSizeF() * 0.85, 6.0))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        text = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(cell - 4))
        width, height = metrics.horizontalAdvance(text) + 10, metrics.height() + 2
        box = QRectF(x - width / 2, y - height / 2, width, height)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.palette.color(QPalette.ColorRole.Window))
        painter.drawRoundedRect(box, height / 2, height / 2)
        painter.setPen(quiet_text(self.palette))
        painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(self.font)

    def _paint_names(self, painter: QPainter, names: tuple[str, ...], x: float, ys) -> None:
        if not names:
            return
        metrics = self.metrics
        width = max(self.width - x - 4, 10.0)
        painter.setPen(self.palette.color(QPalette.ColorRole.WindowText))
        for name, y in zip(names, ys.tolist()):
            text = metrics.elidedText(name, Qt.TextElideMode.ElideRight, int(width))
            painter.drawText(QRectF(x, y - metrics.height() / 2, width, metrics.height()),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_labels(self, painter: QPainter, scene: Scene) -> None:
        line = self.metrics.height()
        text, note = self.palette.color(QPalette.ColorRole.WindowText), quiet_text(self.palette)
        width = scene.geometry.cell - 6
        for x, lines in zip(scene.geometry.xs, scene.captions):
            for row, (caption, is_note) in enumerate(lines):
                painter.setPen(note if is_note else text)
                painter.drawText(QRectF(x - width / 2, scene.geometry.label_top + row * line, width, line),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, caption)
