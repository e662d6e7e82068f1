"""Scrubbing gives the views that read the selection's snapshot that epoch's numbers: the editor's weights
and neuron shading, the canvas's probabilities, the decision regions — each equal to a network rebuilt from
the run's snapshot — and Live gives the newest weights back."""
import numpy as np

from nnlab.data.user_samples import UserSampleStore
from nnlab.engine.outputs import class_probabilities
from nnlab.lab.selection import InspectedInput
from nnlab.ui.canvas.canvas_panel import CanvasPanel
from nnlab.ui.canvas.scatter_view import decision_image
from nnlab.ui.editor import NetworkEditor
from nnlab.ui.editor.canvas import NetworkCanvas
from nnlab.ui.editor.layout_model import activation_shades


def views(qtbot, lab, tmp_path):
    """The editor and the Draw panel, bound to the lab as the window binds them."""
    editor = NetworkEditor(lab.session, lab.selection)
    canvas = CanvasPanel(lab.selection, UserSampleStore(tmp_path))
    for widget in (editor, canvas):
        qtbot.addWidget(widget)
        widget.resize(900, 600)
        widget.show()
    canvas.set_dataset(lab.session.dataset)
    lab.session.network_changed.connect(lambda network: lab.time_machine.set_live(network.copy(), end_scrub=True))
    lab.session.use_run(1)  # the network the views show, as after a click on run 1
    return editor, canvas


def epoch_network(lab, epoch):
    run = lab.session.runs.current
    return run.network.build(run.snapshots.get(epoch).params)


def test_the_editor_and_the_canvas_show_the_scrubbed_epochs_numbers(qtbot, digits_lab, tmp_path):
    lab = digits_lab
    editor, canvas = views(qtbot, lab, tmp_path)
    canvas.draw_stroke([(0.5, 0.15), (0.5, 0.85)])
    live = canvas.predict_now()
    live_params = lab.session.network.params.copy()
    seen = set()
    for epoch in (1, 0, 2):
        lab.time_machine.scrub_to(epoch)
        expected = epoch_network(lab, epoch)
        probabilities = canvas.predict_now()
        np.testing.assert_array_equal(probabilities, class_probabilities(expected.predict_one(canvas.row))[0])
        seen.add(probabilities.tobytes())
        drawn = editor.canvas.visible_connections()
        assert drawn
        for layer, source, target, weight in drawn:
            assert weight == expected.weights[layer][target, source]
        inspected = lab.selection.input.values.reshape(1, -1)
        trace = expected.forward_trace(inspected)
        for column_index, column in enumerate(editor.canvas.columns):
            np.testing.assert_array_equal(editor.canvas.shade(column_index),
                                          activation_shades(trace.activations[column_index][0][list(column.neurons)]))
    assert len(seen) == 3 and live.tobytes() not in seen
    lab.time_machine.go_live()
    np.testing.assert_array_equal(canvas.predict_now(), live)
    assert lab.session.network.params.tobytes() == live_params.tobytes()


def regions_pixels(scatter) -> np.ndarray | None:
    image = scatter.regions_image
    if image is None:
        return None
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return rows[:, :3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def expected_regions(network, scatter) -> np.ndarray:
    rgb = decision_image(network, scatter.bounds, scatter.n_classes)
    return np.ascontiguousarray(rgb.transpose(1, 0, 2)[::-1])  # as the view lays the picture out


def test_the_decision_regions_are_the_scrubbed_epochs(qtbot, xor_lab, tmp_path):
    lab = xor_lab
    _, canvas = views(qtbot, lab, tmp_path)
    scatter = canvas.scatter
    live = expected_regions(lab.session.network, scatter)
    qtbot.waitUntil(lambda: np.array_equal(regions_pixels(scatter), live))
    lab.time_machine.scrub_to(1)
    epoch_1 = expected_regions(epoch_network(lab, 1), scatter)
    assert not np.array_equal(epoch_1, live)
    qtbot.waitUntil(lambda: np.array_equal(regions_pixels(scatter), epoch_1))  # repainted on a short timer
    lab.time_machine.go_live()
    qtbot.waitUntil(lambda: np.array_equal(regions_pixels(scatter), live))


def fresh_canvas(qtbot, editor, network, inspected) -> NetworkCanvas:
    """A new drawing of ``network`` as the editor would show it: same columns, size, current layer, input."""
    canvas = NetworkCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(editor.canvas.size())
    canvas.set_columns(editor.canvas.columns, editor.canvas.sizes)
    canvas.set_current_layer(editor.current)
    assert canvas.set_snapshot(network)
    canvas.set_activations([a[0] for a in network.forward_trace(inspected.reshape(1, -1)).activations])
    return canvas


def test_scrubbing_back_paints_once_and_shows_the_epochs_picture_without_drawing_it_again(qtbot, digits_lab):
    lab = digits_lab
    editor = NetworkEditor(lab.session, lab.selection)
    qtbot.addWidget(editor)
    editor.resize(900, 600)
    editor.show()
    qtbot.waitExposed(editor)
    lab.session.use_run(1)
    sample = lab.session.splits.validation
    lab.selection.set_input(InspectedInput(sample.x[0], (28, 28), "validation sample 0", int(sample.y[0])))
    canvas = editor.canvas
    pictures = {}
    for epoch in (1, 3, 0, 1, 3):  # the second 1 and 3: scrubbed back to pictures already drawn
        qtbot.wait(1)  # any paint still pending
        paints = canvas.paints
        lab.time_machine.scrub_to(epoch)
        qtbot.waitUntil(lambda: canvas.paints > paints)
        qtbot.wait(20)
        assert canvas.paints == paints + 1  # one paint a step: new weights and new shading together
        assert canvas.last_paint_fresh == (epoch not in pictures)  # a picture seen before is only blitted
        pictures.setdefault(epoch, canvas.grab().toImage())
        assert canvas.grab().toImage() == pictures[epoch]
        fresh = fresh_canvas(qtbot, editor, epoch_network(lab, epoch), sample.x[0])
        assert fresh.grab().toImage() == pictures[epoch]
    assert pictures[1] != pictures[3] and pictures[0] != pictures[1]
