"""Draw NN Lab's icon (three layers of neurons and their connections) and write every format.

    python scripts/make_icons.py        # writes resources/icons/

PNG at the sizes desktops ask for, ``nnlab.png`` (256 px, the window icon), ``nnlab.ico`` for
Windows and ``nnlab.icns`` for macOS. Both containers hold PNG images (allowed since Windows
Vista and macOS 10.7), written here byte by byte so the script needs nothing but Qt.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPen  # noqa: E402

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)
# ICNS chunk types holding PNG data, by pixel size
ICNS_TYPES = {16: b"icp4", 32: b"icp5", 64: b"icp6", 128: b"ic07", 256: b"ic08", 512: b"ic09"}
LAYERS = (2, 3, 2)
WEIGHT_COLOURS = ("#f5a623", "#4fc3f7")  # the diagram's two signs: warm positive, cool negative


def neuron_positions(size: float) -> list[list[QPointF]]:
    margin, columns = size * 0.22, len(LAYERS)
    positions = []
    for column, count in enumerate(LAYERS):
        x = margin + column * (size - 2 * margin) / (columns - 1)
        span = (size - 2 * margin) * (count - 1) / 2
        positions.append([QPointF(x, size / 2 - span / 2 + row * span / max(count - 1, 1))
                          for row in range(count)])
    return positions


def draw(size: int) -> QImage:
    """The icon at ``size`` pixels, square, with a transparent corner outside the rounded tile."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    tile = QRectF(0, 0, size, size).adjusted(size * 0.03, size * 0.03, -size * 0.03, -size * 0.03)
    gradient = QLinearGradient(tile.topLeft(), tile.bottomRight())
    gradient.setColorAt(0, QColor("#243b55"))
    gradient.setColorAt(1, QColor("#141e30"))
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(gradient)
    painter.drawRoundedRect(tile, size * 0.2, size * 0.2)
    layers = neuron_positions(size)
    for left, right in zip(layers, layers[1:]):
        for i, start in enumerate(left):
            for j, end in enumerate(right):
                colour = QColor(WEIGHT_COLOURS[(i + j) % 2])
                painter.setPen(QPen(colour, max(1.0, size * (0.045 if (i + j) % 3 == 0 else 0.025)),
                                    Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                painter.drawLine(start, end)
    radius = size * 0.085
    painter.setPen(QPen(QColor("#0d1520"), max(1.0, size * 0.02)))
    painter.setBrush(QColor("#ffffff"))
    for layer in layers:
        for centre in layer:
            painter.drawEllipse(centre, radius, radius)
    painter.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, "PNG"):
        raise RuntimeError("Qt could not encode a PNG")
    return bytes(data)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """ICONDIR + one ICONDIRENTRY per size + the PNG data (a width of 0 means 256)."""
    sizes = [s for s in ICO_SIZES if s in pngs]
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries, blobs = b"", b""
    for size in sizes:
        data = pngs[size]
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset + len(blobs))
        blobs += data
    return header + entries + blobs


def icns_bytes(pngs: dict[int, bytes]) -> bytes:
    """'icns' + total length, then (type, length incl. 8-byte header, PNG) chunks, big-endian."""
    chunks = b"".join(kind + struct.pack(">I", len(pngs[size]) + 8) + pngs[size]
                      for size, kind in ICNS_TYPES.items())
    return b"icns" + struct.pack(">I", len(chunks) + 8) + chunks


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841  (fonts/painting need it)
    ICONS.mkdir(parents=True, exist_ok=True)
    pngs = {size: png_bytes(draw(size)) for size in PNG_SIZES}
    for size, data in pngs.items():
        (ICONS / f"nnlab-{size}.png").write_bytes(data)
    (ICONS / "nnlab.png").write_bytes(pngs[256])
    (ICONS / "nnlab.ico").write_bytes(ico_bytes(pngs))
    (ICONS / "nnlab.icns").write_bytes(icns_bytes(pngs))
    print(f"wrote {len(pngs) + 3} icon files to {ICONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
