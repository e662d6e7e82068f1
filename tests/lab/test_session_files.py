"""The session's file and dirty rules, without a window: unsaved means the weights differ bit for bit from
the ones last saved, opened or built; a file or dataset that fails to open changes nothing."""
import hashlib

import numpy as np
import pytest

from nnlab.data.experiment import Experiment
from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine import LayerSpec, Network, TrainConfig
from nnlab.engine.backprop_steps import BackpropWalk
from nnlab.engine.network import targets_for
from nnlab.engine.optimizer_steps import apply_one_step
from nnlab.lab.session import LabSession


def xor_session(hidden=(3,)) -> LabSession:
    session = LabSession()
    session.load_dataset("xor")
    session.new_network(Experiment(dataset="xor", hidden=list(hidden), train=TrainConfig(epochs=1)))
    return session


def state(session: LabSession) -> tuple:
    """What a failed open must not change: the open objects, the weights' bytes, the path and the flags."""
    network = session.network
    return (id(network), hashlib.sha256(network.params.tobytes()).hexdigest(), id(session.dataset),
            id(session.splits), session.dataset_source, session.path, session.dirty, session.loss,
            session.epochs_trained, id(session.experiment))


def recorded(session: LabSession) -> list:
    seen = []
    for name in ("dataset_changed", "network_changed", "dirty_changed", "path_changed"):
        getattr(session, name).connect(lambda value, name=name: seen.append((name, value)))
    return seen


def test_session_dirty_is_bit_for_bit():
    session = xor_session()
    session.set_dirty(False)
    session.network.params[0] = -session.network.params[0]
    session.note_weights_changed()
    assert session.dirty
    session.network.params[0] = -session.network.params[0]
    session.note_weights_changed()
    assert not session.dirty
    assert session.network.biases[0][0] == 0.0  # biases start at 0: −0.0 is another bit pattern
    session.network.biases[0][0] = -0.0
    session.note_weights_changed()
    assert session.dirty


def test_a_step_applied_and_undone_leaves_nothing_unsaved():
    """The Backprop tab's Apply this step and Undo, as StepApplier writes them: in place, then back."""
    session = xor_session()
    session.set_dirty(False)
    seen = recorded(session)
    network, sample = session.network, session.splits.train
    walk = BackpropWalk(network, sample.x[0], targets_for(sample.y[:1], network.n_outputs)[0], session.loss)
    saved = network.params.copy()
    network.params[...] = apply_one_step(network, walk.weight_gradients(), walk.bias_gradients(), "sgd",
                                         0.5).params
    session.note_weights_changed()
    assert session.dirty and not np.array_equal(network.params, saved)
    network.params[...] = saved
    session.note_weights_changed()
    assert not session.dirty
    assert seen == [("dirty_changed", True), ("dirty_changed", False)]


def test_a_run_marks_the_weights_unsaved_and_saving_makes_them_the_clean_ones(tmp_path):
    session = xor_session()
    session.set_dirty(False)  # as File → New leaves it
    seen = recorded(session)
    session.set_dirty(True)  # a run writes the weights: they cannot be compared while it does
    session.set_dirty(True)
    session.save(tmp_path / "xor.npz")
    assert not session.dirty and session.path == tmp_path / "xor.npz"
    assert seen == [("dirty_changed", True), ("path_changed", tmp_path / "xor.npz"), ("dirty_changed", False)]
    session.note_weights_changed()  # nothing changed since the save
    assert not session.dirty


def test_saving_without_a_network_is_refused_in_a_sentence():
    with pytest.raises(ValueError, match="there is no network to save yet"):
        LabSession().save("never.npz")


def test_a_saved_file_opens_as_it_was_saved_and_names_its_split(tmp_path):
    made = LabSession()
    made.load_dataset("xor", (0.6, 0.2, 0.2), seed=3)
    made.make_trainer(Experiment(dataset="xor", hidden=[3], split=(0.6, 0.2, 0.2), train=TrainConfig(seed=3)))
    made.save(tmp_path / "xor.npz")
    session = LabSession()
    session.load_dataset("circles")
    seen = recorded(session)
    session.open_model(tmp_path / "xor.npz")
    assert session.dataset_source == "xor" and np.array_equal(session.dataset.x, made.dataset.x)
    assert np.array_equal(session.splits.test.x, made.splits.test.x)  # the file's split, not circles'
    assert session.network.params.tobytes() == made.network.params.tobytes()
    assert [name for name, _ in seen] == ["dataset_changed", "network_changed", "path_changed"]
    assert not session.dirty and session.path == tmp_path / "xor.npz" and session.epochs_trained == 0


@pytest.mark.parametrize("bad", ["missing", "garbage", "another task"])
def test_a_weight_file_that_fails_to_open_changes_nothing(tmp_path, bad):
    session = xor_session()
    session.save(tmp_path / "open.npz")
    path = tmp_path / "bad.npz"
    if bad == "garbage":
        path.write_bytes(b"not a weight file at all")
    elif bad == "another task":  # two inputs, but one number to predict: not xor's two classes
        save_model(path, SavedModel(Network(2, [LayerSpec(3, "tanh"), LayerSpec(1, "linear")]), "mse", ["y"],
                                    (2,), "none"))
    before = state(session)
    seen = recorded(session)
    with pytest.raises((ValueError, OSError)) as refused:
        session.open_model(path)
    assert state(session) == before and seen == []
    assert "bad.npz" in str(refused.value)


def test_a_file_that_does_not_fit_the_open_dataset_says_why(tmp_path):
    """The window's sentence names the problem, as `nnlab evaluate` does (it used to say only that no
    open dataset fits the file)."""
    session = xor_session()
    save_model(tmp_path / "three.npz", SavedModel(Network(2, [LayerSpec(3, "relu"), LayerSpec(3, "softmax")]),
                                                  "cross_entropy", ["a", "b", "c"], (2,), "none"))
    with pytest.raises(ValueError) as refused:
        session.read_model(tmp_path / "three.npz")
    assert str(refused.value) == "three.npz: the model knows 3 classes but 'xor' has 2; open a matching dataset first"


def test_a_dataset_that_fails_to_open_changes_nothing():
    session = xor_session()
    before = state(session)
    seen = recorded(session)
    with pytest.raises(ValueError, match="there is no built-in dataset or file called 'no-such-set'"):
        session.load_dataset("no-such-set")
    assert state(session) == before and seen == []


def test_a_lessons_network_is_adopted_untrained_from_no_file(tmp_path):
    session = xor_session()
    session.save(tmp_path / "xor.npz")
    session.network.params[0] += 1
    session.note_weights_changed()
    lesson_network = session.network.copy()
    session.adopt_network(lesson_network, "cross_entropy")
    assert session.network is lesson_network and session.path is None and not session.dirty
    assert session.epochs_trained == 0 and session.experiment is None


def test_set_path_is_public_and_says_so():
    session = LabSession()
    seen = recorded(session)
    session.set_path(None)
    assert seen == [("path_changed", None)] and session.path is None
