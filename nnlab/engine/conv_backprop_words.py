"""A convolutional network's backward pass in words, one map pixel's δ or one kernel weight's gradient at a time.

Everything is read off a :class:`ConvBackpropWalk`, so the numbers written are the numbers the walk (and
the tests) computed: the written terms add up to the value on the last line. ``column`` names a map pixel's
layer as ``FeatureRef`` does (network layer index + 1); ``layer`` a kernel weight's as ``weights[layer]``.
``digits=None`` writes every digit (the hover and copy text).
"""
from __future__ import annotations

import numpy as np

from .backprop_steps import FINITE_DIFFERENCE_STEP
from .conv_backprop_steps import ConvBackpropWalk, pool_winners
from .explain import ACTIVATION_NAMES, activation_derivative
from .layers import AVGPOOL2D, CONV2D, FLATTEN, MAXPOOL2D, layer_word
from .numbers import MINUS, format_number, signed

TERMS_WRITTEN = 6  # the largest terms of a sum written out; the rest are added up in one figure
CHECK_WORDS = f"h = 1e{MINUS}6"
TIE_WITHIN = 4 * FINITE_DIFFERENCE_STEP  # inputs of a max-pooling window this close swap the win under a ±h nudge


def _pixel_name(column: int, channel: int, row: int, col: int) -> str:
    return f"map {channel + 1} pixel ({row}, {col}) of layer {column}"


def _largest(products: np.ndarray, texts, digits) -> list[str]:
    """The TERMS_WRITTEN largest |terms| in order of size, one per line, then the rest as one figure."""
    flat = products.reshape(-1)
    order = np.argsort(-np.abs(flat), kind="stable")[:TERMS_WRITTEN]
    lines = [f"  {texts(int(k))} = {format_number(flat[k], digits)}" for k in order if flat[k] != 0]
    rest = float(flat.sum() - flat[order].sum())
    left = flat.size - len(order)
    if left > 0:
        lines.append(f"  [{left} other term{'s' * (left != 1)} = {format_number(rest, digits)}]")
    return lines


def upstream_lines(walk: ConvBackpropWalk, column: int, channel: int, row: int, col: int,
                   digits: int | None = 3) -> list[str]:
    """How ∂L/∂a of this map pixel is built from the layer after it; the last line ends ``= value``."""
    f = lambda value: format_number(value, digits)  # noqa: E731
    layer = column - 1
    network, following = walk.network, walk.network.layers[layer + 1]
    value = float(walk.upstream[layer][channel, row, col])
    later = column + 1
    if following.kind in (MAXPOOL2D, AVGPOOL2D):
        size = following.size
        out_row, out_col = row // size, col // size
        pooled = walk.deltas[layer + 1]
        if out_row >= pooled.shape[1] or out_col >= pooled.shape[2]:
            return [f"no {size}×{size} window of layer {later} reads this pixel (past the pooling's floor)",
                    "∂L/∂a = 0"]
        delta = float(pooled[channel, out_row, out_col])
        window = f"its {size}×{size} window is pixel ({out_row}, {out_col}) of layer {later}'s map {channel + 1}"
        if following.kind == AVGPOOL2D:
            return [f"{window}, δ = {f(delta)}",
                    f"∂L/∂a = δ / {size * size} = {f(delta)} / {size * size} = {f(value)}"]
        win_row, win_col = divmod(int(walk.winners[layer + 1][channel, out_row, out_col]), size)
        win_row, win_col = out_row * size + win_row, out_col * size + win_col
        if (win_row, win_col) == (row, col):
            return [f"{window}: this pixel won its max (a = {f(walk.a[layer + 1][channel, row, col])})",
                    f"∂L/∂a = the window's δ = {f(value)}"]
        maps = walk.a[layer + 1]
        return [f"{window}: pixel ({win_row}, {win_col}) won its max (a = {f(maps[channel, win_row, win_col])} "
                f"against this pixel's {f(maps[channel, row, col])}); only the winner gets the δ",
                "∂L/∂a = 0"]
    if following.kind == FLATTEN:
        dense = layer + 2
        _, height, width = walk.a[layer + 1].shape
        index = (channel * height + row) * width + col
        weights, deltas = network.weights[dense][:, index], walk.deltas[dense]
        lines = [f"flatten puts this pixel at position {index + 1}; ∂L/∂a = Σ_k W[k, {index + 1}]·δ_k over the "
                 f"{len(deltas)} neurons of layer {column + 2}:"]
        lines += _largest(weights * deltas, lambda k: f"neuron {k + 1}: {f(weights[k])} × {signed(deltas[k], digits)}",
                          digits)
        return lines + [f"∂L/∂a = {f(value)}"]
    return _through_convolution(walk, column, channel, row, col, digits)


