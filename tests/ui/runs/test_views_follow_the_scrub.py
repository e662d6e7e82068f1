"""Scrubbing gives the views that read the selection's snapshot that epoch's numbers: the editor's weights
and neuron shading, the canvas's probabilities, the decision regions — each equal to a network rebuilt from
the run's snapshot — and Live gives the newest weights back."""
import numpy as np

from nnlab.data.user_samples import UserSampleStore
from nnlab.engine.outputs import class_probabilities
from nnlab.ui.canvas.canvas_panel import CanvasPanel
from nnlab.ui.canvas.scatter_view import decision_image
from nnlab.ui.editor import NetworkEditor
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
