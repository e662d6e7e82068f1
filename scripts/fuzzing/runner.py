"""Run many cases in a watched worker process and sum up what happened.

The worker makes each case, loads it (``oracle``) and, for a sample, opens it through the
window's session too. The parent gives it one case at a time: a case that does not answer within
HANG_SECONDS is a hang (the worker is killed and replaced), a worker that dies is a crash. The
worker's address space is capped, so a blow-up ends as a MemoryError finding, not a frozen machine.
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import shutil
import statistics
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from . import oracle
from .mutate import make_case
from .seeds import SEEDS

# Time is judged by a generous cap on the worker's CPU time, which other work on a shared machine
# does not inflate the way it does wall-clock time. Loads run under tracemalloc, which slows
# allocation-heavy code several times: the slowest honest case measured here is a weight file of
# 20,000 tiny session.* arrays at 5.2 s (the loader that was quadratic in them took 11.7 s, 30 s of
# wall-clock time). HANG_SECONDS of wall-clock time without an answer ends the worker. The ratio
# to the unmutated seed's own load time is reported too.
SLOW_SECONDS = 10.0
HANG_SECONDS = 60.0
# Memory is judged against what the case's files justify: PEAK_FLOOR_BYTES plus PEAK_PER_FILE_BYTE
# times their size. The seeds are 0.2–9 KB and deflate inflates at most 1,032×, so a mutant's data is
# at most ~10 MB, and a reader holds a few copies of what it read (text, lines, a float64 table:
# ~6× a CSV). A loader that trusts a declared size (2**40 values) blows through this at once.
PEAK_FLOOR_BYTES = 64 * 2**20
PEAK_PER_FILE_BYTE = 8


def peak_cap(file_bytes: int) -> int:
    return PEAK_FLOOR_BYTES + PEAK_PER_FILE_BYTE * file_bytes
# The worker may map this much at most; beyond it allocation fails (MemoryError) instead of
# taking the machine down. Generous next to the 64 MiB cap: Qt and NumPy map a lot up front.
ADDRESS_SPACE_BYTES = 6 * 2**30


@dataclass
class Summary:
    kind: str
    seed: int
    count: int = 0
    statuses: Counter = field(default_factory=Counter)
    session_statuses: Counter = field(default_factory=Counter)
    findings: list[dict] = field(default_factory=list)  # every case that is not loaded/refused
    worst_seconds: dict = field(default_factory=dict)
    worst_cpu: dict = field(default_factory=dict)
    worst_ratio: dict = field(default_factory=dict)
    worst_peak: dict = field(default_factory=dict)
    worst_rss: dict = field(default_factory=dict)
    object_members: int = 0  # cases that planted an object array: the pickle guard was exercised
    wall_seconds: float = 0.0

    def add(self, case: dict) -> None:
        self.count += 1
        self.statuses[case["status"]] += 1
        if case.get("session"):
            self.session_statuses[case["session"]] += 1
        if "object array" in case["recipe"]:
            self.object_members += 1
        if case["status"] not in ("loaded", "refused") or case.get("session") not in (None, "loaded", "refused"):
            self.findings.append(case)
        for key, worst in (("seconds", self.worst_seconds), ("cpu_seconds", self.worst_cpu),
                           ("ratio", self.worst_ratio), ("peak_bytes", self.worst_peak), ("rss_bytes", self.worst_rss)):
            if case.get(key) is not None and case[key] > worst.get(key, -1):
                worst.clear()
                worst.update(case)

    @property
    def problems(self) -> int:
        return len(self.findings)


def judge(case: dict, baseline: float) -> dict:
    """Add the time and memory verdicts to a finished case; ``baseline``: the seed's load time."""
    case["ratio"] = case["cpu_seconds"] / max(baseline, 1e-6)
    if case["status"] in ("loaded", "refused"):
        if case["cpu_seconds"] > SLOW_SECONDS:
            case["status"] = "slow"
        elif case["peak_bytes"] > peak_cap(case["bytes"]):
            case["status"] = "blow-up"
    return case


def run_case(kind: str, seed: int, index: int, lab=None, scratch: Path | None = None) -> dict:
    """Make, load and judge one case in this process (the worker's body); its files go under ``scratch``."""
    with tempfile.TemporaryDirectory(prefix="nnlab-fuzz-", dir=scratch) as tmp:
        folder = Path(tmp)
        path, recipe = make_case(kind, seed, index, folder)
        rss_before = _reset_rss_peak()
        outcome = oracle.load_once(kind, path, folder)
        rss_peak = _proc_status("VmHWM")
        case = {"kind": kind, "seed": seed, "index": index, "recipe": recipe, "status": outcome.status,
                "bytes": _bytes_under(folder),
                "error": outcome.error, "message": outcome.message, "seconds": outcome.seconds,
                "cpu_seconds": outcome.cpu_seconds,
                "peak_bytes": outcome.peak_bytes, "session": None,
                "rss_bytes": rss_peak - rss_before if rss_peak is not None and rss_before is not None else None}
        if lab is not None:
            status, detail = oracle.load_in_session(kind, path, lab)
            case["session"] = status
            if detail:
                case["session_detail"] = detail
    return case


def baselines(kind: str) -> dict[str, float]:
    """Each seed variant's unmutated load time (CPU): the median of 5 loads, after one warm-up."""
    times = {}
    with tempfile.TemporaryDirectory(prefix="nnlab-fuzz-") as tmp:
        for name, write in SEEDS[kind].items():
            folder = Path(tmp) / name.replace(" ", "_")
            folder.mkdir()
            path = write(folder)
            runs = [oracle.load_once(kind, path, folder) for _ in range(6)]
            assert all(run.status == "loaded" for run in runs), (name, runs[0])
            times[name] = statistics.median(run.cpu_seconds for run in runs[1:])
    return times


