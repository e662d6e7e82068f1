"""RunSettings without a window: every field's rule and sentence, one event per real change, several fields
at once, the suggestions for a new dataset, a lesson's settings, and the Experiment the panel used to build."""
import math
from dataclasses import fields

import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.engine import TrainConfig
from nnlab.engine.network import LayerSpec, Network
from nnlab.lab.run_settings import RunSettings, widths_from_text


@pytest.fixture
def settings():
    return RunSettings()


@pytest.fixture
def emitted(settings):
    """Every event the settings emit, as (field, new, old)."""
    seen = []
    settings.events.connect(lambda info: seen.append((info.signal.name, *info.args)))
    return seen


# (field, refused value, the sentence it gets); each sentence names the field and its rule.
REFUSED = [
    ("dataset", "", "the dataset must be a built-in dataset's name or a file's path, not ''"),
    ("hidden", (8, 0), "a hidden layer has between 1 and 2,048 units, not 0"),
    ("hidden", (8, 2.5), "a hidden layer has between 1 and 2,048 units, not 2.5"),
    ("hidden", (4,) * 11, "11 hidden layers asked for; the limit is 10"),
    ("hidden", "8, 8", "hidden layers must be a list of widths, e.g. (128, 64), not '8, 8'"),
    ("activation", "softmax", "the hidden activation must be one of linear, relu, leaky_relu, sigmoid, tanh, "
                              "not 'softmax'"),
    ("loss", "hinge", "the loss must be one of mse, cross_entropy, binary_cross_entropy, not 'hinge'"),
    ("dropout", 1.0, "the dropout must be at least 0 and below 1, not 1.0"),
    ("dropout", -0.1, "the dropout must be at least 0 and below 1, not -0.1"),
    ("augment", 1, "augment must be True or False, not 1"),
    ("train_percent", 5, "the train share (%) must be a whole number from 10 to 98, not 5"),
    ("train_percent", 70.5, "the train share (%) must be a whole number from 10 to 98, not 70.5"),
    ("validation_percent", 81, "the validation share (%) must be a whole number from 0 to 80, not 81"),
    ("validation_percent", 40, "the train (70 %) and validation (40 %) shares add up to 110 %, more than 100 %"),
    ("optimizer", "rmsprop", "the optimizer must be one of sgd, momentum, adam, not 'rmsprop'"),
    ("learning_rate", 0, "the learning rate must be a number above 0, not 0.0"),
    ("learning_rate", math.nan, "the learning rate must be a number above 0, not nan"),
    ("learning_rate", "0.1", "the learning rate must be a number above 0, not '0.1'"),
    ("learning_rate", 1e30, "the learning rate must be from 1e-06 to 100, not 1e+30"),
    ("lr_schedule", "step", "the learning-rate schedule must be one of constant, cosine, not 'step'"),
    ("batch_size", 0, "the batch size must be a whole number from 1 to 4,096, not 0"),
    ("batch_size", True, "the batch size must be a whole number from 1 to 4,096, not True"),
    ("epochs", 10_001, "the number of epochs must be a whole number from 1 to 10,000, not 10001"),
    ("seed", -1, "the seed must be a whole number from 0 to 2,147,483,647, not -1"),
    ("l1", -0.5, "the L1 penalty must be a number from 0 to 1, not -0.5"),
    ("l2", math.inf, "the L2 penalty must be a number from 0 to 1, not inf"),
    ("early_stopping", 0, "the early-stopping patience (epochs) must be a whole number from 1 to 100, not 0"),
]


@pytest.mark.parametrize("name, bad, sentence", REFUSED, ids=[f"{n}={b!r}"[:40] for n, b, _ in REFUSED])
def test_a_refused_value_raises_its_sentence_keeps_the_old_value_and_emits_nothing(settings, emitted, name,
                                                                                    bad, sentence):
    old = getattr(settings, name)
    with pytest.raises(ValueError) as refused:
        setattr(settings, name, bad)
    assert str(refused.value).startswith(sentence)
    assert getattr(settings, name) == old and emitted == []
    with pytest.raises(ValueError):  # the same rule when given at construction
        RunSettings(**{name: bad})


def test_every_field_has_a_refused_value_above():
    checked = {name for name, _bad, _sentence in REFUSED}
    assert checked == {field.name for field in fields(RunSettings)}


def test_one_event_per_real_change_with_new_and_old(settings, emitted):
    lr_changes = []
    settings.events.learning_rate.connect(lambda new, old: lr_changes.append((new, old)))
    settings.learning_rate = 0.05
    settings.learning_rate = 0.05  # the same value: no event
    settings.hidden = [16, 8]  # a list is kept as a tuple, so it compares with the next one
    settings.hidden = (16, 8)
    settings.early_stopping = 5
    settings.early_stopping = None
    assert lr_changes == [(0.05, 0.001)]
    assert emitted == [("learning_rate", 0.05, 0.001), ("hidden", (16, 8), (128, 64)),
                       ("early_stopping", 5, None), ("early_stopping", None, 5)]
    assert settings.hidden == (16, 8) and isinstance(settings.hidden, tuple)


