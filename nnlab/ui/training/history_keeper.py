"""Which run the curves are about: the current run's history, which the run's recording grows.

Each run keeps its own curves (``nnlab.lab.runs.Run.history``): the plots show the current run's, and
another run made current (a click, a branch, an opened session) brings its curves along. A new, reset,
opened or lesson network, a kept one on another dataset, an edit that re-initialised every layer — their
callers say so (:meth:`HistoryKeeper.start_new`) — show blank curves until Start records the network's
own run. Any other change of network (an undone restore, a Backprop step) keeps the curves, unless the
task changed: points measured as classes are not read on an axis of numbers, nor the other way round.
"""
from __future__ import annotations

from psygnal import Signal

from nnlab.engine import is_regression
from nnlab.lab.history import History
from nnlab.lab.session import LabSession

from ..widgets.live_plots import LivePlots


class HistoryKeeper:
    """Event: ``switched(history)`` — the plots show other curves (the metrics of the old ones go)."""

    switched = Signal(object)

    def __init__(self, session: LabSession, plots: LivePlots) -> None:
        self.session, self.plots = session, plots
        session.network_changed.connect(self._on_network_changed)
        session.runs.current_changed.connect(self._on_current_changed)

    @property
    def history(self) -> History:
        """The curves shown."""
        return self.plots.history

    def _regression(self) -> bool:
        network = self.session.network
        return network is not None and is_regression(self.session.loss, network.layers[-1].activation)

    def start_new(self) -> None:
        """Nothing of the old curves is about this network's run: blank ones until Start records its run."""
        self._show(History(self._regression()))

    def _show(self, history: History) -> None:
        if history is not self.plots.history:
            self.plots.set_history(history)
            self.switched.emit(history)

    def _on_current_changed(self, run) -> None:
        self._show(History(self._regression()) if run is None else run.history)

    def _on_network_changed(self, _network) -> None:
        if self._regression() != self.history.regression:
            self.start_new()
