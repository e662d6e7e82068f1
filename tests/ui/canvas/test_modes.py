"""The canvas follows the dataset: pictures for digits and faces, a scatter plot for 2-D points."""
import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDropEvent, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from nnlab.data.image_io import read_grey_image, write_grey_png
from nnlab.data.transforms import faces_transform, mnist_transform
from nnlab.ui.canvas.scatter_view import ScatterView, decision_image


def a_digit_photo() -> np.ndarray:
    """A dark '7' on light grey paper, 120×90: not square, not centred."""
    photo = np.full((120, 90), 0.85, np.float32)
    photo[20:28, 10:70] = 0.1
    for row in range(28, 100):
        col = 70 - (row - 28) // 3
        photo[row, col - 4: col + 4] = 0.1
    return photo


def test_an_opened_picture_goes_through_the_digit_transform(open_window, tmp_path, monkeypatch):
    canvas = open_window("digits").canvas
    path = tmp_path / "seven.png"
    write_grey_png(path, a_digit_photo())
    monkeypatch.setattr(canvas, "_ask_image_path", lambda: str(path))
    canvas.open_image()
    expected = mnist_transform(read_grey_image(path)).reshape(-1)  # the picture whole, as nnlab predict reads it
    np.testing.assert_array_equal(canvas.row, expected)
    assert canvas.row.reshape(28, 28)[14].max() > 0.5  # ink, white on black, in the middle
    assert canvas.probabilities() is not None


def test_a_broken_picture_file_is_named_not_loaded(open_window, tmp_path, monkeypatch):
    canvas = open_window("digits").canvas
    path = tmp_path / "broken.png"
    path.write_bytes(b"not a picture")
    monkeypatch.setattr(canvas, "_ask_image_path", lambda: str(path))
    canvas.open_image()
    assert "broken.png" in canvas.message_label.text()
    assert canvas.surface.sheet.is_blank


def test_paste_and_drop_take_the_same_path(open_window, tmp_path):
    canvas = open_window("digits").canvas
    path = tmp_path / "seven.png"
    write_grey_png(path, a_digit_photo())
    QGuiApplication.clipboard().setImage(QImage(str(path)))
    canvas.paste()
    pasted = canvas.row.copy()
    canvas.clear()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(canvas.surface, drop)
    np.testing.assert_allclose(canvas.row, pasted, atol=1e-6)
    assert pasted.max() > 0.5


def test_face_mode_crops_a_photo_to_the_models_25_by_25_input(open_window):
    window = open_window("faces")
    canvas = window.canvas
    assert canvas.mode.preprocess == "faces" and canvas.surface.grid_shape == (25, 25)
    rng = np.random.default_rng(0)
    photo = np.clip(np.linspace(0, 1, 200)[None, :] * np.ones((300, 1)) + rng.normal(0, 0.05, (300, 200)), 0, 1)
    canvas.load_grey(photo.astype(np.float32))
    assert canvas.row.shape == (625,) and canvas.preview.shape == (25, 25)
    np.testing.assert_array_equal(canvas.row, faces_transform(photo).reshape(-1))  # crop, then resize
    assert canvas.probabilities().shape == (2,)


def test_points_mode_adds_clicked_points_and_shows_decision_regions(open_window, qtbot):
    window = open_window("xor")
    canvas = window.canvas
    assert canvas.mode.kind == "points" and canvas.stack.currentWidget() is canvas.scatter
    qtbot.waitUntil(lambda: canvas.scatter.regions_image is not None, timeout=2000)
    canvas.label_picker.setCurrentIndex(1)
    QTest.mouseClick(canvas.scatter, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     canvas.scatter.to_widget(0.5, -0.25).toPoint())
    [(label, (x, y))] = [(s.label, tuple(s.values)) for s in canvas.gallery.samples]
    step = (canvas.scatter.bounds[1] - canvas.scatter.bounds[0]) / canvas.scatter.plot_rect().width()
    assert label == "1" and abs(x - 0.5) <= step and abs(y + 0.25) <= step
    assert canvas.scatter.mine_points.tolist() == [[x, y]]
    window.session.make_trainer(window.run_settings.experiment())
    assert window.session.user_samples_used == 1


def test_decision_regions_colour_each_side_by_its_class(qtbot):
    from nnlab.engine import LayerSpec, Network

    network = Network(2, [LayerSpec(2, "softmax")], seed=0)
    network.weights[0][...] = [[-20.0, 0.0], [20.0, 0.0]]  # class 1 where x > 0
    network.biases[0][...] = 0.0
    image = decision_image(network, (-1.0, 1.0, -1.0, 1.0), 2, cells=8)
    left, right = image[0, 4].astype(int), image[7, 4].astype(int)
    assert left[2] > left[0]  # blue-ish where x < 0 (class 0)
    assert right[0] > right[2]  # red-ish where x > 0 (class 1)
    view = ScatterView()
    view.resize(300, 300)
    view.set_points(np.array([[-1.0, -1.0], [1.0, 1.0]]), np.array([0, 1]), 2)
    view.set_network(network)
    picture = view.regions_image
    assert QColor(picture.pixel(0, 0)).blue() > QColor(picture.pixel(0, 0)).red()  # top left: x < 0
    assert QColor(picture.pixel(picture.width() - 1, 0)).red() > QColor(picture.pixel(picture.width() - 1, 0)).blue()


@pytest.mark.parametrize("name", ["sketch-faces"])
def test_sketch_faces_use_the_digit_recipe(open_window, name):
    canvas = open_window(name).canvas
    canvas.draw_stroke([(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.3, 0.7), (0.3, 0.3)])
    canvas.predict_now()
    assert canvas.mode.preprocess == "mnist"
    np.testing.assert_allclose(canvas.row, mnist_transform(canvas.surface.sheet.image()).reshape(-1))


def test_an_imported_image_set_gets_its_own_size_and_ink_colour(open_window):
    from nnlab.data.dataset import Dataset
    from nnlab.data.transforms import resize_transform

    rng = np.random.default_rng(0)
    dark = rng.uniform(0.0, 0.3, (20, 12 * 16)).astype(np.float32)  # light strokes on dark, like MNIST
    window = open_window("digits")
    window.session.load_dataset(Dataset("mine", dark, np.arange(20) % 2, ["a", "b"], (12, 16), "resize"))
    canvas = window.canvas
    assert canvas.surface.grid_shape == (12, 16) and canvas.mode.light_ink
    canvas.draw_stroke([(0.2, 0.5), (0.8, 0.5)])
    canvas.predict_now()
    expected = resize_transform(1.0 - canvas.surface.sheet.image(), (12, 16)).reshape(-1)
    np.testing.assert_allclose(canvas.row, expected, atol=1e-6)
    assert canvas.row.reshape(12, 16)[:, 8].sum() > 0.8 and canvas.row.reshape(12, 16)[0, 0] == 0.0


def test_the_class_picker_grows_to_the_new_datasets_names(open_window, qtbot):
    """Digits first ("0"…"9"), then sketch-faces: the picker showed "fa" for "face" — a combo box
    sizes itself once, on first show, unless told to follow its contents."""
    window = open_window("digits")
    window.show()
    qtbot.waitExposed(window)
    window.choose_dataset("sketch-faces")
    picker = window.canvas.label_picker
    widest = max(picker.fontMetrics().horizontalAdvance(picker.itemText(i)) for i in range(picker.count()))
    assert picker.count() == 2
    assert picker.sizeHint().width() > widest
