"""Networks that predict numbers (issue 12, A1) and the one-unit softmax (A2), in the engine."""
import math

import numpy as np
import pytest
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from nnlab.engine import (BatchProgress, EpochResult, Evaluation, LayerSpec, Network, RegressionEvaluation,
                          TrainConfig, Trainer, evaluate, is_regression)
from nnlab.engine.losses import ONE_UNIT_SOFTMAX, check_pair, output_units
from nnlab.engine.metrics import r2_per_output
from nnlab.engine.network import validate_architecture


@pytest.mark.parametrize("loss,activation,regression", [
    ("mse", "linear", True), ("mse", "sigmoid", False), ("mse", "softmax", False), ("mse", "tanh", False),
    ("mse", "relu", False), ("cross_entropy", "softmax", False), ("binary_cross_entropy", "sigmoid", False),
])
def test_only_a_linear_output_with_mse_predicts_numbers(loss, activation, regression):
    assert is_regression(loss, activation) is regression


def doubler() -> Network:
    """y = 2x: one linear unit, weight 2, bias 0."""
    network = Network(1, [LayerSpec(1, "linear")], dtype=np.float64)
    network.weights[0][...] = 2.0
    return network


def test_a_hand_worked_regression_evaluation():
    """x = 0, 1, 2 → predictions 0, 2, 4 against targets 0, 1, 5: errors 0, 1, −1.

    MSE = 2/3, MAE = 2/3; the targets' mean is 2, so Σ(y − ȳ)² = 4 + 1 + 9 = 14 and R² = 1 − 2/14;
    the loss is ½·Σ(a − y)² per sample = ½·2/3 = 1/3.
    """
    result = evaluate(doubler(), np.array([[0.0], [1.0], [2.0]]), np.array([[0.0], [1.0], [5.0]]), "mse", 1)
    assert isinstance(result, RegressionEvaluation) and math.isnan(result.accuracy)
    assert result.mse == pytest.approx(2 / 3) and result.mae == pytest.approx(2 / 3)
    assert result.r2 == pytest.approx(1 - 2 / 14) and result.loss == pytest.approx(1 / 3)
    np.testing.assert_allclose(result.predictions, [[0.0], [2.0], [4.0]])
    assert result.as_dict(["y"])["per_output"]["y"] == pytest.approx({"mse": 2 / 3, "mae": 2 / 3, "r2": 6 / 7})


def test_regression_figures_agree_with_scikit_learn():
    rng = np.random.default_rng(4)
    targets = rng.normal(size=(50, 3))
    predictions = targets + rng.normal(scale=0.5, size=(50, 3))
    targets[:, 2] = 0.7  # a constant output: scikit-learn's convention for R² (0 unless predicted exactly)
    result = RegressionEvaluation.from_predictions(targets, predictions)
    np.testing.assert_allclose(result.output_mse, mean_squared_error(targets, predictions, multioutput="raw_values"))
    np.testing.assert_allclose(result.output_mae, mean_absolute_error(targets, predictions, multioutput="raw_values"))
    np.testing.assert_allclose(result.output_r2[:2], r2_score(targets[:, :2], predictions[:, :2],
                                                              multioutput="raw_values"))
    # r2_score itself misses its convention here: the rounding of fifty 0.7s' mean leaves a spread of
    # ~1e-31, and it returns about -1.5e32; the convention's 0 is what a learner should see.
    assert result.output_r2[2] == 0.0 and r2_score(targets[:, 2], predictions[:, 2]) < -1e30
    assert result.mse == pytest.approx(mean_squared_error(targets, predictions))
    assert result.r2 == pytest.approx(np.mean([*r2_score(targets[:, :2], predictions[:, :2], multioutput="raw_values"),
                                               0.0]))
    assert r2_per_output(targets, targets)[2] == 1.0 == r2_score(targets[:, 2], targets[:, 2])
    assert np.isnan(r2_per_output(targets[:1], predictions[:1])).all()  # one sample has no variance to explain


def test_r2_of_a_constant_target_is_not_made_of_the_rounding_of_its_mean():
    targets = np.full((3, 1), 0.1)
    assert targets.mean() != 0.1  # 0.10000000000000002: a spread of ~2e-33 that is only rounding
    near = targets + np.array([[0.1], [0.0], [-0.1]])
    assert r2_per_output(targets, near).tolist() == [0.0] and r2_per_output(targets, targets).tolist() == [1.0]
    assert RegressionEvaluation.from_predictions(targets, near).r2 == 0.0


def test_a_linear_output_on_class_labels_is_scored_as_regression_on_their_one_hot_rows():
    network = Network(2, [LayerSpec(3, "linear")], dtype=np.float64, seed=1)
    x, labels = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([2, 0])
    result = evaluate(network, x, labels, "mse", 3)
    outputs = network.forward(x)
    one_hot = np.eye(3)[labels]
    assert isinstance(result, RegressionEvaluation)
    assert result.mae == pytest.approx(np.abs(outputs - one_hot).mean())


