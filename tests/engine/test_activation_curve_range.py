"""One rule for how far an activation's plot reaches: the curve the inspector draws and its decision to draw
it again both come from ``curve_half_range`` (the plot used to re-derive it by computing a 2-point curve)."""
import pytest

from nnlab.engine.activations import ACTIVATIONS, curve_half_range
from nnlab.engine.explain import activation_curve


def test_the_half_range_is_three_at_least_and_keeps_a_point_well_inside():
    assert curve_half_range(0.0) == 3.0 and curve_half_range(-2.0) == 3.0  # where sigmoid and tanh bend
    assert curve_half_range(10.0) == pytest.approx(13.0) and curve_half_range(-250.0) == pytest.approx(325.0)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_every_activation_curve_spans_the_half_range(name):
    for z in (0.0, 0.7, -2.9, 4.0, -250.0):
        zs, _ = activation_curve(name, z)
        assert zs[0] == -curve_half_range(z) and zs[-1] == curve_half_range(z)
