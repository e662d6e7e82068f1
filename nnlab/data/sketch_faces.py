"""Hand-drawn-looking smiley faces versus non-faces, generated from a seed.

Learners can draw their own test images for this set, so the samples look like
canvas strokes: white ink (1) on black (0), sized and centred like MNIST digits.
Each sketch is a few line segments and elliptic arcs in a local frame (face
outline of radius ≈ 1 around the origin, y pointing down); it is then turned,
fitted into the canvas and rendered with anti-aliased strokes from distance
fields, many sketches at once.
"""
from __future__ import annotations

import numpy as np

from nnlab.data.dataset import Dataset

CLASSES = ["not a face", "face"]
NONFACE_STYLES = ("outline-only", "eyes-below-mouth", "mouth-outside", "eyes-outside",
                  "outline-with-lines", "random-lines", "scribble", "loops")
_TWO_PI = 2 * np.pi
_PIXELS_PER_CHUNK = 4_000_000


class _Sketch:
    """Primitives of one drawing before fitting.

    segments: rows (x0, y0, x1, y1, width factor); arcs: rows
    (cx, cy, rx, ry, rotation, start angle, sweep, width factor). A zero-length
    segment draws a round dot.
    """

    def __init__(self) -> None:
        self.segments: list[tuple[float, ...]] = []
        self.arcs: list[tuple[float, ...]] = []

    def line(self, x0: float, y0: float, x1: float, y1: float, width: float = 1.0) -> None:
        self.segments.append((x0, y0, x1, y1, width))

    def arc(self, cx: float, cy: float, rx: float, ry: float, start: float = 0.0,
            sweep: float = _TWO_PI, rotation: float = 0.0, width: float = 1.0) -> None:
        self.arcs.append((cx, cy, rx, ry, rotation, start, sweep, width))


# ---------------------------------------------------------------- face parts

def _outline(s: _Sketch, rng: np.random.Generator, cx: float = 0.0, cy: float = 0.0,
             radius: float = 1.0) -> None:
    gap = rng.uniform(0.0, 0.35)
    s.arc(cx, cy, radius, radius * rng.uniform(0.9, 1.15), start=rng.uniform(0, _TWO_PI),
          sweep=_TWO_PI - gap, rotation=rng.uniform(-0.3, 0.3))


def _eye(s: _Sketch, rng: np.random.Generator, x: float, y: float, style: int) -> None:
    x, y = x + rng.normal(0, 0.03), y + rng.normal(0, 0.03)
    if style == 0:
        s.line(x, y, x, y, width=rng.uniform(1.3, 2.0))
    elif style == 1:
        r = rng.uniform(0.08, 0.13)
        s.arc(x, y, r, r * rng.uniform(0.85, 1.2))
    else:
        h = rng.uniform(0.06, 0.12)
        s.line(x, y - h, x + rng.normal(0, 0.02), y + h)


def _eyes(s: _Sketch, rng: np.random.Generator, cx: float = 0.0, cy: float = -0.3,
          spread: float | None = None) -> None:
    spread = rng.uniform(0.28, 0.42) if spread is None else spread
    style = int(rng.integers(3))
    for side in (-1, 1):
        _eye(s, rng, cx + side * spread, cy, style)


def _smile(s: _Sketch, rng: np.random.Generator, cx: float = 0.0, bottom: float = 0.55) -> None:
    """A U-shaped arc (the lower part of an ellipse) whose lowest point is near `bottom`."""
    rx, ry = rng.uniform(0.3, 0.55), rng.uniform(0.15, 0.4)
    t0 = rng.uniform(0.1, 0.3) * np.pi
    t1 = np.pi - rng.uniform(0.1, 0.3) * np.pi
    s.arc(cx + rng.normal(0, 0.03), bottom - ry, rx, ry, start=t0, sweep=t1 - t0,
          rotation=rng.normal(0, 0.08))


def _mouth(s: _Sketch, rng: np.random.Generator, cx: float = 0.0, bottom: float = 0.55) -> None:
    if rng.random() < 0.2:
        half = rng.uniform(0.2, 0.4)
        tilt = rng.normal(0, 0.04)
        s.line(cx - half, bottom - 0.1 - tilt, cx + half, bottom - 0.1 + tilt)
    else:
        _smile(s, rng, cx, bottom)


