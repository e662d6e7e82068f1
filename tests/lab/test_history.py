"""History: one run's curves and their rules, as plain data — no QApplication, no widget."""
import math
from dataclasses import dataclass

import numpy as np
import pytest

from nnlab.engine import BlowUp, EpochResult
from nnlab.engine.metrics import RegressionEvaluation
from nnlab.lab.history import CURVES, METRICS, History


@dataclass(frozen=True)
class Batch:
    epoch: int
    batch: int
    n_batches: int
    loss: float
    accuracy: float = math.nan
    mean_absolute_error: float = math.nan


class Events:
    """Every event a History emits, in order."""

    def __init__(self, history: History) -> None:
        self.seen: list[tuple] = []
        history.grew.connect(lambda: self.seen.append(("grew",)))
        history.trimmed.connect(lambda epoch: self.seen.append(("trimmed", epoch)))
        history.started.connect(lambda: self.seen.append(("started",)))


def epochs(history: History, val_losses, train_losses=None, val_score=0.5) -> None:
    train_losses = train_losses or [1.0 / epoch for epoch in range(1, len(val_losses) + 1)]
    for epoch, (train, val) in enumerate(zip(train_losses, val_losses), start=1):
        history.add_epoch(epoch, train, 0.5, val, val_score)


def blow_up(epoch, batch, loss, restored_epoch, n_batches=4) -> BlowUp:
    return BlowUp(epoch, batch, n_batches, loss, restored_epoch, np.zeros(3))


def test_batches_sit_at_fractional_epochs_and_keep_accuracy_in_0_to_1():
    history = History()
    history.add_batches([Batch(1, 1, 4, 2.0, 0.25), Batch(1, 4, 4, 1.0, 0.5), Batch(2, 2, 4, 0.5, 0.75)])
    assert history.batches["x"].tolist() == [0.25, 1.0, 1.5]
    assert history.curve("loss", "train_batch")[1].tolist() == [2.0, 1.0, 0.5]
    assert history.curve("score", "train_batch")[1].tolist() == [0.25, 0.5, 0.75]
    with pytest.raises(ValueError):  # a view, not the buffer: nobody writes the history behind its back
        history.batches["loss"][0] = 9.0


def test_smoothing_is_an_ema_that_skips_nan_batches_without_losing_its_value():
    history = History(smoothing=0.9)
    history.add_batches([Batch(1, 1, 5, 1.0, 0.0), Batch(1, 2, 5, math.nan, 1.0)])
    history.add_batches([Batch(1, 3, 5, 2.0, math.inf), Batch(1, 4, 5, 0.0, 0.5)])
    smoothed = history.curve("loss", "train_smoothed")[1]
    second = 0.9 * 1.0 + 0.1 * 2.0  # the NaN batch left the average at 1.0
    assert smoothed[0] == 1.0 and math.isnan(smoothed[1])
    assert smoothed[2:].tolist() == pytest.approx([second, 0.9 * second], abs=1e-15)
    score = history.curve("score", "train_smoothed")[1]
    assert score[:2].tolist() == pytest.approx([0.0, 0.1]) and math.isnan(score[2])
    assert score[3] == pytest.approx(0.9 * 0.1 + 0.1 * 0.5)


def test_arrays_double_when_full_and_keep_every_point():
    history = History(initial_capacity=4)
    capacities = []
    for start in range(0, 10, 3):
        history.add_batches([Batch(1, b, 10, float(b), 0.1) for b in range(start + 1, min(start + 4, 11))])
        capacities.append(history.batches.capacity)
    assert capacities == [4, 8, 16, 16]
    assert history.batches["x"] == pytest.approx(np.arange(1, 11) / 10)
    assert history.batches["loss"].tolist() == list(range(1, 11))


def test_a_view_handed_out_is_never_written_by_a_later_trim_or_append():
    """The plots hold the views they draw until their next repaint."""
    history = History(initial_capacity=8)
    history.add_batches([Batch(1, b, 4, float(b), 0.5) for b in range(1, 5)] + [Batch(2, 1, 4, 5.0, 0.5)])
    drawn = history.curve("loss", "train_batch")[1]
    history.carry_on_from(1)
    history.add_batches([Batch(2, 1, 4, 99.0, 0.5)])
    assert drawn.tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert history.curve("loss", "train_batch")[1].tolist() == [1.0, 2.0, 3.0, 4.0, 99.0]