def _through_convolution(walk, column, channel, row, col, digits) -> list[str]:
    """Σ over the next convolution's taps that read this pixel of w[f, channel, i, j]·δ[f, out_row, out_col]."""
    f = lambda value: format_number(value, digits)  # noqa: E731
    layer = column - 1
    spec, weight, delta = walk.network.layers[layer + 1], walk.network.weights[layer + 1], walk.deltas[layer + 1]
    pad = walk.padding(layer + 1)
    products, names = [], []
    for i in range(spec.kernel):
        for j in range(spec.kernel):
            out_row, out_col = row + pad - i, col + pad - j
            if out_row % spec.stride or out_col % spec.stride:
                continue
            out_row, out_col = out_row // spec.stride, out_col // spec.stride
            if not (0 <= out_row < delta.shape[1] and 0 <= out_col < delta.shape[2]):
                continue
            for filt in range(spec.filters):
                products.append(weight[filt, channel, i, j] * delta[filt, out_row, out_col])
                names.append(f"filter {filt + 1} tap ({i}, {j}) at ({out_row}, {out_col}): "
                             f"{f(weight[filt, channel, i, j])} × {signed(delta[filt, out_row, out_col], digits)}")
    value = float(walk.upstream[layer][channel, row, col])
    lines = [f"∂L/∂a = Σ w·δ over the {len(products)} kernel taps of layer {column + 1} ({layer_word(spec)}) "
             "that read this pixel:"]
    lines += _largest(np.array(products), lambda k: names[k], digits)
    return lines + [f"∂L/∂a = {f(value)}"]


def pixel_delta_lines(walk: ConvBackpropWalk, column: int, channel: int, row: int, col: int,
                      digits: int | None = 3) -> list[str]:
    """δ of one map pixel by the chain rule; the first line is the short summary ``δ = … = value``."""
    f = lambda value: format_number(value, digits)  # noqa: E731
    layer = column - 1
    spec = walk.network.layers[layer]
    value = walk.pixel_delta(column, channel, row, col)
    if spec.kind == CONV2D:
        name = ACTIVATION_NAMES.get(spec.activation, spec.activation)
        z = float(walk.z[layer][channel, row, col])
        slope = activation_derivative(spec.activation, z)
        upstream = float(walk.upstream[layer][channel, row, col])
        return [f"δ = {name}′(z) · ∂L/∂a = {f(slope)} × {signed(upstream, digits)} = {f(value)}",
                *upstream_lines(walk, column, channel, row, col, digits),
                f"{name}′(z) = {name}′({f(z)}) = {f(slope)}",
                f"δ = ∂L/∂z = {f(slope)} × {signed(upstream, digits)} = {f(value)}"]
    lines = [f"δ = ∂L/∂a = {f(value)}", "pooling has no activation (its output is its z), so δ = ∂L/∂a:",
             *upstream_lines(walk, column, channel, row, col, digits)]
    size = spec.size
    if spec.kind == MAXPOOL2D:
        win_row, win_col = divmod(int(pool_winners(walk.a[layer], size)[channel, row, col]), size)
        lines.append(f"going back, max-pooling hands this δ to its winner only — pixel ({row * size + win_row}, "
                     f"{col * size + win_col}) of layer {column - 1}'s map {channel + 1}; the other {size * size - 1} "
                     "inputs of the window get 0")
    else:
        lines.append(f"going back, average-pooling hands δ / {size * size} = {f(value / size ** 2)} to each of the "
                     f"{size * size} inputs of its window")
    return lines


def pixel_check_line(walk: ConvBackpropWalk, column: int, channel: int, row: int, col: int,
                     digits: int | None = 3) -> str:
    estimate = walk.pixel_finite_difference(column, channel, row, col)
    what = "z" if walk.network.layers[column - 1].kind == CONV2D else "value"
    line = (f"central difference on this pixel's {what} (layers after it run again), {CHECK_WORDS}: "
            f"{format_number(estimate, digits)}")
    rival = max_pool_rival(walk, column, channel, row, col)
    if rival is not None:
        line += (f" — pixel {rival} ties with this one for its window's max: the loss has a kink here, and the "
                 "difference averages the slopes either side (half of δ, or half of the winner's δ)")
    return line


