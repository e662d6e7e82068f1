"""The inspector's activation plot redraws its curve by the engine's range rule (curve_half_range): when a point
leaves 90 % of the range, or would use under a quarter of it."""
from nnlab.engine.activations import curve_half_range
from nnlab.ui.inspector.activation_plot import ActivationPlot


def test_the_plot_redraws_by_the_engines_range_rule(qtbot):
    plot = ActivationPlot()
    qtbot.addWidget(plot)
    plot.show_point("relu", 10.0, 10.0)
    assert plot.curve.getData()[0][-1] == curve_half_range(10.0)  # ±13
    plot.show_point("relu", 0.9 * curve_half_range(10.0) - 0.01, 11.69)  # just inside: the same curve
    assert plot.curve.getData()[0][-1] == curve_half_range(10.0)
    plot.show_point("relu", 0.9 * curve_half_range(10.0) + 0.01, 11.71)  # just outside: a wider one
    assert plot.curve.getData()[0][-1] == curve_half_range(11.71)
    plot.show_point("relu", 0.5, 0.5)  # an ordinary point after a big one: not a dot on a flat line
    assert plot.curve.getData()[0][-1] == curve_half_range(0.5) == 3.0
