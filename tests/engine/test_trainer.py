"""The training generator: progress records, stopping, divergence, early stopping."""
import math

import numpy as np
import pytest

from nnlab.engine.network import LayerSpec, Network
from nnlab.engine import trainer as trainer_module
from nnlab.engine.trainer import BatchProgress, EpochResult, TrainConfig, Trainer, TrainingEnded


def blobs(n=300, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 3, n)
    centres = np.array([[0, 2], [2, -1], [-2, -1]], dtype=np.float32)
    return (centres[labels] + rng.normal(0, 0.4, (n, 2))).astype(np.float32), labels


def small_net(**layer_options):
    return Network(2, [LayerSpec(8, "tanh", **layer_options), LayerSpec(3, "softmax")], seed=0)


def test_progress_records_come_in_order_and_count_batches():
    x, y = blobs(100)
    records = list(Trainer(small_net(), x, y, TrainConfig(batch_size=32, epochs=2), x, y).run())
    batches = [r for r in records if isinstance(r, BatchProgress)]
    epochs = [r for r in records if isinstance(r, EpochResult)]
    assert [(b.epoch, b.batch) for b in batches] == [(e, b) for e in (1, 2) for b in (1, 2, 3, 4)]
    assert batches[3].samples_seen == 100 and batches[3].n_batches == 4
    assert [e.epoch for e in epochs] == [1, 2]
    assert isinstance(records[-1], TrainingEnded) and records[-1].reason == "finished"
    assert epochs[-1].validation.confusion.sum() == 100


def test_training_learns_separable_blobs():
    x, y = blobs(600)
    net = small_net()
    trainer = Trainer(net, x[:400], y[:400], TrainConfig(learning_rate=0.05, batch_size=32, epochs=20),
                      x[400:], y[400:])
    epochs = [r for r in trainer.run() if isinstance(r, EpochResult)]
    assert epochs[-1].val_accuracy >= 0.97
    assert epochs[-1].train_loss < epochs[0].train_loss / 3


def test_stop_flag_is_honoured_between_batches():
    x, y = blobs(320)
    seen = []

    def stop_after_five():
        return len(seen) >= 5

    trainer = Trainer(small_net(), x, y, TrainConfig(batch_size=32, epochs=3))
    for record in trainer.run(stop_after_five):
        seen.append(record) if isinstance(record, BatchProgress) else None
        last = record
    assert len(seen) == 5 and last.reason == "stopped" and "epoch 1 batch 6" in last.message


def diverging(optimizer: str, learning_rate: float) -> Trainer:
    """Inputs of scale 50 and a huge step: the loss leaves the floats within the first epoch."""
    rng = np.random.default_rng(0)
    x = rng.normal(0, 50, (256, 2)).astype(np.float32)
    y = rng.integers(0, 3, 256)
    net = Network(2, [LayerSpec(16, "relu"), LayerSpec(3, "linear")], seed=0)
    return Trainer(net, x, y, TrainConfig(loss="mse", optimizer=optimizer, learning_rate=learning_rate,
                                          batch_size=16, epochs=5))


def test_divergence_stops_with_a_message_and_keeps_finite_weights(monkeypatch):
    monkeypatch.setattr(trainer_module, "EXPLODED_FACTOR", math.inf)  # the loss must reach inf, not just explode
    trainer = diverging("sgd", 50.0)
    net = trainer.network
    records = list(trainer.run())
    ended = records[-1]
    assert ended.reason == "diverged"
    assert "lower the learning rate (now 50)" in ended.message
    assert "loss became" in ended.message and "epoch 1 batch" in ended.message
    assert np.isfinite(net.params).all()


