"""Metrics on a confusion matrix small enough to check by eye."""
import numpy as np
import pytest

from nnlab.engine.metrics import Evaluation, confusion_matrix, evaluate
from nnlab.engine.network import LayerSpec, Network

TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2, 2])
PRED = np.array([0, 0, 1, 1, 2, 2, 2, 2, 0, 2])


def test_confusion_matrix_rows_are_true_classes():
    assert confusion_matrix(TRUE, PRED, 3).tolist() == [[2, 1, 0], [0, 1, 1], [1, 0, 4]]


def test_precision_recall_f1_by_hand():
    ev = Evaluation.from_predictions(TRUE, PRED, 3)
    assert ev.accuracy == pytest.approx(0.7)
    np.testing.assert_allclose(ev.precision, [2 / 3, 1 / 2, 4 / 5])
    np.testing.assert_allclose(ev.recall, [2 / 3, 1 / 2, 4 / 5])
    np.testing.assert_allclose(ev.f1, [2 / 3, 1 / 2, 4 / 5])
    assert ev.support.tolist() == [3, 2, 5]


def test_class_never_predicted_scores_zero_without_warnings():
    with np.errstate(all="raise"):
        ev = Evaluation.from_predictions(np.array([0, 1, 2]), np.array([0, 1, 1]), 3)
    assert ev.precision[2] == 0 and ev.recall[2] == 0 and ev.f1[2] == 0


def test_matches_scikit_learn():
    sklearn_metrics = pytest.importorskip("sklearn.metrics", reason="scikit-learn is an optional cross-check")
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 5, 500), rng.integers(0, 5, 500)
    ev = Evaluation.from_predictions(y_true, y_pred, 5)
    p, r, f, s = sklearn_metrics.precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    np.testing.assert_allclose(ev.precision, p)
    np.testing.assert_allclose(ev.recall, r)
    np.testing.assert_allclose(ev.f1, f)
    assert ev.accuracy == pytest.approx(sklearn_metrics.accuracy_score(y_true, y_pred))


def test_evaluate_reports_loss_of_a_known_network():
    net = Network(2, [LayerSpec(2, "softmax")], dtype=np.float64)
    net.weights[0][...] = np.eye(2)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])
    y = np.array([0, 1, 1])
    ev = evaluate(net, x, y, "cross_entropy", 2, chunk_size=2)
    p_right = np.exp(1) / (np.exp(1) + 1)
    assert ev.loss == pytest.approx((-2 * np.log(p_right) - np.log(1 - p_right)) / 3)
    assert ev.accuracy == pytest.approx(2 / 3)
    assert ev.as_dict(["cat", "dog"])["per_class"]["dog"]["support"] == 2
