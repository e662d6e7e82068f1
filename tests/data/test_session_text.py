"""Text a session file holds is printed (``nnlab info``) and shown, so none of it may steer a terminal: a run's
name, the dataset's path, a run's dataset name, a drawn sample's file, an event's words — a control character
or a bidirectional override in any of them is refused at load in one sentence naming the file and the field,
as a weight file's class names are; saving refuses the same."""
import pytest

from nnlab.data import session_file
from nnlab.data.session_file import SessionFileError, load_session, save_session

from .damaged_npz import unpickled
from .test_session_file import _set, make_document

FIELDS = {
    "run name": ("runs/0/name", "run 1\x1b[31m", "runs[0].name holds the control character U+001B at character 6"),
    "run name reversed": ("runs/1/name", "lr \u202e10.0", "runs[1].name holds the control character U+202E at "
                          "character 4"),
    "dataset path": ("dataset/source", "/home/me/\x1b]0;owned\x07data.csv",
                     "dataset.source holds the control character U+001B at character 10"),
    "run's dataset name": ("runs/0/dataset/name", "xor\r\nrun 9", "runs[0].dataset.name holds the control character "
                           "U+000D at character 4"),
    "drawn sample file": ("runs/0/user_samples/0", "1700\u2066-1.npz", "runs[0].user_samples[0] holds the control "
                          "character U+2066 at character 5"),
    "event words": ("runs/0/events/1/text", "stopped by\x9b2J you", "runs[0].events[1].text holds the control "
                    "character U+009B at character 11"),
}


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "good.nnlab"
    save_session(path, make_document())
    return path


@pytest.mark.parametrize("field", FIELDS)
def test_a_steering_character_in_session_text_is_refused_at_load(tmp_path, good, field, monkeypatch):
    where, text, problem = FIELDS[field]
    bad = tmp_path / "shared.nnlab"
    _set(where, text)(good, bad)
    built = []
    monkeypatch.setattr(session_file, "Network", lambda *a, **k: built.append(a))
    with pytest.raises(SessionFileError) as caught:
        load_session(bad)
    assert str(caught.value) == f"{bad}: meta's {problem}, which would steer the terminal it is printed in."
    assert built == [] and unpickled == []


def test_saving_refuses_the_same_and_keeps_the_file(good):
    before = good.read_bytes()
    document = make_document()
    document.runs[0].name = "run \u202e1"
    with pytest.raises(SessionFileError, match=r"runs\[0\]\.name holds the control character U\+202E"):
        save_session(good, document)
    assert good.read_bytes() == before


def test_accents_right_to_left_scripts_and_emoji_stay(tmp_path, good):
    document = make_document()
    document.runs[0].name = "שלום ✓ café 👩‍🔬"
    path = tmp_path / "kept.nnlab"
    save_session(path, document)
    assert load_session(path).runs[0].name == "שלום ✓ café 👩‍🔬"
