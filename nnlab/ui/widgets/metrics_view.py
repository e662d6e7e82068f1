"""The metrics dock: how good the network is, class by class, and which samples it gets wrong —
or, for a network that predicts numbers, its MSE, MAE and R² and its predictions against the truth."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter,
                               QTableView, QVBoxLayout, QWidget)

from nnlab.engine.metrics import Evaluation, RegressionEvaluation
from nnlab.engine.scaled_bytes import ScaledBytes

from .confusion_matrix import ConfusionMatrixView
from .regression_view import PredictedVsTrueView, RegressionMetricsModel
from .sample_gallery import MAX_SAMPLES, SampleGallery

COLUMNS = ("class", "precision", "recall", "F1", "support")
MACRO_LABEL = "macro avg"  # scikit-learn's classification_report says the same; the tooltip explains it
SORT_ROLE = Qt.ItemDataRole.UserRole
WIDE_SLACK_PX = 40
NO_EVALUATION = "No evaluation yet: train a network, or evaluate it on the test set."


def three_significant(value: float) -> str:
    """3 significant digits, trailing zeros kept (0.950, 1.00) so a column reads evenly."""
    return "—" if math.isnan(value) else f"{value:#.3g}"


@dataclass(frozen=True)
class Samples:
    """The evaluated split as plain arrays, for the gallery; the caller hands over copies."""

    x: np.ndarray | ScaledBytes
    y_true: np.ndarray
    y_pred: np.ndarray
    input_shape: tuple[int, ...]
    classes: list[str]
    probabilities: np.ndarray | None = None

    @classmethod
    def from_tuple(cls, data: tuple) -> "Samples":
        """Accepts (x, y_true, y_pred, input_shape, classes[, probabilities]).

        probabilities: (n,) confidence in the predicted class, or (n, n_classes) outputs.
        """
        x, y_true, y_pred, input_shape, classes, *rest = data
        y_true, y_pred = np.asarray(y_true, np.int64), np.asarray(y_pred, np.int64)
        if not len(x) == len(y_true) == len(y_pred):
            raise ValueError(f"samples disagree in length: x {len(x)}, y_true {len(y_true)}, "
                             f"y_pred {len(y_pred)}")
        probabilities = np.asarray(rest[0]) if rest and rest[0] is not None else None
        if probabilities is not None and len(probabilities) != len(x):
            raise ValueError(f"{len(x)} samples but {len(probabilities)} probabilities")
        x = x if isinstance(x, ScaledBytes) else np.asarray(x)  # bytes stay bytes; rows read scaled
        return cls(x, y_true, y_pred, tuple(int(d) for d in input_shape),
                   [str(c) for c in classes], probabilities)

    def confidence(self, indices: np.ndarray) -> np.ndarray | None:
        if self.probabilities is None:
            return None
        if self.probabilities.ndim == 2:
            return self.probabilities[indices, self.y_pred[indices]]
        return self.probabilities[indices]


class ClassMetricsModel(QAbstractTableModel):
    """One row per class plus a final macro-average row; shows 3 s.f., tooltips give every digit."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple] = []

    def set_evaluation(self, evaluation: Evaluation | None, classes: list[str]) -> None:
        self.beginResetModel()
        self._rows = []
        if evaluation is not None:
            for i, name in enumerate(classes):
                self._rows.append((name, float(evaluation.precision[i]), float(evaluation.recall[i]),
                                   float(evaluation.f1[i]), int(evaluation.support[i])))
            if classes:
                self._rows.append((MACRO_LABEL, float(np.mean(evaluation.precision)),
                                   float(np.mean(evaluation.recall)), float(np.mean(evaluation.f1)),
                                   int(np.sum(evaluation.support))))
        self.endResetModel()

    def is_macro_row(self, row: int) -> bool:
        return row == len(self._rows) - 1

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        value = self._rows[row][col]
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0 or col == 4:
                return str(value)
            return three_significant(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, col)
        if role == SORT_ROLE:
            return row if col == 0 else value
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.is_macro_row(row):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _tooltip(self, row: int, col: int) -> str:
        name, value = self._rows[row][0], self._rows[row][col]
        macro = self.is_macro_row(row)
        if col == 0:
            return "macro average: the mean over classes, each class counting equally" if macro else f"class {name}"
        if col == 4:
            return f"{value} samples in all" if macro else f"{value} samples of class {name}"
        label = f"macro-average {COLUMNS[col]}" if macro else f"{COLUMNS[col]} of class {name}"
        return f"{label}: {value!r}"

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags


