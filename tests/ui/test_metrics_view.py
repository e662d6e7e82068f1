"""The metrics dock: table numbers, confusion-matrix clicks and the gallery they open."""
import time

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtTest import QTest

from nnlab.engine.metrics import Evaluation
from nnlab.ui.widgets.confusion_matrix import ConfusionMatrixView, text_color_for
from nnlab.ui.widgets.metrics_view import MACRO_LABEL, MetricsView, three_significant
from nnlab.ui.widgets.sample_gallery import MAX_SAMPLES

# confusion = [[2, 1, 0], [0, 1, 1], [1, 0, 4]]: precision = recall = f1 = [2/3, 1/2, 4/5]
TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
PRED = np.array([0, 0, 1, 1, 2, 2, 2, 2, 0, 2])
CLASSES = ["cat", "dog", "fox"]


def image_samples(y_true=TRUE, y_pred=PRED, classes=CLASSES):
    x = np.arange(len(y_true) * 16, dtype=np.float32).reshape(len(y_true), 16) / (len(y_true) * 16)
    return x, y_true.copy(), y_pred.copy(), (4, 4), classes


@pytest.fixture
def view(qtbot):
    widget = MetricsView()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def table_texts(view):
    table = view.table.model()
    return [[table.index(r, c).data() for c in range(table.columnCount())] for r in range(table.rowCount())]


def click_cell(qtbot, matrix, row, col):
    centre = matrix.cell_rect(row, col).center().toPoint()
    QTest.mouseClick(matrix, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, centre)


def test_three_significant_digits():
    assert [three_significant(v) for v in (2 / 3, 0.5, 1.0, 0.0, 0.04567)] == \
        ["0.667", "0.500", "1.00", "0.00", "0.0457"]


def test_header_names_split_epoch_accuracy_and_loss(view):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3, loss=0.16234), "validation", 4)
    assert view.header_text == "validation · epoch 4 · accuracy 70.0 % · loss 0.162"


def test_table_shows_three_significant_digits_and_macro_row(view):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3), "test", 2, image_samples())
    assert table_texts(view) == [
        ["cat", "0.667", "0.667", "0.667", "3"],
        ["dog", "0.500", "0.500", "0.500", "2"],
        ["fox", "0.800", "0.800", "0.800", "5"],
        [MACRO_LABEL, "0.656", "0.656", "0.656", "10"],
    ]
    precision_cat = view.table.model().index(0, 1)
    assert repr(2 / 3) in precision_cat.data(Qt.ItemDataRole.ToolTipRole)
    assert view.table.editTriggers() == view.table.EditTrigger.NoEditTriggers


def test_sorting_keeps_macro_row_last(view):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3), "validation", 1, image_samples())
    for order, expected in ((Qt.SortOrder.DescendingOrder, ["fox", "cat", "dog"]),
                            (Qt.SortOrder.AscendingOrder, ["dog", "cat", "fox"])):
        view.table.sortByColumn(1, order)
        assert [row[0] for row in table_texts(view)] == [*expected, MACRO_LABEL]


def test_confusion_view_holds_the_matrix(view):
    evaluation = Evaluation.from_predictions(TRUE, PRED, 3)
    view.show_evaluation(evaluation, "validation", 1, image_samples())
    np.testing.assert_array_equal(view.confusion_view.counts, [[2, 1, 0], [0, 1, 1], [1, 0, 4]])
    assert view.confusion_view.classes == CLASSES


def test_cell_at_maps_points_to_cells(view):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3), "validation", 1, image_samples())
    matrix = view.confusion_view
    for row in range(3):
        for col in range(3):
            rect = matrix.cell_rect(row, col)
            assert rect.width() >= 20 and rect.right() <= matrix.width() and rect.bottom() <= matrix.height()
            assert matrix.cell_at(rect.center()) == (row, col)
            assert matrix.cell_at(rect.topLeft() + QPointF(1, 1)) == (row, col)
    assert matrix.cell_at(QPoint(0, 0)) is None
    assert matrix.cell_at(matrix.cell_rect(2, 2).bottomRight() + QPointF(3, 3)) is None
    assert matrix.tooltip_text(2, 0) == "true fox, predicted cat: 1 sample (20.0 % of class fox)"


def test_click_emits_cell_and_fills_gallery_with_those_samples(view, qtbot):
    y_true = np.array([4, 9, 4, 4, 9, 4, 1])
    y_pred = np.array([9, 9, 4, 9, 4, 9, 1])
    classes = [str(i) for i in range(10)]
    probabilities = np.linspace(0.3, 0.9, 7)
    x, *_ = image_samples(y_true, y_pred)
    view.show_evaluation(Evaluation.from_predictions(y_true, y_pred, 10), "validation", 3,
                         (x, y_true, y_pred, (4, 4), classes, probabilities))
    with qtbot.waitSignal(view.confusion_view.cell_clicked) as blocker:
        click_cell(qtbot, view.confusion_view, 4, 9)
    assert blocker.args == [4, 9]
    assert view.gallery.indices.tolist() == [0, 3, 5]
    assert view.gallery.title == "true 4 → predicted 9 (3 samples)"
    assert view.gallery.captions() == ["#0\n30 %", "#3\n60 %", "#5\n80 %"]
    assert view.confusion_view.selected == (4, 9)
    icon = view.gallery.list_widget.item(0).icon()
    assert not icon.isNull()