def test_the_best_epoch_is_the_lowest_validation_loss_and_the_earliest_on_ties():
    history = History()
    assert history.best_epoch is None
    epochs(history, [1.0, 0.6, 0.8, 0.6, 0.7])
    assert history.best_epoch == 2 and history.best_validation_loss == 0.6
    history.add_epoch(6, 0.1, 0.9)  # no validation part this epoch: nothing to judge
    assert history.best_epoch == 2 and len(history.validation) == 5 and len(history.epochs) == 6


def test_overfitting_since_the_best_epoch_after_three_rising_validation_losses_while_training_falls():
    history = History()
    epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7], [1.0, 0.8, 0.6, 0.5, 0.4])
    assert history.overfitting_since is None  # two rises are not yet a trend
    history.add_epoch(6, 0.3, 0.9, 0.8, 0.7)
    assert history.overfitting_since == 3
    history.add_epoch(7, 0.25, 0.9, 0.75, 0.7)  # a dip that is no new best: still overfitting since 3
    assert history.overfitting_since == 3
    history.add_epoch(8, 0.2, 0.95, 0.5, 0.8)
    assert history.overfitting_since is None and history.best_epoch == 8


def test_rising_validation_with_rising_training_loss_is_not_overfitting():
    history = History()
    epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8], [1.0, 0.8, 0.6, 0.7, 0.8, 0.9])
    assert history.overfitting_since is None
    patient = History(patience=5)
    epochs(patient, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8], [1.0, 0.8, 0.6, 0.5, 0.4, 0.3])
    assert patient.overfitting_since is None  # three rises, five asked for


def test_a_regression_history_keeps_the_mean_absolute_error_as_its_score():
    history = History(regression=True)
    history.add_batches([Batch(1, 1, 2, 0.5, mean_absolute_error=0.8), Batch(1, 2, 2, 0.3, mean_absolute_error=0.6)])
    validation = RegressionEvaluation(loss=0.35, mse=0.7, mae=0.65, r2=0.5, output_mse=np.array([0.7]),
                                      output_mae=np.array([0.65]), output_r2=np.array([0.5]),
                                      predictions=np.zeros((2, 1)), targets=np.zeros((2, 1)))
    history.add_result(EpochResult(1, 0.4, math.nan, 0.1, validation, 1, train_mean_absolute_error=0.7))
    assert history.curve("score", "train_batch")[1].tolist() == [0.8, 0.6]
    assert history.curve("score", "train_epoch")[1].tolist() == [0.7]
    assert history.curve("score", "val_epoch")[1].tolist() == [0.65]
    assert history.highest("score") == 0.8 and history.score_name == "mean absolute error"
    assert ("MAE.val_epoch", 1.0, 0.65) in list(history.rows())


def test_a_blow_up_ends_its_curve_and_leaves_the_axis_top_to_the_good_points():
    history = History()
    events = Events(history)
    history.add_batches([Batch(1, b, 4, 1.0 / b, 0.5) for b in range(1, 4)])
    history.record_blow_up(blow_up(1, 4, 4.2e8, restored_epoch=0))
    x, y = history.curve("loss", "train_batch")
    assert x.tolist() == [0.25, 0.5, 0.75, 1.0] and y[-1] == 4.2e8
    assert history.curve("loss", "train_smoothed")[1].size == 3  # a blow-up is no batch to average
    assert history.curve("score", "train_batch")[1].size == 3
    assert history.highest("loss") == 1.0 and history.blow_up.restored_epoch == 0
    assert events.seen == [("grew",), ("grew",)]
    history.record_blow_up(blow_up(2, None, math.inf, restored_epoch=1))  # the validation after epoch 2
    assert history.curve("loss", "val_epoch")[0].tolist() == [2.0]
    assert history.curve("loss", "train_batch")[0].size == 3  # one blow-up at a time


def test_carrying_on_trims_right_of_the_epoch_and_the_average_carries_on_from_what_is_kept():
    history = History(smoothing=0.9)
    events = Events(history)
    for epoch in (1, 2):
        history.add_batches([Batch(epoch, b, 2, 1.0 + epoch + b, 0.5) for b in (1, 2)])
        history.add_epoch(epoch, 2.0 + epoch, 0.5, 3.0 - epoch, 0.5)
    history.add_batches([Batch(3, 1, 2, 50.0, 0.5)])  # a stopped epoch's batch: higher than anything kept
    history.record_blow_up(blow_up(3, 2, 1e9, restored_epoch=2, n_batches=2))
    kept_smoothed = history.curve("loss", "train_smoothed")[1][3]
    history.carry_on_from(2)
    assert history.batches["x"].tolist() == [0.5, 1.0, 1.5, 2.0] and history.blow_up is None
    assert history.highest("loss") == 5.0 and history.best_epoch == 2  # not the dropped 50
    assert events.seen[-1] == ("trimmed", 2)
    history.carry_on_from(2)  # nothing right of it any more: no event
    assert events.seen[-1] == ("trimmed", 2) and events.seen.count(("trimmed", 2)) == 1
    history.add_batches([Batch(3, 1, 2, 2.0, 0.5)])
    assert history.curve("loss", "train_smoothed")[1][-1] == pytest.approx(0.9 * kept_smoothed + 0.1 * 2.0)


