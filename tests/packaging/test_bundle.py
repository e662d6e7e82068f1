"""Build the one-folder bundle and prove it alive: offscreen in a clean environment, and on a real X server.

Slow (a PyInstaller build, ~30 s on 2 cores) but run by ``.ci/run``: a bundle nobody starts rots silently.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from xvfb import smoke_on_xvfb, xvfb_missing

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="the bundle test drives Linux tools (env -i, Xvfb); Windows and macOS "
                                        "builds follow the README recipe")]


def clean_environment(home: Path, **extra: str) -> dict[str, str]:
    """What `env -i PATH=... HOME=... LANG=C.UTF-8` leaves: no PYTHONPATH, no virtualenv, no Qt variables."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    pytest.importorskip("PyInstaller", reason="PyInstaller is missing: pip install '.[test]'")
    from build import build

    out = tmp_path_factory.mktemp("bundle")
    try:
        folder = build(dist=out / "dist", work=out / "work")
    except RuntimeError as error:
        pytest.fail(str(error))
    executable = folder / "nnlab"
    assert executable.is_file() and os.access(executable, os.X_OK)
    return folder


def test_bundle_carries_resources_and_leaves_out_what_it_does_not_use(bundle):
    inside = bundle / "_internal"
    shipped = {p.relative_to(REPO / "resources") for p in (REPO / "resources").rglob("*") if p.is_file()}
    bundled = {p.relative_to(inside / "nnlab" / "resources") for p in (inside / "nnlab" / "resources").rglob("*")
               if p.is_file()}
    assert shipped and shipped <= bundled
    platforms = {p.name for p in (inside / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert platforms == {"libqxcb.so", "libqwayland.so", "libqoffscreen.so"}
    names = {p.name for p in inside.rglob("*")}
    assert not {"libqgtk3.so", "libgtk-3.so.0", "libcairo.so.2", "libQt6Network.so.6"} & names
    assert not any(name.endswith(".qm") for name in names)
    for kept in ("libQt6OpenGL.so.6", "libQt6OpenGLWidgets.so.6", "libQt6Svg.so.6", "libxcb-cursor.so.0"):
        assert kept in names, kept


def test_smoke_passes_from_a_clean_environment_elsewhere(bundle, tmp_path):
    home, elsewhere = tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    elsewhere.mkdir()
    result = subprocess.run([str(bundle / "nnlab"), "--smoke"], cwd=elsewhere, capture_output=True, text=True,
                            env=clean_environment(home, QT_QPA_PLATFORM="offscreen"), timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    (line,) = result.stdout.splitlines()
    assert line.startswith("nnlab smoke ok: nnlab ") and ", offscreen, xor 1 epoch loss " in line
    assert "weights saved+reopened" in line and "stroke -> " in line and "font " in line
    assert "Traceback" not in result.stderr
    assert not any(home.iterdir()), "the smoke run wrote into HOME (settings must stay throw-away)"
    assert not any(elsewhere.iterdir())


def test_bundle_opens_its_window_on_a_real_x_server(bundle, tmp_path):
    problem = xvfb_missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem}: .ci/run should have installed it")
        pytest.skip(problem)
    from PySide6.QtGui import QImage

    shot = tmp_path / "bundle-xvfb.png"
    outcome = smoke_on_xvfb(bundle / "nnlab", shot, tmp_path)
    line, titles = outcome["line"], outcome["titles"]
    assert outcome["returncode"] == 0 and line.startswith("nnlab smoke ok: nnlab "), line + outcome["stderr"][-2000:]
    assert ", xcb, " in line
    assert any(title.endswith("NN Lab") for title in titles), titles
    image = QImage(str(shot))
    assert (image.width(), image.height()) == (1280, 800)
    colours = {image.pixel(x, y) for x in range(0, 1280, 16) for y in range(0, 800, 16)}
    assert len(colours) > 20, "the screen is (nearly) one colour: nothing was drawn"