def test_gallery_caps_at_64_samples(view, qtbot):
    y_true = np.zeros(100, np.int64)
    y_pred = np.ones(100, np.int64)
    x = np.random.default_rng(0).random((100, 4), dtype=np.float32)
    view.show_evaluation(Evaluation.from_predictions(y_true, y_pred, 2), "validation", 1,
                         (x, y_true, y_pred, (2, 2), ["a", "b"]))
    click_cell(qtbot, view.confusion_view, 0, 1)
    assert view.gallery.indices.tolist() == list(range(MAX_SAMPLES))
    assert view.gallery.list_widget.count() == MAX_SAMPLES
    assert view.gallery.title == "true a → predicted b (100 samples), showing the first 64"


def test_non_image_dataset_lists_feature_vectors(view, qtbot):
    y_true, y_pred = np.array([0, 1, 1, 0]), np.array([1, 1, 0, 1])
    x = np.array([[0.25, 0.5], [1, 2], [3, 4], [0.125, 0.75]], np.float32)
    view.show_evaluation(Evaluation.from_predictions(y_true, y_pred, 2), "validation", 1,
                         (x, y_true, y_pred, (2,), ["in", "out"]))
    click_cell(qtbot, view.confusion_view, 0, 1)
    assert view.gallery.indices.tolist() == [0, 3]
    assert view.gallery.captions() == ["#0      [0.25, 0.5]", "#3      [0.125, 0.75]"]
    assert view.gallery.list_widget.viewMode() == view.gallery.list_widget.ViewMode.ListMode


def test_click_without_samples_still_names_the_cell(view, qtbot):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3), "validation", 1, classes=CLASSES)
    click_cell(qtbot, view.confusion_view, 1, 2)
    assert view.gallery.title.startswith("true dog → predicted fox (1 sample)")
    assert view.gallery.indices.size == 0


def test_text_colour_contrasts_with_cell():
    assert text_color_for(QColor(18, 110, 60)) == QColor(Qt.GlobalColor.white)
    assert text_color_for(QColor(30, 30, 40)) == QColor(Qt.GlobalColor.white)
    assert text_color_for(QColor(250, 235, 235)) == QColor(Qt.GlobalColor.black)
    assert text_color_for(QColor(255, 220, 80)) == QColor(Qt.GlobalColor.black)


@pytest.mark.parametrize("base", [QColor(255, 255, 255), QColor(30, 30, 30)], ids=["light", "dark"])
def test_cells_pick_readable_text_in_light_and_dark_palettes(qtbot, base):
    matrix = ConfusionMatrixView()
    qtbot.addWidget(matrix)
    palette = matrix.palette()
    palette.setColor(QPalette.ColorRole.Base, base)
    matrix.setPalette(palette)
    matrix.set_matrix(np.array([[100, 0], [1, 99]]))
    full, faint = matrix.cell_color(0, 0), matrix.cell_color(1, 0)
    assert matrix.cell_color(0, 1) == base
    assert full.green() > full.red() and faint.red() > faint.green()
    for cell, colour in (((0, 0), full), ((1, 0), faint)):
        text = matrix.text_color(*cell)
        assert text == text_color_for(colour)
        contrast = abs(QColor(text).lightnessF() - colour.lightnessF())
        assert contrast > 0.35
    assert matrix.text_color(0, 0) == (QColor(Qt.GlobalColor.white) if base.lightness() > 128
                                       else QColor(Qt.GlobalColor.black))


def test_test_button_requests_test_evaluation(view, qtbot):
    with qtbot.waitSignal(view.test_requested):
        QTest.mouseClick(view.test_button, Qt.MouseButton.LeftButton)


def test_clear_empties_everything(view, qtbot):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3), "validation", 1, image_samples())
    click_cell(qtbot, view.confusion_view, 0, 0)
    view.clear()
    assert view.table.model().rowCount() == 0
    assert view.confusion_view.counts.shape == (0, 0)
    assert view.confusion_view.cell_at(QPoint(view.confusion_view.width() // 2, 100)) is None
    assert view.gallery.indices.size == 0 and view.gallery.list_widget.count() == 0
    assert "No evaluation" in view.header_text


def test_show_evaluation_is_fast_for_10_classes_and_10000_samples(view):
    rng = np.random.default_rng(1)
    y_true = rng.integers(0, 10, 10_000)
    y_pred = np.where(rng.random(10_000) < 0.9, y_true, rng.integers(0, 10, 10_000))
    x = rng.random((10_000, 784), dtype=np.float32)
    evaluation = Evaluation.from_predictions(y_true, y_pred, 10, loss=0.3)
    samples = (x, y_true, y_pred, (28, 28), [str(i) for i in range(10)])
    view.show_evaluation(evaluation, "validation", 1, samples)
    times = []
    for epoch in range(5):
        start = time.perf_counter()
        view.show_evaluation(evaluation, "validation", epoch, samples)
        times.append(time.perf_counter() - start)
    assert min(times) < 0.05  # budget is 10 ms; slack for loaded CI machines


def test_keyboard_selects_and_opens_a_cell(view, qtbot):
    view.show_evaluation(Evaluation.from_predictions(TRUE, PRED, 3), "validation", 1, image_samples())
    matrix = view.confusion_view
    matrix.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Down, Qt.Key.Key_Left):
        QTest.keyClick(matrix, key)
    assert matrix.selected == (2, 0)
    with qtbot.waitSignal(matrix.cell_clicked) as blocker:
        QTest.keyClick(matrix, Qt.Key.Key_Return)
    assert blocker.args == [2, 0]
    assert view.gallery.indices.tolist() == [8]
