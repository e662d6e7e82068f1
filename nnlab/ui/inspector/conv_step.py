"""The Backprop tab's side for a convolutional network: the selected map pixel's δ and kernel weight's gradient.

A CNN's map pixel (a ``FeatureRef``, clicked in the editor or the Feature map tab) takes the place of the
neuron, and a kernel weight (a ``KernelWeightRef``, a cell of the Feature map tab's kernel) the place of the
connection: the same key grid (δ, ∂L/∂w, the new w, each with its central-difference check) and the same
working below, written by ``engine.conv_backprop_words`` from the tab's ``ConvBackpropWalk``.
"""
from __future__ import annotations

import numpy as np

from nnlab.engine.backprop_stages import reached
from nnlab.engine.conv_backprop_words import (bias_gradient_line, kernel_gradient_lines, kernel_weight_name,
                                              max_pool_rival, pixel_check_line, pixel_delta_lines)
from nnlab.engine.conv_explain import ConvPixel, explain_pixel
from nnlab.engine.layers import CONV2D, SPATIAL_KINDS
from nnlab.engine.numbers import format_number
from nnlab.engine.optimizer_steps import explain_update
from nnlab.lab.selection import FeatureRef, KernelWeightRef

from .key_numbers import key_line, show_key

PICK_PIXEL = "click a pixel of a convolution's or a pooling's map (in the editor)"
PICK_KERNEL = "click a kernel cell in the Feature map tab"


def conv_targets_fit(network, feature: FeatureRef | None,
                     kernel: KernelWeightRef | None) -> tuple[FeatureRef | None, KernelWeightRef | None]:
    """The map pixel and kernel weight that exist in ``network`` (None for one that does not)."""
    if feature is not None:
        column = feature.layer
        fits = 1 <= column <= len(network.layers) and network.layers[column - 1].kind in SPATIAL_KINDS
        shape = network.shapes[column - 1].output_shape if fits else None
        if not (fits and all(0 <= value < size for value, size in
                             zip((feature.channel, feature.row, feature.col), shape))):
            feature = None
    if kernel is not None:
        fits = 0 <= kernel.layer < len(network.layers) and network.layers[kernel.layer].kind == CONV2D
        index = (kernel.filter, kernel.channel, kernel.row, kernel.col)
        if not (fits and all(0 <= value < size for value, size in zip(index, network.weights[kernel.layer].shape))):
            kernel = None
    return feature, kernel


def kernel_weight_for(network, feature: FeatureRef, sample, picked: KernelWeightRef | None) -> KernelWeightRef | None:
    """The kernel weight a click on a convolution's map pixel picks: None (keep ``picked``) when ``picked`` is
    of that pixel's kernel or the pixel is not a convolution's; else the centre tap on the input map that adds
    most to the pixel — the kernel the Feature map tab draws. ``sample``: the input row, or None."""
    if network is None or not 1 <= feature.layer <= len(network.layers) \
            or network.layers[feature.layer - 1].kind != CONV2D:
        return None
    layer = feature.layer - 1
    if picked is not None and picked.layer == layer and picked.filter == feature.channel:
        return None
    shown = 0
    if sample is not None and np.asarray(sample).size == network.input_size:
        try:
            pixel = explain_pixel(network, np.asarray(sample), layer, feature.channel, feature.row, feature.col)
        except ValueError:  # a pixel outside the maps: nothing to pick
            return None
        if isinstance(pixel, ConvPixel):
            shown = int(np.argmax(np.abs(pixel.terms.channel_sums)))
    centre = network.layers[layer].kernel // 2
    return KernelWeightRef(layer, feature.channel, shown, centre, centre)


class ConvFocus:
    """Whether the Backprop tab takes a CNN's map pixel and kernel weight apart — one of them was picked after
    any neuron or weight — or the neuron and weight picked last; a map pixel's pick also picks a weight of
    its kernel (:func:`kernel_weight_for`)."""

    def __init__(self, selection) -> None:
        self.selection = selection
        self.on = False

    def targets(self) -> tuple[FeatureRef | None, KernelWeightRef | None]:
        """(map pixel, kernel weight) to take apart — (None, None) while a neuron or weight was picked last,
        or the network is dense."""
        net = self.selection.snapshot
        if net is None or net.is_dense or not self.on:
            return None, None
        return self.selection.feature, self.selection.kernel_weight

    def feature_picked(self, feature: FeatureRef | None) -> None:
        """A map pixel (None: the pick was cleared, which changes nothing)."""
        if feature is None:
            return
        self.on = True
        inp = self.selection.input
        kernel = kernel_weight_for(self.selection.snapshot, feature, None if inp is None else inp.values,
                                   self.selection.kernel_weight)
        if kernel is not None:
            self.selection.select_kernel_weight(kernel)

    def kernel_weight_picked(self, kernel: KernelWeightRef | None) -> None:
        if kernel is not None:
            self.on = True

    def dense_picked(self, neuron_or_connection) -> None:
        """A neuron or a weight (ConnectionRef) was picked: the Backprop tab takes it apart instead."""
        if neuron_or_connection is not None:
            self.on = False


