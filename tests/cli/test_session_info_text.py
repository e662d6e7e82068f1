"""``nnlab info`` on a shared session file whose run name holds a terminal escape or a bidirectional override:
exit code 2 and one sentence naming the file and the field — no escape ever reaches the terminal."""
import json

import numpy as np
import pytest

from nnlab.cli import main


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sessions")
    assert main(["train", "--dataset", "xor", "--layers", "4", "--epochs", "2", "--session",
                 str(folder / "good.nnlab")]) == 0
    return folder / "good.nnlab"


def renamed(good, bad, name: str) -> None:
    with np.load(good, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(arrays["meta"].item())
    meta["runs"][0]["name"] = name
    arrays["meta"] = np.array(json.dumps(meta))
    with open(bad, "wb") as handle:
        np.savez(handle, **arrays)


@pytest.mark.parametrize("name, code", [("run 1\x1b[2J\x1b[31mall good", "U+001B"), ("\u202erun 1", "U+202E")])
def test_info_refuses_a_run_name_that_steers_the_terminal(recorded, tmp_path, capsys, name, code):
    bad = tmp_path / "shared.nnlab"
    renamed(recorded, bad, name)
    capsys.readouterr()
    assert main(["info", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (f"nnlab info: error: {bad}: meta's runs[0].name holds the control character {code} at character "
                   f"{name.index(chr(int(code[2:], 16))) + 1}, which would steer the terminal it is printed in.\n")


def test_info_still_lists_a_good_session(recorded, capsys):
    capsys.readouterr()
    assert main(["info", str(recorded)]) == 0
    assert "1 run" in capsys.readouterr().out
