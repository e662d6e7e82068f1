"""The standalone app's figures: build time, sizes, and launch → first window, source vs bundle.

    python benchmarks/bundle_start.py [--runs 5] [--no-build DIST] [--json]

Builds the one-folder bundle and the one-file executable (timed) into build/bench-bundle/,
then measures, for ``python -m nnlab`` from source, the one-folder bundle and the one-file
executable, the time from launch to the first shown window (``--startup-probe``, offscreen):
warm (files in the page cache; one unmeasured run first) and cold (every file the run reads
evicted from the page cache with posix_fadvise(DONTNEED) before each run — no root needed, and
other programs' cached files stay cached). Prints medians and p95 with the bundle/source ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "packaging"))


def evict(paths) -> int:
    """Drop these files (recursively) from the page cache; returns how many files."""
    count = 0
    for root in paths:
        root = Path(root)
        files = [root] if root.is_file() else (p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        for path in files:
            try:
                fd = os.open(path, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
                count += 1
            finally:
                os.close(fd)
    return count


def source_files() -> list[Path]:
    """What `python -m nnlab` reads: the interpreter, its standard library, the packages, the repo."""
    site = Path(sysconfig.get_paths()["purelib"])
    libdir = Path(sysconfig.get_config_var("LIBDIR") or "")
    return [Path(sys.executable).resolve(), Path(sysconfig.get_paths()["stdlib"]),
            *(site / name for name in ("PySide6", "shiboken6", "numpy", "numpy.libs", "pyqtgraph", "tqdm",
                                       "threadpoolctl.py")),
            *libdir.glob("libpython3*.so*"), REPO / "nnlab", REPO / "resources"]


def time_to_window(command: list[str], env: dict, cwd: Path) -> float:
    started = time.time()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    if result.returncode != 0 or not result.stdout.startswith("shown "):
        raise RuntimeError(f"{command[0]} failed: {result.stderr[-500:]}")
    return float(result.stdout.split()[1]) - started


def measure(command, env, cwd, files, runs: int) -> dict:
    time_to_window(command, env, cwd)  # warm-up: the page cache holds every file now
    warm = [time_to_window(command, env, cwd) for _ in range(runs)]
    cold = []
    for _ in range(runs):
        evict(files)
        cold.append(time_to_window(command, env, cwd))
    return {"warm": warm, "cold": cold}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", type=Path, default=None, metavar="DIST",
                        help="measure an existing dist/ (with nnlab/ and the one-file nnlab-VERSION)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from build import build, version

    figures: dict = {}
    out = REPO / "build" / "bench-bundle"
    if args.no_build:
        folder, onefile = args.no_build / "nnlab", args.no_build / f"nnlab-{version()}"
    else:
        started = time.perf_counter()
        folder = build(dist=out / "dist", work=out / "work")
        figures["build_folder_s"] = time.perf_counter() - started
        started = time.perf_counter()
        onefile = build(onefile=True, dist=out / "dist", work=out / "work-onefile")
        figures["build_onefile_s"] = time.perf_counter() - started
    figures["folder_mib"] = folder_bytes(folder) / 2**20
    with tempfile.TemporaryDirectory() as scratch:
        archive = Path(scratch) / "nnlab.tar.gz"
        with tarfile.open(archive, "w:gz", compresslevel=6) as tar:
            tar.add(folder, arcname="nnlab")
        figures["folder_tar_gz_mib"] = archive.stat().st_size / 2**20
        figures["onefile_mib"] = onefile.stat().st_size / 2**20

        home = Path(scratch)
        base = {"QT_QPA_PLATFORM": "offscreen", "NNLAB_SETTINGS": str(home / "s.ini"), "LANG": "C.UTF-8"}
        clean = {"PATH": "/usr/bin:/bin", "HOME": str(home), **base}
        runs = {
            "source": measure([sys.executable, "-m", "nnlab", "--startup-probe"],
                              {**os.environ, **base, "PYTHONPATH": str(REPO)}, home, source_files(), args.runs),
            "one-folder": measure([str(folder / "nnlab"), "--startup-probe"], clean, home, [folder], args.runs),
            "one-file": measure([str(onefile), "--startup-probe"], clean, home, [onefile], args.runs),
        }
    figures["start_s"] = runs
    if args.json:
        print(json.dumps(figures))
        return 0
    for key in ("build_folder_s", "build_onefile_s"):
        if key in figures:
            print(f"{key.replace('_', ' ')[:-2]:<22} {figures[key]:6.1f} s")
    print(f"one-folder size         {figures['folder_mib']:6.0f} MiB  ({figures['folder_tar_gz_mib']:.0f} MiB as .tar.gz)")
    print(f"one-file size           {figures['onefile_mib']:6.0f} MiB")
    print(f"launch -> first window ({args.runs} runs each; median / p95, and median over source's)")
    source = {kind: statistics.median(runs["source"][kind]) for kind in ("warm", "cold")}
    for name, result in runs.items():
        cells = []
        for kind in ("warm", "cold"):
            median = statistics.median(result[kind])
            cells.append(f"{kind} {median:5.2f} / {p95(result[kind]):5.2f} s ({median / source[kind]:4.2f}x)")
        print(f"  {name:<11} " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
