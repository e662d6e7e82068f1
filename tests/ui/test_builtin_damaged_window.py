"""Choosing a built-in dataset whose shipped file is damaged shows one sentence, asks nothing and keeps
the dataset and network the window had."""
import shutil

import numpy as np

from nnlab.data import builtin
from nnlab.resources import resource_path


def test_a_damaged_builtin_keeps_the_open_dataset_and_network(window, errors, questions, tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    folder.mkdir()
    with np.load(resource_path("datasets", "digits.npz")) as good:
        np.savez(folder / "digits.npz", x=good["x"])  # the labels are missing
    monkeypatch.setattr(builtin, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(builtin, "_cache", {})
    session = window.session
    dataset, network, source = session.dataset, session.network, session.dataset_source
    session.set_dirty(True)

    assert not window.choose_dataset("digits")
    assert errors == [("Could not open the dataset", f"the built-in dataset digits is damaged "
                       f"({folder / 'digits.npz'}, array 'y': the archive has no such array); reinstall NN Lab "
                       "(in a source checkout: run `python scripts/build_datasets.py`)")]
    assert questions["asked"] == 0
    assert (session.dataset, session.network, session.dataset_source) == (dataset, network, source) == \
        (dataset, network, "xor")
    assert window.run_settings.dataset == "xor" and session.dirty


def test_the_window_opens_the_digits_again_once_the_file_is_sound(window, errors, tmp_path, monkeypatch):
    folder = tmp_path / "datasets"
    folder.mkdir()
    (folder / "digits.npz").write_bytes(resource_path("datasets", "digits.npz").read_bytes()[:1000])
    monkeypatch.setattr(builtin, "resource_path", lambda *parts: tmp_path.joinpath(*parts))
    monkeypatch.setattr(builtin, "_cache", {})
    assert not window.choose_dataset("digits") and len(errors) == 1
    shutil.copy(resource_path("datasets", "digits.npz"), folder / "digits.npz")
    assert window.choose_dataset("digits") and window.session.dataset_source == "digits" and len(errors) == 1
