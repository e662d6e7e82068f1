"""Datasets whose answers are numbers: the Dataset's targets, the built-in curve, regression lessons,
the experiment recipe and weight files of models that predict numbers (issue 12, A1 and A2)."""
import numpy as np
import pytest

from nnlab.data import toy
from nnlab.data.builtin import load_builtin
from nnlab.data.dataset import Dataset
from nnlab.data.experiment import Experiment, build_network
from nnlab.data.lessons import LessonError, load_lessons, parse_lesson
from nnlab.data.splits import split_dataset
from nnlab.data.weights_file import load_model
from nnlab.engine import EpochResult, TrainConfig, evaluate, is_regression
from nnlab.engine.losses import ONE_UNIT_SOFTMAX
from nnlab.lab.recipe import prepare
from nnlab.lab.session import LabSession


def test_a_regression_set_carries_targets_and_names_its_outputs():
    ds = Dataset.regression("prices", np.arange(6.0).reshape(3, 2), [[1.0, 10.0], [2.0, 20.0], [3.0, 30.0]],
                            ["low", "high"], (2,))
    assert ds.is_regression and ds.targets.dtype == np.float32 and ds.targets.shape == (3, 2)
    assert ds.answers is ds.targets and ds.n_classes == 2 and ds.classes == ["low", "high"]
    assert not ds.y.any()
    part = ds.subset(np.array([2, 0]))
    np.testing.assert_array_equal(part.targets, [[3.0, 30.0], [1.0, 10.0]])
    np.testing.assert_array_equal(part.x, ds.x[[2, 0]])
    assert not load_builtin("xor").is_regression and load_builtin("xor").answers is not None


@pytest.mark.parametrize("targets, names, message", [
    ([[1.0], [2.0]], ["y"], r"need targets of shape \(3, 1\)"),
    ([[1.0], [np.nan], [2.0]], ["y"], "a target is not a finite number"),
    ([[1.0], [2.0], [3.0]], ["y", "z"], r"need targets of shape \(3, 2\)"),
])
def test_bad_targets_are_refused_naming_the_dataset(targets, names, message):
    with pytest.raises(ValueError, match=f"dataset 'bad': .*{message}"):
        Dataset.regression("bad", np.zeros((3, 1)), targets, names, (1,))


def test_the_curve_is_seeded_noisy_points_on_the_wave():
    ds = toy.curve()
    assert ds.x.shape == (200, 1) and ds.targets.shape == (200, 1) and ds.classes == ["y"]
    assert ds.input_shape == (1,) and ds.preprocess == "none" and ds.extra == {"noise": 0.1, "seed": 0}
    assert np.abs(ds.x).max() <= 1.0
    residual = ds.targets[:, 0] - toy.wave(ds.x[:, 0].astype(np.float64))
    assert residual.std() == pytest.approx(toy.CURVE_NOISE, rel=0.15)
    clean = toy.curve(noise=0.0, seed=5)
    np.testing.assert_allclose(clean.targets[:, 0], toy.wave(clean.x[:, 0].astype(np.float64)), atol=1e-6)
    assert np.array_equal(toy.curve(seed=5).x, toy.curve(seed=5).x)
    assert not np.array_equal(toy.curve(seed=5).x, toy.curve(seed=6).x)
    with pytest.raises(ValueError, match="at least 2 .a curve needs two points"):
        toy.curve(n_samples=1)
    assert load_builtin("curve", n_samples=50, noise=0.2, seed=1).extra == {"noise": 0.2, "seed": 1}


def test_splitting_a_regression_set_keeps_each_target_with_its_sample():
    ds = toy.curve()
    splits = split_dataset(ds, (0.7, 0.15, 0.15), seed=4)
    assert [len(splits.train), len(splits.validation), len(splits.test)] == [140, 30, 30]
    by_x = {float(x): float(t) for x, t in zip(ds.x[:, 0], ds.targets[:, 0])}
    for part in (splits.train, splits.validation, splits.test):
        assert part.is_regression
        assert all(by_x[float(x)] == float(t) for x, t in zip(part.x[:, 0], part.targets[:, 0]))


def test_a_regression_set_trains_a_network_that_predicts_numbers_only():
    quick = TrainConfig(learning_rate=0.03, batch_size=16, epochs=2)
    prepared = prepare(Experiment(dataset="curve", loss="mse", hidden=[8], activation="tanh", train=quick))
    assert is_regression("mse", prepared.network.layers[-1].activation) and prepared.network.sizes == [1, 8, 1]
    results = [r for r in prepared.trainer.run() if isinstance(r, EpochResult)]
    assert results[-1].validation.n_samples == 30
    for loss, output in (("cross_entropy", None), ("mse", "sigmoid"), ("binary_cross_entropy", None)):
        with pytest.raises(ValueError, match="curve's targets are numbers to predict .regression., so the output "
                                             "layer must be linear and the loss mse"):
            build_network(Experiment(dataset="curve", loss=loss, output_activation=output), toy.curve())


def test_a_one_class_set_cannot_build_a_one_unit_softmax():
    one_class = Dataset("one", np.zeros((4, 2)), np.zeros(4, np.int64), ["yes"], (2,))
    with pytest.raises(ValueError) as refused:
        build_network(Experiment(dataset="one", loss="cross_entropy"), one_class)
    assert str(refused.value) == ONE_UNIT_SOFTMAX


def test_a_regression_model_round_trips_through_a_weight_file(tmp_path):
    quick = TrainConfig(learning_rate=0.03, batch_size=16, epochs=3)
    experiment = Experiment(dataset="curve", loss="mse", hidden=[4], activation="tanh", train=quick)
    session = LabSession()  # as `nnlab train` makes and saves it
    session.load_dataset("curve", experiment.split, experiment.train.seed)
    for _ in session.make_trainer(experiment).run():
        pass
    session.save(tmp_path / "curve.npz")
    model = load_model(tmp_path / "curve.npz")
    assert is_regression(model.loss, model.network.layers[-1].activation) and model.classes == ["y"]
    assert model.extra["experiment"]["dataset"] == "curve"
    test = session.splits.test
    assert evaluate(model.network, test.x, test.targets, model.loss, 1).r2 == \
        evaluate(session.network, test.x, test.targets, "mse", 1).r2


def test_lessons_with_targets_are_regression_sets():
    lessons = {lesson.key: lesson for lesson in load_lessons()}
    three_two_one = lessons["02-three-two-one"].dataset()
    assert three_two_one.is_regression and three_two_one.targets.tolist() == [[3.5]]
    assert three_two_one.classes == ["output"]
    assert not lessons["04-dog-cat"].dataset().is_regression  # a classifier's targets stay its labels


def test_a_lesson_with_a_one_unit_softmax_is_refused():
    data = {"format": "nnlab-lesson", "version": 1, "title": "t", "summary": "s", "explanation": ["e"],
            "network": {"input_size": 2, "loss": "cross_entropy", "layers": [{"units": 1, "activation": "softmax"}],
                        "weights": [[[0.4, 0.7]]], "biases": [[0.0]]},
            "classes": ["cat"], "input_shape": [2], "samples": [{"values": [0.5, 0.3], "label": 0}]}
    with pytest.raises(LessonError, match="lesson one.json: network: cross_entropy cannot train a one-unit output"):
        parse_lesson(data, "one", "one.json")
