"""``nnlab info`` on a weight file whose meta is not usable text or numbers: exit code 2, nothing
on stdout, and one sentence on stderr naming the file and the field — never half a summary or a
traceback."""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine.network import LayerSpec, Network

REPO = Path(__file__).resolve().parents[2]


def nnlab(*args, cwd):
    env = {**os.environ, "PYTHONPATH": str(REPO), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "nnlab", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def with_meta(folder: Path, name: str, change) -> Path:
    """A valid weight file, then the same arrays with ``change(meta)`` applied to its meta."""
    network = Network(4, [LayerSpec(3, "relu"), LayerSpec(2, "softmax")], seed=1)
    path = folder / name
    save_model(path, SavedModel(network, "cross_entropy", ["cat", "dog"], (4,), "none"))
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    meta = json.loads(arrays["meta"].item())
    change(meta)
    arrays["meta"] = np.array(json.dumps(meta))  # ensure_ascii: "\ud800" travels as a JSON escape
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)
    return path


def _lone_surrogate(meta):
    meta["classes"][1] = "d\ud800g"


def _huge_dropout(meta):
    meta["layers"][0]["dropout"] = 10**400


CASES = {
    "lone surrogate in a class name": (_lone_surrogate, "meta's classes[1] is not valid Unicode text"),
    "dropout of 10**400": (_huge_dropout, "meta's layers[0].dropout is a number beyond the range"),
}


@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
@pytest.mark.parametrize("case", CASES)
def test_info_refuses_the_file_in_one_sentence_naming_it(tmp_path, case, as_json):
    change, field = CASES[case]
    path = with_meta(tmp_path, "shared model.npz", change)
    result = nnlab("info", path.name, *(["--json"] if as_json else []), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # not half a summary
    assert result.stderr.startswith(f"nnlab info: error: {path.name}: ")
    assert field in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.endswith(".\n")
    assert "Traceback" not in result.stderr


def test_info_refuses_a_meta_code_beyond_unicode(tmp_path):
    """Code 0x110000 in meta's array used to become a Python str that raised SystemError."""
    good = with_meta(tmp_path, "good.npz", lambda meta: None)
    with np.load(good, allow_pickle=False) as archive:
        text = archive["meta"].item()
    codes = np.frombuffer(np.array(text).tobytes(), "<u4").copy()
    codes[text.index('"dog"') + 1] = 0x110000
    bad = tmp_path / "beyond.npz"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for info in source.infolist():
            if info.filename != "meta.npy":
                target.writestr(info.filename, source.read(info))
        with target.open("meta.npy", "w") as member:
            np.lib.format.write_array(member, np.frombuffer(codes.tobytes(), f"<U{len(codes)}").reshape(()))
    result = nnlab("info", bad.name, cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr.startswith("nnlab info: error: beyond.npz: meta holds code 0x110000 at character ")
    assert result.stderr.count("\n") == 1
