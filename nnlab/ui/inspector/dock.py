"""The inspector dock: which neuron and which input, and the tabs that explain them.

It is given what it shows — the selection (the snapshot network and the inspected input), the
session (the dataset, its split, the loss), the run settings (the Backprop tab's step) and the
training controller (whether a run is active) — never the window. It reads the snapshot, never
the live network a training run writes; "Apply this step" is the one place it writes, through
the session, and only while no run is active. The Neuron tab's dataset-wide figures are computed by
``neuron_stats_pump``; whether the Backprop tab shows a CNN's map pixel or a neuron, by ``conv_step.ConvFocus``.
"""
from __future__ import annotations

import weakref
from functools import partial
from typing import Callable

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QDockWidget, QHBoxLayout, QLabel, QPushButton, QSpinBox, QTabWidget, QVBoxLayout,
                               QWidget)

from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.layers import FLATTEN
from nnlab.engine.conv_backprop_steps import ConvBackpropWalk
from nnlab.engine.network import targets_for
from nnlab.engine.numbers import format_number
from nnlab.engine.outputs import outputs_to_classes
from nnlab.data.lessons import Lesson
from nnlab.lab.run_settings import RunSettings
from nnlab.lab.selection import ConnectionRef, FeatureRef, InspectedInput, KernelWeightRef, NeuronRef, Selection
from nnlab.lab.session import LabSession
from nnlab.lab.training_state import TrainingState

from ..priority import window_busy
from ..training.controller import TrainingController
from .conv_step import ConvFocus
from .debugger_view import DebuggerView
from .feature_view import FeatureView
from .layer_view import MAP_KINDS, LayerView
from .lazy_page import LazyPage
from .lessons_view import LessonsView
from .neuron_stats_pump import NeuronStatsPump
from .neuron_view import NeuronView
from .step_apply import EditHistory, StepApplier

CNN_NEURON_TABS = ("This layer is made of feature maps: the Layer tab shows them all; click one of their pixels there or "
                   "in the editor, and the Feature map tab takes it apart. The Neuron tab shows the dense layers' "
                   "neurons.")
FLATTEN_TABS = ("The flatten layer has no weights: it lays the feature maps before it out as one row of numbers, "
                "map by map, row by row. The Layer tab shows those maps; the next dense layer's neurons weigh "
                "the row.")


