"""Image files ↔ grey NumPy arrays, via Qt's decoders (PNG, JPEG, BMP, GIF, …).

This is the only module under ``nnlab/data`` allowed to touch Qt: QImage gives us every common
format without another dependency. QImage decoding and encoding need no QGuiApplication (checked
with Qt 6 under ``QT_QPA_PLATFORM=offscreen`` and with no platform at all), so importers can run
from the command line and from worker threads.
"""
from __future__ import annotations

import math
import os

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize
from PySide6.QtGui import QImage, QImageIOHandler, QImageReader

from nnlab.data.errors import DatasetFormatError
from nnlab.data.importers.limits import MAX_DEFLATE_RATIO

# ITU-R BT.601 luma weights: the usual "grey" of an RGB picture.
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)

# An image file's declared width × height. Qt refuses to decode more than 256 MiB (its default
# allocation limit), which is 8192 × 8192 pixels at 4 bytes each; NN Lab says so from the header,
# before Qt allocates anything.
MAX_IMAGE_PIXELS = 8192 * 8192
# Rows of a big picture are turned grey and narrowed this many pixels at a time: ~6 MB of float
# temporaries, whatever the picture's size.
_STRIP_PIXELS = 1 << 18


def read_grey_image(path: str | os.PathLike) -> np.ndarray:
    """Decode an image file to (H, W) float32 in [0, 1]; 0 is black, 1 is white.

    Transparent pixels are composited onto white, so black strokes on a transparent PNG read as
    dark-on-light like a drawing on paper. JPEG EXIF orientation is applied.
    """
    path = os.fspath(path)
    return _read(QImageReader(path), path, _file_size(path))


def decode_grey_image(data: bytes, name: str = "<image data>") -> np.ndarray:
    """Same as ``read_grey_image`` for bytes already in memory; ``name`` is used in errors."""
    buffer = QBuffer()
    buffer.setData(QByteArray(bytes(data)))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    return _read(QImageReader(buffer), name, len(data))


def image_size(path: str | os.PathLike) -> tuple[int, int]:
    """(height, width) as the picture is shown (EXIF rotation applied), read from its header alone.

    Raises DatasetFormatError naming the file when the header cannot be read or declares more
    than MAX_IMAGE_PIXELS.
    """
    path = os.fspath(path)
    return _checked_size(QImageReader(path), path, _file_size(path))


def read_grey_pixels(path: str | os.PathLike, size: tuple[int, int] | None = None) -> np.ndarray:
    """Decode an image file to (H, W) uint8 grey levels (0 black, 255 white), at ``size`` = (h, w) if given.

    Formats that can decode at a smaller size (JPEG) are asked for ``size`` directly; the others
    are decoded once and area-averaged down a strip of rows at a time, so besides the decoded
    picture only one strip and the result ever exist. Alpha is composited onto white, as in
    ``read_grey_image``.
    """
    path = os.fspath(path)
    reader = QImageReader(path)
    height, width = _checked_size(reader, path, _file_size(path))
    target = (height, width) if size is None else (int(size[0]), int(size[1]))
    if target != (height, width) and reader.supportsOption(QImageIOHandler.ImageOption.ScaledSize):
        rotated = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
        # the scaled size applies before the EXIF rotation
        reader.setScaledSize(QSize(target[0], target[1]) if rotated else QSize(target[1], target[0]))
    image = _decode(reader, path)
    if (image.height(), image.width()) == target:
        grey = _qimage_to_grey(image)
    else:
        grey = _resampled_grey(image, target)
    grey *= np.float32(255.0)
    return np.rint(np.clip(grey, 0.0, 255.0, out=grey), out=grey).astype(np.uint8)


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


def _read(reader: QImageReader, name: str, n_bytes: int) -> np.ndarray:
    _checked_size(reader, name, n_bytes)
    return _qimage_to_grey(_decode(reader, name))


def _decode(reader: QImageReader, name: str) -> QImage:
    reader.setAutoTransform(True)
    image = reader.read()
    if image.isNull():
        raise DatasetFormatError(name, None, f"cannot decode the image ({reader.errorString()})")
    return image