def test_divergence_forgets_the_optimizers_exploded_state():
    trainer = diverging("momentum", 2.0)
    assert list(trainer.run())[-1].reason == "diverged"
    assert trainer.optimizer.steps == 0 and trainer.optimizer.velocity is None  # Start again begins afresh


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(60, 2)).astype(np.float32), rng.integers(0, 3, 60)  # pure noise: overfits
    xv, yv = rng.normal(size=(60, 2)).astype(np.float32), rng.integers(0, 3, 60)
    net = Network(2, [LayerSpec(64, "relu"), LayerSpec(3, "softmax")], seed=0)
    trainer = Trainer(net, x, y, TrainConfig(learning_rate=0.01, batch_size=8, epochs=200,
                                             early_stopping_patience=3), xv, yv)
    best_params = {}
    records = []
    for record in trainer.run():
        records.append(record)
        if isinstance(record, EpochResult) and record.best_epoch == record.epoch:
            best_params[record.epoch] = net.params.copy()
    ended = records[-1]
    assert ended.reason == "early_stopping" and ended.epochs_done < 200
    assert ended.epochs_done == ended.best_epoch + 3
    assert np.array_equal(net.params, best_params[ended.best_epoch])
    assert f"kept the weights of epoch {ended.best_epoch}" in ended.message


def test_all_frozen_says_what_to_do():
    x, y = blobs(32)
    net = Network(2, [LayerSpec(3, "softmax", frozen=True)])
    (ended,) = list(Trainer(net, x, y, TrainConfig()).run())
    assert ended.reason == "stopped" and "unfreeze" in ended.message


@pytest.mark.parametrize("change,message", [
    ({"batch_size": 0}, "batch size"),
    ({"epochs": 0}, "epochs"),
    ({"l2": -1.0}, "L2"),
    ({"loss": "binary_cross_entropy"}, "output activation"),
    ({"optimizer": "nesterov"}, "unknown optimizer"),
])
def test_bad_configuration_is_refused(change, message):
    x, y = blobs(32)
    config = TrainConfig(**change)
    with pytest.raises(ValueError, match=message):
        Trainer(small_net(), x, y, config)


def test_wrong_input_width_is_refused():
    with pytest.raises(ValueError, match="takes 2 inputs"):
        Trainer(small_net(), np.zeros((4, 3)), np.zeros(4, int), TrainConfig())


@pytest.mark.parametrize("units,message", [(0, "between 1 and"), (2.5, "between 1 and")])
def test_impossible_layer_size_is_refused(units, message):
    with pytest.raises(ValueError, match=message):
        Network(2, [LayerSpec(units), LayerSpec(2, "softmax")])


def test_softmax_is_refused_in_a_hidden_layer():
    with pytest.raises(ValueError, match="output-only"):
        Network(2, [LayerSpec(4, "softmax"), LayerSpec(2, "softmax")])


def test_backup_never_holds_non_finite_weights_and_a_blow_up_shows_finite_ones():
    x, y = blobs(64)
    trainer = Trainer(small_net(), x, y, TrainConfig())
    finite = trainer.network.params.copy()
    trainer.network.params[5] = 7.0
    trainer._refresh_backup()
    wrecked = trainer.network.params.copy()
    trainer.network.params[3] = np.inf
    trainer._refresh_backup()  # must not overwrite the finite backup
    ended = trainer._diverged("loss became infinite at epoch 1 batch 1", 1, math.inf)
    assert ended.reason == "diverged" and np.array_equal(trainer.network.params, finite)  # where it started
    assert np.array_equal(ended.blow_up.wrecked_params, wrecked)  # the last finite weights, for a learner to see


def diverging_after_good_epochs(good_epochs: int):
    """xor-like points, a ReLU net trained ``good_epochs`` at a sane rate; the next epoch runs at η = 100."""
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (200, 2)).astype(np.float32)
    y = ((x[:, 0] > 0) ^ (x[:, 1] > 0)).astype(np.int64)
    net = Network(2, [LayerSpec(8, "relu"), LayerSpec(8, "relu"), LayerSpec(2, "softmax")], seed=0)
    trainer = Trainer(net, x, y, TrainConfig(optimizer="adam", learning_rate=0.03, batch_size=16,
                                             epochs=good_epochs + 5), x[:40], y[:40])
    epoch_weights = {0: net.params.copy()}
    records = []
    for record in trainer.run():
        records.append(record)
        if isinstance(record, EpochResult):
            epoch_weights[record.epoch] = net.params.copy()
            if record.epoch == good_epochs:
                trainer.optimizer.learning_rate = 100.0  # as the panel's spin box does mid-run
    return trainer, records, epoch_weights