class InspectorDock(QWidget):
    def __init__(self, selection: Selection, session: LabSession, run_settings: RunSettings,
                 training: TrainingController, open_lesson: Callable[[Lesson], bool], history: EditHistory) -> None:
        """``open_lesson(lesson)``: make a lesson the lab's work (False: it failed or the learner kept theirs);
        ``history``: the editor's undo history, on which "Apply this step" is one step."""
        super().__init__()
        self.selection, self.session, self.run_settings, self.training = selection, session, run_settings, training
        self._open_lesson = open_lesson
        self.lesson = None
        self._running = False
        self._walk_key: tuple | None = None
        self.conv_focus = ConvFocus(selection)  # the Backprop tab takes a CNN's map pixel and kernel weight apart?
        # While training, new weights arrive with the editor's and the canvas's work for the same snapshot:
        # refreshing in a later event-loop turn keeps each turn short (the window's stalls stay small).
        self._snapshot_timer = QTimer(self, singleShot=True, interval=0)
        self._snapshot_timer.timeout.connect(self.refresh)
        self.layer_spin = QSpinBox(prefix="layer ", minimum=0)
        self.unit_spin = QSpinBox(prefix="neuron ", minimum=1)
        self.sample_spin = QSpinBox(prefix="sample ", minimum=1)
        self.sample_button = QPushButton("Inspect this sample")
        self.input_label = QLabel()
        self.layer_spin.setToolTip("0 is the input layer")
        top = QHBoxLayout()
        for widget in (self.layer_spin, self.unit_spin, QLabel("   Input:"), self.input_label):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.sample_spin)
        top.addWidget(self.sample_button)
        self.neuron_page = LazyPage(NeuronView)
        self.layer_page = LazyPage(self._make_layer_view)
        self.feature_page = LazyPage(partial(FeatureView, selection))  # no bound method of the dock: no cycle
        self.debugger = DebuggerView()
        self.lessons = LessonsView()
        self.tabs = QTabWidget()
        for widget, name in ((self.neuron_page, "&Neuron"), (self.layer_page, "La&yer"),
                             (self.feature_page, "&Feature map"), (self.debugger, "&Backprop"),
                             (self.lessons, "&Lessons")):
            self.tabs.addTab(widget, name)
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.message)
        layout.addWidget(self.tabs, 1)
        self.stats = NeuronStatsPump(selection, session, self.neuron, self.neuron_page.content,
                                     lambda: self._running, self)
        self.applier = StepApplier(self.session, training, self.debugger, self.step_settings,
                                   self.shown_weight, history)
        self._connect()

    def _connect(self) -> None:
        s = self.selection
        s.neuron_changed.connect(lambda neuron: self._on_neuron(neuron))
        s.connection_changed.connect(lambda connection: self._on_connection(connection))
        s.kernel_weight_changed.connect(lambda kernel: self._on_kernel_weight(kernel))
        s.input_changed.connect(lambda _i: self.refresh())
        s.feature_changed.connect(self._on_feature)
        s.snapshot_changed.connect(self._on_snapshot)
        self.session.dataset_changed.connect(self._on_dataset)
        self.training.state_changed.connect(self._on_training_state)
        for name in ("optimizer", "learning_rate", "l1", "l2"):  # the Backprop tab's step uses them
            getattr(self.run_settings.events, name).connect(self._on_step_setting)
        self.layer_spin.valueChanged.connect(self._on_spins)
        self.unit_spin.valueChanged.connect(self._on_spins)
        self.sample_button.clicked.connect(self.inspect_sample)
        self.debugger.source_chosen.connect(self._on_source_chosen)
        self.debugger.apply_requested.connect(self.applier.apply)
        self.debugger.undo_requested.connect(self.applier.undo)
        self.lessons.lesson_chosen.connect(self.open_lesson)
        # The tab widget says "current changed" as its tabs go while the dock is destroyed; by then the
        # dock's Python side is gone, and a bound-method slot made PySide raise "Slot 'InspectorDock::'
        # not found" (a garbage-collected dock, during whatever ran next). A weak reference just lets go.
        dock = weakref.ref(self)
        self.tabs.currentChanged.connect(lambda index: (alive := dock()) is not None and alive._on_tab(index))

    @property
    def neuron_view(self) -> NeuronView:
        return self.neuron_page.content()

    @property
    def feature_view(self) -> FeatureView:
        return self.feature_page.content()

    @property
    def layer_view(self) -> LayerView:
        return self.layer_page.content()

    def _make_layer_view(self) -> LayerView:
        view = LayerView()
        view.unit_clicked.connect(lambda unit: self.selection.select_neuron(NeuronRef(self.neuron().layer, unit)))
        view.map_pixel_clicked.connect(lambda *pixel: self.selection.select_feature(FeatureRef(*pixel)))
        return view

    def show_tab(self, name: str) -> None:
        """"neuron", "layer", "feature", "backprop" or "lessons"."""
        pages = {"neuron": self.neuron_page, "layer": self.layer_page, "feature": self.feature_page,
                 "backprop": self.debugger, "lessons": self.lessons}
        self.tabs.setCurrentWidget(pages[name])

    # -- what is inspected ---------------------------------------------------------------------------
    def neuron(self) -> NeuronRef | None:
        """The selected neuron, or the first hidden one while nothing is selected."""
        net = self.selection.snapshot
        if net is None:
            return None
        chosen = self.selection.neuron
        if chosen is not None and 0 <= chosen.layer < len(net.sizes) and 0 <= chosen.unit < net.sizes[chosen.layer]:
            return chosen
        if not net.is_dense:  # a CNN's neurons are its dense layers' units: the first of them
            return NeuronRef(next(i for i, spec in enumerate(net.layers) if spec.kind == "dense") + 1, 0)
        return NeuronRef(1, 0)

    def connection(self) -> ConnectionRef | None:
        """The selected weight, or the first incoming weight of the selected neuron."""
        net, chosen, neuron = self.selection.snapshot, self.selection.connection, self.neuron()
        if net is not None and chosen is not None and 0 <= chosen.layer < len(net.layers) \
                and chosen.source < net.sizes[chosen.layer] and chosen.target < net.sizes[chosen.layer + 1]:
            return chosen
        if neuron is None or neuron.layer == 0:
            return None
        return ConnectionRef(neuron.layer - 1, 0, neuron.unit)

    def shown_weight(self) -> ConnectionRef | KernelWeightRef | None:
        """The weight whose step the Backprop tab shows: the kernel weight or the connection."""
        feature, kernel = self.conv_focus.targets()
        if feature is not None or kernel is not None:
            return kernel
        return self.connection()

    def _pool(self) -> tuple[np.ndarray, np.ndarray, str] | None:
        """Samples the learner can pick from: the lesson's, else validation, else the whole set; with their
        labels (n,) or, for a regression set, their targets (n, k)."""
        if self.lesson is not None:
            x = np.array([s.values for s in self.lesson.samples])
            return x, np.array([s.label for s in self.lesson.samples]), "lesson input"
        splits, dataset = self.session.splits, self.session.dataset
        if splits is not None and len(splits.validation):
            return splits.validation.x, splits.validation.answers, "validation sample"
        if dataset is not None:
            return dataset.x, dataset.answers, "sample"
        return None

    def inspect_sample(self) -> None:
        pool = self._pool()
        if pool is None:
            return
        x, y, word = pool
        index = min(self.sample_spin.value(), len(x)) - 1
        dataset = self.session.dataset
        shape = tuple(dataset.input_shape) if dataset is not None and len(dataset.input_shape) == 2 else None
        name = self.lesson.samples[index].name if self.lesson is not None else f"{word} {index + 1}"
        label, target = (None, np.asarray(y[index], np.float64)) if y.ndim == 2 else (int(y[index]), None)
        self.selection.set_input(InspectedInput(np.asarray(x[index], dtype=np.float64), shape, name, label, target))

    def open_lesson(self, lesson) -> bool:
        previous, self.lesson = self.lesson, lesson  # before the session's signals: the pool is the lesson's
        if not self._open_lesson(lesson):
            self.lesson = previous
            return False
        self.show_tab("neuron")
        self.refresh()
        return True

    def show_lessons(self) -> None:
        """Help → Lessons: the dock comes forward on its Lessons tab."""
        dock = self.parentWidget()
        while dock is not None and not isinstance(dock, QDockWidget):  # inside the dock's scroll area
            dock = dock.parentWidget()
        if dock is not None:
            dock.show()
            dock.raise_()
        self.tabs.setCurrentWidget(self.lessons)

    def show_start_page_once(self, settings) -> None:
        """On first launch the Lessons tab greets the learner (no dialog; the files load after start-up)."""
        if settings.get("start_page_seen") in (True, "true", "1", 1):
            return
        settings.set("start_page_seen", True)
        self.lessons.show_welcome(True)
        QTimer.singleShot(0, self.show_lessons)

    # -- signals -------------------------------------------------------------------------------------
    def _on_snapshot(self, _network) -> None:
        self.stats.forget()
        self.applier.network_replaced()
        if self._running:
            self._snapshot_timer.start()
        else:
            self.refresh()

    def _on_dataset(self, dataset) -> None:
        if self.lesson is not None and dataset.extra.get("lesson") != self.lesson.key:
            self.lesson = None
        self.stats.forget()
        pool = self._pool()
        self.sample_spin.setMaximum(max(1, len(pool[0]) if pool else 1))
        self.sample_spin.setValue(1)
        if self.lesson is None and pool is not None:
            self.inspect_sample()  # a new dataset starts with its first sample in view

    def _on_feature(self, feature) -> None:
        self.conv_focus.feature_picked(feature)
        if feature is not None:
            self.show_tab("feature")  # a click on a map pixel asks to see it taken apart
        self.refresh()

    def _on_neuron(self, neuron) -> None:
        self.conv_focus.dense_picked(neuron)
        self.refresh()

    def _on_connection(self, connection) -> None:
        self.conv_focus.dense_picked(connection)
        self._refresh_debugger_targets()

    def _on_kernel_weight(self, kernel) -> None:
        self.conv_focus.kernel_weight_picked(kernel)
        self.refresh()

    def _on_training_state(self, state: TrainingState) -> None:
        self._running = state == TrainingState.RUNNING
        if not self._running:
            self.refresh()

    def _on_step_setting(self) -> None:
        if self.tabs.currentWidget() is self.debugger and not self._running:
            self.refresh()

    def _on_spins(self) -> None:
        net = self.selection.snapshot
        if net is None:
            return
        layer = self.layer_spin.value()
        self.selection.select_neuron(NeuronRef(layer, min(self.unit_spin.value(), net.sizes[layer]) - 1))

    def _on_source_chosen(self, source: int) -> None:
        neuron = self.neuron()
        if neuron is not None and neuron.layer > 0:
            self.selection.select_connection(ConnectionRef(neuron.layer - 1, source, neuron.unit))

    def _on_tab(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.lessons:
            self.lessons.ensure_loaded()
        self.refresh()

    # -- drawing -------------------------------------------------------------------------------------
    @window_busy()
    def refresh(self) -> None:
        """Bring the visible tab up to date with the selection (cheap: one sample, one neuron)."""
        net, inp = self.selection.snapshot, self.selection.input
        neuron = self.neuron()
        if net is None:
            self.message.setText("Choose a dataset or open a lesson (Help → Lessons).")
            return
        self._sync_spins(net, neuron)
        if inp is None or np.asarray(inp.values).size != net.input_size:
            have = "no input" if inp is None else f"an input of {np.asarray(inp.values).size} values"
            self.message.setText(f"The network takes {net.input_size} inputs and there is {have}: "
                                 "pick a sample and press “Inspect this sample”, or draw.")
            return
        self.message.setText("")
        self.input_label.setText(inp.origin)
        classes = self.session.dataset.classes if self.session.dataset is not None else None
        current = self.tabs.currentWidget()
        if current is self.feature_page:
            self._refresh_feature(net, inp)
            return
        if current is self.layer_page and not net.is_dense and neuron.layer > 0 \
                and net.layers[neuron.layer - 1].kind in MAP_KINDS:
            self.layer_view.show_feature_maps(net, np.asarray(inp.values), neuron.layer, self.selection.feature,
                                              inp.origin)
            return
        if not net.is_dense and current is not self.debugger and neuron.layer > 0 \
                and not self._dense_column(net, neuron.layer):
            kind = net.layers[neuron.layer - 1].kind
            self.message.setText(FLATTEN_TABS if kind == FLATTEN else CNN_NEURON_TABS)
            return
        if current is self.neuron_page or current is self.layer_page:
            trace = net.forward_trace(np.asarray(inp.values).reshape(1, -1))
            if current is self.neuron_page:
                self.neuron_view.show_neuron(net, trace, neuron.layer, neuron.unit, classes, inp.image_shape)
                self.stats.schedule()
            else:
                shape = inp.image_shape if neuron.layer == 0 else None
                name = "Input layer" if neuron.layer == 0 else f"Layer {neuron.layer}"
                self.layer_view.show_layer(name, trace.activations[neuron.layer][0], neuron.unit, shape)
        elif current is self.debugger:
            self._refresh_debugger(net, inp, classes)

    @staticmethod
    def _dense_column(net, column: int) -> bool:
        return net.layers[column - 1].kind == "dense"

    def _refresh_feature(self, net, inp: InspectedInput) -> None:
        ref = self.selection.feature
        if net.is_dense:
            self.feature_view.show_message("Feature maps belong to convolutional networks: choose the template "
                                           "“LeNet-style digits” in the editor, or write conv8x5, maxpool2, 64 "
                                           "in the Training panel's hidden layers.")
        elif ref is None or not 1 <= ref.layer <= len(net.layers) \
                or net.layers[ref.layer - 1].kind not in ("conv2d", "maxpool2d", "avgpool2d"):
            self.feature_view.show_message("Click a pixel of a feature map in the editor to take it apart here.")
        else:
            try:
                self.feature_view.show_feature(net, np.asarray(inp.values), ref.layer, ref.channel, ref.row, ref.col)
            except ValueError as error:
                self.feature_view.show_message(str(error))

    def _sync_spins(self, net, neuron: NeuronRef) -> None:
        for spin, maximum, value in ((self.layer_spin, len(net.sizes) - 1, neuron.layer),
                                     (self.unit_spin, net.sizes[neuron.layer], neuron.unit + 1)):
            spin.blockSignals(True)
            spin.setMaximum(maximum)
            spin.setValue(value)
            spin.blockSignals(False)

    def _target(self, net, inp: InspectedInput) -> tuple[np.ndarray, str]:
        if self.lesson is not None:
            for sample in self.lesson.samples:
                if np.array_equal(sample.values, inp.values):
                    return self.lesson.target_for(sample), "the lesson's target"
        if inp.target is not None and np.size(inp.target) == net.n_outputs:
            return np.asarray(inp.target, np.float64), "the sample's target"
        if inp.label is not None and (net.n_outputs > 1 or inp.label in (0, 1)):
            return targets_for(np.array([inp.label]), net.n_outputs, np.float64)[0], "the true label"
        label = int(outputs_to_classes(net.forward(np.asarray(inp.values).reshape(1, -1)))[0])
        return targets_for(np.array([label]), net.n_outputs, np.float64)[0], "the predicted class (no label known)"

    def step_settings(self) -> tuple[str, float, dict, float, float]:
        """(optimizer, learning rate, optimizer options, l1, l2) of the run settings the Training panel shows."""
        train = self.run_settings.train_config()
        options = {"momentum": train.momentum} if train.optimizer == "momentum" else {}
        return train.optimizer, train.learning_rate, options, train.l1, train.l2

    def _refresh_debugger(self, net, inp: InspectedInput, classes) -> None:
        """Work the step out again only when the weights, the input or the settings changed."""
        optimizer, learning_rate, options, l1, l2 = self.step_settings()
        key = (net, inp, self.session.loss, optimizer, learning_rate, tuple(options.items()), l1, l2)
        old = self._walk_key
        if old is not None and old[0] is net and old[1] is inp and old[2:] == key[2:]:
            self._refresh_debugger_targets()
            return
        self._walk_key = key
        target, why = self._target(net, inp)
        try:
            walk = (BackpropWalk if net.is_dense else ConvBackpropWalk)(net, inp.values, target, self.session.loss,
                                                                        l1, l2)
        except ValueError as error:
            self.debugger.show_walk(None, classes, f"Cannot step through this network: {error}", optimizer,
                                    learning_rate, options)
            return
        header = (f"One sample ({inp.origin}), target = {why}; loss {self.session.loss.replace('_', ' ')}; "
                  f"{optimizer}, η = {format_number(learning_rate)} from the Training panel.")
        self.debugger.show_walk(walk, classes, header, optimizer, learning_rate, options)
        self._refresh_debugger_targets()

    def _refresh_debugger_targets(self) -> None:
        if self.tabs.currentWidget() is self.debugger:
            self.debugger.set_targets(self.neuron(), self.connection(), *self.conv_focus.targets())

    def finish_stats(self) -> None:
        """The Neuron tab's dataset-wide figures, all at once (tests, screenshots)."""
        self.stats.finish()