def _checked_size(reader: QImageReader, name: str, n_bytes: int) -> tuple[int, int]:
    """The picture's shown (height, width) from its header, refusing what NN Lab will not decode."""
    reader.setAutoTransform(True)
    size = reader.size()
    width, height = size.width(), size.height()
    if width < 1 or height < 1:
        raise DatasetFormatError(name, None, f"cannot decode the image ({reader.errorString()})")
    if width * height > MAX_IMAGE_PIXELS:
        raise DatasetFormatError(name, None, f"the image is {width}×{height} pixels, more than NN Lab's limit "
                                 f"of {MAX_IMAGE_PIXELS:,} (8192×8192); scale it down first")
    # A PNG row holds at least a filter byte and 1 bit a pixel, and deflate inflates a byte at most
    # MAX_DEFLATE_RATIO-fold: a PNG declaring more pixels than that is damaged, refused before decoding.
    if reader.format() == b"png" and height * (1 + math.ceil(width / 8)) > MAX_DEFLATE_RATIO * n_bytes:
        raise DatasetFormatError(name, None, f"the image's header declares {width}×{height} pixels, more than "
                                 f"its {n_bytes:,} bytes can hold; the file is damaged")
    if reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90:
        return width, height
    return height, width


def _file_size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError as error:
        raise DatasetFormatError(path, None, f"cannot read the image ({error.strerror or error})") from error


def _resampled_grey(image: QImage, shape: tuple[int, int]) -> np.ndarray:
    """QImage → (h, w) float32 grey in [0, 1]: each strip of rows made grey and narrowed, then the rows.

    Shrinking averages areas (each output pixel is the mean of the span it covers, so thin strokes
    fade instead of vanishing), enlarging is bilinear — the rule of ``transforms.resize_image``,
    computed in time linear in the pixels instead of with dense (n_out, n_in) matrices.
    """
    height, width = image.height(), image.width()
    narrow = np.empty((height, shape[1]), dtype=np.float32)
    strip = max(1, _STRIP_PIXELS // width)
    for top in range(0, height, strip):
        count = min(strip, height - top)
        narrow[top: top + count] = _resample_axis(_strip_grey(image.copy(0, top, width, count)), shape[1], 1)
    return _resample_axis(narrow, shape[0], 0)


def _resample_axis(values: np.ndarray, n_out: int, axis: int) -> np.ndarray:
    """Resample 2-D ``values`` along ``axis`` to ``n_out`` samples (area mean down, bilinear up)."""
    n_in = values.shape[axis]
    shape = (-1, 1) if axis == 0 else (1, -1)  # to broadcast per-position weights along ``axis``
    if n_out == n_in:
        return values
    if n_out < n_in:  # the mean over [j·s, (j+1)·s) from the running sum at fractional positions
        scale = n_in / n_out
        running = np.cumsum(values, axis=axis, dtype=np.float64)
        running = np.concatenate([np.zeros_like(running.take([0], axis=axis)), running], axis=axis)
        edges = np.arange(n_out + 1) * scale
        whole = np.minimum(np.floor(edges).astype(np.int64), n_in - 1)
        at_edges = running.take(whole, axis=axis) + (edges - whole).reshape(shape) * values.take(whole, axis=axis)
        return (np.diff(at_edges, axis=axis) / scale).astype(np.float32)
    source = np.clip((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0, n_in - 1)  # half-pixel centres
    low = np.floor(source).astype(np.int64)
    frac = (source - low).astype(np.float32).reshape(shape)
    high = np.minimum(low + 1, n_in - 1)
    return values.take(low, axis=axis) * (np.float32(1.0) - frac) + values.take(high, axis=axis) * frac


def _strip_grey(image: QImage) -> np.ndarray:
    """Like ``_qimage_to_grey``, without the RGBA round trip for 8-bit grey pictures (PNG scans, MNIST)."""
    if image.format() != QImage.Format.Format_Grayscale8:
        return _qimage_to_grey(image)
    height, width = image.height(), image.width()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    grey = raw.reshape(height, image.bytesPerLine())[:, :width].astype(np.float32)
    grey *= np.float32(1 / 255)
    return grey


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
