"""Runs and the run tree: ids, names, the current run, branches, events, what tells runs apart."""
import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.engine import LayerSpec, TrainConfig
from nnlab.lab.history import History
from nnlab.lab.run_identity import DatasetIdentity, RunNetwork, experiment_from_settings, experiment_settings
from nnlab.lab.runs import Run, RunEvent, RunOrigin, RunTree, differing_settings
from nnlab.lab.snapshots import Snapshot, SnapshotStore

XOR = DatasetIdentity("builtin", "xor", 400, 2)
NETWORK = RunNetwork((2,), (LayerSpec(4, "tanh"), LayerSpec(2, "softmax")), "cross_entropy", ("0", "1"))


def settings(**train) -> dict:
    return experiment_settings(Experiment(dataset="xor", hidden=[4], activation="tanh",
                                          train=TrainConfig(**{"batch_size": 16, **train})))


def make_run(run_id: int, epochs: int = 3, **train) -> Run:
    history = History()
    store = SnapshotStore()
    for epoch in range(epochs + 1):
        store.add(Snapshot(epoch, np.full(NETWORK.n_params, epoch, np.float32)))
        if epoch:
            history.add_epoch(epoch, 1.0 / epoch, 0.5, 2.0 / epoch if epoch < 3 else 1.5, 0.6)
    run = Run(run_id, f"run {run_id}", None, settings(**train), XOR, NETWORK, (0.7, 0.15, 0.15), 0,
              history=history, snapshots=store)
    run.carry_on_from(store.latest.params, None)
    return run


@pytest.fixture
def tree():
    tree = RunTree()
    seen = []
    for name in ("added", "removed", "renamed", "current_changed"):
        getattr(tree, name).connect(lambda *args, name=name: seen.append((name, *[getattr(a, "id", a) for a in args])))
    tree.seen = seen
    return tree


def test_adding_renaming_removing_and_making_current_emit_events(tree):
    tree.add(make_run(1))
    tree.add(make_run(2), make_current=False)
    assert [run.id for run in tree] == [1, 2] and tree.current.id == 1 and tree.next_id() == 3
    tree.rename(2, "  lr   0.1 ")
    tree.make_current(2)
    tree.remove(2)
    assert tree.seen == [("added", 1), ("current_changed", 1), ("added", 2), ("renamed", 2),
                         ("current_changed", 2), ("current_changed", None), ("removed", 2)]
    assert tree.current is None and len(tree) == 1
    assert tree.next_id() == 3  # a removed run's id is not given again: branches name their parent by it


def test_names_and_ids_are_checked(tree):
    tree.add(make_run(1))
    with pytest.raises(ValueError, match="a run's name must be some text"):
        tree.rename(1, "   ")
    with pytest.raises(ValueError, match="80 characters"):
        tree.rename(1, "x" * 81)
    with pytest.raises(ValueError, match="there is no run 7 \\(runs: 1\\)"):
        tree.make_current(7)
    with pytest.raises(ValueError, match="ids are whole numbers from 1, each used once"):
        tree.add(make_run(1))
    assert tree[1].name == "run 1"


@pytest.mark.parametrize("name, code", [("lr\x1b[31m 0.1", "U+001B"), ("\u202e1.0 rl", "U+202E")])
def test_a_name_that_would_steer_a_terminal_is_refused_as_a_session_file_would_refuse_it(tree, name, code):
    tree.add(make_run(1))
    with pytest.raises(ValueError) as caught:
        tree.rename(1, name)
    assert str(caught.value).startswith(f"a run's name may not steer the terminal it is printed in, but this one "
                                        f"holds the control character {code} at character ")
    assert tree[1].name == "run 1" and tree.seen[-1] != ("renamed", 1)
    tree.rename(1, "שלום café ✓")
    assert tree[1].name == "שלום café ✓"


