"""Build NN Lab's standalone app with PyInstaller: ``python packaging/build.py [--onefile]``.

One-folder (``dist/nnlab/``) by default, one executable (``dist/nnlab-VERSION``, ``.exe`` on
Windows) with ``--onefile``. A library PyInstaller could not find makes a bundle that opens no window on
another machine, so any "Library not found" warning (GTK's excepted: only the dropped GTK theme
wants those) fails the build.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from lean import GTK_LIBRARY  # noqa: E402

MISSING_LIBRARY = re.compile(r"Library not found: could not resolve '([^']+)'")


def missing_libraries(log: str) -> list[str]:
    """Libraries PyInstaller warned it could not find, GTK's left aside."""
    return sorted({name for name in MISSING_LIBRARY.findall(log) if not GTK_LIBRARY.match(name)})


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def build(onefile: bool = False, console: bool = False, dist: Path = REPO / "dist",
          work: Path = REPO / "build") -> Path:
    """Run PyInstaller; returns the built folder or file. Raises RuntimeError on any failure."""
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
               "--distpath", str(dist), "--workpath", str(work), str(HERE / "nnlab.spec")]
    spec_args = [flag for flag, on in (("--onefile", onefile), ("--console", console)) if on]
    if spec_args:
        command += ["--", *spec_args]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    log = result.stdout + result.stderr
    (work / "build.log").parent.mkdir(parents=True, exist_ok=True)
    (work / "build.log").write_text(log, "utf-8")
    if result.returncode != 0:
        raise RuntimeError(f"PyInstaller failed (exit {result.returncode}); last lines:\n"
                           + "\n".join(log.splitlines()[-15:]))
    missing = missing_libraries(log)
    if missing:
        raise RuntimeError("PyInstaller could not find these libraries, so the bundle would not start on "
                           f"another machine: {', '.join(missing)} — install them (see .ci/run) and build again")
    if onefile:
        return dist / f"nnlab-{version()}{'.exe' if sys.platform == 'win32' else ''}"
    return dist / "nnlab"


def version() -> str:
    import tomllib

    return tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["version"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--onefile", action="store_true", help="one executable instead of a folder")
    parser.add_argument("--console", action="store_true", help="Windows/macOS: keep a console window "
                        "(test builds; a windowed build has no stdout)")
    parser.add_argument("--dist", type=Path, default=REPO / "dist", help="where the app goes (default dist/)")
    parser.add_argument("--work", type=Path, default=REPO / "build", help="PyInstaller's work folder")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        built = build(args.onefile, args.console, args.dist.resolve(), args.work.resolve())
    except RuntimeError as error:
        print(f"build: error: {error}", file=sys.stderr)
        return 1
    size = folder_size(built) if built.is_dir() else built.stat().st_size
    print(f"built {built} ({size / 2**20:.0f} MiB) in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