def test_numbers_are_kept_as_plain_python_numbers(settings):
    settings.apply(epochs=np.int64(7), learning_rate=np.float32(0.5), hidden=np.array([3, 4]))
    assert type(settings.epochs) is int and type(settings.learning_rate) is float
    assert settings.hidden == (3, 4) and all(type(units) is int for units in settings.hidden)


def test_apply_checks_everything_first_and_moves_the_shares_together(settings, emitted):
    with pytest.raises(ValueError, match="the batch size"):
        settings.apply(learning_rate=0.1, batch_size=0)
    assert settings.learning_rate == 0.001 and emitted == []  # one bad value changes nothing
    with pytest.raises(ValueError, match="run settings have no 'momentum'"):
        settings.apply(momentum=0.5)
    # 90 % train beside the old 15 % validation would be refused one at a time; together they fit.
    with pytest.raises(ValueError):
        settings.train_percent = 90
    settings.apply(train_percent=90, validation_percent=5, epochs=10)
    assert (settings.train_percent, settings.validation_percent, settings.test_percent) == (90, 5, 5)
    assert emitted == [("train_percent", 90, 70), ("validation_percent", 5, 15)]  # epochs did not change


def test_experiment_is_what_the_panel_built_and_changes_nothing(settings):
    """The panel's experiment() read its fields into this Experiment: defaults, then a changed run."""
    assert settings.experiment() == Experiment(
        dataset="digits", hidden=[128, 64], activation="relu", loss="cross_entropy", dropout=0.0, augment=False,
        split=(0.70, 0.15, 0.15), train=TrainConfig(optimizer="adam", learning_rate=0.001, batch_size=64, epochs=10,
                                                    seed=0, l1=0.0, l2=0.0, early_stopping_patience=None))
    settings.apply(dataset="xor", hidden=(8, 8), activation="tanh", loss="binary_cross_entropy", dropout=0.25,
                   augment=True, train_percent=60, validation_percent=25, optimizer="momentum", learning_rate=0.03,
                   batch_size=16, epochs=100, seed=7, l1=1e-4, l2=1e-3, early_stopping=5)
    train, validation, test = 60, 25, 100 - 60 - 25  # the panel's arithmetic
    expected = Experiment(
        dataset="xor", hidden=[8, 8], activation="tanh", loss="binary_cross_entropy", dropout=0.25, augment=True,
        split=(train / 100, validation / 100, test / 100),
        train=TrainConfig(optimizer="momentum", learning_rate=0.03, batch_size=16, epochs=100, seed=7, l1=1e-4,
                          l2=1e-3, early_stopping_patience=5))
    before = RunSettings(**{field.name: getattr(settings, field.name) for field in fields(RunSettings)})
    made = settings.experiment()
    assert made == expected and made.split == (0.6, 0.25, 0.15)
    made.hidden.append(99)  # the experiment is the caller's: the settings do not share its list
    assert settings.experiment() == expected and settings == before


def test_widths_from_text():
    assert widths_from_text("128, 64") == (128, 64)
    assert widths_from_text(" 8;8 , ") == (8, 8)
    assert widths_from_text("") == ()
    assert widths_from_text("Conv8x5, maxpool2; 64") == ("conv8x5", "maxpool2", 64)
    with pytest.raises(ValueError, match=r"^hidden layers must be widths or layer words separated by commas "
                                         r"\(128, 64 or conv8x5, maxpool2, 64\), not '8, x'$"):
        widths_from_text("8, x")


def _network(widths, activation="relu", dropout=0.0):
    layers = [LayerSpec(units, activation, dropout) for units in widths]
    return Network(2, [*layers, LayerSpec(2, "softmax")], seed=0)


def test_a_followed_network_passes_with_its_own_wider_layers_and_only_it(settings, emitted):
    settings.follow_network(_network([3000], "tanh", 0.5), "cross_entropy")  # an opened file's
    assert (settings.hidden, settings.activation, settings.dropout) == ((3000,), "tanh", 0.5)
    assert [name for name, *_ in emitted] == ["hidden", "activation", "dropout"]  # the loss did not change
    settings.hidden = (8,)
    settings.hidden = (3000,)  # typed back: still the network's own widths
    with pytest.raises(ValueError, match="between 1 and 2,048 units"):
        settings.hidden = (3000, 8)
    settings.follow_network(_network([4]), "cross_entropy")
    with pytest.raises(ValueError, match="between 1 and 2,048 units"):
        settings.hidden = (3000,)  # no longer the network's


