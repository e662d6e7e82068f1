"""Image files ↔ grey NumPy arrays, via Qt's decoders (PNG, JPEG, BMP, GIF, …).

This is the only module under ``nnlab/data`` allowed to touch Qt: QImage gives us every common
format without another dependency. QImage decoding and encoding need no QGuiApplication (checked
with Qt 6 under ``QT_QPA_PLATFORM=offscreen`` and with no platform at all), so importers can run
from the command line and from worker threads.
"""
from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageReader

from nnlab.data.errors import DatasetFormatError

# ITU-R BT.601 luma weights: the usual "grey" of an RGB picture.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def read_grey_image(path: str | os.PathLike) -> np.ndarray:
    """Decode an image file to (H, W) float32 in [0, 1]; 0 is black, 1 is white.

    Transparent pixels are composited onto white, so black strokes on a transparent PNG read as
    dark-on-light like a drawing on paper. JPEG EXIF orientation is applied.
    """
    path = os.fspath(path)
    reader = QImageReader(path)
    return _read(reader, path)


def decode_grey_image(data: bytes, name: str = "<image data>") -> np.ndarray:
    """Same as ``read_grey_image`` for bytes already in memory; ``name`` is used in errors."""
    buffer = QBuffer()
    buffer.setData(QByteArray(bytes(data)))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return _read(QImageReader(buffer), name)


def write_grey_png(path: str | os.PathLike, array: np.ndarray) -> None:
    """Save (H, W) grey values as an 8-bit PNG: floats in [0, 1] (clipped) or uint8 0..255."""
    array = np.asarray(array)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"write_grey_png needs a non-empty (H, W) array, got shape {array.shape}")
    if array.dtype != np.uint8:
        array = np.rint(np.clip(array.astype(np.float32), 0.0, 1.0) * 255.0).astype(np.uint8)
    height, width = array.shape
    pixels = np.ascontiguousarray(array).tobytes()
    image = QImage(pixels, width, height, width, QImage.Format.Format_Grayscale8).copy()
    if not image.save(os.fspath(path), "PNG"):
        raise OSError(f"{os.fspath(path)}: could not write the PNG file")


def _read(reader: QImageReader, name: str) -> np.ndarray:
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise DatasetFormatError(name, None, f"cannot decode the image ({reader.errorString()})")
    return _qimage_to_grey(image)


def _qimage_to_grey(image: QImage) -> np.ndarray:
    """QImage → (H, W) float32 in [0, 1], alpha composited onto white."""
    image = image.convertToFormat(QImage.Format.Format_RGBA8888)  # straight (not premultiplied) alpha
    height, width = image.height(), image.width()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rgba = raw.reshape(height, image.bytesPerLine())[:, : 4 * width].reshape(height, width, 4)
    grey = (rgba[..., :3] @ _LUMA) / np.float32(255.0)
    alpha = rgba[..., 3].astype(np.float32) / np.float32(255.0)
    grey = grey * alpha + (np.float32(1.0) - alpha)
    return np.clip(grey, 0.0, 1.0).astype(np.float32)  # a fresh array: QImage's buffer dies with it
