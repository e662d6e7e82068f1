"""Tell a picture's ink from its background: faint grid or frame lines, paper tint, JPEG noise.

A photo or screenshot of a drawn digit holds more than the digit: the grid of squared paper, the
frame of a box or a window, grey paper, compression noise. Once ``transforms`` has put the ink
at 1 on a background at 0, these are the values between. Left in, they widen the ink's bounding
box to the whole crop and the network reads the lines (a 9 on squared paper as a 4 at 99 %).
Straight lines across the whole picture, thinner than the strokes, are erased; Otsu's
threshold splits the ink from what is fainter, and the ink with its anti-aliased rim is kept;
the rest becomes 0. A clean drawing has nothing lit beyond its strokes' rims, so it comes out
unchanged. Pure NumPy: masks are grown with running sums, no image library is needed.
"""
from __future__ import annotations

import math

import numpy as np

HISTOGRAM_BINS = 256  # one bin per level of an 8-bit picture
NOISE_FLOOR = 0.1  # as transforms.INK_THRESHOLD: paper noise and JPEG ripples stay below it (ink at 1)
MIN_RIM_PX = 4  # MNIST's faint stroke fragments lie within 4 px of its strokes; at 3 px 2 of its
#                 10,000 test digits lose a fragment and change their prediction
RIM_SHARE = 0.5  # the canvas brush's soft edge ends within 0.32 of its radius beyond Otsu's contour
SPECK_REACH = 2.0  # an ink spot with under half-width² ink pixels within two half-widths is a speck;
#                   without this, JPEG grids (lines 0.3 darker every 30 px) are read 84 % right, not 94 %
BACKGROUND_PERCENTILE = 99.0  # grid lines cover a few % of the background, noise fewer
LINE_LEVEL = 0.5  # lines alone are the darkest thing in the picture: at 1, far above their noise
LINE_COVERAGE = 0.9  # a grid or frame line is lit along at least 90 % of the picture (erasing them: a
#                     black frame's crops are read 94 % right, not 38 %; lines 0.5 darker: 93 %, not 55 %)
LINE_MARGIN_PX = 2  # a line's anti-aliased (or JPEG-smeared) edges
LINE_TOLERANCE = 0.1  # a line's pixels vary this much (sensor noise, JPEG) about its median
MIN_INK_EXTENT = 0.03  # ink spanning under 3 % of the shorter side (8 px of a 280 px picture) is a speck


def otsu_threshold(values: np.ndarray, bins: int = HISTOGRAM_BINS) -> float:
    """The level that best splits ``values`` (in [0, 1]) into two classes (Otsu, 1979).

    It maximises the between-class variance w0·w1·(m0 − m1)² over the histogram's bin edges;
    the upper class is ``values >= threshold``. Values of a single level are all upper class.
    """
    counts = np.bincount(np.minimum((np.ravel(values) * bins).astype(np.intp), bins - 1),
                         minlength=bins).astype(np.float64)
    levels = (np.arange(bins) + 0.5) / bins
    weight_low = np.cumsum(counts)[:-1]
    mass_low = np.cumsum(counts * levels)[:-1]
    total, mass = counts.sum(), float(counts @ levels)
    weight_high = total - weight_low
    valid = (weight_low > 0) & (weight_high > 0)
    if not valid.any():
        return float(np.flatnonzero(counts)[0] / bins) if total else 1.0
    with np.errstate(divide="ignore", invalid="ignore"):
        between = weight_low * weight_high * (mass_low / weight_low - (mass - mass_low) / weight_high) ** 2
    return float((np.argmax(np.where(valid, between, -1.0)) + 1) / bins)


def stroke_half_width(mask: np.ndarray) -> float:
    """Half the typical width of the strokes in a (H, W) bool mask: area / boundary pixels.

    A stroke of width w and length L has area w·L and about 2·L boundary pixels.
    """
    area = int(mask.sum())
    if area == 0:
        return 0.0
    inner = mask.copy()
    inner[1:] &= mask[:-1]
    inner[:-1] &= mask[1:]
    inner[:, 1:] &= mask[:, :-1]
    inner[:, :-1] &= mask[:, 1:]
    return area / max(area - int(inner.sum()), 1)


def _running(array: np.ndarray, width: int, axis: int, combine) -> np.ndarray:
    """``combine`` every run of ``width`` neighbours along ``axis`` (the result is width − 1
    shorter) by doubling: log2(width) whole-array steps, not width of them."""
    def part(a: np.ndarray, start: int, stop: int) -> np.ndarray:
        return a[(slice(None),) * axis + (slice(start, stop),)]

    length = array.shape[axis] - width + 1
    result, offset, span, runs = None, 0, 1, array  # runs[i] combines array[i : i + span]
    while width:
        if width & 1:
            piece = part(runs, offset, offset + length)
            result = piece.copy() if result is None else combine(result, piece)
            offset += span
        width >>= 1
        if width:
            runs = combine(part(runs, 0, runs.shape[axis] - span), part(runs, span, runs.shape[axis]))
            span *= 2
    return result


def _square(mask: np.ndarray, reach: int, combine, dtype) -> np.ndarray:
    padded = np.pad(mask.astype(dtype, copy=False), reach)
    side = 2 * reach + 1
    return _running(_running(padded, side, 0, combine), side, 1, combine)


def window_counts(mask: np.ndarray, reach: int) -> np.ndarray:
    """How many True pixels of the (H, W) bool mask lie in the square of ``reach`` around each pixel."""
    return _square(mask, reach, np.add, np.int32)


