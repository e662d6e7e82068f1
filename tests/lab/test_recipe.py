"""The one recipe from an Experiment to a Trainer: `nnlab train` and the window's session follow it, so they
train the same weights and refuse the same things in the same words."""
import numpy as np
import pytest

from nnlab.cli import main as nnlab
from nnlab.data.experiment import Experiment
from nnlab.data.splits import split_dataset
from nnlab.data.user_samples import UserSampleStore
from nnlab.data.weights_file import SavedModel, load_model, save_model
from nnlab.engine import LayerSpec, Network, TrainConfig
from nnlab.lab.reading import model_misfit, prepare_dataset
from nnlab.lab.recipe import make_run, prepare, state_to_carry_on
from nnlab.lab.session import LabSession

RUNS = {  # the same run as the command's words and as the window's experiment
    "xor": (["--dataset", "xor", "--layers", "4", "--activation", "tanh", "--loss", "binary_cross_entropy",
             "--lr", "0.05", "--batch-size", "16", "--epochs", "3", "--seed", "5", "--split", "60,20,20"],
            Experiment(dataset="xor", hidden=[4], activation="tanh", loss="binary_cross_entropy",
                       split=(0.6, 0.2, 0.2),
                       train=TrainConfig(learning_rate=0.05, batch_size=16, epochs=3, seed=5))),
    "digits, shifted, dropout": (
        ["--dataset", "digits", "--layers", "8", "--dropout", "0.2", "--augment", "--optimizer", "momentum",
         "--l2", "0.001", "--epochs", "1", "--seed", "2"],
        Experiment(dataset="digits", hidden=[8], dropout=0.2, augment=True,
                   train=TrainConfig(optimizer="momentum", l2=0.001, epochs=1, seed=2))),
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_the_command_line_and_the_window_train_bit_identical_weights(name, tmp_path, capsys):
    words, experiment = RUNS[name]
    assert nnlab(["train", *words, "--json", "--out", str(tmp_path / "cli.npz")]) == 0
    session = LabSession()  # what the window's Start does with the same settings
    session.load_dataset(experiment.dataset, experiment.split, experiment.train.seed)
    for _ in session.make_trainer(experiment).run():
        pass
    made_by_cli = load_model(tmp_path / "cli.npz").network
    assert made_by_cli.sizes == session.network.sizes and made_by_cli.dtype == session.network.dtype
    assert made_by_cli.params.tobytes() == session.network.params.tobytes()


def test_augmenting_points_is_refused_in_the_same_words_by_both():
    """The session used to skip augmentation for points without a word; the command line refused it."""
    experiment = Experiment(dataset="xor", hidden=[4], augment=True)
    with pytest.raises(ValueError) as by_command:
        prepare(experiment)
    session = LabSession()
    session.load_dataset("xor")
    with pytest.raises(ValueError) as by_window:
        session.make_trainer(experiment)
    assert str(by_command.value) == str(by_window.value) == (
        "augmentation shifts images by up to ±2 px, but 'xor' holds points of 2 numbers: turn augmentation off")
    assert session.network is None


def test_a_worked_example_is_not_trained_by_the_command_line_either(tmp_path, capsys):
    """The window refused to train a lesson's worked example (it would change the numbers its text
    explains); `nnlab train --dataset lesson:…` trained it."""
    code = nnlab(["train", "--dataset", "lesson:04-dog-cat", "--split", "100,0,0", "--layers", "2",
                  "--epochs", "1", "--out", str(tmp_path / "dog-cat.npz")])
    assert code == 2 and not (tmp_path / "dog-cat.npz").exists()
    assert "this lesson is a worked example on its own sample" in capsys.readouterr().err


def test_the_users_samples_join_a_classifiers_training_part_only(tmp_path):
    store = UserSampleStore(tmp_path)
    xor = prepare_dataset("xor")
    store.add(xor.dataset, [0.25, -0.5], 1)
    run = make_run(Experiment(dataset="xor", hidden=[3]), xor.dataset, xor.splits, user_samples=store)
    train = xor.splits.train
    assert run.user_samples_used == 1 and len(run.trainer.x) == len(train) + 1
    assert run.trainer.x[-1].tolist() == [0.25, -0.5] and run.trainer.y[-1] == 1
    curve = prepare_dataset("curve")  # numbers to predict: a drawing or a point of a class is not one
    store.add(curve.dataset, [0.5], 0)
    run = make_run(Experiment(dataset="curve", hidden=[3], loss="mse"), curve.dataset, curve.splits,
                   user_samples=store)
    assert run.user_samples_used == 0 and len(run.trainer.x) == len(curve.splits.train)


def stopped_state(optimizer: str, batches: int = 3):
    """The state of a run on xor stopped after ``batches`` batches of its first epoch."""
    prepared = prepare(Experiment(dataset="xor", hidden=[3], train=TrainConfig(optimizer=optimizer, batch_size=16)))
    records = prepared.trainer.run()
    for _ in range(batches):
        next(records)
    records.close()
    return prepared.trainer.state()


def test_a_state_is_carried_on_only_when_it_is_the_runs_kind_and_finite():
    adam, momentum = stopped_state("adam"), stopped_state("momentum")
    n_train = adam.order.size
    assert state_to_carry_on(adam, TrainConfig(optimizer="adam", batch_size=16), n_train) is adam
    assert state_to_carry_on(None, TrainConfig(), n_train) is None
    assert state_to_carry_on(adam, TrainConfig(optimizer="sgd", batch_size=16), n_train) is None
    assert state_to_carry_on(momentum, TrainConfig(optimizer="momentum", momentum=0.9, batch_size=16),
                             n_train) is momentum
    assert state_to_carry_on(momentum, TrainConfig(optimizer="momentum", momentum=0.5, batch_size=16),
                             n_train) is None
    momentum.optimizer.arrays["velocity"][0] = np.inf  # a diverged run's state
    assert state_to_carry_on(momentum, TrainConfig(optimizer="momentum", momentum=0.9, batch_size=16),
                             n_train) is None


@pytest.mark.parametrize("batch_size, extra", [(8, 0), (16, 1)], ids=["another batch size", "another sample"])
def test_a_stopped_epoch_starts_again_when_its_batches_changed(batch_size, extra):
    """Carrying on the stopped epoch's place needs its batches; the rest of the state still carries on."""
    adam = stopped_state("adam")
    carried = state_to_carry_on(adam, TrainConfig(optimizer="adam", batch_size=batch_size), adam.order.size + extra)
    assert adam.mid_epoch and not carried.mid_epoch
    assert carried.rng_state == adam.rng_state and carried.optimizer.scalars["steps"] == 3


def test_a_kept_network_carries_on_its_epochs_and_a_refused_run_leaves_it_untouched():
    prepared = prepare_dataset("xor")
    network = Network(2, [LayerSpec(4, "relu"), LayerSpec(2, "softmax")], seed=1)
    weights = network.params.copy()
    run = make_run(Experiment(dataset="xor", hidden=[4]), prepared.dataset, prepared.splits, network=network,
                   epochs_trained=7)
    assert run.network is network and not run.built and run.trainer.epoch == run.trainer.completed_epochs == 7
    with pytest.raises(ValueError, match="turn augmentation off"):
        make_run(Experiment(dataset="xor", hidden=[4], augment=True), prepared.dataset, prepared.splits,
                 network=network, state=run.trainer.state())
    assert np.array_equal(network.params, weights) and run.trainer.optimizer.steps == 0


def test_evaluate_and_the_window_refuse_a_file_that_does_not_fit_in_the_same_words(tmp_path, capsys):
    model = SavedModel(Network(2, [LayerSpec(3, "relu"), LayerSpec(3, "softmax")]), "cross_entropy",
                       ["a", "b", "c"], (2,), "none")
    save_model(tmp_path / "three.npz", model)
    reason = model_misfit(model, prepare_dataset("xor").dataset)
    assert reason == "the model knows 3 classes but 'xor' has 2"
    assert nnlab(["evaluate", str(tmp_path / "three.npz"), "--dataset", "xor"]) == 2
    assert capsys.readouterr().err.strip() == f"nnlab evaluate: error: {reason}"
    session = LabSession()
    session.load_dataset("xor")
    with pytest.raises(ValueError, match=reason):
        session.open_model(tmp_path / "three.npz")


def test_prepare_draws_the_experiments_split_with_its_seed():
    experiment = Experiment(dataset="xor", hidden=[3], split=(0.5, 0.3, 0.2), train=TrainConfig(seed=6))
    prepared = prepare(experiment)
    again = split_dataset(prepared.dataset, (0.5, 0.3, 0.2), seed=6)
    assert np.array_equal(prepared.splits.test.x, again.test.x)
    assert np.array_equal(prepared.trainer.x, again.train.x) and prepared.trainer.network is prepared.network
