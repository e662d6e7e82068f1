"""The lab floor: the app's state as plain objects — session, run settings, selection, history.

Between ``nnlab.data`` and ``nnlab.ui``: no Qt is imported here, so every rule of the lab
(the split lock, what counts as unsaved, the best epoch, a setting's valid range) is tested
without a window, and the CLI builds its runs from the same objects as the window.
Change events come from psygnal (synchronous, Qt-free); lab objects are touched only on the
GUI thread, and the training worker still talks to the window through Qt signals.
"""
from .run_settings import RunSettings
from .training_state import TrainingState

__all__ = ["RunSettings", "TrainingState"]
