"""Weights written in place outside a run (a Backprop step applied by hand, its Undo, a script's own trainer) are
announced by the session itself — views hear ``network_changed`` once — and are unsaved only while they differ."""
from nnlab.data.experiment import Experiment
from nnlab.engine import TrainConfig
from nnlab.lab import LabSession


def test_weights_written_in_place_are_announced_once_and_unsaved_only_while_they_differ():
    session = LabSession()
    session.load_dataset("xor")
    network = session.new_network(Experiment(dataset="xor", hidden=[3], train=TrainConfig(epochs=1)))
    session.set_dirty(False)
    heard, dirty = [], []
    session.network_changed.connect(heard.append)
    session.dirty_changed.connect(dirty.append)
    saved = network.params.copy()
    network.params[0] += 0.5
    session.weights_written()
    assert heard == [network] and session.dirty and dirty == [True]
    network.params[...] = saved  # an Undo: bit for bit the weights last built
    session.weights_written()
    assert heard == [network, network] and not session.dirty and dirty == [True, False]


def test_without_a_network_nothing_is_announced():
    session = LabSession()
    heard = []
    session.network_changed.connect(heard.append)
    session.weights_written()
    assert heard == [] and not session.dirty
