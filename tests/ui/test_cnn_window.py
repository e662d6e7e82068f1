"""A convolutional network in the window: it opens, trains, saves and reads drawings, and its maps are drawn.

The LeNet-style digits template trained one epoch through the window (Start, the worker, the curves)
must read digits far better than chance; a CNN's weight file opens (the guard of the cnn branch is lifted)
and saves again bit for bit; the editor draws its maps, and a click on one selects that map pixel.
"""
import numpy as np
import pytest
from PySide6.QtCore import Qt

from nnlab.data.weights_file import SavedModel, load_model, save_model
from nnlab.engine.layers import ConvSpec, PoolSpec, layer_word
from nnlab.engine.metrics import evaluate
from nnlab.engine.network import LayerSpec, Network
from nnlab.lab.selection import FeatureRef

TIMEOUT = 120_000
LENET = ["conv8x5", "maxpool2", "conv16x5", "maxpool2", "flatten", "64", "10"]


@pytest.fixture
def window_dataset():
    return "digits"


@pytest.fixture(autouse=True)
def no_error_shown(errors):
    yield
    assert errors == []


def test_the_lenet_template_trained_one_epoch_in_the_window_reads_digits_far_better_than_chance(window, qtbot):
    window.editor.toolbar.template_actions["LeNet-style digits"].trigger()
    network = window.session.network
    assert [layer_word(spec) for spec in network.layers] == LENET
    assert window.run_settings.hidden == ("conv8x5", "maxpool2", "conv16x5", "maxpool2", 64)
    assert window.panel.hidden_layers.text() == "conv8x5, maxpool2, conv16x5, maxpool2, 64"
    window.run_settings.epochs = 1
    with qtbot.waitSignal(window.training.finished, timeout=TIMEOUT):
        assert window.start_training()
    qtbot.waitUntil(lambda: window.training.state == "idle", timeout=TIMEOUT)
    assert window.session.network is network and window.session.epochs_trained == 1
    assert len(window.history.epochs) == 1  # the curves got the epoch
    validation = window.session.splits.validation
    result = evaluate(network, validation.x, validation.y, "cross_entropy", 10)
    assert result.accuracy > 0.8  # chance is 0.1; one epoch of LeNet on 3,500 digits reads ~90 %


def test_a_cnn_weight_file_opens_shows_its_maps_reads_a_drawing_and_saves_bit_for_bit(window, qtbot, tmp_path):
    cnn = Network((28, 28), [ConvSpec(4, 5), PoolSpec(2), LayerSpec(10, "softmax")], seed=5)
    path = tmp_path / "small-cnn.npz"
    save_model(path, SavedModel(cnn, "cross_entropy", [str(d) for d in range(10)], (28, 28), "mnist"))
    assert window.open_path(path, ask=False)
    opened = window.session.network
    assert not opened.is_dense and opened.params.tobytes() == cnn.params.tobytes()
    assert window.editor.pictures.currentWidget() is window.editor.conv_canvas
    assert [c.kind for c in window.editor.conv_canvas.columns] == ["input", "conv2d", "maxpool2d", "flatten", "output"]
    window.canvas.draw_stroke([(0.5, 0.2), (0.5, 0.8)])  # a "1"
    probabilities = window.canvas.predict_now()
    row = window.canvas.row
    assert probabilities is not None and probabilities.shape == (10,)
    assert np.allclose(probabilities, cnn.predict_one(row), atol=1e-6)
    qtbot.waitUntil(lambda: window.editor.conv_canvas.has_shading())
    saved = tmp_path / "again.npz"
    assert window.save_to(saved)
    again = load_model(saved).network
    assert again.params.tobytes() == cnn.params.tobytes() and again.layers == opened.layers


def test_a_click_on_a_tile_selects_its_map_pixel_and_the_feature_tab_adds_up_to_the_forward_z(window, qtbot):
    assert window.editor.apply_template("LeNet-style digits")
    window.inspector.inspect_sample()
    canvas = window.editor.conv_canvas
    qtbot.waitUntil(canvas.has_shading)
    point = canvas.pixel_point(1, 3, 14, 12).toPoint()  # column 1: conv8x5's maps; map 4, row 14, col 12
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point)
    assert window.selection.feature == FeatureRef(1, 3, 14, 12)
    assert window.inspector.tabs.currentWidget() is window.inspector.feature_page
    view = window.inspector.feature_view
    snapshot, values = window.selection.snapshot, window.selection.input.values
    trace = snapshot.forward_trace(np.asarray(values).reshape(1, -1))
    assert view.shown.z == pytest.approx(float(trace.pre_activations[0][0, 3, 14, 12]), abs=1e-5)
    assert view.formula.text().startswith("z = ") and view.formula.text().count("·") == 25
    view.map_image.clicked.emit(5 * 28 + 20)  # another pixel of the same map, clicked in the inspector
    assert window.selection.feature == FeatureRef(1, 3, 5, 20)
    assert view.shown.z == pytest.approx(float(trace.pre_activations[0][0, 3, 5, 20]), abs=1e-5)
    kernel = snapshot.weights[0][3].reshape(-1)  # the kernel's cells: one width of text each, so none touch
    texts = [label.toPlainText() for label in view.kernel_image._labels]
    assert len(texts) == 25 and len({len(text.lstrip("\u2212")) for text in texts if text != "0"}) == 1
    assert texts[0] == f"{kernel[0]:.2f}".replace("-", "\u2212")


def test_the_hidden_layers_field_takes_layer_words_as_an_undoable_edit(window, qtbot):
    field = window.panel.hidden_layers
    field.setText("conv4x3, maxpool2, 32")
    field.editingFinished.emit()
    assert [layer_word(spec) for spec in window.session.network.layers] == ["conv4x3", "maxpool2", "flatten", "32", "10"]
    window.editor.undo()
    assert window.session.network.is_dense and window.run_settings.hidden == (128, 64)


def test_conv_and_pool_layers_are_added_reworded_and_removed_with_undo(window):
    editor = window.editor
    assert editor.apply_template("LeNet-style digits")
    start = window.session.network.params.copy()
    editor.select_layer(1)
    assert editor.add_layer(after=True)  # after conv8x5: a convolution, since the maps go on
    assert [layer_word(s) for s in window.session.network.layers][:3] == ["conv8x5", "conv8x3", "maxpool2"]
    assert editor.set_layer_word("avgpool2")
    assert [layer_word(s) for s in window.session.network.layers][:3] == ["conv8x5", "avgpool2", "maxpool2"]
    assert editor.remove_layer()
    assert [layer_word(s) for s in window.session.network.layers] == LENET
    assert not editor.set_layer_word("conv8x4")  # an even kernel cannot pad "same": one sentence
    assert editor.last_message.startswith("Layer 2 has an even 4×4 kernel")  # the current layer: maxpool2
    for _ in range(3):
        editor.undo()
    assert [layer_word(s) for s in window.session.network.layers] == LENET
    assert window.session.network.params.tobytes() == start.tobytes()