class MacroLastProxy(QSortFilterProxyModel):
    """Sorts the class rows but always leaves the macro-average row at the bottom."""

    def lessThan(self, left, right) -> bool:
        model = self.sourceModel()
        left_macro, right_macro = model.is_macro_row(left.row()), model.is_macro_row(right.row())
        if left_macro or right_macro:
            ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
            return right_macro if ascending else left_macro
        return left.data(SORT_ROLE) < right.data(SORT_ROLE)


class MetricsTable(QTableView):
    """The per-class table: each column as wide as its header and its numbers, spare width to the numbers.

    In a dock too narrow for all five columns the table scrolls sideways rather than cutting
    "0.815" to "0...." and "precision" to "ecisio".
    """

    def __init__(self, model, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        for signal in (model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved):
            signal.connect(self.fit_columns)

    def column_needs(self) -> list[int]:
        """Pixels each column needs to show its header (with the sort arrow) and every cell in full."""
        model, header = self.model(), self.horizontalHeader()
        grid = 1 if self.showGrid() else 0
        needs = []
        for column in range(model.columnCount()):
            cells = [self.sizeHintForIndex(model.index(row, column)).width() + grid for row in range(model.rowCount())]
            needs.append(max(header.sectionSizeHint(column), *cells, 0))
        return needs

    def needed_width(self) -> int:
        """The table's width (frame and vertical scroll bar included) that shows every column in full."""
        return sum(self.column_needs()) + 2 * self.frameWidth() + self.verticalScrollBar().sizeHint().width()

    def fit_columns(self) -> None:
        needs = self.column_needs()
        spare = max(0, self.viewport().width() - sum(needs))
        numbers = max(len(needs) - 1, 1)
        header = self.horizontalHeader()
        for column, need in enumerate(needs):
            extra = 0 if column == 0 else spare // numbers + (column - 1 < spare % numbers)
            header.resizeSection(column, need + extra)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit_columns()


class MetricsView(QWidget):
    """Header line, per-class table, clickable confusion matrix and the gallery it opens.

    For a network that predicts numbers: the per-output MSE/MAE/R² table and the predicted-vs-true
    picture (click a row for that output) take the places of the class table, matrix and gallery.
    """

    test_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._samples: Samples | None = None
        self.regression = False
        self._regression_result: RegressionEvaluation | None = None
        self._output_names: list[str] = []
        self.header_label = QLabel(NO_EVALUATION)
        self.header_label.setWordWrap(True)
        self.test_button = QPushButton("Evaluate on test set")
        self.test_button.setToolTip("Score the network on the held-out test set. Use it sparingly: "
                                    "choosing settings by test score makes the test score optimistic.")
        self.test_button.clicked.connect(self.test_requested)
        self.model = ClassMetricsModel(self)
        self.proxy = MacroLastProxy(self)
        self.proxy.setSourceModel(self.model)
        self.table = self._build_table()
        self.confusion_view = ConfusionMatrixView()
        self.confusion_view.cell_clicked.connect(self._show_cell)
        self.gallery = SampleGallery()
        self.regression_model = RegressionMetricsModel(self)
        self.predicted_view = PredictedVsTrueView()
        self.table.clicked.connect(self._show_output)
        self._build_layout()
        self._show_parts(False)  # not arranged yet: the first resize does it, at the dock's real size

    def _build_table(self) -> MetricsTable:
        table = MetricsTable(self.proxy)
        table.setSortingEnabled(True)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        return table

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        top.addWidget(self.header_label, 1)
        top.addWidget(self.test_button)
        self.details_splitter = QSplitter(Qt.Orientation.Vertical)
        self.details_splitter.addWidget(self.table)
        self.details_splitter.addWidget(self.gallery)
        self.main_splitter = QSplitter(Qt.Orientation.Horizontal)
        self.main_splitter.addWidget(self.confusion_view)
        self.main_splitter.addWidget(self.predicted_view)  # one of the two pictures is hidden
        self.main_splitter.addWidget(self.details_splitter)
        self.main_splitter.setStretchFactor(0, 3)
        self.main_splitter.setStretchFactor(1, 3)
        self.main_splitter.setStretchFactor(2, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 6)  # the table's five columns fit the 400-px dock with room to spare
        layout.addLayout(top)
        layout.addWidget(self.main_splitter, 1)

    def resizeEvent(self, event) -> None:
        self._arrange(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _arrange(self, width: int, height: int) -> None:
        """A tall dock stacks matrix over table; a wide one puts them side by side if the table still fits.

        Side by side, the table keeps the width its numbers need (the matrix gives way). The slack
        in ``room`` keeps a dock just below that width from holding the view wide (it sits in a
        scroll area, which never makes it narrower than its minimum).
        """
        table_width = self.table.needed_width()
        margins = self.layout().contentsMargins()
        picture = self.predicted_view if self.regression else self.confusion_view
        room = (width - margins.left() - margins.right() - self.main_splitter.handleWidth()
                - picture.minimumSizeHint().width())
        wide = width > 1.2 * height and room >= table_width + WIDE_SLACK_PX
        self.main_splitter.setOrientation(Qt.Orientation.Horizontal if wide else Qt.Orientation.Vertical)
        self.table.setMinimumWidth(table_width if wide else 0)

    @property
    def header_text(self) -> str:
        return self.header_label.text()

    def add_to_header(self, text: str) -> None:
        """One more fact about the evaluation shown (e.g. the learner's own samples it was trained with)."""
        self.header_label.setText(f"{self.header_text} · {text}")

    def show_evaluation(self, evaluation: Evaluation, split_name: str, epoch: int | None = None,
                        samples: tuple | None = None, *, classes: list[str] | None = None) -> None:
        """Show one split's numbers; ``samples`` feed the gallery and are kept, never copied.

        Class names come from ``classes``, else from ``samples``, else are the indices. A
        :class:`RegressionEvaluation` is shown with ``classes`` as its outputs' names.
        """
        if isinstance(evaluation, RegressionEvaluation):
            self._show_regression(evaluation, split_name, epoch, classes)
            return
        self.set_regression(False)
        self.header_label.setToolTip("")
        n = len(evaluation.precision)
        self._samples = Samples.from_tuple(samples) if samples is not None else None
        names = classes or (self._samples.classes if self._samples else None) or [str(i) for i in range(n)]
        if len(names) != n:
            raise ValueError(f"the evaluation has {n} classes but {len(names)} class names were given")
        self.header_label.setText(self._header(evaluation, split_name, epoch))
        self.model.set_evaluation(evaluation, list(names))
        self.confusion_view.set_matrix(evaluation.confusion, list(names))
        self._arrange(self.width(), self.height())  # the table's needs changed with its contents
        self.confusion_view.set_selected(None)
        self.gallery.clear()

    def set_regression(self, regression: bool) -> None:
        """Lay the dock out for a network that predicts numbers (True) or one that classifies."""
        self._show_parts(regression)
        self._arrange(self.width(), self.height())

    def _show_parts(self, regression: bool) -> None:
        self.regression = bool(regression)
        self.confusion_view.setVisible(not self.regression)
        self.gallery.setVisible(not self.regression)
        self.predicted_view.setVisible(self.regression)
        self.details_splitter.setVisible(True)
        model = self.regression_model if self.regression else self.model
        if self.proxy.sourceModel() is not model:
            self.proxy.setSourceModel(model)

    def _show_regression(self, evaluation: RegressionEvaluation, split_name: str, epoch: int | None,
                         names: list[str] | None) -> None:
        k = len(evaluation.output_mse)
        names = list(names or [str(i) for i in range(k)])
        if len(names) != k:
            raise ValueError(f"the evaluation has {k} outputs but {len(names)} output names were given")
        self.set_regression(True)
        self._samples, self._regression_result, self._output_names = None, evaluation, names
        parts = [split_name] + ([f"epoch {epoch}"] if epoch is not None else [])
        parts += [f"R² {three_significant(evaluation.r2)}", f"MSE {three_significant(evaluation.mse)}",
                  f"MAE {three_significant(evaluation.mae)}", f"loss {three_significant(evaluation.loss)}"]
        self.header_label.setText(" · ".join(parts))
        self.header_label.setToolTip("R²: share of the targets' variance explained (1 is perfect) · MSE: mean of "
                                     "(prediction − target)² · MAE: mean of |prediction − target| · loss: "
                                     "½·Σ(prediction − target)² per sample, what training minimises")
        self.regression_model.set_evaluation(evaluation, names)
        self.details_splitter.setVisible(k > 1)  # one output: the header line holds every number of its row
        self._arrange(self.width(), self.height())
        self._picture_output(0 if k == 1 else None)

    def _show_output(self, index) -> None:
        """A click on a row of the regression table: that output's picture ("all outputs": every one)."""
        if self.regression and self._regression_result is not None:
            self._picture_output(self.regression_model.output_of(self.proxy.mapToSource(index).row()))

    def _picture_output(self, output: int | None) -> None:
        result = self._regression_result
        if output is None:
            self.predicted_view.set_values(result.targets, result.predictions, "value")
        else:
            self.predicted_view.set_values(result.targets[:, output], result.predictions[:, output],
                                           self._output_names[output])

    @staticmethod
    def _header(evaluation: Evaluation, split_name: str, epoch: int | None) -> str:
        parts = [split_name]
        if epoch is not None:
            parts.append(f"epoch {epoch}")
        accuracy = evaluation.accuracy
        parts.append("accuracy —" if math.isnan(accuracy) else f"accuracy {100 * accuracy:.1f} %")
        parts.append(f"loss {three_significant(evaluation.loss)}" if not math.isnan(evaluation.loss)
                     else "loss —")
        return " · ".join(parts)

    def clear(self) -> None:
        self._samples = self._regression_result = None
        self.header_label.setText(NO_EVALUATION)
        self.header_label.setToolTip("")
        self.model.set_evaluation(None, [])
        self.regression_model.set_evaluation(None, [])
        self.confusion_view.clear()
        self.predicted_view.clear()
        self.gallery.clear()

    def _show_cell(self, true_class: int, predicted_class: int) -> None:
        names = self.confusion_view.classes
        count = int(self.confusion_view.counts[true_class, predicted_class])
        title = f"true {names[true_class]} → predicted {names[predicted_class]} " \
                f"({count} sample{'' if count == 1 else 's'})"
        if self._samples is None:
            self.gallery.show_message(title, "The samples of this evaluation are not available.")
            return
        samples = self._samples
        indices = np.flatnonzero((samples.y_true == true_class) & (samples.y_pred == predicted_class))
        if len(indices) > MAX_SAMPLES:
            title += f", showing the first {MAX_SAMPLES}"
        if not len(indices):
            self.gallery.show_message(title, "")
            return
        shown = indices[:MAX_SAMPLES]
        self.gallery.show_samples(title, samples.x[shown], shown, samples.input_shape, samples.confidence(shown))
