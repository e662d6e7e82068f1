"""A run's snapshots: the thinning rule, the memory target for 784-128-64-10 with Adam, scrubbing to a
thinned-away epoch."""
from dataclasses import dataclass, field

import numpy as np
import pytest

from nnlab.lab.snapshots import DEFAULT_BUDGET_BYTES, FULL_EPOCHS, Snapshot, SnapshotStore

MNIST_PARAMS = 784 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10  # 109,386


@dataclass(frozen=True)
class FakeOptimizerState:
    arrays: dict = field(default_factory=dict)


@dataclass(frozen=True)
class FakeTrainerState:
    """The arrays a TrainerState holds at an epoch's end: Adam's two moments and the best epoch's weights."""

    best_epoch: int
    best_params: np.ndarray
    optimizer: FakeOptimizerState


def adam_snapshot(epoch: int, best_epoch: int, n_params: int = MNIST_PARAMS, best_params=None) -> Snapshot:
    rng = np.random.default_rng(epoch)
    params = rng.standard_normal(n_params).astype(np.float32)
    moments = {"scaled_m": np.ones(n_params, np.float32), "scaled_v": np.ones(n_params, np.float32)}
    best = params.copy() if best_epoch == epoch else best_params
    return Snapshot(epoch, params, FakeTrainerState(best_epoch, best, FakeOptimizerState(moments)))


def bytes_snapshot(epoch: int, size: int = 100) -> Snapshot:
    return Snapshot(epoch, np.zeros(size // 4, np.float32))


def test_784_128_64_10_with_adam_over_200_epochs_stays_within_100_mb():
    store = SnapshotStore()
    assert DEFAULT_BUDGET_BYTES == 100 * 2**20
    # validation loss falls until epoch 60, then rises: the best epoch is 60 from there on
    best, best_params, unthinned = 0, None, 0
    for epoch in range(201):
        if epoch <= 60:
            best = epoch
        snapshot = adam_snapshot(epoch, best, best_params=best_params)
        best_params = snapshot.trainer_state.best_params
        unthinned += snapshot.nbytes - (best_params.nbytes if epoch > best else 0)  # best shared with its epoch
        store.add(snapshot, best_epoch=best if epoch else None)
    assert unthinned > 2.5 * store.budget_bytes  # thinning was needed: 263 MB kept whole
    assert store.nbytes <= 100 * 2**20
    kept = store.epochs
    assert kept[:FULL_EPOCHS + 1] == list(range(FULL_EPOCHS + 1))  # the start and the first 20, whole
    assert 60 in kept and kept[-1] == 200  # the best and the latest
    assert 70 <= len(kept) <= 80  # 1.31 MB a snapshot: the budget holds 79 of them
    gaps = set(np.diff(kept[FULL_EPOCHS:]).tolist())
    assert max(gaps) == 4 and store.spacing == 4  # every 4th epoch, the recent ones each: no hole


def test_the_best_epochs_weights_are_held_once():
    store = SnapshotStore(budget_bytes=10**9)
    first = adam_snapshot(1, best_epoch=1)
    store.add(first, best_epoch=1)
    second = adam_snapshot(2, best_epoch=1, best_params=first.params.copy())
    store.add(second, best_epoch=1)
    kept = store.get(2).trainer_state.best_params
    assert kept is store.get(1).params  # equal bits, one array
    assert store.nbytes == MNIST_PARAMS * 4 * (3 + 3)  # params and two moments per snapshot, best shared


def test_thinning_drops_the_oldest_off_the_grid_first_then_doubles_the_spacing():
    store = SnapshotStore(budget_bytes=600, full_epochs=2)  # room for 6 snapshots of 100 bytes
    kept = []
    for epoch in range(11):
        store.add(bytes_snapshot(epoch))
        kept.append(store.epochs)
    assert kept[5] == [0, 1, 2, 3, 4, 5]  # within the budget: every epoch
    assert kept[6] == [0, 1, 2, 4, 5, 6]  # spacing 2 from epoch 2: 3 is off the grid
    assert kept[7] == [0, 1, 2, 4, 6, 7]
    assert kept[8] == [0, 1, 2, 4, 6, 8]
    assert kept[9] == [0, 1, 2, 6, 8, 9]  # nothing off spacing 2 but the latest: spacing 4, 4 goes
    assert kept[10] == [0, 1, 2, 6, 9, 10]
    assert store.spacing == 4 and store.nbytes <= 600


def test_never_dropped_the_start_the_first_epochs_the_latest_and_the_best():
    store = SnapshotStore(budget_bytes=300, full_epochs=2)  # less than the protected ones need
    for epoch in range(5, 20):  # a branch's run starts at its parent's epoch 5
        store.add(bytes_snapshot(epoch), best_epoch=9)
    assert store.epochs == [5, 6, 7, 9, 19]
    assert store.nbytes > store.budget_bytes  # over the budget rather than losing those


def test_a_scrub_to_a_thinned_epoch_gets_the_nearest_kept_and_says_so():
    store = SnapshotStore(budget_bytes=600, full_epochs=2)
    for epoch in range(11):
        store.add(bytes_snapshot(epoch))
    assert store.epochs == [0, 1, 2, 6, 9, 10]
    found = store.nearest(6)
    assert found.exact and found.note == "" and found.snapshot.epoch == 6
    assert store.nearest(8).snapshot.epoch == 9 and not store.nearest(8).exact
    assert store.nearest(4).snapshot.epoch == 2  # a tie goes to the earlier
    assert "epoch 4 was not kept" in store.nearest(4).note and "showing epoch 2" in store.nearest(4).note
    assert store.around(4) == (2, 6)
    with pytest.raises(ValueError, match="epoch 7 was thinned away .* the nearest kept are epochs 6 and 9"):
        store.get(7)
    with pytest.raises(ValueError, match="snapshots go from epoch 0 to epoch 10"):
        store.get(11)


def test_snapshots_are_read_only_and_go_forward():
    store = SnapshotStore()
    snapshot = adam_snapshot(3, best_epoch=3)
    store.add(snapshot)
    with pytest.raises(ValueError):
        snapshot.params[0] = 1.0
    with pytest.raises(ValueError):
        snapshot.trainer_state.optimizer.arrays["scaled_m"][0] = 1.0
    with pytest.raises(ValueError, match="a snapshot of epoch 2 cannot follow one of epoch 3"):
        store.add(adam_snapshot(2, best_epoch=2))
    store.add(bytes_snapshot(3))  # the same epoch again replaces it
    assert len(store) == 1 and store.get(3).trainer_state is None
