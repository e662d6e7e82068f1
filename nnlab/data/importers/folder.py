"""A folder with one sub-folder of images per class: ``shapes/star/01.png``, ``shapes/box/07.jpg``, …

Every image's size is read from its header first; the most common size (scaled down to NN Lab's
input limit) is the target, and each image is then decoded straight to that size, one at a time,
into one uint8 array — so a folder of huge photos never holds more than one decoded picture.
"""
from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError

from .common import image_dataset
from .limits import MAX_INPUT_PIXELS, MAX_VALUES

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif")


def load_image_folder(path: Path) -> Dataset:
    # Qt's decoders are loaded only here: the rest of nnlab.data (and nnlab.lab) imports without Qt.
    from nnlab.data.image_io import image_size, read_grey_pixels

    class_dirs = sorted(p for p in _listing(path) if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise DatasetFormatError(path, None, "the folder has no class sub-folders (expected one sub-folder "
                                 "of images per class)")
    files, labels = [], []
    for k, folder in enumerate(class_dirs):
        _check_name(folder, "class folder")
        images = sorted(p for p in _listing(folder)
                        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES and not p.name.startswith("."))
        for image in images:
            _check_name(image, "image")
        if not images:
            raise DatasetFormatError(folder, None, f"class folder {folder.name!r} holds no "
                                     f"{'/'.join(s[1:] for s in IMAGE_SUFFIXES)} images")
        files += images
        labels += [k] * len(images)
    if len(class_dirs) < 2:
        raise DatasetFormatError(path, None, f"it has only the class folder {class_dirs[0].name!r}, "
                                 "but a classifier needs at least 2 classes")
    sizes = [image_size(f) for f in files]  # headers only: nothing decoded yet
    height, width = target_size(Counter(sizes).most_common(1)[0][0])
    if len(files) * height * width > MAX_VALUES:
        raise DatasetFormatError(path, None, f"its {len(files):,} images of {height}×{width} pixels would hold "
                                 f"{len(files) * height * width:,} values, more than NN Lab's limit of "
                                 f"{MAX_VALUES:,}")
    pixels = np.empty((len(files), height * width), dtype=np.uint8)
    for i, file in enumerate(files):
        pixels[i] = read_grey_pixels(file, (height, width)).reshape(-1)
    return image_dataset(path, pixels, np.array(labels), [d.name for d in class_dirs], (height, width),
                         name=path.name)


def _check_name(path: Path, what: str) -> None:
    """Refuse a name that is not UTF-8 text (Linux keeps such bytes as lone surrogates): Qt cannot open
    the file (it said "File not found"), and a class name must be text a weight file can hold."""
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError as error:
        byte = path.name[error.start].encode("utf-8", "surrogateescape")[0]
        raise DatasetFormatError(path, None, f"the {what}'s name is not UTF-8 text (byte {error.start} is "
                                 f"0x{byte:02X}); rename it") from None


def _listing(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError as error:
        raise DatasetFormatError(folder, None, f"the folder cannot be read ({error.strerror or error})") from error


def target_size(size: tuple[int, int]) -> tuple[int, int]:
    """(height, width) scaled down, keeping its shape, to at most MAX_INPUT_PIXELS pixels."""
    height, width = size
    if height * width <= MAX_INPUT_PIXELS:
        return height, width
    scale = math.sqrt(MAX_INPUT_PIXELS / (height * width))
    return max(1, math.floor(height * scale)), max(1, math.floor(width * scale))
