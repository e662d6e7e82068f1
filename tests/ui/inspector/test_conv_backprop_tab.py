"""The Backprop tab steps through a CNN: a map pixel's δ and a kernel weight's gradient (picked with a click on
the Feature map tab's kernel) are the engine's, Apply is one SGD step on the sample and Undo restores it exactly."""
import numpy as np
import pytest

from nnlab.engine.backprop_steps import as_float64
from nnlab.engine.network import targets_for
from nnlab.engine.numbers import format_number
from nnlab.lab.selection import FeatureRef, KernelWeightRef, NeuronRef


@pytest.fixture
def window(lenet_window):
    return lenet_window


@pytest.fixture
def lenet(window):
    """The LeNet-style template on a validation digit; returns (snapshot, input, the engine's gradients)."""
    snapshot, inp = window.selection.snapshot, window.selection.input
    target = targets_for(np.array([inp.label]), 10, np.float64)
    engine = as_float64(snapshot).gradients(np.asarray(inp.values), target, "cross_entropy")
    return snapshot, inp, engine


def _number(label) -> float:
    return float(label.full_text.rsplit("= ", 1)[1].replace("\u2212", "-"))


def test_a_kernel_cell_click_shows_that_weights_gradient_and_apply_undo_are_exact(window, lenet):
    snapshot, inp, engine = lenet
    window.run_settings.optimizer, window.run_settings.learning_rate = "sgd", 0.05
    inspector = window.inspector
    window.selection.select_feature(FeatureRef(1, 3, 14, 12))  # conv8x5's map 4
    assert window.selection.kernel_weight == KernelWeightRef(0, 3, 0, 2, 2)  # its kernel's centre tap
    view = inspector.feature_view
    view.kernel_image.clicked.emit(1 * 5 + 4)  # the kernel cell at row 1, column 4
    assert window.selection.kernel_weight == KernelWeightRef(0, 3, 0, 1, 4)
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    assert debugger.conv_targets_shown() and not debugger.source.isVisible()
    gradient, delta = float(engine.weights[0][3, 0, 1, 4]), float(engine.deltas[0][0, 3, 14, 12])
    assert _number(debugger.key_gradient) == pytest.approx(gradient, rel=1e-9, abs=1e-15)
    assert _number(debugger.key_delta) == pytest.approx(delta, rel=1e-9, abs=1e-15)
    assert debugger.key_gradient.full_text.startswith("∂L/∂w = Σ δ·x over 784 positions")
    measured = float(debugger.key_gradient_check.text().split()[-1].replace("\u2212", "-"))
    assert measured == pytest.approx(gradient, rel=0.01, abs=1e-6)
    assert "the largest terms, δ × x:" in debugger.connection_text.text()
    assert "δ of map 4 (14, 12), layer 1" == debugger.key_delta_name.text()

    network = window.session.network
    before = network.params.copy()
    debugger.apply_button.click()
    stepped = as_float64(snapshot)
    for values, gradients in ((stepped.weights, engine.weights), (stepped.biases, engine.biases)):
        for value, grad in zip(values, gradients):
            value -= 0.05 * grad
    np.testing.assert_allclose(network.params, stepped.params, rtol=1e-5, atol=1e-7)  # every weight: one SGD step
    assert "the selected weight went from" in debugger.status.text()
    assert not np.array_equal(network.params, before)
    debugger.undo_button.click()
    assert network.params.tobytes() == before.tobytes()


def test_a_pool_pixel_names_its_winner_and_a_losing_pixel_gets_no_delta(window, lenet):
    snapshot, inp, engine = lenet
    inspector = window.inspector
    maps = snapshot.forward_trace(np.asarray(inp.values).reshape(1, -1)).activations[1][0]  # conv8x5's a
    window_ = maps[0, 12:14, 12:14]
    win_row, win_col = divmod(int(np.argmax(window_)), 2)
    window.selection.select_feature(FeatureRef(2, 0, 6, 6))  # maxpool2's pixel over rows/cols 12–13 of map 1
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    text = debugger.neuron_text.text()
    assert f"hands this δ to its winner only — pixel ({12 + win_row}, {12 + win_col}) of layer 1's map 1" in text
    assert "click a kernel cell" in debugger.key_gradient.text()
    loser = (12 + 1 - win_row, 12 + 1 - win_col)
    window.selection.select_feature(FeatureRef(1, 0, *loser))
    assert _number(debugger.key_delta) == 0.0 == float(engine.deltas[0][0, 0, *loser])
    assert "only the winner gets the δ" in debugger.neuron_text.text()


def test_a_cnns_dense_neuron_keeps_the_dense_walk_with_the_same_numbers(window, lenet):
    snapshot, inp, engine = lenet
    inspector = window.inspector
    window.selection.select_feature(FeatureRef(1, 3, 14, 12))
    window.selection.select_neuron(NeuronRef(6, 2))  # the 64-wide dense layer after the flatten
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    assert not debugger.conv_targets_shown() and debugger.source.isVisible()
    assert _number(debugger.key_delta) == pytest.approx(float(engine.deltas[5][0, 2]), rel=1e-9, abs=1e-15)
    assert debugger.key_delta_name.text() == "δ of neuron 3, layer 6"
    assert format_number(float(engine.weights[5][2, 0])) in debugger.key_gradient.text()


def test_a_second_convolutions_pixel_picks_a_weight_of_its_many_channel_kernel(window, lenet):
    snapshot, inp, engine = lenet
    inspector = window.inspector
    window.selection.select_feature(FeatureRef(3, 5, 7, 7))  # conv16x5's map 6: its kernel reads 8 maps
    kernel = window.selection.kernel_weight
    drawn = inspector.feature_view.shown.terms.channel_sums
    assert kernel == KernelWeightRef(2, 5, int(np.argmax(np.abs(drawn))), 2, 2)  # the input map drawn
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    backward = [i for i, stage in enumerate(debugger.stages) if stage.kind == "backward" and stage.layer == 3]
    debugger.go_to(backward[0] - 1)  # one stage early: the tab says where the numbers come
    assert debugger.key_gradient.text() == "step backward to layer 3"
    debugger.go_to(backward[0])
    gradient = float(engine.weights[2][5, kernel.channel, 2, 2])
    assert debugger.key_gradient.full_text.startswith("∂L/∂w = Σ δ·x over 196 positions")
    assert _number(debugger.key_gradient) == pytest.approx(gradient, rel=1e-9, abs=1e-15)
    assert _number(debugger.key_delta) == pytest.approx(float(engine.deltas[2][0, 5, 7, 7]), rel=1e-9, abs=1e-15)


def test_the_conv_key_numbers_are_in_view_at_1280_by_720(window, lenet, qtbot):
    from tests.ui.inspector.test_backprop_layout import unclipped_in

    window.resize(1280, 720)
    window.selection.select_feature(FeatureRef(1, 3, 14, 12))
    inspector = window.inspector
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    qtbot.wait(50)
    assert window.size().toTuple() == (1280, 720)
    for label in (debugger.key_delta, debugger.key_delta_check, debugger.key_gradient, debugger.key_gradient_check,
                  debugger.key_update, debugger.key_delta_name, debugger.key_target):
        assert label.text() and unclipped_in(window, label) is None, (label.text(), unclipped_in(window, label))
