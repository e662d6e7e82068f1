"""The seeded short run of ``scripts/fuzz_files.py``: mutated weight files, session files and datasets of every format.

Asserts, for every file: only the documented error (DatasetFormatError / WeightFileError / SessionFileError, naming
the file in one line), nothing unpickled, a loaded result that keeps its contract, the window's
session unchanged after a failed open (a sample), time under a generous cap and tracemalloc peak
under a stated one. The long run (10,000 files of each kind) is the script itself.
"""
import importlib.util
import io
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_script():
    spec = importlib.util.spec_from_file_location("fuzz_files", ROOT / "scripts" / "fuzz_files.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("fuzz_files", module)
    spec.loader.exec_module(module)
    return module


fuzz_files = _load_script()
from fuzzing import oracle, runner  # noqa: E402  (importable once the script has put scripts/ on the path)

SEED = 12
# Files per kind in the short run: ~25 s together on this 2-core machine, well inside 60 s in CI.
COUNTS = {"datasets": 700, "weights": 450, "sessions": 300, "conv": 250}
SESSION_EVERY = 4  # a quarter of the files are opened through the window's LabSession too


def _describe(summary) -> str:
    out = io.StringIO()
    sys.stdout, saved = out, sys.stdout
    try:
        fuzz_files.report(summary)
    finally:
        sys.stdout = saved
    return out.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["datasets", "weights", "sessions", "conv"])
def test_seeded_fuzz_finds_nothing(kind):
    summary = runner.run_many(kind, COUNTS[kind], SEED, session_every=SESSION_EVERY)
    report = _describe(summary)
    assert summary.count == COUNTS[kind]
    assert summary.problems == 0, report
    # the run exercised what it claims to check: both outcomes, the session, the pickle guard
    assert summary.statuses["loaded"] > 0 and summary.statuses["refused"] > summary.statuses["loaded"], report
    assert summary.session_statuses["refused"] > 0, report
    assert summary.object_members > 0, report
    assert summary.worst_peak["peak_bytes"] <= runner.peak_cap(summary.worst_peak["bytes"]), report


# -- the oracle is not blind: each finding it must report, shown on a loader that has the fault ------

def _case(tmp_path, monkeypatch, kind, loader):
    monkeypatch.setitem(oracle.LOADERS, kind, loader)
    (tmp_path / "f.npz").write_bytes(b"")
    return oracle.load_once(kind, tmp_path / "f.npz", tmp_path)


def test_oracle_reports_an_undocumented_exception(tmp_path, monkeypatch):
    def fails(path):
        return b"raw".ndim  # the old importer's AttributeError

    outcome = _case(tmp_path, monkeypatch, "datasets", fails)
    assert (outcome.status, outcome.error) == ("escaped", "AttributeError")


def test_oracle_catches_unpickling_even_when_the_loader_swallows_it(tmp_path, monkeypatch):
    obj = np.empty(2, dtype=object)
    obj[:] = [{"a": 1}, None]
    np.savez(tmp_path / "obj.npz", x=obj)

    def unpickles(path):
        with np.load(tmp_path / "obj.npz", allow_pickle=True) as archive:
            return archive["x"]

    def swallows(path):
        try:
            return unpickles(path)
        except BaseException:  # noqa: BLE001 — a loader that hides the signal is still caught
            from nnlab.data.errors import DatasetFormatError
            raise DatasetFormatError(path, None, "refused") from None

    assert _case(tmp_path, monkeypatch, "datasets", unpickles).status == "unpickled"
    assert _case(tmp_path, monkeypatch, "datasets", swallows).status == "unpickled"


def test_oracle_reports_wrong_results_and_vague_refusals(tmp_path, monkeypatch):
    from nnlab.data.dataset import Dataset
    from nnlab.data.errors import DatasetFormatError

    def no_features(path):
        return Dataset("d", np.zeros((3, 0)), np.array([0, 1, 0]), ["a", "b"], (0,))

    def images_below_zero(path):
        return Dataset("d", np.full((2, 4), -0.5), np.array([0, 1]), ["a", "b"], (2, 2), "resize")

    def unnamed(path):
        raise DatasetFormatError("elsewhere.csv", None, "bad")

    assert _case(tmp_path, monkeypatch, "datasets", no_features).status == "wrong"
    assert _case(tmp_path, monkeypatch, "datasets", images_below_zero).status == "wrong"
    assert _case(tmp_path, monkeypatch, "datasets", unnamed).status == "vague"


def test_oracle_reports_a_failed_open_that_changed_the_session(tmp_path, qapp):
    lab = oracle.open_session(tmp_path)
    assert oracle.load_in_session("datasets", tmp_path / "missing.csv", lab) == ("refused", "")

    class Careless:
        """A session whose open half-replaces its network before failing."""

        def __init__(self, real):
            self.__dict__.update({key: getattr(real, key) for key in ("network", "dataset", "splits",
                                  "dataset_source", "path", "dirty", "loss", "epochs_trained", "experiment")})

        def load_dataset(self, source):
            self.network.params[0] += 1.0
            raise ValueError("no")

    assert oracle.load_in_session("datasets", tmp_path / "x.csv", Careless(lab))[0] == "session changed"


def test_time_and_memory_verdicts():
    case = {"status": "refused", "cpu_seconds": runner.SLOW_SECONDS * 1.5, "peak_bytes": 0, "bytes": 10}
    assert runner.judge(dict(case), 0.001)["status"] == "slow"
    case = {"status": "loaded", "cpu_seconds": 0.01, "peak_bytes": runner.peak_cap(1000) + 1, "bytes": 1000}
    assert runner.judge(dict(case), 0.001)["status"] == "blow-up"
    assert runner.judge({**case, "bytes": 10**6}, 0.001)["status"] == "loaded"  # a big file may need more
    assert runner.judge({**case, "peak_bytes": 1000}, 0.001)["status"] == "loaded"


def test_replay_writes_the_same_case_twice(tmp_path, capsys):
    fuzz_files.main(["--replay", "datasets", str(SEED), "17", "--out", str(tmp_path / "a")])
    fuzz_files.main(["--replay", "datasets", str(SEED), "17", "--out", str(tmp_path / "b")])
    first, second = capsys.readouterr().out.splitlines()[0::2]
    assert first == second
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert files and all((tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes() for f in files)


def test_a_meta_broken_by_an_earlier_mutation_is_skipped_not_a_harness_error():
    """Session case 2507 of seed 7: one step broke meta.npy's header text ('#'), and the next step's
    reading of meta raised NumPy's tokenize.TokenError inside the harness (reported as a finding)."""
    from fuzzing import zip_ops

    good = io.BytesIO()
    np.save(good, np.array('{"format": "nnlab-weights"}'))
    broken = good.getvalue().replace(b"'descr'", b"#'descr'", 1)
    members = [("meta.npy", broken)]
    kept, what = zip_ops.meta_json_op(members, np.random.default_rng(0))
    assert kept == members and what == "meta unreadable"