def test_trimming_judges_the_best_epoch_and_overfitting_again_from_the_kept_epochs():
    history = History()
    epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8, 0.5], [1.0, 0.8, 0.6, 0.5, 0.4, 0.3, 0.2])
    assert history.best_epoch == 7 and history.overfitting_since is None
    history.carry_on_from(6)
    assert history.best_epoch == 3 and history.overfitting_since == 3


def test_a_new_history_forgets_everything_and_says_so_even_when_empty():
    history = History(regression=False)
    events = Events(history)
    history.start_new()
    history.add_batches([Batch(1, 1, 1, 3.0, 0.5)])
    epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8])
    history.record_blow_up(blow_up(7, 1, 1e9, restored_epoch=6, n_batches=1))
    history.start_new(regression=True)
    assert events.seen[0] == ("started",) and events.seen[-1] == ("started",)
    assert history.is_empty and history.regression and history.blow_up is None
    assert history.best_epoch is None and history.overfitting_since is None and history.highest("loss") == -math.inf
    assert all(history.curve(metric, name)[0].size == 0 for metric in METRICS for name in CURVES)
    history.add_batches([Batch(1, 1, 1, 4.0, mean_absolute_error=0.2)])
    assert history.curve("loss", "train_smoothed")[1].tolist() == [4.0]  # the average starts afresh


def test_rows_are_the_csv_export_with_accuracy_in_percent_and_the_blow_up_included():
    history = History()
    history.add_batches([Batch(1, 1, 2, 0.5, 0.25), Batch(1, 2, 2, 0.4, 0.5)])
    history.add_epoch(1, 0.45, 0.375, 0.6, 0.3)
    history.record_blow_up(blow_up(2, 1, 7e7, restored_epoch=1, n_batches=2))
    rows = list(history.rows())
    assert rows[:3] == [("loss.train_batch", 0.5, 0.5), ("loss.train_batch", 1.0, 0.4),
                        ("loss.train_batch", 1.5, 7e7)]
    assert ("accuracy.train_batch", 0.5, 25.0) in rows and ("accuracy.val_epoch", 1.0, 30.0) in rows
    assert [series for series, _, _ in rows].count("loss.val_epoch") == 1
    assert len(rows) == 3 + 2 + 1 + 1 + 2 + 2 + 1 + 1


def test_a_copy_and_its_arrays_keep_every_record_and_rule_and_are_independent():
    history = History()
    history.add_batches([Batch(1, b, 2, 1.0 / b, 0.5) for b in (1, 2)])
    epochs(history, [1.0, 0.8, 0.6, 0.65, 0.7, 0.8], [1.0, 0.8, 0.6, 0.5, 0.4, 0.3])
    history.record_blow_up(blow_up(7, None, math.nan, restored_epoch=6))
    copy = history.copy()
    for metric in METRICS:
        for name in CURVES:
            np.testing.assert_array_equal(copy.curve(metric, name)[1], history.curve(metric, name)[1])
    assert (copy.best_epoch, copy.overfitting_since) == (3, 3)
    assert (copy.blow_up.x, copy.blow_up.restored_epoch, copy.blow_up.curve) == (7.0, 6, "val_epoch")
    assert math.isnan(copy.blow_up.loss)
    copy.add_batches([Batch(7, 1, 2, 0.1, 0.9)])
    assert len(history.batches) == 2
    bad = history.to_arrays() | {"epochs": np.zeros((2, 3))}
    with pytest.raises(ValueError, match="history epochs: expected 3 rows"):
        History.from_arrays(bad)


def test_settings_out_of_range_are_refused_in_words():
    with pytest.raises(ValueError, match="smoothing"):
        History(smoothing=1.0)
    with pytest.raises(ValueError, match="patience"):
        History(patience=0)
    with pytest.raises(ValueError, match="no curve score.val"):
        History().curve("score", "val")