def test_divergence_restores_the_last_completed_epochs_weights_bit_for_bit():
    trainer, records, epoch_weights = diverging_after_good_epochs(4)
    ended = records[-1]
    assert ended.reason == "diverged", ended.message
    assert ended.epochs_done == 4 and ended.blow_up.restored_epoch == 4 and ended.blow_up.epoch == 5
    assert ended.message.endswith("lower the learning rate (now 100); restored the weights of epoch 4, "
                                  "the last before the loss blew up")
    assert np.array_equal(trainer.network.params, epoch_weights[4])  # not the wrecked ones, not epoch 3's
    wrecked = ended.blow_up.wrecked_params
    assert np.isfinite(wrecked).all() and np.abs(wrecked).max() > 10 * np.abs(epoch_weights[4]).max()
    last_batch = [r for r in records if isinstance(r, BatchProgress)][-1]
    assert (last_batch.epoch, last_batch.batch + 1) == (5, ended.blow_up.batch)  # the batch that blew up
    assert ended.blow_up.x == pytest.approx(4 + ended.blow_up.batch / trainer.n_batches)
    assert ended.blow_up.loss > 1000


def test_divergence_in_the_first_epoch_restores_the_weights_the_run_started_from():
    trainer = diverging("sgd", 50.0)
    start = trainer.network.params.copy()
    ended = list(trainer.run())[-1]
    assert ended.reason == "diverged" and ended.blow_up.restored_epoch == 0
    assert ended.message.endswith("restored the weights the run started from")
    assert np.array_equal(trainer.network.params, start)


def test_non_finite_validation_loss_is_divergence():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 2)).astype(np.float32), rng.integers(0, 3, 64)
    x_val = np.full((8, 2), 3e38, np.float32)  # overflows the forward pass, training data does not
    net = Network(2, [LayerSpec(4, "relu"), LayerSpec(3, "linear")], seed=0)
    records = list(Trainer(net, x, y, TrainConfig(loss="mse", epochs=3), x_val, y[:8]).run())
    assert records[-1].reason == "diverged" and "validation loss became" in records[-1].message
    assert np.isfinite(net.params).all()


def test_labels_the_output_layer_cannot_represent_are_refused():
    x, y = blobs(32)
    net = Network(2, [LayerSpec(4), LayerSpec(1, "sigmoid")])
    with pytest.raises(ValueError, match="labels run from 0 to 2"):
        Trainer(net, x, y, TrainConfig(loss="binary_cross_entropy"))


def test_dropout_on_the_output_layer_is_refused():
    with pytest.raises(ValueError, match="output layer cannot use dropout"):
        Network(2, [LayerSpec(4), LayerSpec(3, "softmax", dropout=0.5)])


def test_reported_loss_is_the_data_loss_even_with_penalties():
    x, y = blobs(64)
    plain = Trainer(small_net(), x, y, TrainConfig(batch_size=64))
    penalised = Trainer(small_net(), x, y, TrainConfig(batch_size=64, l2=10.0))
    assert plain._step(np.arange(64))[0] == pytest.approx(penalised._step(np.arange(64))[0])


def test_blas_threads_restore_the_count_the_process_started_with():
    from nnlab.engine.blas_threads import BlasThreads

    first = BlasThreads()
    first.use(1)  # an abandoned run that never restored
    assert BlasThreads().original == first.original
    first.restore()


class _CountingLibrary:
    """Stands in for the BLAS controller: counts calls to its (not thread-safe) setter."""

    def __init__(self):
        self.calls = []

    def set_num_threads(self, n):
        self.calls.append(n)


def test_blas_threads_call_the_library_only_when_the_count_changes():
    from nnlab.engine.blas_threads import BlasThreads

    threads = BlasThreads(fixed=None)
    threads.original = threads.current = threads.most = 2
    threads._library = _CountingLibrary()
    threads.use(2)
    threads.use(1)
    threads.use(1)
    threads.restore()
    threads.restore()
    assert threads._library.calls == [1, 2]


