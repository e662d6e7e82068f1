"""The training panel: every choice of a run, and the buttons that drive it.

The buttons show the main window's actions (so shortcuts, menus and buttons share one
enabled state); the panel itself only reads its fields into an ``Experiment``.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QSpinBox, QToolButton, QVBoxLayout, QWidget,
                               QAbstractSpinBox)

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.data.experiment import Experiment
from nnlab.engine import ACTIVATIONS, LOSSES, OPTIMIZERS, TrainConfig
from nnlab.engine.reshape import MAX_HIDDEN_LAYERS, check_width

BUTTON_ACTIONS = ("start", "pause", "resume", "step_batch", "step_epoch", "stop", "reset_weights")


def _double_spin(minimum: float, maximum: float, value: float, decimals: int, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(minimum, maximum)
    spin.setDecimals(decimals)
    spin.setValue(value)
    spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
    spin.setToolTip(tip)
    return spin


def _spin(minimum: int, maximum: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setValue(value)
    spin.setToolTip(tip)
    return spin


class TrainingPanel(QWidget):
    dataset_chosen = Signal(str)
    import_requested = Signal()
    learning_rate_changed = Signal(float)
    architecture_edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._imported: dict[str, str] = {}
        self._suggested = ""  # the kind of dataset the last suggestion was for
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 6, 4, 6)  # a 400-px dock with a scroll bar shows every row without scrolling sideways
        layout.addWidget(self._data_group())
        layout.addWidget(self._network_group())
        layout.addWidget(self._training_group())
        self._buttons = QGridLayout()
        layout.addLayout(self._buttons)
        layout.addStretch(1)
        self._frozen_while_running = [w for w in self.findChildren(QWidget)
                                      if isinstance(w, (QComboBox, QSpinBox, QDoubleSpinBox, QLineEdit,
                                                        QCheckBox, QToolButton))
                                      and w is not self.learning_rate]

    # -- building ---------------------------------------------------------------------------------
    def _data_group(self) -> QGroupBox:
        group = QGroupBox("&Data")
        form = QFormLayout(group)
        row = QHBoxLayout()
        self.dataset = QComboBox()
        for name, info in BUILTIN_DATASETS.items():
            self.dataset.addItem(name, name)
            self.dataset.setItemData(self.dataset.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole)
        self.dataset.activated.connect(lambda _: self.dataset_chosen.emit(self.dataset.currentData()))
        self.import_button = QToolButton(text="Import…")
        self.import_button.setToolTip("Import MNIST IDX, .npz, CSV or a folder of images (one sub-folder per class)")
        self.import_button.clicked.connect(self.import_requested)
        row.addWidget(self.dataset, 1)
        row.addWidget(self.import_button)
        form.addRow("Dataset", row)
        split = QHBoxLayout()
        self.train_percent = _spin(10, 98, 70, "share of samples the network learns from")
        self.validation_percent = _spin(0, 80, 15, "share used to watch for over-fitting after each epoch")
        self.test_label = QLabel()
        for spin in (self.train_percent, self.validation_percent):
            spin.setSuffix(" %")
            spin.valueChanged.connect(self._update_test_share)
        split.addWidget(QLabel("train"))
        split.addWidget(self.train_percent)
        split.addWidget(QLabel("validation"))
        split.addWidget(self.validation_percent)
        split.addWidget(self.test_label)
        form.addRow("Split", split)
        self.augment = QCheckBox("shift training images by up to ±2 px")
        form.addRow("Augment", self.augment)
        self._update_test_share()
        return group

    def _network_group(self) -> QGroupBox:
        group = QGroupBox("&Network")
        form = QFormLayout(group)
        self.hidden_layers = QLineEdit("128, 64")
        self._shown_widths: list[int] | None = None  # the current network's, as show_network wrote them
        self.hidden_layers.setToolTip("widths of the hidden layers, input first, e.g. 128, 64 (empty: none); "
                                      "Enter applies them to the network in the editor")
        self.hidden_layers.textEdited.connect(self.architecture_edited)
        form.addRow("Hidden layers", self.hidden_layers)
        self.activation = QComboBox()
        self.activation.addItems([n for n, a in ACTIVATIONS.items() if a.hidden_allowed])
        self.activation.setCurrentText("relu")
        self.activation.currentTextChanged.connect(self.architecture_edited)
        form.addRow("Activation", self.activation)
        self.loss = QComboBox()
        self.loss.addItems(list(LOSSES))
        self.loss.setCurrentText("cross_entropy")
        self.loss.currentTextChanged.connect(self.architecture_edited)
        form.addRow("Loss", self.loss)
        self.dropout = _double_spin(0.0, 0.9, 0.0, 2, "fraction of each hidden layer's outputs dropped "
                                    "at random during training")
        self.dropout.valueChanged.connect(self.architecture_edited)
        form.addRow("Dropout", self.dropout)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form.addRow(self.summary)
        return group

    def _training_group(self) -> QGroupBox:
        group = QGroupBox("&Training")
        form = QFormLayout(group)
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        self.optimizer.setCurrentText("adam")
        form.addRow("Optimizer", self.optimizer)
        # Up to 100: trying a rate far too big, and seeing training diverge, is part of the lesson.
        self.learning_rate = _double_spin(1e-6, 100.0, 1e-3, 6, "step size of gradient descent; may be "
                                          "changed while training runs")
        self.learning_rate.valueChanged.connect(self.learning_rate_changed)
        form.addRow("Learning rate", self.learning_rate)
        self.batch_size = _spin(1, 4096, 64, "samples per gradient step")
        form.addRow("Batch size", self.batch_size)
        self.epochs = _spin(1, 10_000, 10, "passes over the training samples")
        form.addRow("Epochs", self.epochs)
        self.l1 = _double_spin(0.0, 1.0, 0.0, 6, "L1 penalty λ1·Σ|w|: pushes weights to exactly zero")
        self.l2 = _double_spin(0.0, 1.0, 0.0, 6, "L2 penalty ½·λ2·Σw²: keeps weights small")
        penalties = QHBoxLayout()
        penalties.addWidget(QLabel("L1"))
        penalties.addWidget(self.l1)
        penalties.addWidget(QLabel("L2"))
        penalties.addWidget(self.l2)
        form.addRow("Penalty", penalties)
        stopping = QHBoxLayout()
        self.early_stopping = QCheckBox("after")
        self.patience = _spin(1, 100, 5, "epochs without a better validation loss")
        self.patience.setSuffix(" epochs")
        stopping.addWidget(self.early_stopping)
        stopping.addWidget(self.patience)
        form.addRow("Early stop", stopping)
        self.seed = _spin(0, 2**31 - 1, 0, "random seed: the same seed gives the same run")
        form.addRow("Seed", self.seed)
        return group

    def _update_test_share(self) -> None:
        test = 100 - self.train_percent.value() - self.validation_percent.value()
        self.test_label.setText(f"test {max(test, 0)} %")
        self.test_label.setStyleSheet("color: #c0392b" if test < 0 else "")

    def set_actions(self, actions: dict[str, QAction]) -> None:
        """Show the window's training actions as buttons (two columns)."""
        for index, name in enumerate(BUTTON_ACTIONS):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(button.sizePolicy().horizontalPolicy().Expanding,
                                 button.sizePolicy().verticalPolicy())
            self._buttons.addWidget(button, index // 2, index % 2)

    # -- reading and state ------------------------------------------------------------------------
    def hidden_widths(self) -> list[int]:
        text = self.hidden_layers.text().replace(";", ",")
        try:
            widths = [int(part) for part in text.split(",") if part.strip()]
        except ValueError:
            raise ValueError(f"hidden layers must be whole numbers separated by commas, not {text!r}") from None
        if widths == self._shown_widths:  # the network's own (an opened file may be wider than the editor allows)
            return widths
        if len(widths) > MAX_HIDDEN_LAYERS:  # the editor's limits, whichever way new widths arrive
            raise ValueError(f"{len(widths)} hidden layers asked for; the limit is {MAX_HIDDEN_LAYERS}")
        return [check_width(units) for units in widths]

    def show_training(self, settings: dict) -> None:
        """Fill the optimizer, learning rate, batch size and epochs a lesson (or a file) asks for."""
        if "optimizer" in settings:
            self.optimizer.setCurrentText(settings["optimizer"])
        for name, widget in (("learning_rate", self.learning_rate), ("batch_size", self.batch_size),
                             ("epochs", self.epochs)):
            if name in settings:
                widget.setValue(settings[name])

    def experiment(self) -> Experiment:
        """The run the fields describe; raises ValueError naming the first bad field."""
        test = 100 - self.train_percent.value() - self.validation_percent.value()
        if test < 0:
            raise ValueError("train and validation shares add up to more than 100 %")
        patience = self.patience.value() if self.early_stopping.isChecked() else None
        return Experiment(
            dataset=self.dataset.currentData(), hidden=self.hidden_widths(),
            activation=self.activation.currentText(), loss=self.loss.currentText(),
            dropout=self.dropout.value(), augment=self.augment.isChecked(),
            split=(self.train_percent.value() / 100, self.validation_percent.value() / 100, test / 100),
            train=TrainConfig(optimizer=self.optimizer.currentText(), learning_rate=self.learning_rate.value(),
                              batch_size=self.batch_size.value(), epochs=self.epochs.value(),
                              seed=self.seed.value(), l1=self.l1.value(), l2=self.l2.value(),
                              early_stopping_patience=patience))

    def show_dataset(self, source: str, label: str | None = None) -> None:
        """Select ``source`` in the list, adding it first when it is an imported file."""
        index = self.dataset.findData(source)
        if index < 0:
            self.dataset.addItem(label or source, source)
            self.dataset.setItemData(self.dataset.count() - 1, source, Qt.ItemDataRole.ToolTipRole)
            index = self.dataset.count() - 1
        self.dataset.setCurrentIndex(index)

    def show_network(self, network, loss: str) -> None:
        """Fill the network fields from the network (the editor's), so Start keeps its weights.

        Signals stay blocked: showing the network must not read back as an edit of it. Layers
        that differ in activation or dropout show the first hidden layer's.
        """
        hidden = network.layers[:-1]
        fields = (self.hidden_layers, self.activation, self.dropout, self.loss)
        blocked = [field.blockSignals(True) for field in fields]
        self.hidden_layers.setText(", ".join(str(spec.units) for spec in hidden))
        self._shown_widths = [int(spec.units) for spec in hidden]
        if hidden:
            self.activation.setCurrentText(hidden[0].activation)
            self.dropout.setValue(hidden[0].dropout)
        self.loss.setCurrentText(loss)
        for field, was in zip(fields, blocked):
            field.blockSignals(was)
        self.architecture_edited.emit()

    def suggest_for(self, kind: str) -> None:
        """Sensible starting points: a small tanh net for 2-D points and for numbers to predict (with mse,
        whose linear output predicts numbers), 128-64 ReLU for images. Cross-entropy comes back after a
        regression set, since mse was chosen for it rather than by the learner."""
        if kind == "regression":
            self.loss.setCurrentText("mse")
        elif self._suggested == "regression":
            self.loss.setCurrentText("cross_entropy")
        self._suggested = kind
        if kind in ("points", "regression"):
            self.hidden_layers.setText("8, 8")
            self.activation.setCurrentText("tanh")
            self.learning_rate.setValue(0.03)
            self.batch_size.setValue(16)
            self.epochs.setValue(100)
        else:
            self.hidden_layers.setText("128, 64")
            self.activation.setCurrentText("relu")
            self.learning_rate.setValue(0.001)
            self.batch_size.setValue(64)
            self.epochs.setValue(10)
        self.architecture_edited.emit()

    def set_summary(self, text: str) -> None:
        self.summary.setText(text)

    def set_running(self, running: bool) -> None:
        """Only the learning rate may change while a run is in progress."""
        for widget in self._frozen_while_running:
            widget.setEnabled(not running)
