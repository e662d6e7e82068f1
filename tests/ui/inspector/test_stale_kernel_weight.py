"""A kernel weight picked on one CNN does not outlive it: a new network with the same map sizes but smaller
kernels (conv8x5 → conv8x3, both padded 'same') leaves no pick pointing past its kernels — Apply on the
Backprop tab steps the new network instead of raising an IndexError."""
import numpy as np

from nnlab.engine.layers import ConvSpec, LayerSpec, PoolSpec
from nnlab.engine.network import Network
from nnlab.lab.selection import FeatureRef, KernelWeightRef


def test_a_kernel_weight_past_the_new_networks_kernel_is_dropped_and_apply_steps(lenet_window, errors):
    window = lenet_window
    window.selection.select_feature(FeatureRef(1, 3, 14, 12))
    window.inspector.feature_view.kernel_image.clicked.emit(4 * 5 + 4)  # the 5×5 kernel's corner
    assert window.selection.kernel_weight == KernelWeightRef(0, 3, 0, 4, 4)
    smaller = Network((28, 28), [ConvSpec(8, 3), PoolSpec(2), ConvSpec(16, 5), PoolSpec(2), LayerSpec(64, "relu"),
                                 LayerSpec(10, "softmax")], seed=1)
    assert smaller.sizes == window.selection.snapshot.sizes  # the same map sizes: only the kernels differ
    window.session.set_network(smaller, "cross_entropy")
    kernel = window.selection.kernel_weight
    assert kernel is None or kernel.row < 3 and kernel.col < 3
    inspector = window.inspector
    inspector.show_tab("backprop")
    before = window.session.network.params.copy()
    inspector.debugger.apply_button.click()
    assert not np.array_equal(window.session.network.params, before) and errors == []