def _bytes_under(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def run_many(kind: str, count: int, seed: int, start: int = 0, session_every: int = 10,
             progress=None) -> Summary:
    """Cases start..start+count-1 of ``kind`` in a worker process; a session check every ``session_every``."""
    summary, began = Summary(kind, seed), time.perf_counter()
    worker = _Worker(kind, seed, session_every)
    try:
        base = worker.ask("baselines")
        if base is None:
            raise RuntimeError(f"the seeds of {kind} could not be loaded: {worker.failure_detail}")
        for index in range(start, start + count):
            case = worker.ask(index)
            if case is None:  # hung or died: the worker was replaced
                case = {"kind": kind, "seed": seed, "index": index, "recipe": worker.last_recipe(index),
                        "status": worker.failure, "error": "", "message": worker.failure_detail,
                        "seconds": HANG_SECONDS, "cpu_seconds": None, "peak_bytes": 0, "rss_bytes": None,
                        "session": None, "bytes": 0}
                summary.add(case)
            elif case["status"] == "harness error":
                summary.add(case)
            else:
                summary.add(judge(case, base[case["recipe"].split(":")[0]]))
            if progress is not None:
                progress(summary)
    finally:
        worker.close()
    summary.wall_seconds = time.perf_counter() - began
    return summary


class _Worker:
    """One spawned process answering cases; replaced when it hangs or dies."""

    def __init__(self, kind: str, seed: int, session_every: int) -> None:
        self.args = (kind, seed, session_every)
        self.failure, self.failure_detail = "", ""
        self._start()

    def _start(self) -> None:
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.home = Path(tempfile.mkdtemp(prefix="nnlab-fuzz-worker-"))  # removed by close(), even after a kill
        self.process = context.Process(target=_worker_main, args=(child, self.home, *self.args), daemon=True)
        self.process.start()
        child.close()

    def ask(self, request):
        self.conn.send(request)
        if not self.conn.poll(HANG_SECONDS if request != "baselines" else 10 * HANG_SECONDS):
            self.failure, self.failure_detail = "hang", f"no answer within {HANG_SECONDS:g} s"
        else:
            try:
                return self.conn.recv()
            except EOFError:
                self.failure = "crash"
                self.failure_detail = f"the worker died (exit code {self.process.exitcode})"
        self._restart()
        return None

    def last_recipe(self, index: int) -> str:
        try:
            with tempfile.TemporaryDirectory(prefix="nnlab-fuzz-") as tmp:
                return make_case(self.args[0], self.args[1], index, Path(tmp))[1]
        except Exception as error:  # noqa: BLE001
            return f"? (remaking the case failed: {error!r})"

    def _restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        if self.process.is_alive():
            self.process.kill()  # only the worker this runner started
        self.process.join(10)
        self.conn.close()
        shutil.rmtree(self.home, ignore_errors=True)


def _worker_main(conn, home: Path, kind: str, seed: int, session_every: int) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _quiet()
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ["NNLAB_SETTINGS"] = str(home / "settings.ini")  # never the user's settings or drawings
    os.environ["NNLAB_USER_DATA"] = str(home / "user-data")
    _limit_address_space()
    lab = None
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request == "baselines":
            conn.send(baselines(kind))
            continue
        check_session = session_every > 0 and request % session_every == 0
        if check_session and lab is None:
            lab = oracle.open_session(home)
        try:
            case = run_case(kind, seed, request, lab if check_session else None, scratch=home)
        except Exception:  # noqa: BLE001 — a bug in the fuzzer itself: report it, keep going
            case = {"kind": kind, "seed": seed, "index": request, "recipe": "?", "status": "harness error",
                    "error": "", "message": traceback.format_exc()[-600:], "seconds": 0.0, "cpu_seconds": 0.0,
                    "peak_bytes": 0, "rss_bytes": None, "session": None, "bytes": 0}
        if case["session"] == "loaded":
            lab = None  # the load replaced what was open: start the next check from a fresh session
        conn.send(case)


_SILENT_HANDLER = None


def _quiet() -> None:
    """Damaged images make Qt's decoders warn by the thousand, duplicate zip names make zipfile warn:
    the verdicts are in the results, so the worker keeps stderr for its own tracebacks."""
    import warnings

    from PySide6.QtCore import qInstallMessageHandler

    warnings.filterwarnings("ignore", module="zipfile")
    global _SILENT_HANDLER
    _SILENT_HANDLER = lambda *args: None  # noqa: E731 — kept alive: Qt holds no reference of its own
    qInstallMessageHandler(_SILENT_HANDLER)


def _limit_address_space() -> None:
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = ADDRESS_SPACE_BYTES if hard == resource.RLIM_INFINITY else min(ADDRESS_SPACE_BYTES, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError, AttributeError):  # not on this platform: the run still works
        pass


def _reset_rss_peak() -> int | None:
    """Linux: start this process's peak-RSS mark (VmHWM) again from its current RSS, which is returned.

    The RSS growth during a load includes what Qt's image decoders allocate, which tracemalloc
    does not see. None where /proc is absent.
    """
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        return None
    return _proc_status("VmRSS")


def _proc_status(field_name: str) -> int | None:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None
