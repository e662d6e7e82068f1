"""A private X server for tests and screenshots: ``with virtual_display() as display: ...``.

``Xvfb -displayfd`` picks a free display number itself and writes it to a pipe, so parallel
runs on one machine never fight over ``:99``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

SCREEN = "1280x800x24"


def xvfb_missing() -> str | None:
    """Why an X screen cannot be had here, or None."""
    missing = [tool for tool in ("Xvfb", "import", "xwininfo") if shutil.which(tool) is None]
    if missing:
        return (f"{', '.join(missing)} not installed (Debian: apt-get install xvfb imagemagick x11-utils; "
                ".ci/run does it)")
    return None


@contextmanager
def virtual_display(screen: str = SCREEN, timeout_s: float = 20.0):
    """Start Xvfb on a free display; yields ``":N"`` and stops the server afterwards."""
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-screen", "0", screen, "-nolisten", "tcp"],
                              pass_fds=[write_end], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_end)
    try:
        number = _read_display_number(read_end, timeout_s)
        if not number:
            server.kill()
            raise RuntimeError(f"Xvfb did not start: {server.communicate()[1].decode(errors='replace')[-500:]}")
        yield f":{number}"
    finally:
        os.close(read_end)
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _read_display_number(fd: int, timeout_s: float) -> str:
    import select

    ready, _, _ = select.select([fd], [], [], timeout_s)
    return os.read(fd, 64).decode().strip() if ready else ""


def screenshot(display: str, path: Path) -> None:
    """The whole X screen as a PNG (ImageMagick's ``import``)."""
    subprocess.run(["import", "-display", display, "-window", "root", str(path)], check=True,
                   capture_output=True, timeout=30)


def window_names(display: str) -> list[str]:
    """Titles of the windows on the screen (``xwininfo -root -tree``)."""
    tree = subprocess.run(["xwininfo", "-display", display, "-root", "-tree"], capture_output=True, text=True,
                          timeout=30, check=True).stdout
    return [line.split('"')[1] for line in tree.splitlines() if line.count('"') >= 2]


def smoke_on_xvfb(executable: Path, shot: Path, home: Path, hold_s: float = 5.0) -> dict:
    """Run ``executable --smoke`` on a fresh Xvfb in a clean environment and photograph the screen
    while the window is held open. Returns the summary line, window titles, exit code and stderr."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "xcb"}
    with virtual_display() as display:
        app = subprocess.Popen([str(executable), "--smoke", "--smoke-hold", str(hold_s)], cwd=home,
                               env={**env, "DISPLAY": display}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
        titles = []
        try:
            line = app.stdout.readline().strip()
            if line.startswith("nnlab smoke ok"):
                time.sleep(1.0)  # the X server composes the last repaint
                titles = window_names(display)
                screenshot(display, shot)
            _, stderr = app.communicate(timeout=60)
        finally:
            if app.poll() is None:
                app.kill()
                app.wait()
    return {"line": line, "titles": titles, "returncode": app.returncode, "stderr": stderr}


if __name__ == "__main__":
    import sys
    import tempfile

    # python packaging/xvfb.py dist/nnlab/nnlab docs/bundle-xvfb.png
    with tempfile.TemporaryDirectory() as home:
        outcome = smoke_on_xvfb(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve(), Path(home))
    print(outcome["line"], outcome["titles"], f"exit {outcome['returncode']}")
    sys.exit(outcome["returncode"])