def test_a_single_sigmoid_output_stays_a_binary_classifier():
    network = Network(1, [LayerSpec(1, "sigmoid")], dtype=np.float64)
    network.weights[0][...] = 10.0
    result = evaluate(network, np.array([[1.0], [-1.0], [1.0]]), np.array([1, 0, 0]), "binary_cross_entropy", 2)
    assert isinstance(result, Evaluation) and result.accuracy == pytest.approx(2 / 3)


def test_a_classifier_refuses_targets_that_are_numbers():
    network = Network(1, [LayerSpec(1, "sigmoid")])
    with pytest.raises(ValueError, match="needs class labels"):
        evaluate(network, np.zeros((2, 1)), np.zeros((2, 1)), "mse", 2)
    with pytest.raises(ValueError, match="the output layer must be linear and the loss mse"):
        Trainer(network, np.zeros((4, 1)), np.zeros((4, 1)), TrainConfig(loss="mse"))


def curve_data(n=200, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, (n, 1))
    return x, np.sin(1.5 * np.pi * x) * (0.6 + 0.4 * x)


def test_training_on_targets_reports_the_mean_absolute_error_not_a_fake_accuracy():
    x, y = curve_data(64)
    network = Network(1, [LayerSpec(8, "tanh"), LayerSpec(1, "linear")], dtype=np.float64, seed=2)
    before = np.abs(network.forward(x) - y).mean()
    trainer = Trainer(network, x, y, TrainConfig(loss="mse", batch_size=64, epochs=1))
    batch, epoch = [r for r in trainer.run() if not hasattr(r, "reason")]
    assert isinstance(batch, BatchProgress) and isinstance(epoch, EpochResult)
    assert math.isnan(batch.accuracy) and math.isnan(epoch.train_accuracy)
    assert batch.mean_absolute_error == pytest.approx(before)  # the one batch is the whole set, before its step
    assert epoch.train_mean_absolute_error == pytest.approx(before)


def test_a_small_tanh_network_fits_the_curve():
    x, y = curve_data(200)
    x_val, y_val = curve_data(50, seed=1)
    network = Network(1, [LayerSpec(8, "tanh"), LayerSpec(8, "tanh"), LayerSpec(1, "linear")], seed=0)
    trainer = Trainer(network, x, y, TrainConfig(loss="mse", learning_rate=0.03, batch_size=16, epochs=100),
                      x_val, y_val)
    epochs = [r for r in trainer.run() if isinstance(r, EpochResult)]
    assert epochs[-1].validation.r2 > 0.97 > epochs[0].validation.r2
    assert epochs[-1].val_mean_absolute_error < epochs[0].val_mean_absolute_error / 3
    assert math.isnan(epochs[-1].val_accuracy)


def test_classification_records_carry_no_mean_absolute_error():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    network = Network(1, [LayerSpec(2, "softmax")])
    records = list(Trainer(network, x, np.array([0, 0, 1, 1]), TrainConfig(batch_size=4, epochs=1), x, [0, 0, 1, 1])
                   .run())
    assert 0 <= records[0].accuracy <= 1 and math.isnan(records[0].mean_absolute_error)
    assert math.isnan(records[1].train_mean_absolute_error) and math.isnan(records[1].val_mean_absolute_error)


def one_unit_softmax() -> Network:
    return Network(2, [LayerSpec(1, "softmax")], dtype=np.float64)


def test_why_a_one_unit_softmax_is_refused():
    """The bug the refusal prevents: the loss is identically 0 while the fused gradient a − y is not."""
    network = one_unit_softmax()
    z, a = network.forward_with_logits(np.array([[0.3, -2.0]]))
    assert a[0, 0] == 1.0
    from nnlab.engine.losses import get_loss
    value, delta = get_loss("cross_entropy").compute(z, a, np.array([[0.0]]), "softmax")
    assert value == 0.0 and delta[0, 0] == 1.0


def test_cross_entropy_on_one_unit_is_refused_everywhere_in_the_engine():
    network = one_unit_softmax()
    x, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
    for refuse in (lambda: validate_architecture(2, network.layers, "cross_entropy"),
                   lambda: check_pair("cross_entropy", "softmax", 1),
                   lambda: output_units("cross_entropy", 1),
                   lambda: network.gradients(x, y[:, None], "cross_entropy"),
                   lambda: Trainer(network, x, y, TrainConfig(loss="cross_entropy"))):
        with pytest.raises(ValueError) as refused:
            refuse()
        assert str(refused.value) == ONE_UNIT_SOFTMAX
    assert "sigmoid unit with binary_cross_entropy" in ONE_UNIT_SOFTMAX
    check_pair("binary_cross_entropy", "sigmoid", 1)  # the advice itself is accepted
    check_pair("cross_entropy", "softmax", 2)
