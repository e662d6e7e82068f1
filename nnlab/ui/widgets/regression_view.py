"""The Metrics tab for a network that predicts numbers: MSE, MAE and R² per output, and a picture of
predicted against true values — what a confusion matrix is to a classifier.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from nnlab.engine.metrics import RegressionEvaluation

from .xy_plot import XYFrame, padded_bounds, paint_frame, plot_rect

COLUMNS = ("output", "MSE", "MAE", "R²", "samples")
ALL_OUTPUTS = "all outputs"
SORT_ROLE = Qt.ItemDataRole.UserRole
MAX_POINTS = 5000  # a predicted-vs-true picture needs no more; a 10-output digits regression has 7,500
POINT_PX = 3.0
_TIPS = {1: "mean squared error: the mean of (prediction − target)²",
         2: "mean absolute error: the mean of |prediction − target|, in the targets' own units",
         3: "R², the share of the targets' variance the network explains: 1 is perfect, 0 is no better "
            "than always answering their mean, below 0 is worse"}


def three_significant(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:#.3g}"


class RegressionMetricsModel(QAbstractTableModel):
    """One row per output plus a last "all outputs" row (the means; R² as scikit-learn averages it)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[tuple] = []

    def set_evaluation(self, evaluation: RegressionEvaluation | None, names: list[str]) -> None:
        self.beginResetModel()
        self._rows = []
        if evaluation is not None:
            n = evaluation.n_samples
            for i, name in enumerate(names):
                self._rows.append((name, float(evaluation.output_mse[i]), float(evaluation.output_mae[i]),
                                   float(evaluation.output_r2[i]), n))
            if len(names) > 1:
                self._rows.append((ALL_OUTPUTS, evaluation.mse, evaluation.mae, evaluation.r2, n))
        self.endResetModel()

    def is_macro_row(self, row: int) -> bool:
        """The "all outputs" row, which sorting leaves at the bottom (as the classes' macro row)."""
        return 0 <= row < len(self._rows) and self._rows[row][0] == ALL_OUTPUTS

    def output_of(self, row: int) -> int | None:
        """Which output a row shows; None for the "all outputs" row."""
        return None if self.is_macro_row(row) else row

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return _TIPS.get(section)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        value = self._rows[row][col]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(value) if col in (0, 4) else three_significant(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            what = "the mean over every output" if self.is_macro_row(row) else f"output {self._rows[row][0]}"
            return f"{what}; {_TIPS[col]}: {value!r}" if col in _TIPS else what
        if role == SORT_ROLE:
            return row if col == 0 else value
        if role == Qt.ItemDataRole.TextAlignmentRole and col > 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and self.is_macro_row(row):
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index):
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable if index.isValid() else Qt.ItemFlag.NoItemFlags


class PredictedVsTrueView(QWidget):
    """Each sample as a dot at (true value, predicted value); a perfect network puts every dot on the
    diagonal. Both axes share one scale, so distance from the diagonal is the error itself."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.true_values = np.zeros(0)
        self.predicted = np.zeros(0)
        self.name = ""
        self.bounds = (-1.0, 1.0)

    def sizeHint(self) -> QSize:
        """No bigger than the minimum: it grows into whatever room the dock has, and in a short dock
        (a 720-pixel screen) asking for more would make the Metrics tab scroll."""
        return self.minimumSizeHint()

    def minimumSizeHint(self) -> QSize:
        return QSize(200, 200)

    def set_values(self, true_values: np.ndarray, predicted: np.ndarray, name: str) -> None:
        """true_values, predicted: (n,) for one output (or every output's, flattened); shows ≤ MAX_POINTS."""
        true_values, predicted = np.ravel(true_values), np.ravel(predicted)
        if len(true_values) != len(predicted):
            raise ValueError(f"{len(true_values)} true values but {len(predicted)} predictions")
        step = max(1, math.ceil(len(true_values) / MAX_POINTS))
        self.true_values, self.predicted = true_values[::step], predicted[::step]
        self.name = name
        self.bounds = padded_bounds(np.concatenate([self.true_values, self.predicted]))
        self.setToolTip(f"{len(true_values):,} samples: true {name} across, predicted {name} up; "
                        "on the diagonal the prediction is exact")
        self.update()

    def clear(self) -> None:
        self.set_values(np.zeros(0), np.zeros(0), "")

    def frame(self) -> XYFrame:
        low, high = self.bounds
        return XYFrame(plot_rect(self.width(), self.height(), square=True), low, high, low, high)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        frame = self.frame()
        palette = self.palette()
        painter.fillRect(frame.rect, palette.color(QPalette.ColorRole.Base))
        low, high = self.bounds
        painter.setPen(QPen(palette.color(QPalette.ColorRole.Text), 1, Qt.PenStyle.DashLine))
        painter.drawLine(frame.to_widget(low, low), frame.to_widget(high, high))
        dark = palette.color(QPalette.ColorRole.Base).lightnessF() < 0.5
        dot = QColor("#5eb0ff" if dark else "#1f63b4")
        dot.setAlpha(170)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(dot)
        for x, y in zip(self.true_values, self.predicted):
            if math.isfinite(x) and math.isfinite(y):
                painter.drawEllipse(frame.to_widget(float(x), float(y)), POINT_PX, POINT_PX)
        name = self.name or "value"
        paint_frame(painter, frame, palette, f"true {name}", f"predicted {name}")
        if not len(self.true_values):
            painter.setPen(palette.color(QPalette.ColorRole.Text))
            painter.drawText(frame.rect, Qt.AlignmentFlag.AlignCenter, "no samples")
        painter.end()

    def dot_position(self, index: int) -> QPointF:
        """Where sample ``index`` (of those shown) is drawn, in widget pixels."""
        return self.frame().to_widget(float(self.true_values[index]), float(self.predicted[index]))
