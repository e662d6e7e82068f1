"""What outputs mean, in one place: probabilities or raw scores, the class, the probability per class."""
import numpy as np
import pytest

from nnlab.engine import outputs as meaning
from nnlab.engine.activations import softmax
from nnlab.engine.losses import is_regression as from_losses


@pytest.mark.parametrize("activation,expected", [
    ("softmax", True), ("sigmoid", True), ("linear", False), ("tanh", False), ("relu", False), ("leaky_relu", False)])
def test_only_softmax_and_sigmoid_outputs_are_probabilities(activation, expected):
    assert meaning.is_probability(activation) is expected


def test_is_regression_has_one_home():
    assert from_losses is meaning.is_regression
    assert meaning.is_regression("mse", "linear") and not meaning.is_regression("mse", "sigmoid")


def test_one_sigmoid_unit_is_the_probability_of_class_one():
    p = meaning.class_probabilities(np.array([[0.8], [0.25], [0.5]], dtype=np.float32))
    np.testing.assert_allclose(p, [[0.2, 0.8], [0.75, 0.25], [0.5, 0.5]], rtol=1e-7)
    assert meaning.outputs_to_classes(np.array([[0.8], [0.25], [0.5]])).tolist() == [1, 0, 0]


def test_softmax_rows_stay_as_they_are():
    rows = softmax(np.array([[2.0, 1.0, 0.1], [-1.0, 3.0, 0.5]]))
    np.testing.assert_allclose(meaning.class_probabilities(rows), rows, rtol=1e-15)
    assert meaning.outputs_to_classes(rows).tolist() == [0, 1]


def test_several_sigmoid_units_become_shares_of_one_answer():
    """Each unit is a yes/no for its own class (0.9, 0.6, 0.3 sum to 1.8): as class probabilities they
    are shares of 1 — 0.5, 0.333…, 0.1666… — and the top class is the same."""
    p = meaning.class_probabilities(np.array([[0.9, 0.6, 0.3]]))
    np.testing.assert_allclose(p, [[0.5, 1 / 3, 1 / 6]], rtol=1e-12)
    assert p.sum() == pytest.approx(1.0)
    assert meaning.outputs_to_classes(np.array([[0.9, 0.6, 0.3]])).tolist() == [0]


def test_raw_scores_and_outputs_that_say_nothing():
    p = meaning.class_probabilities(np.array([[2.0, -1.0, 2.0], [-1.0, -2.0, -0.5], [np.nan, np.nan, np.nan]]))
    np.testing.assert_allclose(p, [[0.5, 0.0, 0.5], [1 / 3] * 3, [1 / 3] * 3], rtol=1e-12)
    np.testing.assert_allclose(meaning.class_probabilities(np.array([np.nan])), [[0.5, 0.5]])
    np.testing.assert_allclose(meaning.class_probabilities(np.array([1.7])), [[0.0, 1.0]])  # clipped to [0, 1]


def test_one_sample_row_gives_one_row():
    assert meaning.class_probabilities(np.array([0.1, 0.7, 0.2])).shape == (1, 3)
