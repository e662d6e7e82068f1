"""The lab floor: the app's state as plain objects — session, run settings, selection, history, runs.

Between ``nnlab.data`` and ``nnlab.ui``: no Qt is imported here, so every rule of the lab
(the split lock, what counts as unsaved, the best epoch, a setting's valid range) is tested
without a window, and the CLI builds its runs from the same objects as the window.
Change events come from psygnal (synchronous, Qt-free) through ``events.Signal``, which tells every slot
and raises a failing slot's own error; lab objects are touched only on the GUI thread, and the training
worker still talks to the window through Qt signals.

- :class:`LabSession` — the open dataset, its split, the network, its file, what is unsaved; its runs.
- :class:`RunSettings` — the next run's settings, each field checked when it is set.
- :class:`Selection` (with :class:`NeuronRef`, :class:`ConnectionRef`, :class:`InspectedInput`) — what is
  inspected: the neuron, the weight, the input, and the snapshot of the network the views read.
- :class:`History` — one run's curves: per batch and per epoch, best epoch, overfitting, the blow-up.
- :class:`Throughput` — samples per second and the time left.
- :class:`TrainingState` — idle, running or paused.
- :func:`make_run` — the one recipe from an experiment to a trainer (the window's and the CLI's).
- :class:`RunTree` / :class:`Run` — the runs a session keeps (issue 14).
"""
from .history import History
from .recipe import make_run
from .run_settings import RunSettings
from .runs import Run, RunTree
from .selection import ConnectionRef, InspectedInput, NeuronRef, Selection
from .session import LabSession
from .throughput import Throughput
from .training_state import TrainingState

__all__ = ["ConnectionRef", "History", "InspectedInput", "LabSession", "NeuronRef", "Run", "RunSettings", "RunTree",
           "Selection", "Throughput", "TrainingState", "make_run"]