def dilate(mask: np.ndarray, reach: int) -> np.ndarray:
    """Every pixel within ``reach`` pixels (a square) of a True pixel of the (H, W) bool mask."""
    return _square(mask, reach, np.logical_or, bool) if reach > 0 else mask.copy()


def ruled_lines(lit: np.ndarray) -> list[tuple[int, int, int]]:
    """Bands of rows (axis 0) or columns (axis 1), as (axis, start, stop), lit along at least
    ``LINE_COVERAGE`` of the (H, W) picture: a scan's or a screenshot's grid and frame lines."""
    lines = []
    for axis in (0, 1):
        full = lit.mean(axis=1 - axis) >= LINE_COVERAGE
        edges = np.diff(np.concatenate(([0], full.astype(np.int8), [0])))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
        lines += [(axis, int(start), int(stop)) for start, stop in zip(starts, stops)]
    return lines


def _band(image: np.ndarray, axis: int, start: int, stop: int) -> np.ndarray:
    """The rows (axis 0) or columns (axis 1) start:stop of ``image``, as a view."""
    return image[max(start, 0):stop] if axis == 0 else image[:, max(start, 0):stop]


def _on_lines(shape: tuple[int, int], lines: list[tuple[int, int, int]]) -> np.ndarray:
    mask = np.zeros(shape, bool)
    for axis, start, stop in lines:
        _band(mask, axis, start - LINE_MARGIN_PX, stop + LINE_MARGIN_PX)[...] = True
    return mask


def erase_ruled_lines(ink: np.ndarray, lines: list[tuple[int, int, int]]) -> np.ndarray:
    """A copy of ``ink`` without the given lines: their pixels and edges no darker than the line
    itself (plus ``LINE_TOLERANCE``) become 0, so where a darker stroke crosses the line, or runs
    along it, the stroke stays. The line's own level is its faintest tenth: a stroke may cover
    much of a line, never 90 % of it (the line spans the picture)."""
    erased = ink.copy()
    for axis, start, stop in lines:
        level = float(np.percentile(_band(ink, axis, start, stop), 10))
        band = _band(erased, axis, start - LINE_MARGIN_PX, stop + LINE_MARGIN_PX)
        band[band <= level + LINE_TOLERANCE] = 0.0
    return erased


def is_speck(ink: np.ndarray) -> bool:
    """True when the (H, W) ink above ``NOISE_FLOOR`` spans under ``MIN_INK_EXTENT`` of the shorter side."""
    rows = np.flatnonzero((ink > NOISE_FLOOR).any(axis=1))
    cols = np.flatnonzero((ink > NOISE_FLOOR).any(axis=0))
    if rows.size == 0:
        return True
    extent = max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1)
    return extent < MIN_INK_EXTENT * min(ink.shape)


def remove_background(ink: np.ndarray) -> np.ndarray:
    """(H, W) ink 1 on background 0 → the ink alone, background 0 (a new array).

    1. Otsu's threshold over the lit pixels (above ``NOISE_FLOOR``) splits faint lines from
       ink; over all pixels the paper, often 90 % of them, drags it down onto the lines. Straight
       lines across the whole picture (a scan's or a screenshot's grid and frame) are left out of
       the count, so thin strokes are not outnumbered by lines a little fainter than them.
    2. The ink's rim (anti-aliasing, pen blur) reaches ``RIM_SHARE`` of the strokes' half-width
       beyond them, at least ``MIN_RIM_PX``. When nothing is lit beyond the rim and no straight
       line at most half as thick as the strokes crosses the picture, the background is clean
       (a canvas drawing, an MNIST digit) and the ink is kept as it is.
    3. Otherwise those thin straight lines are erased, and so are ink spots much
       smaller than a stroke (JPEG blocks where grid lines cross); everything beyond the ink's
       rim becomes 0, and so does whatever inside the rim is no darker than the background's own
       level (its ``BACKGROUND_PERCENTILE``: grid lines where they run into the strokes). The
       rest keeps its value, so strokes keep their width.

    Lines alone, or a speck, are no drawing: the result is then all 0, not the lines or the
    speck blown up to fill the network's input.
    """
    lit = ink > NOISE_FLOOR
    if not lit.any():
        return np.zeros_like(ink)
    lines = ruled_lines(lit)
    on_lines = _on_lines(ink.shape, lines)
    if len(lines) >= 2 and not (ink >= LINE_LEVEL)[~on_lines].any():
        return np.zeros_like(ink)  # squared paper or a frame, nothing drawn (one line may be a 1)
    off_lines = lit & ~on_lines
    threshold = otsu_threshold(ink[off_lines] if off_lines.any() else ink[lit])
    core = ink >= threshold
    strokes_half_width = stroke_half_width(core & ~on_lines)
    ruled = [(axis, start, stop) for axis, start, stop in lines if stop - start <= strokes_half_width]
    near = dilate(core, _rim(stroke_half_width(core)))
    if ruled or (lit & ~near).any():
        if ruled:
            ink = erase_ruled_lines(ink, ruled)
            core &= ink > 0
        half_width = stroke_half_width(core)
        core &= window_counts(core, math.ceil(SPECK_REACH * half_width)) >= math.floor(half_width ** 2)
        near = dilate(core, _rim(half_width))
        outside = ink[~near]
        level = float(np.percentile(outside, BACKGROUND_PERCENTILE, method="higher")) if outside.size else 0.0
        near &= ink > level
    kept = np.where(near, ink, np.float32(0.0)).astype(ink.dtype, copy=False)
    return np.zeros_like(ink) if is_speck(kept) else kept


def _rim(half_width: float) -> int:
    return math.ceil(max(MIN_RIM_PX, RIM_SHARE * half_width))
