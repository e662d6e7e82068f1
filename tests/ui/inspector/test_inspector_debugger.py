"""The step-debugger in the window: its gradients are the engine's, its step is one step, Undo is exact."""
import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.numbers import format_number
from nnlab.engine.optimizer_steps import apply_one_step
from nnlab.lab.selection import ConnectionRef, InspectedInput, NeuronRef


def test_every_weight_of_a_random_net_matches_the_engine_and_finite_differences(window):
    assert window.choose_dataset("blobs")
    net = Network(2, [LayerSpec(4, "tanh"), LayerSpec(3, "relu"), LayerSpec(3, "softmax")],
                  dtype=np.float64, init="xavier", seed=11)
    net.biases[1][...] = [0.3, 0.2, 0.4]  # keep the ReLUs away from their kink
    window.session.set_network(net, "cross_entropy")
    x = np.array([0.7, -1.2])
    window.selection.set_input(InspectedInput(x, None, "test point", 2))
    inspector = window.inspector
    inspector.tabs.setCurrentWidget(inspector.debugger)
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    engine = net.gradients(x, [[0.0, 0.0, 1.0]], "cross_entropy")
    checked = 0
    for layer, grad in enumerate(engine.weights):
        for target, source in np.ndindex(grad.shape):
            window.selection.select_connection(ConnectionRef(layer, source, target))
            walk = debugger.walk
            assert walk.weight_gradient(layer, source, target) == pytest.approx(grad[target, source], rel=1e-10,
                                                                                abs=1e-15)
            assert walk.finite_difference(layer, source, target) == pytest.approx(grad[target, source], rel=1e-5,
                                                                                 abs=1e-9)
            shown = debugger.connection_text.text().splitlines()
            assert shown[1].endswith("= " + format_number(grad[target, source]))
            assert shown[2].startswith("central difference")
            checked += 1
    assert checked == 4 * 2 + 3 * 4 + 3 * 3


def test_apply_this_step_is_one_step_and_undo_restores_bit_for_bit(window, lesson):
    inspector = lesson("04-dog-cat")
    inspector.tabs.setCurrentWidget(inspector.debugger)
    debugger = inspector.debugger
    debugger.go_to(len(debugger.stages) - 1)
    session = window.session
    network = session.network
    before = network.copy()
    walk = debugger.walk
    expected = apply_one_step(before, walk.weight_gradients(), walk.bias_gradients(), "sgd", 0.01)
    engine = before.gradients([0.9, 0.2, 0.8, 0.3], [[1.0, 0.0]], "cross_entropy")

    debugger.apply_button.click()
    assert session.network is network and session.dirty
    np.testing.assert_array_equal(network.params, expected.params)
    for w_after, w_before, g in zip(network.weights, before.weights, engine.weights):
        np.testing.assert_allclose(w_after, w_before - 0.01 * g, rtol=1e-14, atol=1e-16)
    assert round(network.weights[1][0, 0], 5) == 0.80311
    assert "0.80311" in debugger.status.text()
    assert window.selection.snapshot.weights[1][0, 0] == network.weights[1][0, 0]
    # the step is worked out again on the new weights
    assert debugger.walk.network.weights[1][0, 0] == network.weights[1][0, 0]

    debugger.undo_button.click()
    assert np.array_equal(network.params, before.params)
    assert network.params.tobytes() == before.params.tobytes()
    assert not debugger.undo_button.isEnabled()


def test_apply_is_refused_while_training_runs(window, qtbot):
    assert window.choose_dataset("xor")
    window.panel.batch_size.setValue(1)
    window.panel.epochs.setValue(1000)
    inspector = window.inspector
    inspector.tabs.setCurrentWidget(inspector.debugger)
    assert window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "running")
    assert not inspector.applier.apply()
    assert "training run is active" in inspector.debugger.status.text()
    window.stop_training()


def test_784_wide_input_and_the_layer_view(window, qtbot):
    assert window.choose_dataset("digits")
    inspector = window.inspector
    window.selection.select_neuron(NeuronRef(1, 3))
    assert window.selection.input is not None and window.selection.input.values.size == 784
    text = inspector.neuron_view.formula.text()
    assert "[776 smaller terms = " in text
    assert inspector.neuron_view.weights.stack.currentWidget() is inspector.neuron_view.weights.image
    qtbot.waitUntil(lambda: inspector.neuron_view.top.cells[0].pixmap() is not None
                    and not inspector.neuron_view.top.cells[0].pixmap().isNull(), timeout=5000)
    inspector.show_tab("layer")
    assert "128 activations" in inspector.layer_view.caption.text()
    inspector.layer_view.unit_clicked.emit(7)
    assert window.selection.neuron == NeuronRef(1, 7)
    window.selection.select_neuron(NeuronRef(0, 5))
    assert "784 activations" in inspector.layer_view.caption.text()


def test_dead_relu_is_marked(window):
    assert window.choose_dataset("blobs")
    net = Network(2, [LayerSpec(4, "relu"), LayerSpec(3, "softmax")], dtype=np.float64, seed=1)
    net.weights[0][2] = 0.0
    net.biases[0][2] = -1.0  # zero for every sample
    net.biases[0][0] = 50.0  # fires for every sample
    window.session.set_network(net, "cross_entropy")
    window.selection.select_neuron(NeuronRef(1, 2))
    window.inspector.finish_stats()
    assert "Dead ReLU" in window.inspector.neuron_view.dead.text()
    window.selection.select_neuron(NeuronRef(1, 0))
    window.inspector.finish_stats()
    assert window.inspector.neuron_view.dead.text() == ""


def test_wrong_sized_input_says_so(window):
    assert window.choose_dataset("blobs")
    window.inspector._pool = lambda: None
    window.selection.set_input(InspectedInput(np.zeros(5), None, "odd input"))
    assert "takes 2 inputs and there is an input of 5 values" in window.inspector.message.text()


def test_a_lesson_replacing_the_network_never_shows_the_old_neurons_numbers(window, lesson, qtbot):
    from nnlab.lab.selection import NeuronRef

    assert window.choose_dataset("xor")
    window.selection.select_neuron(NeuronRef(2, 1))  # a neuron the lesson's 3-2-1 network does not have
    inspector = window.inspector
    inspector.show_tab("backprop")
    qtbot.wait(50)
    inspector.debugger.end_button.click()
    window.actions["lessons"].trigger()
    qtbot.wait(50)
    lesson("01-bright-dark")  # pytest-qt fails the test on an exception raised in a slot
    qtbot.wait(50)
    inspector.show_tab("backprop")
    qtbot.wait(50)
    side = inspector.debugger.neuron_text.text()
    assert "tanh" not in side and "of 8" not in side


def test_the_current_stage_reads_in_a_dark_palette(window, lesson):
    from PySide6.QtGui import QColor, QPalette

    inspector = lesson("04-dog-cat")
    inspector.show_tab("backprop")
    debugger = inspector.debugger
    debugger.go_to(2)
    dark = QPalette(debugger.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor("#1e1e1e"))
    dark.setColor(QPalette.ColorRole.Text, QColor("#e0e0e0"))
    dark.setColor(QPalette.ColorRole.Highlight, QColor("#2a82da"))
    debugger.script.setPalette(dark)
    debugger.setPalette(dark)
    page = debugger.script.toHtml()
    assert "#fff4c8" not in page  # no light highlight under light text
    assert "background-color:#21374d" in page and "color:#e0e0e0" in page  # Base + 25 % Highlight, Text
