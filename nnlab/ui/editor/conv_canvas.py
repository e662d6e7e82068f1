"""The editor's picture of a convolutional network: feature maps as tiles, live for the inspected input.

The input image, then each convolution as a stack of its feature maps (one tile per filter), each
pooling as a stack of smaller tiles, the flatten as a thin strip of the values it lines up, and the
dense layers as neurons. Maps are shaded from the background (0) to the text colour (high), and to
purple where they are negative. A click on a tile selects that map pixel (``feature_clicked``); its
receptive field is outlined on the layer before.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..colours import mix, quiet_text
from .conv_layout import (ARROW_ROOM, CAPTION_GAP, ConvColumn, ConvGeometry, caption_rects, column_widths, conv_layout,
                          map_pixel_at, map_shades, neuron_at)
from .layout_model import activation_shades
from .scene import wrap

NEGATIVE = QColor("#8e44ad")
CAPTION_SCALE = 0.85  # LeNet's eight columns in the editor's ~470 px at 1280×720: "conv16x5" fits at 85 %


def shade_image(shades: np.ndarray, low: QColor, high: QColor, negative: QColor = NEGATIVE) -> QImage:
    """An RGBA image of a (H, W) map of -1..1 shades: ``low`` at 0, ``high`` at 1, ``negative`` at -1."""
    low_rgb = np.array(low.getRgb()[:3], np.float64)
    high_rgb = np.array(high.getRgb()[:3], np.float64)
    neg_rgb = np.array(negative.getRgb()[:3], np.float64)
    amount = shades[..., None]
    rgb = np.where(amount >= 0, low_rgb + (high_rgb - low_rgb) * amount, low_rgb + (neg_rgb - low_rgb) * -amount)
    h, w = shades.shape
    rgba = np.empty((h, w, 4), np.uint8)
    rgba[..., :3] = np.round(rgb)
    rgba[..., 3] = 255
    return QImage(rgba.tobytes(), w, h, w * 4, QImage.Format.Format_RGBA8888).copy()


def unelided_width(text: str, metrics) -> int:
    """The least width at which ``text`` is written whole: Qt elides at exactly its advance ("softm…")."""
    width = metrics.horizontalAdvance(text)
    while metrics.elidedText(text, Qt.TextElideMode.ElideRight, width) != text:
        width += 1
    return width


def more_text(count: int, metrics=None, room: float = float("inf")) -> str:
    """What stands for the maps or neurons left out: "… 48 more", or "+48" where that does not fit ``room``."""
    text = f"… {count:,} more"
    return text if metrics is None or metrics.horizontalAdvance(text) <= room else f"+{count:,}"


class ConvCanvas(QWidget):
    """Draws one convolutional network; clicks pick a layer, a map pixel or a dense neuron."""

    layer_clicked = Signal(int)                 # sizes-column
    neuron_clicked = Signal(int, int)           # sizes-column, unit
    feature_clicked = Signal(int, int, int, int)  # sizes-column, channel, row, col

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        caption = QFont(self.font())
        caption.setPointSizeF(max(caption.pointSizeF() * CAPTION_SCALE, 6.0))
        self.setFont(caption)  # eight or more columns share the editor's width: "conv16x5" must fit one
        self.columns: list[ConvColumn] = []
        self._maps: list[np.ndarray] | None = None   # shades per column (maps (C, H, W) or a row)
        self._current: int | None = None
        self._feature: tuple[int, int, int, int] | None = None
        self._field: tuple[int, int, int, int, bool] | None = None  # column, top, left, size, every channel
        self._winner: tuple[int, int, int, int] | None = None  # column, channel, row, col of a max-pool's winner
        self._neuron: tuple[int, int] | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setAccessibleName("Convolutional network drawing")
        self.setToolTip("Click a feature map's pixel to see its receptive field and its sum in the inspector")

    # -- data -------------------------------------------------------------------------------
    def set_columns(self, columns: list[ConvColumn]) -> None:
        self.columns = list(columns)
        self._maps = None
        self.update()

    def set_activations(self, activations: list[np.ndarray] | None) -> None:
        """Per sizes-column: the input's and every layer's maps (C, H, W) or row; None clears the shading."""
        if activations is None or len(activations) != len(self.columns):
            self._maps = None
        else:
            self._maps = [map_shades(a) if c.maps is not None else activation_shades(np.asarray(a).reshape(-1))
                          for a, c in zip(activations, self.columns)]
        self.update()

    def set_current_layer(self, column: int | None) -> None:
        self._current = column
        self.update()

    def set_selected_feature(self, feature: tuple[int, int, int, int] | None,
                             field: tuple[int, int, int, int, bool] | None = None,
                             winner: tuple[int, int, int, int] | None = None) -> None:
        """The selected map pixel; ``field``: its receptive field (column, top, left, size, on every channel
        or only the pixel's own), drawn on the layer before; ``winner``: a max-pooling's winning input."""
        self._feature, self._field, self._winner = feature, field, winner
        self.update()

    def set_selected_neuron(self, neuron: tuple[int, int] | None) -> None:
        self._neuron = neuron
        self.update()

    def has_shading(self) -> bool:
        return self._maps is not None

    # -- geometry ---------------------------------------------------------------------------
    def _width(self, geometry: ConvGeometry, index: int) -> float:
        return geometry.cells[index]

    def _minimums(self) -> list[float]:
        """Each column's least width: its caption's longest part ("maxpool2", "16×14×14"), and its "+48"
        (the short form of "… 48 more") clear of the flow arrows beside it."""
        metrics = self.fontMetrics()
        minimums = []
        for c in self.columns:
            parts = [part for text in (c.title, c.notes) if text for part in text.split(" · ")]
            caption = max((unelided_width(part, metrics) for part in parts), default=0) + CAPTION_GAP
            more = unelided_width(f"+{c.more:,}", metrics) + ARROW_ROOM if c.more else 0
            minimums.append(max(caption, more))
        return minimums

    def _captions(self, cells: list[float]) -> list[list[tuple[str, bool]]]:
        metrics = self.fontMetrics()
        return [[(text, False) for text in wrap(c.title, metrics, cell - CAPTION_GAP)]
                + [(text, True) for text in wrap(c.notes, metrics, cell - CAPTION_GAP)]
                for c, cell in zip(self.columns, cells)]

    def geometry_now(self) -> tuple[ConvGeometry, list]:
        names = self.columns[-1].names if self.columns else ()
        metrics = self.fontMetrics()
        names_width = min(120.0, max(metrics.horizontalAdvance(n) for n in names) + 10.0) if names else 0.0
        minimums = self._minimums()
        cells = column_widths(self.columns, max(self.width() - 24 - names_width, 1.0), minimums)
        captions = self._captions(cells)
        geometry = conv_layout(self.columns, self.width(), self.height(), max(map(len, captions), default=1),
                               float(metrics.height()), names_width, minimums=minimums)
        return geometry, captions

    def caption_rects(self) -> list[list[QRectF]]:
        """Where each column's caption lines are written (painting and the tests read the same rectangles)."""
        geometry, captions = self.geometry_now()
        metrics = self.fontMetrics()
        rects = caption_rects(geometry, [[text for text, _ in lines] for lines in captions],
                              metrics.horizontalAdvance, float(metrics.height()))
        return [[QRectF(*rect) for rect in column] for column in rects]

    def tile_rect(self, column: int, channel: int) -> QRectF:
        grid = self.geometry_now()[0].grids[column]
        return QRectF(float(grid.lefts[channel]), float(grid.tops[channel]), grid.width, grid.height)

    def pixel_point(self, column: int, channel: int, row: int, col: int) -> QPointF:
        """The screen centre of map pixel (row, col) of ``channel`` in ``column`` (tests click here)."""
        grid = self.geometry_now()[0].grids[column]
        return QPointF(float(grid.lefts[channel]) + (col + 0.5) * grid.scale,
                       float(grid.tops[channel]) + (row + 0.5) * grid.scale)

    def column_at(self, x: float) -> int | None:
        geometry = self.geometry_now()[0]
        for index, centre in enumerate(geometry.xs):
            half = self._width(geometry, index) / 2
            if abs(x - centre) <= half:
                return index
        return None

    def mousePressEvent(self, event) -> None:
        if self.columns:
            point = event.position()
            column = self.column_at(point.x())
            if column is not None:
                self.layer_clicked.emit(column)
            geometry = self.geometry_now()[0]
            hit = map_pixel_at(geometry, self.columns, point.x(), point.y())
            if hit is not None:
                self.feature_clicked.emit(*hit)
            else:
                neuron = neuron_at(geometry, self.columns, point.x(), point.y())
                if neuron is not None:
                    self.neuron_clicked.emit(*neuron)
        super().mousePressEvent(event)

    def sizeHint(self) -> QSize:
        return QSize(760, 480)

    def minimumSizeHint(self) -> QSize:
        return QSize(260, 180)

    # -- painting ---------------------------------------------------------------------------
    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        palette = self.palette()
        painter.fillRect(self.rect(), palette.color(QPalette.ColorRole.Window))
        if not self.columns:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        geometry, captions = self.geometry_now()
        base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
        outline = mix(palette.color(QPalette.ColorRole.Window), text, 0.55)
        highlight = palette.color(QPalette.ColorRole.Highlight)
        if self._current is not None and 0 <= self._current < len(self.columns):
            band = QColor(highlight)
            band.setAlpha(28)
            half = self._width(geometry, self._current) / 2
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(band)
            painter.drawRoundedRect(QRectF(geometry.xs[self._current] - half + 3, 4, 2 * half - 6,
                                           self.height() - 8), 8, 8)
        self._paint_flow(painter, geometry, outline)
        for index, column in enumerate(self.columns):
            shades = self._maps[index] if self._maps is not None else None
            if column.maps is not None:
                self._paint_tiles(painter, geometry, index, column, shades, base, text, outline)
            elif column.kind == "flatten":
                self._paint_strip(painter, geometry, index, shades, base, text, outline)
            else:
                self._paint_neurons(painter, geometry, index, column, shades, base, text, outline)
        self._paint_selection(painter, geometry, highlight)
        self._paint_captions(painter, geometry, captions)
        painter.end()

    def _paint_flow(self, painter, geometry: ConvGeometry, colour: QColor) -> None:
        """A faint arrow between neighbouring columns: the data flows left to right."""
        pen = QPen(colour, 1.0)
        painter.setPen(pen)
        y = (12 + geometry.label_top - 8) / 2
        for index in range(len(geometry.xs) - 1):
            boundary = geometry.xs[index] + self._width(geometry, index) / 2  # in the gap between two columns
            x1, x2 = boundary - 5, boundary + 5
            painter.drawLine(QPointF(x1, y), QPointF(x2, y))
            painter.drawLine(QPointF(x2, y), QPointF(x2 - 4, y - 3))
            painter.drawLine(QPointF(x2, y), QPointF(x2 - 4, y + 3))

    def _paint_tiles(self, painter, geometry, index, column, shades, base, text, outline) -> None:
        grid = geometry.grids[index]
        for k in range(column.tiles):
            rect = QRectF(float(grid.lefts[k]), float(grid.tops[k]), grid.width, grid.height)
            if shades is not None:
                painter.drawImage(rect, shade_image(shades[k], base, text))
            else:
                painter.fillRect(rect, base)
            painter.setPen(QPen(outline, 1.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect)
        if column.more:
            last = column.tiles - 1
            painter.setPen(quiet_text(self.palette()))
            cell = geometry.cells[index]
            painter.drawText(QRectF(geometry.xs[index] - cell / 2, float(grid.tops[last]) + grid.height + 2, cell, 16),
                             Qt.AlignmentFlag.AlignHCenter, more_text(column.more, self.fontMetrics(), cell - ARROW_ROOM))

    def _paint_strip(self, painter, geometry, index, shades, base, text, outline) -> None:
        top, bottom = geometry.strip
        rect = QRectF(geometry.xs[index] - 5, top, 10, bottom - top)
        if shades is not None and shades.size:
            painter.drawImage(rect, shade_image(shades.reshape(-1, 1), base, text))
        else:
            painter.fillRect(rect, base)
        painter.setPen(QPen(outline, 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)

    def _paint_neurons(self, painter, geometry, index, column, shades, base, text, outline) -> None:
        r = geometry.radius
        x = geometry.xs[index]
        for k, (unit, y) in enumerate(zip(column.neurons, geometry.neuron_ys[index].tolist())):
            level = float(shades[unit]) if shades is not None and unit < shades.size else 0.0
            fill = mix(base, text if level >= 0 else NEGATIVE, 0.85 * abs(level))
            painter.setPen(QPen(outline, 1.2))
            painter.setBrush(fill)
            painter.drawEllipse(QPointF(x, y), r, r)
            if column.names:
                painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
                metrics = self.fontMetrics()
                painter.drawText(QRectF(x + r + 6, y - metrics.height() / 2, 120, metrics.height()),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, column.names[k])
        if column.more:
            ys = geometry.neuron_ys[index]
            gap = (float(ys[len(ys) // 2 - 1]) + float(ys[len(ys) // 2])) / 2 if len(ys) > 1 else float(ys[0])
            painter.setPen(quiet_text(self.palette()))
            cell = geometry.cells[index]
            painter.drawText(QRectF(x - cell / 2, gap - 8, cell, 16), Qt.AlignmentFlag.AlignCenter,
                             more_text(column.more, self.fontMetrics(), cell - ARROW_ROOM))

    def _paint_selection(self, painter, geometry, highlight: QColor) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._field is not None:
            column, top, left, size, every = self._field
            grid = geometry.grids[column] if 0 <= column < len(geometry.grids) else None
            if grid is not None:
                channels = range(self.columns[column].tiles) if every else [self._feature[1]]
                painter.setPen(QPen(QColor("#e67e22"), 1.6))
                for k in channels:
                    if k < len(grid.lefts):
                        painter.drawRect(QRectF(float(grid.lefts[k]) + left * grid.scale,
                                                float(grid.tops[k]) + top * grid.scale,
                                                size * grid.scale, size * grid.scale))
        if self._winner is not None:
            column, channel, row, col = self._winner
            grid = geometry.grids[column]
            if grid is not None and channel < len(grid.lefts):
                painter.setPen(QPen(QColor("#27ae60"), 2.0))
                painter.drawRect(QRectF(float(grid.lefts[channel]) + col * grid.scale,
                                        float(grid.tops[channel]) + row * grid.scale, grid.scale, grid.scale))
        if self._feature is not None:
            column, channel, row, col = self._feature
            grid = geometry.grids[column] if 0 <= column < len(geometry.grids) else None
            if grid is not None and channel < len(grid.lefts):
                painter.setPen(QPen(highlight, 2.0))
                side = max(grid.scale, 3.0)
                centre = self.pixel_point(column, channel, row, col)
                painter.drawRect(QRectF(centre.x() - side / 2, centre.y() - side / 2, side, side))
        if self._neuron is not None:
            column, unit = self._neuron
            if 0 <= column < len(self.columns) and unit in self.columns[column].neurons:
                y = float(geometry.neuron_ys[column][self.columns[column].neurons.index(unit)])
                painter.setPen(QPen(highlight, 2.5))
                painter.drawEllipse(QPointF(geometry.xs[column], y), geometry.radius + 3, geometry.radius + 3)

    def _paint_captions(self, painter, geometry, captions) -> None:
        text, note = self.palette().color(QPalette.ColorRole.WindowText), quiet_text(self.palette())
        metrics = self.fontMetrics()
        rects = caption_rects(geometry, [[caption for caption, _ in lines] for lines in captions],
                              metrics.horizontalAdvance, float(metrics.height()))
        for lines, column_rects in zip(captions, rects):
            for (caption, is_note), rect in zip(lines, column_rects):
                painter.setPen(note if is_note else text)
                painter.drawText(QRectF(*rect), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, caption)
