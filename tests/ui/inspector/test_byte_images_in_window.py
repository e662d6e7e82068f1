"""The window shows an image set kept as bytes exactly as it showed the same set as float32 rows:
the inspected sample, the neuron's top samples, the test evaluation and its confusion-matrix gallery."""
import numpy as np

from nnlab.data.builtin import load_builtin
from nnlab.data.dataset import Dataset
from nnlab.engine.network import LayerSpec, Network
from nnlab.engine.scaled_bytes import ScaledBytes
from nnlab.ui.canvas.modes import mode_for
from nnlab.lab.selection import NeuronRef


def as_float_rows(dataset):
    """The same set as float32 rows, the way every image set was held before."""
    return Dataset(dataset.name, np.asarray(dataset.x), dataset.y, dataset.classes, dataset.input_shape,
                   dataset.preprocess, dataset.description)


def what_the_window_shows(window, dataset, monkeypatch):
    shown = {}
    top = window.inspector.neuron_view.top
    show_top = top.show_samples
    monkeypatch.setattr(top, "show_samples", lambda x, *rest: (shown.__setitem__("top", np.array(x)),
                                                               show_top(x, *rest)))
    gallery = window.metrics.gallery
    show_gallery = gallery.show_samples
    monkeypatch.setattr(gallery, "show_samples", lambda title, rows, *rest: (
        shown.__setitem__("gallery", np.array(rows)), show_gallery(title, rows, *rest)))
    window.session.load_dataset(dataset)
    network = Network(784, [LayerSpec(16, "relu"), LayerSpec(10, "softmax")], seed=4)
    window.session.set_network(network, "cross_entropy")
    shown["inspected"] = window.selection.input.values.copy()
    window.selection.select_neuron(NeuronRef(1, 3))
    window.inspector.finish_stats()
    window.evaluate_test()
    confusion = window.metrics.confusion_view.counts
    true_class, predicted = np.unravel_index(np.argmax(confusion), confusion.shape)
    window.metrics.confusion_view.cell_clicked.emit(int(true_class), int(predicted))
    shown["confusion"] = confusion.copy()
    return shown


def test_a_bytes_image_set_shows_the_numbers_its_float_copy_shows(window, monkeypatch):
    digits = load_builtin("digits", n_samples=600, seed=2)
    assert isinstance(digits.x, ScaledBytes)
    on_bytes = what_the_window_shows(window, digits, monkeypatch)
    on_floats = what_the_window_shows(window, as_float_rows(digits), monkeypatch)
    assert on_bytes.keys() == on_floats.keys() == {"top", "gallery", "inspected", "confusion"}
    for key in on_bytes:
        assert np.array_equal(on_bytes[key], on_floats[key]), key
    assert on_bytes["top"].dtype == np.float32 and on_bytes["top"].max() == 1.0  # scaled, not 0..255


def test_the_canvas_guesses_light_ink_from_bytes_as_from_floats():
    rng = np.random.default_rng(0)
    for ink in (30, 220):  # dark pictures on light paper, then light on dark
        raw = np.clip(rng.normal(ink, 20, (12, 64)), 0, 255).astype(np.uint8)
        for x in (raw, raw.astype(np.float32) / np.float32(255)):
            mode = mode_for(Dataset("pictures", x, np.arange(12) % 2, ["a", "b"], (8, 8), "resize"))
            assert mode.light_ink == (ink < 128)
