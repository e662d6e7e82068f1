"""Throughput: samples per second over a sliding window and the ETA, on a fake clock — no QApplication."""
import pytest

from nnlab.lab.throughput import Throughput


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_no_pace_and_no_eta_until_two_batches_at_different_times():
    clock = FakeClock()
    pace = Throughput(1000, last_epoch=2, clock=clock)
    assert pace.samples_per_second == 0.0 and pace.eta_seconds is None
    pace.count(1, 100)
    assert pace.samples_per_second == 0.0 and pace.eta_seconds is None
    pace.count(1, 200)  # the same instant: no time has passed to divide by
    assert pace.samples_per_second == 0.0 and pace.eta_seconds is None
    clock.now += 0.5
    pace.count(1, 300)
    assert pace.samples_per_second == pytest.approx(400.0)


def test_the_eta_is_the_samples_left_to_the_last_epoch_at_the_current_pace():
    clock = FakeClock()
    pace = Throughput(1000, last_epoch=3, clock=clock)
    for seen in (200, 400):
        pace.count(2, seen)
        clock.now += 0.25
    # 200 samples in 0.25 s = 800/s; epoch 2 has 600 samples to go, epoch 3 all 1000
    assert pace.samples_per_second == pytest.approx(800.0)
    assert pace.remaining_samples == 1600 and pace.eta_seconds == pytest.approx(2.0)


def test_the_pace_counts_across_epoch_boundaries():
    clock = FakeClock()
    pace = Throughput(1000, last_epoch=5, clock=clock)
    pace.count(1, 900)
    clock.now += 1.0
    pace.count(2, 100)  # 200 samples later, one of them an epoch further
    assert pace.samples_per_second == pytest.approx(200.0)


def test_the_window_slides_so_the_pace_follows_a_slowdown_within_seconds():
    clock = FakeClock()
    pace = Throughput(10_000, last_epoch=1, window_seconds=2.0, clock=clock)
    seen = 0
    for _ in range(10):  # 1000 samples a second for 5 s
        seen += 500
        pace.count(1, seen)
        clock.now += 0.5
    assert pace.samples_per_second == pytest.approx(1000.0)
    for _ in range(6):  # then 100 a second
        seen += 50
        pace.count(1, seen)
        clock.now += 0.5
    assert pace.samples_per_second == pytest.approx(100.0)  # the fast seconds have left the window


def test_the_window_keeps_the_last_two_batches_however_long_apart():
    clock = FakeClock()
    pace = Throughput(1000, last_epoch=1, window_seconds=2.0, clock=clock)
    pace.count(1, 100)
    clock.now += 10.0  # a paused run, or a very slow batch
    pace.count(1, 200)
    assert pace.samples_per_second == pytest.approx(10.0)
    assert pace.eta_seconds == pytest.approx(80.0)


def test_an_epoch_without_samples_is_refused_in_words():
    with pytest.raises(ValueError, match="at least one sample"):
        Throughput(0, last_epoch=1)
