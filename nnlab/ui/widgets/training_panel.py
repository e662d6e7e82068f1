"""The training panel: shows and edits the next run's settings (a ``RunSettings``), and holds the buttons.

Bound the way napari's layer controls are: a widget's edit goes to the setting's setter; a setting's
change event updates the widget with its signals blocked, so nothing echoes. A value the settings refuse
never becomes a setting: the field shows the sentence (red border, tooltip, a line under its group),
and the setting stays as it was before the edit began; when editing finishes, the field shows it again.
The buttons show the main window's actions (so shortcuts, menus and buttons share one enabled state).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import (QAbstractSpinBox, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QGridLayout,
                               QGroupBox, QHBoxLayout, QLabel, QLineEdit, QSpinBox, QToolButton, QVBoxLayout,
                               QWidget)

from nnlab.data.builtin import BUILTIN_DATASETS
from nnlab.engine import LOSSES, OPTIMIZERS
from nnlab.engine.trainer_schedule import COSINE_FLOOR, LR_SCHEDULES
from nnlab.lab import run_settings as limits
from nnlab.lab.run_settings import HIDDEN_ACTIVATIONS, RunSettings, widths_from_text

BUTTON_ACTIONS = ("start", "pause", "resume", "step_batch", "step_epoch", "stop", "reset_weights")
# On a light window, on a dark one: contrast 4.7:1 on Fusion's #efefef, 5.4:1 on a #2b2b2b dark window.
REFUSED_COLOURS = ("#c0392b", "#ff7466")


def refused_colour(widget: QWidget) -> str:
    return REFUSED_COLOURS[widget.palette().color(QPalette.ColorRole.Window).lightness() < 128]


def _double_spin(minimum: float, maximum: float, decimals: int, tip: str) -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(minimum, maximum)
    spin.setDecimals(decimals)
    spin.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
    spin.setToolTip(tip)
    return spin


def _spin(minimum: int, maximum: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(minimum, maximum)
    spin.setToolTip(tip)
    return spin


class _RefusalLine(QLabel):
    """A line at the foot of a group's form that says why a value typed in it was refused; no room when empty."""

    def __init__(self, form: QFormLayout) -> None:
        super().__init__()
        self.setWordWrap(True)
        self._form = form
        form.addRow(self)
        form.setRowVisible(self, False)

    def say(self, sentence: str) -> None:
        self.setStyleSheet(f"color: {refused_colour(self)}")  # the palette may have turned dark meanwhile
        self.setText(sentence[:1].upper() + sentence[1:])
        self._form.setRowVisible(self, bool(sentence))


@dataclass
class _Binding:
    """One setting's widgets: ``read`` the edited value (ValueError for text that is no value), ``show`` one."""

    widgets: tuple[QWidget, ...]
    read: Callable[[], object]
    show: Callable[[object], None]
    message: _RefusalLine
    typed: bool  # edited in steps that end with editingFinished (text, spin boxes), not in one click