def test_a_branch_starts_from_its_parents_snapshot_with_its_curves_up_to_there(tree):
    parent = tree.add(make_run(1, epochs=3))
    child = tree.branch(1, 2, settings(learning_rate=0.1))
    assert child.id == 2 and child.parent == RunOrigin(1, 2) and tree.current is parent
    assert child.start_epoch == 2 and child.snapshots.epochs == [2] and child.epochs_trained == 0
    assert child.snapshots.get(2).params is parent.snapshots.get(2).params  # shared, read-only
    assert child.resume_params is parent.snapshots.get(2).params
    assert child.history.epochs["epoch"].tolist() == [1.0, 2.0]  # the parent's curve up to epoch 2
    assert parent.history.epochs["epoch"].tolist() == [1.0, 2.0, 3.0]  # untouched
    assert [(e.kind, e.text) for e in child.events] == [("start", "branched from run 1 at epoch 2")]
    assert tree.children(1) == [child]
    parent.snapshots.restore([parent.snapshots.get(0), parent.snapshots.get(3)])
    with pytest.raises(ValueError, match="epoch 2 was thinned away .* nearest kept are epochs 0 and 3"):
        tree.branch(1, 2, settings())


def test_a_run_reports_its_best_validation_and_rebuilds_any_kept_epoch():
    run = make_run(1, epochs=3)
    assert run.best_epoch == 2 and run.best_validation == (1.0, 0.6)
    network, found = run.network_at(2)
    assert found.exact and np.all(network.params == 2.0) and network.sizes == [2, 4, 2]
    network.params[0] = 99.0  # a rebuilt network is the caller's
    assert run.snapshots.get(2).params[0] == 2.0


def test_differing_settings_name_only_what_tells_runs_apart():
    runs = [make_run(1, learning_rate=0.1), make_run(2, learning_rate=0.001), make_run(3, learning_rate=0.001)]
    runs[2].settings["train"]["batch_size"] = 32
    assert differing_settings(runs) == {1: "lr 0.1, batch 16", 2: "lr 0.001, batch 16", 3: "lr 0.001, batch 32"}
    assert differing_settings(runs[:1]) == {1: ""}
    same = [make_run(1), make_run(2)]
    assert differing_settings(same) == {1: "", 2: ""}


def test_events_have_known_kinds():
    assert RunEvent("pause", 3, 7, 1.5).batch == 7
    with pytest.raises(ValueError, match="a run event is one of start, pause"):
        RunEvent("explode", 3)


def test_settings_make_the_same_experiment_again():
    experiment = Experiment(dataset="digits", hidden=[32, 16], activation="relu", loss="cross_entropy", dropout=0.2,
                            augment=True, split=(0.6, 0.2, 0.2),
                            train=TrainConfig(optimizer="momentum", learning_rate=0.05, batch_size=8, epochs=3,
                                              seed=4, l2=1e-4, early_stopping_patience=2))
    again = experiment_from_settings(experiment_settings(experiment))
    assert experiment_settings(again) == experiment_settings(experiment)
    assert again.train.optimizer == "momentum" and again.loss == "cross_entropy" and again.split == (0.6, 0.2, 0.2)
    broken = experiment_settings(experiment)
    broken["train"]["batch_size"] = "8"
    with pytest.raises(ValueError, match="setting 'batch_size' is '8', not a whole number"):
        experiment_from_settings(broken)
    del broken["dropout"]
    with pytest.raises(ValueError, match="have no 'dropout'"):
        experiment_from_settings(broken)


def test_a_learning_rate_schedule_is_a_setting_and_older_settings_without_one_train_at_a_constant_rate():
    cosine = Experiment(dataset="xor", hidden=[4], train=TrainConfig(lr_schedule="cosine"))
    assert experiment_from_settings(experiment_settings(cosine)).train.lr_schedule == "cosine"
    older = experiment_settings(cosine)
    del older["train"]["lr_schedule"]  # a session file written before schedules
    assert experiment_from_settings(older).train.lr_schedule == "constant"
    older["train"]["lr_schedule"] = 1
    with pytest.raises(ValueError, match="a run's setting 'lr_schedule' is 1, not a text"):
        experiment_from_settings(older)
    older["train"]["lr_schedule"] = "step"
    with pytest.raises(ValueError, match="the learning-rate schedule must be one of constant, cosine, not 'step'"):
        experiment_from_settings(older)
