"""Where a selected map pixel reads from: its receptive field on the layer before, and a max-pooling's winner.

Plain geometry from the layer's spec (and, for the winner, the snapshot's forward pass on the inspected
input through ``engine.conv_explain``), in the editor's sizes-columns.
"""
from __future__ import annotations

from nnlab.engine.conv_explain import explain_pixel
from nnlab.engine.conv_geometry import padding_width
from nnlab.engine.layers import CONV2D, MAXPOOL2D, POOL_KINDS


def feature_marks(network, ref, sample=None) -> tuple[tuple | None, tuple | None]:
    """(field, winner) for ``ref`` (a FeatureRef): field = (column, top, left, size, on every channel),
    winner = (column, channel, row, col) of a max-pooling's winning input (needs ``sample``)."""
    if ref.layer < 1 or ref.layer > len(network.layers):
        return None, None
    spec = network.layers[ref.layer - 1]
    if spec.kind == CONV2D:
        pad = padding_width(spec.kernel, spec.padding)
        field = (ref.layer - 1, ref.row * spec.stride - pad, ref.col * spec.stride - pad, spec.kernel, True)
        return field, None
    if spec.kind not in POOL_KINDS:
        return None, None
    field = (ref.layer - 1, ref.row * spec.size, ref.col * spec.size, spec.size, False)
    if spec.kind != MAXPOOL2D or sample is None:
        return field, None
    try:
        pixel = explain_pixel(network, sample, ref.layer - 1, ref.channel, ref.row, ref.col)
    except ValueError:
        return field, None
    row, col = pixel.winner
    return field, (ref.layer - 1, ref.channel, pixel.top + row, pixel.left + col)
