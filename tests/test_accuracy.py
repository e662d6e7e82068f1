"""The accuracy targets: each dataset learned to the level the lab promises.

Figures measured when these were written (seed 0, test part of the 70/15/15 split):
xor 100 %, digits with ±2 px shifts ~95 %, sketch-faces ~99 %, faces ~90 %,
full MNIST ~97.8 % after 8 epochs.
"""
import pytest

from nnlab.data.experiment import Experiment
from nnlab.lab.recipe import prepare
from nnlab.engine import LayerSpec, Network, TrainConfig, Trainer, evaluate


def test_accuracy(experiment: Experiment) -> float:
    prepared = prepare(experiment)
    for _ in prepared.trainer.run():
        pass
    test = prepared.splits.test
    return evaluate(prepared.network, test.x, test.y, experiment.loss, prepared.dataset.n_classes).accuracy


test_accuracy.__test__ = False  # a helper, not a test


def test_xor_is_learned_perfectly_by_a_2_4_1_net():
    experiment = Experiment(dataset="xor", hidden=[4], activation="tanh", loss="binary_cross_entropy",
                            train=TrainConfig(learning_rate=0.05, batch_size=16, epochs=60))
    assert test_accuracy(experiment) == 1.0


def test_digits_subset_reaches_93_percent_in_20_epochs():
    experiment = Experiment(dataset="digits", hidden=[128, 64], augment=True, train=TrainConfig(epochs=20))
    assert test_accuracy(experiment) >= 0.93


def test_sketch_faces_reach_98_percent():
    experiment = Experiment(dataset="sketch-faces", hidden=[128, 64], train=TrainConfig(epochs=20))
    assert test_accuracy(experiment) >= 0.98


def test_lfw_faces_reach_85_percent():
    experiment = Experiment(dataset="faces", hidden=[128, 64], train=TrainConfig(epochs=30))
    assert test_accuracy(experiment) >= 0.85


@pytest.mark.slow
def test_full_mnist_reaches_97_5_percent_in_10_epochs(full_mnist):
    net = Network(784, [LayerSpec(128), LayerSpec(64), LayerSpec(10, "softmax")], seed=0)
    trainer = Trainer(net, full_mnist["x_train"], full_mnist["y_train"], TrainConfig(epochs=8, batch_size=64),
                      n_classes=10)
    for _ in trainer.run():
        pass
    accuracy = evaluate(net, full_mnist["x_test"], full_mnist["y_test"], "cross_entropy", 10).accuracy
    assert accuracy >= 0.975, f"{accuracy:.2%} on the 10,000 test digits after 8 epochs"