def test_suggestions_set_the_optimizer_and_bring_cross_entropy_back_after_a_regression_set(settings):
    settings.apply(optimizer="sgd", learning_rate=0.5)
    settings.suggest_for("points")
    assert (settings.hidden, settings.activation, settings.optimizer, settings.learning_rate,
            settings.batch_size, settings.epochs, settings.loss) == ((8, 8), "tanh", "adam", 0.03, 16, 100,
                                                                     "cross_entropy")
    settings.suggest_for("regression")
    assert settings.loss == "mse" and settings.hidden == (8, 8)
    settings.suggest_for("image")
    assert (settings.hidden, settings.activation, settings.optimizer, settings.learning_rate, settings.batch_size,
            settings.epochs, settings.loss) == ((128, 64), "relu", "adam", 0.001, 64, 10, "cross_entropy")
    settings.loss = "mse"  # the learner's own choice stays for the next dataset
    settings.suggest_for("points")
    assert settings.loss == "mse"
    with pytest.raises(ValueError, match="there are suggestions for points, regression, image datasets, not 'x'"):
        settings.suggest_for("x")


def test_a_lessons_settings_leave_with_the_lesson(settings):
    lesson_network = _network([3, 2], "sigmoid")
    settings.follow_lesson(lesson_network, "mse", {"optimizer": "sgd", "learning_rate": 0.01})
    assert (settings.optimizer, settings.learning_rate, settings.loss, settings.hidden) == ("sgd", 0.01, "mse",
                                                                                            (3, 2))
    assert settings.from_lesson
    settings.suggest_for("image")  # a new dataset, a new network: the lesson's optimizer and loss go too
    assert (settings.optimizer, settings.learning_rate, settings.loss, settings.hidden) == ("adam", 0.001,
                                                                                            "cross_entropy", (128, 64))
    assert not settings.from_lesson
    settings.follow_lesson(lesson_network, "binary_cross_entropy", {"optimizer": "sgd", "batch_size": 4})
    settings.suggest_for("points", network=False)  # the lesson's network is kept: only its training settings go
    assert (settings.optimizer, settings.batch_size, settings.hidden, settings.activation, settings.loss) == \
        ("adam", 16, (3, 2), "sigmoid", "binary_cross_entropy")


def test_a_lessons_training_object_is_checked_before_anything_changes(settings, emitted):
    assert RunSettings.training_fields({"optimizer": "momentum", "early_stopping_patience": 3, "epochs": 60}) == \
        {"optimizer": "momentum", "early_stopping": 3, "epochs": 60}
    for training, sentence in (({"lr": 0.1}, "the training settings have no 'lr'; they are: optimizer, "),
                               ({"epochs": 0}, "the number of epochs must be a whole number from 1"),
                               ([], "the training settings must be an object, not list")):
        with pytest.raises(ValueError) as refused:
            settings.follow_lesson(_network([3]), "mse", training)
        assert str(refused.value).startswith(sentence)
    assert emitted == [] and not settings.from_lesson
    settings.apply_training({"learning_rate": 0.5, "batch_size": 8})
    assert (settings.learning_rate, settings.batch_size) == (0.5, 8)


def test_the_settings_train_config_carries_their_loss():
    """It said "cross_entropy" whatever the loss chosen: the loss is one choice, in one place."""
    settings = RunSettings()
    settings.loss = "mse"
    assert settings.train_config().loss == settings.experiment().train.loss == settings.experiment().loss == "mse"


def test_a_cnn_is_followed_with_its_layer_words_and_words_are_checked_like_widths():
    from nnlab.engine.layers import ConvSpec, PoolSpec

    settings = RunSettings()
    cnn = Network((28, 28), [ConvSpec(8, 5, activation="tanh"), PoolSpec(2), ConvSpec(16, 5), PoolSpec(2),
                             LayerSpec(64), LayerSpec(10, "softmax")])
    settings.follow_network(cnn, "cross_entropy")
    assert settings.hidden == ("conv8x5", "maxpool2", "conv16x5", "maxpool2", 64)
    assert settings.activation == "tanh"
    settings.hidden = ("Conv4x3", "avgpool2", "32")
    assert settings.hidden == ("conv4x3", "avgpool2", 32)
    assert settings.experiment().hidden == ["conv4x3", "avgpool2", 32]
    with pytest.raises(ValueError, match="^'conv' is not a layer"):
        settings.hidden = ("conv", 8)
    assert settings.hidden == ("conv4x3", "avgpool2", 32)


def test_a_cnns_dropout_is_its_dense_layers_not_the_first_convolutions():
    """The panel showed 0.00 (conv8x5's, which takes no dropout) while the 64-unit layer dropped 2 %."""
    from nnlab.engine.layers import ConvSpec, PoolSpec

    settings = RunSettings()
    cnn = Network((28, 28), [ConvSpec(8, 5), PoolSpec(2), LayerSpec(64, dropout=0.02), LayerSpec(10, "softmax")])
    settings.follow_network(cnn, "cross_entropy")
    assert settings.dropout == 0.02 and settings.activation == "relu"