def _random_points(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform(-1.0, 1.0, (n, 2))


# ---------------------------------------------------------------- sketch kinds

def _face(rng: np.random.Generator) -> _Sketch:
    s = _Sketch()
    _outline(s, rng)
    _eyes(s, rng, cy=rng.uniform(-0.45, -0.15))
    _mouth(s, rng, bottom=rng.uniform(0.4, 0.7))
    return s


def _nonface(style: str, rng: np.random.Generator) -> _Sketch:
    s = _Sketch()
    if style == "outline-only":
        _outline(s, rng)
    elif style == "eyes-below-mouth":
        _outline(s, rng)
        _smile(s, rng, bottom=rng.uniform(-0.3, -0.1))
        _eyes(s, rng, cy=rng.uniform(0.25, 0.5))
    elif style == "mouth-outside":
        _outline(s, rng)
        _eyes(s, rng, cy=rng.uniform(-0.45, -0.15))
        if rng.random() < 0.5:
            _mouth(s, rng, bottom=rng.uniform(1.5, 1.8))
        else:
            _mouth(s, rng, cx=rng.choice([-1.0, 1.0]) * rng.uniform(1.5, 1.8), bottom=rng.uniform(0.2, 0.6))
    elif style == "eyes-outside":
        _outline(s, rng)
        _mouth(s, rng, bottom=rng.uniform(0.4, 0.7))
        if rng.random() < 0.5:
            _eyes(s, rng, cy=rng.uniform(-1.45, -1.25))
        else:
            _eyes(s, rng, cy=rng.uniform(-0.4, 0.2), spread=rng.uniform(1.3, 1.5))
    elif style == "outline-with-lines":
        _outline(s, rng)
        for a, b in _random_points(rng, int(rng.integers(2, 4)) * 2).reshape(-1, 2, 2) * 0.7:
            s.line(a[0], a[1], b[0], b[1])
    elif style == "random-lines":
        for a, b in _random_points(rng, int(rng.integers(3, 7)) * 2).reshape(-1, 2, 2):
            s.line(a[0], a[1], b[0], b[1])
    elif style == "scribble":
        pts = _random_points(rng, int(rng.integers(4, 9)))
        for a, b in zip(pts[:-1], pts[1:]):
            s.line(a[0], a[1], b[0], b[1])
    elif style == "loops":
        for cx, cy in _random_points(rng, int(rng.integers(2, 4))):
            r = rng.uniform(0.2, 0.6)
            s.arc(cx, cy, r, r * rng.uniform(0.7, 1.4), start=rng.uniform(0, _TWO_PI),
                  sweep=rng.uniform(0.6, 1.0) * _TWO_PI, rotation=rng.uniform(0, np.pi))
    else:
        raise ValueError(f"unknown non-face style {style!r}; known: {', '.join(NONFACE_STYLES)}")
    return s


def _sketch(kind: str, rng: np.random.Generator) -> _Sketch:
    if kind == "face":
        return _face(rng)
    if kind == "not a face":
        return _nonface(NONFACE_STYLES[int(rng.integers(len(NONFACE_STYLES)))], rng)
    if kind in NONFACE_STYLES:
        return _nonface(kind, rng)
    raise ValueError(f"unknown sketch kind {kind!r}; use 'face', 'not a face' or one of: "
                     f"{', '.join(NONFACE_STYLES)}")


# ---------------------------------------------------------------- fitting

def _arc_to_segments(arc: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Chords (k, 5) through the arc's sample points (25, 2), about one per 22.5° of sweep."""
    step = max(1, int(24 // np.ceil(arc[6] / (np.pi / 8))))
    pts = points[::step] if (len(points) - 1) % step == 0 else np.vstack([points[::step], points[-1:]])
    return np.column_stack([pts[:-1], pts[1:], np.full(len(pts) - 1, arc[7])])


def _fit(s: _Sketch, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Turn, scale and place a sketch on the unit canvas like an MNIST digit.

    Returns segments (k, 5) and arcs (m, 8) in canvas units (0..1 across), with the
    width column holding the absolute stroke width. Open eccentric arcs become
    chords, since _arc_distance would give their ends lopsided caps.
    """
    turn = rng.normal(0.0, 0.15)
    c, si = np.cos(turn), np.sin(turn)
    rot = np.array([[c, -si], [si, c]])
    segs = np.array(s.segments, dtype=np.float64).reshape(-1, 5)
    arcs = np.array(s.arcs, dtype=np.float64).reshape(-1, 8)
    segs[:, 0:2] = segs[:, 0:2] @ rot.T
    segs[:, 2:4] = segs[:, 2:4] @ rot.T
    arcs[:, 0:2] = arcs[:, 0:2] @ rot.T
    arcs[:, 4] += turn

    t = arcs[:, 5:6] + arcs[:, 6:7] * np.linspace(0.0, 1.0, 25)
    ex, ey = arcs[:, 2:3] * np.cos(t), arcs[:, 3:4] * np.sin(t)
    cr, sr = np.cos(arcs[:, 4:5]), np.sin(arcs[:, 4:5])
    arc_pts = np.stack([arcs[:, 0:1] + cr * ex - sr * ey, arcs[:, 1:2] + sr * ex + cr * ey], axis=-1)
    pts = np.concatenate([segs[:, 0:2], segs[:, 2:4], arc_pts.reshape(-1, 2)])
    radii = np.sort(arcs[:, 2:4], axis=1)
    polyline = (arcs[:, 6] < _TWO_PI) & (radii[:, 1] > 1.2 * radii[:, 0])
    if polyline.any():
        chords = [_arc_to_segments(a, p) for a, p in zip(arcs[polyline], arc_pts[polyline])]
        segs = np.concatenate([segs, *chords])
        arcs = arcs[~polyline]
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    scale = rng.uniform(0.5, 0.64) / max(float((hi - lo).max()), 1e-6)
    centre = 0.5 + rng.uniform(-0.03, 0.03, 2) - scale * (lo + hi) / 2

    stroke = rng.uniform(0.05, 0.09)
    segs[:, 0:4] = segs[:, 0:4] * scale + np.tile(centre, 2)
    segs[:, 4] *= stroke
    arcs[:, 0:2] = arcs[:, 0:2] * scale + centre
    arcs[:, 2:4] *= scale
    arcs[:, 7] *= stroke
    return segs, arcs


# ---------------------------------------------------------------- rendering

def _segment_distance(x: np.ndarray, y: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Distance (m, P) from pixel centres x, y (P,) to segments seg (m, ≥4)."""
    ax, ay = seg[:, 0:1], seg[:, 1:2]
    ex, ey = seg[:, 2:3] - ax, seg[:, 3:4] - ay
    dx, dy = x - ax, y - ay
    t = np.clip((dx * ex + dy * ey) / np.maximum(ex * ex + ey * ey, 1e-12), 0.0, 1.0)
    return np.hypot(dx - t * ex, dy - t * ey)


def _arc_distance(x: np.ndarray, y: np.ndarray, arc: np.ndarray) -> np.ndarray:
    """Approximate distance (m, P) from pixel centres (P,) to elliptic arcs (m, ≥7).

    Inside the arc's angular range it uses the first-order ellipse distance
    |k − 1| / |∇k| (exact for circles); outside, the distance to the nearer end.
    Good for near-circular arcs; _fit turns eccentric open arcs into polylines.
    """
    cx, cy, rx, ry = arc[:, 0:1], arc[:, 1:2], arc[:, 2:3], arc[:, 3:4]
    cr, sr = np.cos(arc[:, 4:5]), np.sin(arc[:, 4:5])
    start, sweep = arc[:, 5:6], arc[:, 6:7]
    dx, dy = x - cx, y - cy
    qx = (cr * dx + sr * dy) / rx
    qy = (cr * dy - sr * dx) / ry
    k = np.maximum(np.hypot(qx, qy), 1e-9)
    grad = np.maximum(np.hypot(qx / rx, qy / ry) / k, 1.0 / np.maximum(rx, ry))
    on_curve = np.abs(k - 1.0) / grad
    if np.all(sweep >= _TWO_PI):
        return on_curve
    inside = np.mod(np.arctan2(qy, qx) - start, _TWO_PI) <= sweep
    ends = []
    for angle in (start, start + sweep):
        ux, uy = rx * np.cos(angle), ry * np.sin(angle)
        ends.append(np.hypot(x - (cx + cr * ux - sr * uy), y - (cy + sr * ux + cr * uy)))
    return np.where(inside, on_curve, np.minimum(*ends))


def _render(prims: list[tuple[np.ndarray, np.ndarray]], size: int) -> np.ndarray:
    """Draw fitted sketches (list of (segments, arcs)) as ink images (n, size*size) float32."""
    n = len(prims)
    pixel = (np.arange(size, dtype=np.float32) + 0.5) / size
    gx = np.tile(pixel, size)
    gy = np.repeat(pixel, size)
    out = np.zeros((n, size * size), np.float32)
    chunk = max(1, _PIXELS_PER_CHUNK // (size * size))
    for column, distance in ((0, _segment_distance), (1, _arc_distance)):
        rows = [p[column] for p in prims]
        owner = np.repeat(np.arange(n), [len(r) for r in rows])
        if not len(owner):
            continue
        table = np.concatenate(rows).astype(np.float32)
        for lo in range(0, len(table), chunk):
            part, who = table[lo:lo + chunk], owner[lo:lo + chunk]
            d = distance(gx, gy, part)
            ink = np.clip((part[:, -1:] * 0.5 - d) * size + 0.5, 0.0, 1.0)
            starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
            ids = who[starts]
            out[ids] = np.maximum(out[ids], np.maximum.reduceat(ink, starts, axis=0))
    return out


def render_sketch(kind: str, rng: np.random.Generator, size: int = 280) -> np.ndarray:
    """One random sketch as a (size, size) float32 image, ink 1 on background 0.

    kind: "face", "not a face" (a random non-face style) or one name from NONFACE_STYLES.
    The drawing is resolution-independent, so size=280 mimics the drawing canvas.
    """
    if isinstance(size, bool) or not isinstance(size, (int, np.integer)) or size < 8:
        raise ValueError(f"size must be a whole number of pixels ≥ 8, got {size!r}")
    return _render([_fit(_sketch(kind, rng), rng)], int(size)).reshape(size, size)


def make_sketch_faces(n_samples: int = 2000, seed: int = 0) -> Dataset:
    """Balanced set of 28×28 sketches: x (n_samples, 784) float32, y 1 = face, 0 = not a face."""
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < 2:
        raise ValueError(f"n_samples must be a whole number ≥ 2, got {n_samples!r}")
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n_samples) % 2)
    prims = [_fit(_sketch(CLASSES[label], rng), rng) for label in y]
    x = _render(prims, 28)
    return Dataset("sketch-faces", x, y, list(CLASSES), (28, 28), "mnist",
                   "Sketch faces: drawn smileys versus scribbles and jumbled face parts",
                   {"seed": int(seed)})
