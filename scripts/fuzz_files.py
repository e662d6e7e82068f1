"""Fuzz the files NN Lab reads: mutated weight files and datasets of every importer's format.

    python scripts/fuzz_files.py --kind all --count 10000 --seed 1
    python scripts/fuzz_files.py --replay datasets 1 4711 --out /tmp/case   # write one case to look at

Prints, per kind, the count of each outcome (loaded, refused — and the findings: escaped,
unpickled, wrong, vague, slow, blow-up, hang, crash, session changed, session escaped), the
worst time and worst peak memory per file, and every finding with its recipe. Exit code 1 when
there is any finding. The short seeded run is ``tests/data/test_fuzz_files.py``.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the fuzzing package beside this script

from fuzzing.mutate import KINDS, make_case  # noqa: E402
from fuzzing.runner import (HANG_SECONDS, PEAK_FLOOR_BYTES, PEAK_PER_FILE_BYTE, SLOW_SECONDS,  # noqa: E402
                            Summary, run_many)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kind", choices=[*KINDS, "all"], default="all")
    parser.add_argument("--count", type=int, default=10_000, help="files of each kind")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start", type=int, default=0, help="first case number (to resume or split a run)")
    parser.add_argument("--session-every", type=int, default=10,
                        help="open every Nth file through the window's session too (0: never)")
    parser.add_argument("--replay", nargs=3, metavar=("KIND", "SEED", "INDEX"),
                        help="write one case to --out instead of running")
    parser.add_argument("--out", type=Path, help="folder for --replay")
    args = parser.parse_args(argv)
    if args.replay:
        return replay(args.replay[0], int(args.replay[1]), int(args.replay[2]), args.out)
    kinds = KINDS if args.kind == "all" else (args.kind,)
    print(f"limits: slow = over {SLOW_SECONDS:g} s of CPU time; "
          f"blow-up = tracemalloc peak over {PEAK_FLOOR_BYTES / 2**20:g} MiB + {PEAK_PER_FILE_BYTE}x the files' size; "
          f"hang = no answer in {HANG_SECONDS:g} s")
    problems = 0
    for kind in kinds:
        summary = run_many(kind, args.count, args.seed, args.start, args.session_every, progress=_progress)
        print(file=sys.stderr)
        report(summary)
        problems += summary.problems
    return 1 if problems else 0


def replay(kind: str, seed: int, index: int, out: Path | None) -> int:
    out = out or Path(tempfile.mkdtemp(prefix="nnlab-fuzz-case-"))
    with tempfile.TemporaryDirectory() as tmp:
        path, recipe = make_case(kind, seed, index, Path(tmp))
        shutil.copytree(tmp, out, dirs_exist_ok=True)
    print(f"{recipe}\nload: {out / path.relative_to(tmp)}")
    return 0


def report(summary: Summary) -> None:
    print(f"\n== {summary.kind}: {summary.count:,} files, seed {summary.seed}, {summary.wall_seconds:.0f} s")
    for status, n in sorted(summary.statuses.items(), key=lambda item: -item[1]):
        print(f"  {status:>16}: {n:,}")
    if summary.session_statuses:
        shown = ", ".join(f"{status} {n:,}" for status, n in summary.session_statuses.most_common())
        print(f"  through the window's session: {shown}")
    print(f"  object-dtype members planted: {summary.object_members:,} (pickle never called: "
          f"{'yes' if not summary.statuses['unpickled'] else 'NO'})")
    for label, worst, value in (("worst time", summary.worst_seconds, lambda c: f"{c['seconds'] * 1000:.1f} ms"),
                                ("worst CPU time", summary.worst_cpu, lambda c: f"{c['cpu_seconds'] * 1000:.1f} ms"),
                                ("worst time / seed's time", summary.worst_ratio, lambda c: f"{c['ratio']:.0f}x"),
                                ("worst tracemalloc peak", summary.worst_peak,
                                 lambda c: f"{c['peak_bytes'] / 2**20:.2f} MiB"),
                                ("worst RSS growth", summary.worst_rss,
                                 lambda c: f"{c['rss_bytes'] / 2**20:.1f} MiB")):
        if worst:
            print(f"  {label}: {value(worst)} (case {worst['index']}: {worst['recipe'][:110]})")
    kinds = Counter(f"{case['status']} {case['error']}".strip() for case in summary.findings)
    if kinds:
        print("  findings by kind: " + ", ".join(f"{kind} {n:,}" for kind, n in kinds.most_common()))
    for case in summary.findings[:50]:
        print(f"  FINDING {case['status']}/{case.get('session')} case {case['index']}: {case['recipe'][:140]}\n"
              f"      {case['error']}: {case['message'][:200]} {case.get('session_detail', '')[:200]}")


def _progress(summary: Summary) -> None:
    if summary.count % 250 == 0:
        print(f"\r{summary.kind}: {summary.count:,} files, {summary.problems} finding(s)", end="",
              file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
