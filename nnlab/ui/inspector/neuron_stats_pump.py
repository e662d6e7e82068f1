"""The Neuron tab's dataset-wide figures — its top-9 samples and whether it is a dead ReLU — a chunk at a time.

They need a forward pass over thousands of samples, which must not freeze the window: the work waits
``STATS_DELAY_MS`` after the last change (a learner arrowing through neurons computes nothing in between),
then runs ``STATS_CHUNK`` samples per event-loop turn, and never while a run trains (a pass over the dataset
would hold the GIL the trainer needs). What was computed is kept per (pool, layer) until the weights or the
dataset change (:meth:`NeuronStatsPump.forget`). It reads the snapshot, never the live network.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer

from nnlab.engine.neuron_stats import dead_units, layer_activations, top_samples
from nnlab.lab.selection import NeuronRef, Selection
from nnlab.lab.session import LabSession

from .neuron_view import NeuronView

STATS_DELAY_MS = 150
MAX_POOL = 5000
STATS_CHUNK = 1000  # ~5–10 ms of a 784-wide first layer per event-loop turn


class NeuronStatsPump(QObject):
    """Computes and shows the inspected neuron's dataset-wide figures in the background of the event loop."""

    def __init__(self, selection: Selection, session: LabSession, neuron: Callable[[], NeuronRef | None],
                 neuron_view: Callable[[], NeuronView], running: Callable[[], bool],
                 parent: QObject | None = None) -> None:
        """``neuron()``: the neuron inspected; ``neuron_view()``: the Neuron tab's view (built on first use);
        ``running()``: whether a training run is active."""
        super().__init__(parent)
        self.selection, self.session = selection, session
        self._neuron, self._neuron_view, self._running = neuron, neuron_view, running
        self._cache: dict[tuple, list[np.ndarray]] = {}
        self._timer = QTimer(self, singleShot=True, interval=STATS_DELAY_MS)
        self._timer.timeout.connect(self._turn)

    def forget(self) -> None:
        """New weights or a new dataset: what was computed is of the old ones."""
        self._cache.clear()

    def cancel(self) -> None:
        """No pending turn (the benchmark times the turns itself)."""
        self._timer.stop()

    def schedule(self) -> None:
        """Start over after the delay — or, while training runs, say when the figures come."""
        if self._running():
            self._neuron_view().top.clear("shown when training pauses")
            return
        self._timer.setInterval(STATS_DELAY_MS)
        self._timer.start()

    def finish(self) -> None:
        """Everything at once (tests, screenshots)."""
        while not self.step():
            pass

    def step(self) -> bool:
        """Compute one chunk of what is missing; True when everything is ready and shown."""
        net, neuron, dataset = self.selection.snapshot, self._neuron(), self.session.dataset
        view = self._neuron_view()
        if net is None or neuron is None or dataset is None or dataset.n_features != net.input_size \
                or neuron.layer == 0 or not (net.is_dense or net.layers[neuron.layer - 1].kind == "dense"):
            view.top.clear()  # a CNN's map layers have no neurons of their own: no statistics
            view.show_dead(None)
            return True
        for name, x in self._pools(net, neuron.layer):
            key = (name, neuron.layer)
            done = self._cache.setdefault(key, [])
            computed = sum(len(part) for part in done)
            if computed < len(x):
                done.append(layer_activations(net, x[computed:computed + STATS_CHUNK], neuron.layer))
                return False
        self._show(view, neuron, dataset)
        return True

    def _turn(self) -> None:
        if self._running():  # a pass over the dataset would hold the GIL the trainer needs
            self.schedule()
            return
        if not self.step():
            self._timer.setInterval(0)
            self._timer.start()

    def _pools(self, net, layer: int) -> list[tuple[str, np.ndarray]]:
        pools = [("all", self.session.dataset.subset(slice(0, MAX_POOL)).x)]  # a view; bytes stay bytes
        validation = self.session.splits.validation if self.session.splits is not None else None
        if validation is not None and len(validation) and layer < len(net.layers) \
                and net.layers[layer - 1].activation == "relu":
            pools.append(("validation", validation.x))
        return pools

    def _show(self, view: NeuronView, neuron: NeuronRef, dataset) -> None:
        acts = np.concatenate(self._cache[("all", neuron.layer)])[:, neuron.unit]
        best = top_samples(acts, 9)
        shape = tuple(dataset.input_shape) if len(dataset.input_shape) == 2 else None
        pool = f"{min(len(dataset), MAX_POOL):,} samples"
        view.top.show_samples(dataset.x[best], acts[best], dataset.answers[best], dataset.classes, shape, pool)
        validation = self._cache.get(("validation", neuron.layer))
        if validation:
            val = np.concatenate(validation)
            view.show_dead(bool(dead_units(val)[neuron.unit]), f"{len(val):,} validation samples")
        else:
            view.show_dead(None)
