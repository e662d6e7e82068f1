"""Which run the curves are about: the history starts again when the network's run does.

A new, reset, opened or lesson network, a kept one on another dataset, an edit that re-initialised
every layer — their callers say so (:meth:`HistoryKeeper.start_new`). Any other change of network (an
undone restore, a Backprop step) keeps the curves, unless the task changed: points measured as
classes are not read on an axis of numbers, nor the other way round.
"""
from __future__ import annotations

from nnlab.engine import is_regression
from nnlab.lab.history import History
from nnlab.lab.session import LabSession


class HistoryKeeper:
    def __init__(self, session: LabSession, history: History) -> None:
        self.session, self.history = session, history
        session.network_changed.connect(self._on_network_changed)

    def _regression(self) -> bool:
        network = self.session.network
        return network is not None and is_regression(self.session.loss, network.layers[-1].activation)

    def start_new(self) -> None:
        """Nothing of the old curves is about this network's run."""
        self.history.start_new(self._regression())

    def _on_network_changed(self, _network) -> None:
        if self._regression() != self.history.regression:
            self.start_new()