class TrainingPanel(QWidget):
    dataset_chosen = Signal(str)
    import_requested = Signal()

    def __init__(self, settings: RunSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self._labels: dict[str, str] = {}  # an imported file's or a lesson's name in the dataset list
        self._bindings: dict[str, _Binding] = {}
        self._before_edit: dict[str, object] = {}  # a field's setting when the edit in progress began
        self._refused: dict[str, str] = {}  # fields whose widget shows a refused value, and why
        self._tips: dict[QWidget, str] = {}
        self._pushing: str | None = None  # the field whose own widget is being read into the settings
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
        for name in self._bindings:
            self._show(name)
        settings.events.connect(self._on_setting_changed)

    # -- building ---------------------------------------------------------------------------------
    def _data_group(self) -> QGroupBox:
        group = QGroupBox("&Data")
        form = QFormLayout(group)
        row = QHBoxLayout()
        self.dataset = QComboBox()
        for name, info in BUILTIN_DATASETS.items():
            self.dataset.addItem(name, name)
            self.dataset.setItemData(self.dataset.count() - 1, info.description, Qt.ItemDataRole.ToolTipRole)
        self.dataset.activated.connect(self._dataset_activated)
        self.import_button = QToolButton(text="Import…")
        self.import_button.setToolTip("Import MNIST IDX, .npz, CSV or a folder of images (one sub-folder per class)")
        self.import_button.clicked.connect(self.import_requested)
        row.addWidget(self.dataset, 1)
        row.addWidget(self.import_button)
        form.addRow("Dataset", row)
        split = QHBoxLayout()
        self.train_percent = _spin(*limits.TRAIN_PERCENT, "share of samples the network learns from")
        self.validation_percent = _spin(*limits.VALIDATION_PERCENT,
                                        "share used to watch for over-fitting after each epoch")
        self.test_label = QLabel()
        for spin in (self.train_percent, self.validation_percent):
            spin.setSuffix(" %")
        split.addWidget(QLabel("train"))
        split.addWidget(self.train_percent)
        split.addWidget(QLabel("validation"))
        split.addWidget(self.validation_percent)
        split.addWidget(self.test_label)
        form.addRow("Split", split)
        self.augment = QCheckBox("shift training images by up to ±2 px")
        form.addRow("Augment", self.augment)
        message = _RefusalLine(form)
        self._bind("dataset", (self.dataset,), self.dataset.currentData, self._select_dataset, None, message)
        for name in ("train_percent", "validation_percent"):
            spin = getattr(self, name)
            self._bind(name, (spin,), spin.value, spin.setValue, spin.valueChanged, message, spin.editingFinished)
        self._bind("augment", (self.augment,), self.augment.isChecked, self.augment.setChecked, self.augment.toggled,
                   message)
        return group

    def _network_group(self) -> QGroupBox:
        group = QGroupBox("&Network")
        form = QFormLayout(group)
        self.hidden_layers = QLineEdit()
        self.hidden_layers.setToolTip("widths of the hidden layers, input first, e.g. 128, 64 (empty: none), or "
                                      "convolution and pooling words first, e.g. conv8x5, maxpool2, 64; "
                                      "Enter applies them to the network in the editor")
        form.addRow("Hidden layers", self.hidden_layers)
        self.activation = QComboBox()
        self.activation.addItems(list(HIDDEN_ACTIVATIONS))
        form.addRow("Activation", self.activation)
        self.loss = QComboBox()
        self.loss.addItems(list(LOSSES))
        form.addRow("Loss", self.loss)
        self.dropout = _double_spin(0.0, 0.99, 2, "fraction of each hidden layer's outputs dropped "
                                    "at random during training")
        form.addRow("Dropout", self.dropout)
        message = _RefusalLine(form)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        form.addRow(self.summary)
        field = self.hidden_layers
        self._bind("hidden", (field,), lambda: widths_from_text(field.text()),
                   lambda widths: field.setText(", ".join(map(str, widths))), field.textChanged, message,
                   field.editingFinished)
        for name, combo in (("activation", self.activation), ("loss", self.loss)):
            self._bind(name, (combo,), combo.currentText, combo.setCurrentText, combo.currentTextChanged, message)
        self._bind("dropout", (self.dropout,), self.dropout.value, self.dropout.setValue, self.dropout.valueChanged,
                   message, self.dropout.editingFinished)
        return group

    def _training_group(self) -> QGroupBox:
        group = QGroupBox("&Training")
        form = QFormLayout(group)
        self.optimizer = QComboBox()
        self.optimizer.addItems(list(OPTIMIZERS))
        form.addRow("Optimizer", self.optimizer)
        self.learning_rate = _double_spin(*limits.LEARNING_RATE, 6, "step size of gradient descent; may be "
                                          "changed while training runs")
        form.addRow("Learning rate", self.learning_rate)
        self.lr_schedule = QComboBox()
        self.lr_schedule.addItems(list(LR_SCHEDULES))
        self.lr_schedule.setToolTip(f"constant: every batch steps with the learning rate; cosine: the rate falls "
                                    f"along half a cosine over the run's epochs to {COSINE_FLOOR:g} × it — large "
                                    "steps first, small ones to settle in at the end")
        form.addRow("LR schedule", self.lr_schedule)
        self.batch_size = _spin(*limits.BATCH_SIZE, "samples per gradient step")
        form.addRow("Batch size", self.batch_size)
        self.epochs = _spin(*limits.EPOCHS, "passes over the training samples")
        form.addRow("Epochs", self.epochs)
        self.l1 = _double_spin(0.0, limits.PENALTY_MAX, 6, "L1 penalty λ1·Σ|w|: pushes weights to exactly zero")
        self.l2 = _double_spin(0.0, limits.PENALTY_MAX, 6, "L2 penalty ½·λ2·Σw²: keeps weights small")
        penalties = QHBoxLayout()
        penalties.addWidget(QLabel("L1"))
        penalties.addWidget(self.l1)
        penalties.addWidget(QLabel("L2"))
        penalties.addWidget(self.l2)
        form.addRow("Penalty", penalties)
        stopping = QHBoxLayout()
        self.early_stopping = QCheckBox("after")
        self.patience = _spin(*limits.PATIENCE, "epochs without a better validation loss")
        self.patience.setValue(5)  # shown while early stopping is off: what ticking the box would use
        self.patience.setSuffix(" epochs")
        stopping.addWidget(self.early_stopping)
        stopping.addWidget(self.patience)
        form.addRow("Early stop", stopping)
        self.seed = _spin(0, limits.SEED_MAX, "random seed: the same seed gives the same run")
        form.addRow("Seed", self.seed)
        message = _RefusalLine(form)
        for name, combo in (("optimizer", self.optimizer), ("lr_schedule", self.lr_schedule)):
            self._bind(name, (combo,), combo.currentText, combo.setCurrentText, combo.currentTextChanged, message)
        for name in ("learning_rate", "batch_size", "epochs", "l1", "l2", "seed"):
            spin = getattr(self, name)
            self._bind(name, (spin,), spin.value, spin.setValue, spin.valueChanged, message, spin.editingFinished)
        self._bind("early_stopping", (self.early_stopping, self.patience),
                   lambda: self.patience.value() if self.early_stopping.isChecked() else None,
                   self._show_early_stopping, self.early_stopping.toggled, message, self.patience.editingFinished)
        self.patience.valueChanged.connect(self._patience_changed)
        return group

    def _bind(self, name: str, widgets, read, show, changed, message: _RefusalLine, finished=None) -> None:
        self._bindings[name] = _Binding(tuple(widgets), read, show, message, finished is not None)
        if changed is not None:
            changed.connect(lambda *_: self._edited(name))
        if finished is not None:
            finished.connect(lambda: self._finished(name))

    def set_actions(self, actions: dict[str, QAction]) -> None:
        """Show the window's training actions as buttons (two columns)."""
        for index, name in enumerate(BUTTON_ACTIONS):
            button = QToolButton()
            button.setDefaultAction(actions[name])
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(button.sizePolicy().horizontalPolicy().Expanding,
                                 button.sizePolicy().verticalPolicy())
            self._buttons.addWidget(button, index // 2, index % 2)

    # -- widget → setting ---------------------------------------------------------------------------
    def _edited(self, name: str) -> None:
        """A widget changed: its value goes to the setter, or the field says why it cannot."""
        binding = self._bindings[name]
        before = self._before_edit.setdefault(name, getattr(self.settings, name)) if binding.typed \
            else getattr(self.settings, name)
        self._pushing = name
        try:
            setattr(self.settings, name, binding.read())
        except ValueError as error:
            # Typing passes through values that were fine ("8," on the way to "8, x"): the setting goes
            # back to what it was before this edit, and the field keeps the text until editing finishes.
            if before != getattr(self.settings, name):
                try:
                    setattr(self.settings, name, before)
                except ValueError:
                    pass  # another field moved meanwhile: the setting stays as it is
            self._mark_refused(name, str(error))
            return
        finally:
            self._pushing = None
        self._clear_refused(name, message_too=True)

    def _finished(self, name: str) -> None:
        """Editing ended (Enter, focus elsewhere): the field shows its setting as the setting writes it ("8,8"
        reads "8, 8"; the typing is applied, so the field's own undo history ends); a refused value goes,
        its sentence stays under the group until the next good edit."""
        self._before_edit.pop(name, None)
        self._clear_refused(name)
        self._show(name)

    def _patience_changed(self, _value: int) -> None:
        if self.early_stopping.isChecked():  # off, the box only keeps the number ticking it would use
            self._edited("early_stopping")

    def _dataset_activated(self, _index: int) -> None:
        """A dataset picked in the list is the window's to open; the list then shows what is open."""
        self.dataset_chosen.emit(self.dataset.currentData())
        self._show("dataset")

    # -- setting → widget ---------------------------------------------------------------------------
    def _on_setting_changed(self, info) -> None:
        name = info.signal.name
        if name in ("train_percent", "validation_percent", "dataset"):
            self._show_test_share()
        if name != self._pushing:  # the widget that made the change already shows it
            self._before_edit.pop(name, None)
            self._clear_refused(name, message_too=True)
            self._show(name)

    def _show(self, name: str) -> None:
        binding = self._bindings[name]
        blockers = [QSignalBlocker(widget) for widget in binding.widgets]
        binding.show(getattr(self.settings, name))
        for blocker in blockers:
            blocker.unblock()
        if name in ("train_percent", "validation_percent", "dataset"):
            self._show_test_share()

    def _show_test_share(self) -> None:
        """The test share, or a set's own test part (MNIST's 10,000), which every split tests on instead."""
        info = BUILTIN_DATASETS.get(self.settings.dataset)
        if info is not None and info.own_test_rows:
            # "test 10k", as short as "test 15 %": the panel fits a 400-px dock ("test 10,000" widens it 11 px)
            self.test_label.setText(f"test {info.own_test_rows / 1000:g}k")
            self.test_label.setToolTip(f"{info.name} is tested on its own {info.own_test_rows:,} samples whatever "
                                       "the shares; train and validation share the rest in the proportion of theirs")
        else:
            self.test_label.setText(f"test {self.settings.test_percent} %")
            self.test_label.setToolTip("")

    def _show_early_stopping(self, patience: int | None) -> None:
        self.early_stopping.setChecked(patience is not None)
        if patience is not None:
            self.patience.setValue(patience)

    def _select_dataset(self, source: str) -> None:
        index = self.dataset.findData(source)
        if index < 0:
            self.dataset.addItem(self._labels.get(source, source), source)
            self.dataset.setItemData(self.dataset.count() - 1, source, Qt.ItemDataRole.ToolTipRole)
            index = self.dataset.count() - 1
        self.dataset.setCurrentIndex(index)

    def name_dataset(self, source: str, label: str) -> None:
        """How ``source`` (an imported file, a lesson) reads in the list once the settings choose it."""
        self._labels[source] = label
        index = self.dataset.findData(source)
        if index >= 0:
            self.dataset.setItemText(index, label)

    # -- refusals -----------------------------------------------------------------------------------
    def _mark_refused(self, name: str, sentence: str) -> None:
        """Red text (and a red frame round a line edit: a style sheet on a spin box would resize it), the
        sentence as the field's tooltip and on the line under its group."""
        binding = self._bindings[name]
        self._refused[name] = sentence
        colour = refused_colour(self)
        for widget in binding.widgets:
            if widget not in self._tips:
                self._tips[widget] = widget.toolTip()
                if isinstance(widget, QLineEdit):
                    widget.setStyleSheet(f"QLineEdit {{ border: 2px solid {colour}; color: {colour}; }}")
                else:
                    palette = widget.palette()
                    palette.setColor(QPalette.ColorRole.Text, QColor(colour))
                    widget.setPalette(palette)
            widget.setToolTip(sentence)
        binding.message.say(sentence)

    def _clear_refused(self, name: str, message_too: bool = False) -> None:
        """The field looks as before. The sentence under the group stays after editing finished (saying
        what the field went back to), unless ``message_too``."""
        binding = self._bindings[name]
        sentence = self._refused.pop(name, None)
        if sentence is not None:
            for widget in binding.widgets:
                if isinstance(widget, QLineEdit):
                    widget.setStyleSheet("")
                else:
                    widget.setPalette(QPalette())  # no role set: the window's palette again (a dark one too)
                widget.setToolTip(self._tips.pop(widget, widget.toolTip()))
        if message_too and not any(self._bindings[other].message is binding.message for other in self._refused):
            binding.message.say("")
        elif sentence is not None:
            binding.message.say(f"{sentence}; kept {self._shown_text(name)}")

    def _shown_text(self, name: str) -> str:
        value = getattr(self.settings, name)
        if name == "hidden":
            return ", ".join(map(str, value)) or "no hidden layer"
        if name in ("train_percent", "validation_percent"):
            return f"{value} %"
        return "off" if value is None else str(value)

    def refusal(self) -> str | None:
        """Why a field shows a value that is not the setting (typed and refused, not yet given up), if one does."""
        return next(iter(self._refused.values()), None)

    # -- window ----------------------------------------------------------------------------------------
    def set_summary(self, text: str) -> None:
        self.summary.setText(text)

    def set_running(self, running: bool) -> None:
        """Only the learning rate may change while a run is in progress — and not along a cosine schedule,
        which sets the rate before every batch itself."""
        for widget in self._frozen_while_running:
            widget.setEnabled(not running)
        self.learning_rate.setEnabled(not running or self.settings.lr_schedule == "constant")
