"""What every view looks at, without a window: a choice is announced once, a new architecture forgets the
chosen neuron and weight, and the snapshot is always a copy no worker writes."""
import numpy as np

from nnlab.engine import LayerSpec, Network
from nnlab.engine.layers import ConvSpec
from nnlab.lab.selection import ConnectionRef, FeatureRef, InspectedInput, KernelWeightRef, NeuronRef, Selection


def network(hidden=3) -> Network:
    return Network(2, [LayerSpec(hidden, "tanh"), LayerSpec(2, "softmax")], seed=0)


def recorded(selection: Selection) -> list:
    seen = []
    for name in ("neuron_changed", "connection_changed", "input_changed", "snapshot_changed"):
        getattr(selection, name).connect(lambda value, name=name: seen.append((name, value)))
    return seen


def test_choosing_the_same_neuron_or_weight_again_is_not_announced_again():
    selection = Selection()
    seen = recorded(selection)
    for _ in range(2):
        selection.select_neuron(NeuronRef(1, 2))
        selection.select_connection(ConnectionRef(0, 1, 2))
    selection.select_neuron(None)
    assert seen == [("neuron_changed", NeuronRef(1, 2)), ("connection_changed", ConnectionRef(0, 1, 2)),
                    ("neuron_changed", None)]
    assert selection.neuron is None and selection.connection == ConnectionRef(0, 1, 2)


def test_a_new_input_is_always_announced_the_views_compute_again():
    selection = Selection()
    seen = recorded(selection)
    drawing = InspectedInput(np.zeros(2), None, "your drawing")
    selection.set_input(drawing)
    selection.set_input(drawing)
    assert seen == [("input_changed", drawing)] * 2 and selection.input is drawing


def test_a_snapshot_of_another_architecture_forgets_the_chosen_neuron_and_weight():
    selection = Selection()
    selection.set_snapshot(network())
    selection.select_neuron(NeuronRef(1, 2))
    selection.select_connection(ConnectionRef(0, 1, 2))
    selection.set_snapshot(network().copy())  # new weights, same shape: the choice stays
    assert selection.neuron == NeuronRef(1, 2) and selection.connection == ConnectionRef(0, 1, 2)
    seen = recorded(selection)
    narrower = network(hidden=2)
    selection.set_snapshot(narrower)  # unit 2 of layer 1 is gone
    assert selection.neuron is None and selection.connection is None
    assert seen == [("neuron_changed", None), ("connection_changed", None), ("snapshot_changed", narrower)]


def test_smaller_kernels_with_the_same_map_sizes_forget_the_picked_kernel_weight_and_map_pixel():
    selection = Selection()
    selection.set_snapshot(Network((8, 8), [ConvSpec(2, 5), LayerSpec(3, "softmax")], seed=0))
    selection.select_feature(FeatureRef(1, 1, 7, 7))
    selection.select_kernel_weight(KernelWeightRef(0, 1, 0, 4, 4))
    smaller = Network((8, 8), [ConvSpec(2, 3), LayerSpec(3, "softmax")], seed=0)
    assert smaller.sizes == selection.snapshot.sizes  # 'same' padding: 2 maps of 8×8 either way
    selection.set_snapshot(smaller)
    assert selection.kernel_weight is None and selection.feature is None


def test_a_workers_arrays_become_a_new_snapshot_and_the_old_one_stays_as_it_was():
    selection = Selection()
    selection.set_snapshot_arrays([np.ones((3, 2))], [np.ones(3)])  # no snapshot yet: nothing to fill
    assert selection.snapshot is None
    first = network()
    before = first.params.copy()
    selection.set_snapshot(first)
    weights = [w + 1 for w in first.weights]
    biases = [b - 1 for b in first.biases]
    selection.set_snapshot_arrays(weights, biases)
    twin = selection.snapshot
    assert twin is not first and np.array_equal(first.params, before)
    assert all(np.array_equal(a, b) for a, b in zip(twin.weights, weights))
    assert all(np.array_equal(a, b) for a, b in zip(twin.biases, biases))
    weights[0][0, 0] = 99.0  # the worker's copy may be reused: the snapshot holds its own
    assert twin.weights[0][0, 0] != 99.0