def max_pool_rival(walk: ConvBackpropWalk, column: int, channel: int, row: int, col: int) -> tuple[int, int] | None:
    """Another input of the max-pooling window this pixel is in, within a nudge of the same value — where
    nudging this pixel changes which input wins, so a central difference is not the slope — or None."""
    layer = column - 1
    if layer + 1 >= walk.n_layers or walk.network.layers[layer + 1].kind != MAXPOOL2D:
        return None
    size = walk.network.layers[layer + 1].size
    maps = walk.a[column]
    top, left = row // size * size, col // size * size
    if top + size > maps.shape[1] or left + size > maps.shape[2]:
        return None
    window = maps[channel, top:top + size, left:left + size]
    here, best = maps[channel, row, col], window.max()
    if best - here > TIE_WITHIN:
        return None
    for (i, j), value in np.ndenumerate(window):
        if (top + i, left + j) != (row, col) and abs(value - here) <= TIE_WITHIN:
            return top + i, left + j
    return None


def kernel_weight_name(walk: ConvBackpropWalk, layer: int, filter: int, channel: int, row: int, col: int) -> str:
    spec = walk.network.layers[layer]
    maps = walk.network.weights[layer].shape[1]
    source = "" if maps == 1 else f", input map {channel + 1}"
    return (f"kernel weight (row {row}, column {col}) of filter {filter + 1}{source}, layer {layer + 1} "
            f"({layer_word(spec)})")


def kernel_gradient_lines(walk: ConvBackpropWalk, layer: int, filter: int, channel: int, row: int, col: int,
                          digits: int | None = 3) -> list[str]:
    """∂L/∂w as Σ over output positions of δ · x, its largest terms and the sum; the first line is the short
    summary, the last the central-difference check."""
    f = lambda value: format_number(value, digits)  # noqa: E731
    spec = walk.network.layers[layer]
    deltas, inputs = walk.kernel_terms(layer, filter, channel, row, col)
    products = deltas * inputs
    rows, cols = products.shape
    weight = float(walk.network.weights[layer][filter, channel, row, col])
    penalty = walk.penalty_slope(weight)
    gradient = walk.kernel_gradient(layer, filter, channel, row, col)
    pad, stride = walk.padding(layer), spec.stride
    scale = "" if stride == 1 else f"{stride}·"
    reads = f"x(map {channel + 1}; {scale}r {_offset(row - pad)}, {scale}c {_offset(col - pad)})"
    zeros = int(np.count_nonzero(products == 0))
    summary = f"∂L/∂w = Σ δ·x over {rows * cols} positions"
    if penalty:
        summary += f" + penalty {signed(penalty, digits)}"
    lines = [f"{summary} = {f(gradient)}",
             f"w = {f(weight)}; ∂L/∂w = Σ over the {rows}×{cols} positions (r, c) of map {filter + 1}: "
             f"δ(r, c) · {reads}",
             f"{zeros} of the {products.size} terms are 0 (δ = 0 where the activation is flat or max-pooling "
             "passed nothing back; x = 0 on the padding and blank input)",
             "the largest terms, δ × x:"]
    lines += _largest(products, lambda k: _term(k, cols, deltas, inputs, row - pad, col - pad, stride, digits), digits)
    lines.append(f"Σ = {f(float(products.sum()))}")
    if penalty:
        lines.append(f"+ penalty (L1/L2) {signed(penalty, digits)} = {f(gradient)}")
    estimate = walk.kernel_finite_difference(layer, filter, channel, row, col)
    lines.append(f"central difference (L(w+h) {MINUS} L(w{MINUS}h)) / 2h, {CHECK_WORDS}: {f(estimate)}")
    return lines


def _offset(shift: int) -> str:
    return f"+ {shift}" if shift >= 0 else f"{MINUS} {-shift}"


def _term(k: int, cols: int, deltas, inputs, row_shift: int, col_shift: int, stride: int, digits) -> str:
    h, w = divmod(k, cols)
    x_row, x_col = h * stride + row_shift, w * stride + col_shift
    return (f"δ({h}, {w}) × x({x_row}, {x_col}): {format_number(deltas[h, w], digits)} × "
            f"{signed(inputs[h, w], digits)}")


def bias_gradient_line(walk: ConvBackpropWalk, layer: int, filter: int, digits: int | None = 3) -> str:
    rows, cols = walk.deltas[layer][filter].shape
    value = float(walk.bias_gradients()[layer][filter])
    return f"∂L/∂b of filter {filter + 1} = Σ δ over its {rows * cols} positions = {format_number(value, digits)}"
