"""'Apply this step' goes through the optimizer's one rule for a learning rate: a bad rate is refused in one
sentence on the Backprop tab and the weights stay as they were."""
import numpy as np
import pytest

from nnlab.ui.inspector.step_apply import StepApplier


@pytest.mark.parametrize("bad", [float("nan"), 0, -1, float("inf")])
def test_apply_this_step_refuses_a_bad_learning_rate(window, lesson, bad):
    inspector = lesson("04-dog-cat")
    inspector.tabs.setCurrentWidget(inspector.debugger)
    network = window.session.network
    before = network.params.copy()
    applier = StepApplier(window.session, window.training, inspector.debugger,
                          lambda: ("sgd", bad, {}, 0.0, 0.0), lambda: None, window.editor)
    assert not applier.apply()
    assert inspector.debugger.status.text() == \
        f"Cannot apply this step: the learning rate must be a number above 0, not {float(bad)!r}."
    assert network.params.tobytes() == before.tobytes() and not window.session.dirty
    assert not inspector.debugger.undo_button.isEnabled()