class ConvStepText:
    """Writes a CNN's selected pixel and kernel weight into a ``DebuggerView``'s key grid and working."""

    def __init__(self, view) -> None:
        self.view = view
        self._options: tuple[str, float, dict] = ("sgd", 0.01, {})

    def render(self, feature: FeatureRef | None, kernel: KernelWeightRef | None,
               update_options: tuple[str, float, dict]) -> None:
        """``update_options``: (optimizer, learning rate, its options) of the step shown."""
        view = self.view
        self._options = update_options
        view.source.setVisible(False)
        view.neuron_box.setTitle("Selected map pixel: δ by the chain rule")
        view.connection_box.setTitle("Selected kernel weight: gradient and update")
        self._pixel(feature)
        self._kernel(kernel)

    def _pixel(self, feature: FeatureRef | None) -> None:
        view, walk = self.view, self.view.walk
        if feature is None or feature.layer == 0:
            view.key_delta_name.setText("δ of a map pixel")
            hint = (PICK_PIXEL if feature is None else
                    "the input image has no δ: " + PICK_PIXEL)
            view.neuron_text.set_lines([hint[0].upper() + hint[1:] + "."])
            show_key(view.key_delta, hint, view.key_delta_check)
            return
        column, channel, row, col = feature.layer, feature.channel, feature.row, feature.col
        view.key_delta_name.setText(f"δ of map {channel + 1} ({row}, {col}), layer {column}")
        if not reached(view.stages, view.stage_index, "backward", column):
            view.neuron_text.set_lines([f"Step backward to layer {column} to see δ of this pixel."])
            show_key(view.key_delta, f"step backward to layer {column}", view.key_delta_check)
            return
        title = f"map {channel + 1}, pixel (row {row}, column {col}) of layer {column}"
        short, full = (pixel_delta_lines(walk, column, channel, row, col, digits) for digits in (3, None))
        check = [pixel_check_line(walk, column, channel, row, col, digits) for digits in (3, None)]
        view.neuron_text.set_lines([title, *short[1:], check[0]], [title, *full[1:], check[1]])
        show_key(view.key_delta, (key_line(short[0]), full[0]), view.key_delta_check,
                 walk.pixel_finite_difference(column, channel, row, col))
        if max_pool_rival(walk, column, channel, row, col) is not None:  # the check is not the slope: say why
            view.key_delta_check.set_lines([view.key_delta_check.text() + " (a tie for the max: a kink)"])

    def _kernel(self, kernel: KernelWeightRef | None) -> None:
        view, walk = self.view, self.view.walk
        optimizer, learning_rate, _options = self._options
        view.key_update_name.setText(f"new w ({optimizer}, η = {format_number(learning_rate)})")
        if kernel is None:
            view.key_target.setText("kernel weight")
            view.connection_text.set_lines(["Click a cell of the kernel in the Feature map tab to see that "
                                            "weight's gradient here."])
            show_key(view.key_gradient, PICK_KERNEL, view.key_gradient_check)
            show_key(view.key_update, "")
            return
        index = (kernel.filter, kernel.channel, kernel.row, kernel.col)
        column = kernel.layer + 1
        channels = walk.network.weights[kernel.layer].shape[1]
        view.key_target.setText(f"w ({kernel.row}, {kernel.col}) of filter {kernel.filter + 1}"
                                + ("" if channels == 1 else f", map {kernel.channel + 1}") + f", layer {column}")
        title = kernel_weight_name(walk, kernel.layer, *index)
        if not reached(view.stages, view.stage_index, "backward", column):
            view.connection_text.set_lines([title, f"Step backward to layer {column} to see this weight's gradient."])
            show_key(view.key_gradient, f"step backward to layer {column}", view.key_gradient_check)
            show_key(view.key_update, f"step to the update (stage {len(view.stages)})")
            return
        short, full = (kernel_gradient_lines(walk, kernel.layer, *index, digits=digits) for digits in (3, None))
        bias = [bias_gradient_line(walk, kernel.layer, kernel.filter, digits) for digits in (3, None)]
        updates = self._update_lines(kernel, index)
        later = [] if updates else ["Step to the update to see the new weight."]
        view.connection_text.set_lines([title, *short[1:], bias[0], *(updates[0] if updates else later)],
                                       [title, *full[1:], bias[1], *(updates[1] if updates else later)])
        show_key(view.key_gradient, (key_line(short[0]), full[0]), view.key_gradient_check,
                 walk.kernel_finite_difference(kernel.layer, *index))
        if updates:
            show_key(view.key_update, (key_line(updates[0][-1]), updates[1][-1]))
        else:
            show_key(view.key_update, f"step to the update (stage {len(view.stages)})")

    def _update_lines(self, kernel: KernelWeightRef, index: tuple) -> tuple[list[str], list[str]] | None:
        view, walk = self.view, self.view.walk
        if view.stages[view.stage_index].kind != "update":
            return None
        optimizer, learning_rate, options = self._options
        weight = walk.network.weights[kernel.layer][index]
        gradient = walk.kernel_gradient(kernel.layer, *index)
        return tuple([f"update ({optimizer}, η = {learning_rate}):",
                      *explain_update(optimizer, learning_rate, weight, gradient, digits=digits, **options).lines]
                     for digits in (3, None))
