"""A drawing added to the training set survives a restart and is learned from in the next run."""
import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from nnlab.ui.canvas.user_data import user_data_folder


def test_an_added_drawing_survives_a_restart_and_joins_the_next_training_run(open_window, qtbot):
    window = open_window("digits")
    canvas = window.canvas
    canvas.draw_stroke([(0.5, 0.15), (0.5, 0.85)])
    canvas.surface.setFocus()
    qtbot.waitUntil(canvas.surface.hasFocus)
    QTest.keyClick(canvas.surface, Qt.Key.Key_7)  # the label picker follows digit keys on the canvas
    assert canvas.label_picker.currentText() == "7"
    assert canvas.add_sample()
    drawn = canvas.row.copy()
    assert [s.label for s in canvas.gallery.samples] == ["7"]
    assert list(user_data_folder().rglob("*.npz"))  # on disk, in the redirected user folder
    window.close()

    again = open_window("digits")
    gallery = again.canvas.gallery
    assert [s.label for s in gallery.samples] == ["7"]
    np.testing.assert_allclose(gallery.samples[0].values, drawn)
    again.panel.epochs.setValue(1)
    trainer = again.session.make_trainer(again.run_settings.experiment())
    train = again.session.splits.train
    assert len(trainer.x) == len(train.x) + 1 and again.session.user_samples_used == 1
    np.testing.assert_array_equal(trainer.x[-1], np.rint(drawn * 255) / np.float32(255))  # bytes, as digits
    assert trainer.y[-1] == 7
    assert again.start_training()
    qtbot.waitUntil(lambda: again.training.state == "idle", timeout=20000)
    qtbot.waitUntil(lambda: "1 of your own samples" in again.metrics.header_text, timeout=5000)


def test_deleting_a_sample_removes_it_from_disk_and_training(open_window):
    window = open_window("digits")
    canvas = window.canvas
    canvas.draw_stroke([(0.3, 0.3), (0.7, 0.7)])
    canvas.label_picker.setCurrentIndex(3)
    assert canvas.add_sample()
    canvas.gallery.list.item(0).setSelected(True)
    canvas.gallery.delete_button.click()
    assert canvas.gallery.samples == []
    assert not list(user_data_folder().rglob("*.npz"))
    window.session.make_trainer(window.run_settings.experiment())
    assert window.session.user_samples_used == 0


def test_adding_a_blank_canvas_says_what_is_missing(open_window):
    canvas = open_window("digits").canvas
    assert not canvas.add_sample()
    assert "Draw something" in canvas.message_label.text()
    assert canvas.gallery.samples == []
