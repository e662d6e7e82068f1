"""Turn a drawing or photo into the row a trained network expects — pure NumPy.

The canvas calls these on every stroke and ``nnlab predict`` on image files, so a user's input
goes through the same normalisation the training images went through. ``mnist_transform``
rebuilds the MNIST recipe (LeCun et al.): fit the ink into a 20×20 box keeping the aspect ratio,
anti-aliased, then translate so the centre of mass lands on pixel (14, 14) of a 28×28 image.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from nnlab.data.background import remove_background

MNIST_SIZE = 28
MNIST_BOX = 20
MNIST_CENTRE = 14.0  # real MNIST centres of mass lie in [13.5, 14.5] (pixel-index coordinates)
FACES_SHAPE = (25, 25)
INK_THRESHOLD = 0.1  # after normalising ink to [0, 1]: fainter pixels do not widen the bounding box
MIN_CONTRAST = 0.1  # ink less than this above the background counts as a blank canvas
MAX_WORKING_PX = 560  # 28× the 20 px box: a bigger photo is averaged down first (3000×2215 px: 1 s → 25 ms)
BORDER_SHARE = 0.05  # 14 px of a 280 px picture, 1 px of a 28 px digit: a 1–2 px frame line is a minority

_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


def as_grey(image: np.ndarray) -> np.ndarray:
    """(H, W), (H, W, 1), (H, W, 3) or (H, W, 4) image → (H, W) float32 in [0, 1].

    Integer images are taken as 0..255 (uint16 as 0..65535); float images whose values exceed 1
    are taken as 0..255. RGBA is composited onto white, as ``image_io`` does.
    """
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[2] in (1, 3, 4):
        channels = image.shape[2]
    elif image.ndim == 2:
        channels = 0
    else:
        raise ValueError(f"expected an (H, W) grey or (H, W, 3|4) colour image, got shape {image.shape}")
    if image.size == 0:
        raise ValueError(f"cannot transform an empty image of shape {image.shape}")
    if image.dtype == np.uint16:
        grey = image.astype(np.float32) / np.float32(65535.0)
    elif image.dtype.kind in "uib":
        grey = image.astype(np.float32) / np.float32(1.0 if image.dtype.kind == "b" else 255.0)
    else:
        grey = image.astype(np.float32, copy=True)
        if grey.max() > 1.0:
            grey /= np.float32(255.0)
    if channels == 1:
        grey = grey[..., 0]
    elif channels >= 3:
        rgb = grey[..., :3] @ _LUMA
        grey = rgb if channels == 3 else rgb * grey[..., 3] + (1.0 - grey[..., 3])
    return np.clip(grey, 0.0, 1.0, out=grey)


@lru_cache(maxsize=256)
def _resample_matrix(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights that resample one axis: area averaging when shrinking (each output
    pixel is the mean of the input span it covers, so thin strokes fade instead of vanishing),
    bilinear with half-pixel centres when enlarging, identity when the size is unchanged."""
    if n_out <= n_in:
        scale = n_in / n_out
        lo = np.arange(n_out)[:, None] * scale
        left = np.arange(n_in)[None, :]
        overlap = np.minimum(lo + scale, left + 1) - np.maximum(lo, left)
        weights = np.clip(overlap, 0.0, None) / scale
    else:
        src = np.clip((np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5, 0.0, n_in - 1)
        j0 = np.floor(src).astype(int)
        j1 = np.minimum(j0 + 1, n_in - 1)
        frac = src - j0
        weights = np.zeros((n_out, n_in))
        np.add.at(weights, (np.arange(n_out), j0), 1.0 - frac)
        np.add.at(weights, (np.arange(n_out), j1), frac)
    weights = weights.astype(np.float32)
    weights.setflags(write=False)
    return weights


def resize_image(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Resample a (H, W) float image to ``shape`` = (h, w), each axis independently (stretches)."""
    height, width = int(shape[0]), int(shape[1])
    if height < 1 or width < 1:
        raise ValueError(f"cannot resize to shape {tuple(shape)}")
    image = np.asarray(image, dtype=np.float32)
    rows = _resample_matrix(image.shape[0], height)
    cols = _resample_matrix(image.shape[1], width)
    return (rows @ image) @ cols.T


def _ink_on_zero(grey: np.ndarray) -> np.ndarray | None:
    """(H, W) grey → ink = 1 on background = 0, or None when there is no visible ink.

    Polarity comes from the border: a light border (median > 0.5) means dark strokes on paper,
    which get inverted. The border is a band ``BORDER_SHARE`` of the shorter side wide, so a
    frame line along the picture's edge is a minority of it. The border level is subtracted and
    the darkest ink stretched to 1, so grey paper or a soft pen still gives MNIST-like contrast.
    """
    band = max(1, round(BORDER_SHARE * min(grey.shape)))
    border = np.concatenate((grey[:band].ravel(), grey[-band:].ravel(),
                             grey[band:-band, :band].ravel(), grey[band:-band, -band:].ravel()))
    background = float(np.median(border))
    ink = 1.0 - grey if background > 0.5 else grey
    background = min(background, 1.0 - background)
    peak = float(ink.max())
    if peak - background < MIN_CONTRAST:
        return None
    ink = (ink - np.float32(background)) * np.float32(1.0 / (peak - background))
    return np.clip(ink, 0.0, 1.0, out=ink)


def _at_most(grey: np.ndarray, longest: int) -> np.ndarray:
    """Average (H, W) grey over b×b blocks, the smallest b that brings the longer side to at
    most ``longest`` (edges padded by repetition). Strided sums: a 2800×2800 photo takes ~5 ms."""
    block = -(-max(grey.shape) // longest)
    if block <= 1:
        return grey
    height, width = -(-grey.shape[0] // block), -(-grey.shape[1] // block)
    padded = np.pad(grey, ((0, height * block - grey.shape[0]), (0, width * block - grey.shape[1])), "edge")
    rows = padded[0::block].copy()
    for offset in range(1, block):
        rows += padded[offset::block]
    out = rows[:, 0::block].copy()
    for offset in range(1, block):
        out += rows[:, offset::block]
    return out * np.float32(1.0 / (block * block))


def mnist_transform(image: np.ndarray) -> np.ndarray:
    """Any-size drawing (H, W), light-on-dark or dark-on-light → (28, 28) float32, ink 1 on 0.

    Crop to the ink, scale the longer side to 20 px (aspect kept, anti-aliased), then shift by
    whole pixels so the centre of mass sits at (14, 14). A blank image gives all zeros.
    """
    out = np.zeros((MNIST_SIZE, MNIST_SIZE), dtype=np.float32)
    ink = _ink_on_zero(_at_most(as_grey(image), MAX_WORKING_PX))
    if ink is None:
        return out
    ink = remove_background(ink)
    rows = np.flatnonzero(ink.max(axis=1) > INK_THRESHOLD)
    cols = np.flatnonzero(ink.max(axis=0) > INK_THRESHOLD)
    if rows.size == 0:
        return out
    crop = ink[rows[0]: rows[-1] + 1, cols[0]: cols[-1] + 1]
    scale = MNIST_BOX / max(crop.shape)
    box_shape = (max(1, round(crop.shape[0] * scale)), max(1, round(crop.shape[1] * scale)))
    box = resize_image(crop, box_shape)
    box *= np.float32(1.0 / box.max())  # strokes thinned by shrinking get their full darkness back
    total = float(box.sum())
    centre_y = float(box.sum(axis=1) @ np.arange(box.shape[0])) / total
    centre_x = float(box.sum(axis=0) @ np.arange(box.shape[1])) / total
    top = int(round(MNIST_CENTRE - centre_y))
    left = int(round(MNIST_CENTRE - centre_x))
    _paste(out, box, top, left)
    return out


def _paste(canvas: np.ndarray, patch: np.ndarray, top: int, left: int) -> None:
    """Copy ``patch`` into ``canvas`` with its corner at (top, left), clipping at the edges."""
    y0, x0 = max(top, 0), max(left, 0)
    y1 = min(top + patch.shape[0], canvas.shape[0])
    x1 = min(left + patch.shape[1], canvas.shape[1])
    if y1 > y0 and x1 > x0:
        canvas[y0:y1, x0:x1] = patch[y0 - top: y1 - top, x0 - left: x1 - left]


def faces_transform(image: np.ndarray, shape: tuple[int, int] = FACES_SHAPE) -> np.ndarray:
    """Photo or drawing (H, W[, C]) → ``shape`` (default (25, 25)) float32 grey in [0, 1].

    Centre-crops to the target's aspect ratio (square for 25×25), then area-averages down.
    Polarity is kept as it is: LFW faces are ordinary photos (light skin, varied background) so
    inverting by a border rule would wreck real photos; a dark-on-white drawing is passed through
    unchanged too, and simply looks to the network like a bright, pale photo.
    """
    grey = as_grey(image)
    height, width = grey.shape
    target_aspect = shape[0] / shape[1]
    if height / width > target_aspect:  # too tall: trim top and bottom
        keep = max(1, round(width * target_aspect))
        start = (height - keep) // 2
        grey = grey[start: start + keep]
    else:  # too wide: trim the sides
        keep = max(1, round(height / target_aspect))
        start = (width - keep) // 2
        grey = grey[:, start: start + keep]
    return np.clip(resize_image(grey, shape), 0.0, 1.0)


def resize_transform(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Any image → ``shape`` (h, w) float32 grey in [0, 1], stretched like the folder importer does."""
    return np.clip(resize_image(as_grey(image), shape), 0.0, 1.0)


def to_model_input(image: np.ndarray, preprocess: str, input_shape: tuple[int, ...]) -> np.ndarray:
    """Raw input → one (n_features,) float32 row, using the dataset's ``preprocess`` name.

    "mnist", "faces" and "resize" take an image; "none" takes a feature vector of the right size.
    """
    input_shape = tuple(int(n) for n in input_shape)
    n_features = int(np.prod(input_shape))
    if preprocess == "mnist":
        if n_features != MNIST_SIZE * MNIST_SIZE:
            raise ValueError(f"preprocess 'mnist' makes 28×28 = 784 features, not input shape {input_shape}")
        row = mnist_transform(image)
    elif preprocess in ("faces", "resize"):
        if len(input_shape) != 2:
            raise ValueError(f"preprocess {preprocess!r} needs a (height, width) input shape, got {input_shape}")
        transform = faces_transform if preprocess == "faces" else resize_transform
        row = transform(image, input_shape)
    elif preprocess == "none":
        row = np.asarray(image, dtype=np.float32)
        if row.size != n_features:
            raise ValueError(f"expected {n_features} features for input shape {input_shape}, got {row.size}")
    else:
        raise ValueError(f"unknown preprocess {preprocess!r}: expected 'mnist', 'faces', 'resize' or 'none'")
    return np.ascontiguousarray(row, dtype=np.float32).reshape(-1)