def test_a_trainer_with_fixed_blas_threads_never_calls_the_setter():
    x, y = np.random.default_rng(0).random((256, 2)).astype(np.float32), np.arange(256) % 3
    trainer = Trainer(small_net(), x, y, TrainConfig(batch_size=32, epochs=2))
    trainer.keep_blas_threads_fixed()
    trainer._threads._library = library = _CountingLibrary()
    trainer._threads.most = 2  # even where a big product would ask for a second thread
    list(trainer.run())
    assert library.calls == []


def first_step_moves(trainer: Trainer) -> np.ndarray:
    """|Δw| of every weight after the run's first batch."""
    before = trainer.network.params.copy()
    run = trainer.run()
    while not isinstance(next(run), BatchProgress):
        pass
    run.close()
    return np.abs(trainer.network.params - before)


def test_a_run_carries_on_with_the_previous_runs_optimizer():
    x, y = blobs(100)
    net = small_net()
    first = Trainer(net, x, y, TrainConfig(batch_size=25, epochs=1))
    list(first.run())
    adam = first.optimizer
    start = net.params.copy()

    fresh = first_step_moves(Trainer(net, x, y, TrainConfig(batch_size=25, learning_rate=0.01)))
    moved = fresh > 0
    np.testing.assert_allclose(fresh[moved], 0.01, rtol=1e-3)  # a fresh Adam's first step is ±η everywhere

    net.params[...] = start
    carried = Trainer(net, x, y, TrainConfig(batch_size=25, learning_rate=0.01), optimizer=adam)
    assert carried.optimizer is adam and adam.learning_rate == 0.01
    moves = first_step_moves(carried)
    assert adam.steps == 5  # four batches of the first run, one of this one
    assert not np.allclose(moves[moved], 0.01, rtol=1e-3)  # the moments carried on


def test_an_optimizer_of_another_kind_is_not_carried_on():
    x, y = blobs(50)
    adam = Trainer(small_net(), x, y, TrainConfig()).optimizer
    with pytest.raises(ValueError, match="trains with sgd; the optimizer to carry on is adam"):
        Trainer(small_net(), x, y, TrainConfig(optimizer="sgd"), optimizer=adam)


def test_a_diverged_optimizer_state_is_not_finite():
    x, y = blobs(50)
    trainer = Trainer(small_net(), x, y, TrainConfig(batch_size=25, epochs=1))
    list(trainer.run())
    assert trainer.optimizer.state_is_finite()
    trainer.optimizer._scaled_v[3] = np.inf
    assert not trainer.optimizer.state_is_finite()


def test_a_loss_that_explodes_but_stays_finite_is_divergence_too():
    rng = np.random.default_rng(0)
    x, y = rng.normal(0, 1, (512, 20)).astype(np.float32), rng.integers(0, 10, 512)
    net = Network(20, [LayerSpec(64, "relu"), LayerSpec(10, "softmax")], seed=0)
    trainer = Trainer(net, x, y, TrainConfig(optimizer="adam", learning_rate=10.0, batch_size=16, epochs=20))
    records = list(trainer.run())
    ended = records[-1]
    assert ended.reason == "diverged", ended.message
    assert "over 1000× where it started" in ended.message and "lower the learning rate (now 10)" in ended.message
    losses = [r.loss for r in records if isinstance(r, BatchProgress)]
    assert all(np.isfinite(losses)) and max(losses) > 1000 * max(losses[0], 1.0)


def test_a_nearly_perfect_network_that_wobbles_has_not_diverged():
    x, y = blobs(300)
    net = small_net()
    list(Trainer(net, x, y, TrainConfig(learning_rate=0.05, batch_size=32, epochs=30)).run())
    again = Trainer(net, x, y, TrainConfig(optimizer="sgd", learning_rate=0.5, batch_size=32, epochs=5))
    assert list(again.run())[-1].reason == "finished"  # a loss near 0 may grow many-fold and still be small
