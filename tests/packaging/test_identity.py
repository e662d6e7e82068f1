"""The app's identity: icon files in every format, the window icon, the .desktop entry, the version."""
from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ICONS = REPO / "resources" / "icons"
sys.path.insert(0, str(REPO / "scripts"))


def test_icon_pngs_have_their_sizes():
    from PySide6.QtGui import QImage

    from make_icons import PNG_SIZES

    for size in PNG_SIZES:
        image = QImage(str(ICONS / f"nnlab-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        assert image.hasAlphaChannel() and image.pixelColor(0, 0).alpha() == 0  # rounded, transparent corner
        assert image.pixelColor(size // 2, size // 2).alpha() == 255
    assert (ICONS / "nnlab.png").read_bytes() == (ICONS / "nnlab-256.png").read_bytes()


def test_ico_and_icns_hold_every_size_as_png():
    from PySide6.QtGui import QImageReader

    from make_icons import ICNS_TYPES, ICO_SIZES

    ico = (ICONS / "nnlab.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(ICO_SIZES))
    for index, size in enumerate(ICO_SIZES):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * index)
        assert (width or 256, height or 256, planes, bits) == (size, size, 1, 32)
        assert ico[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(ico)
    assert QImageReader(str(ICONS / "nnlab.ico")).imageCount() == len(ICO_SIZES)

    icns = (ICONS / "nnlab.icns").read_bytes()
    assert icns[:4] == b"icns" and struct.unpack(">I", icns[4:8])[0] == len(icns)
    position, kinds = 8, []
    while position < len(icns):
        kind, length = icns[position:position + 4], struct.unpack(">I", icns[position + 4:position + 8])[0]
        assert icns[position + 8:position + 16] == b"\x89PNG\r\n\x1a\n"
        kinds.append(kind)
        position += length
    assert position == len(icns) and kinds == list(ICNS_TYPES.values())


def test_make_icons_draws_a_picture_not_a_blank(qapp):
    from make_icons import draw

    image = draw(64)
    colours = {image.pixel(x, y) for x in range(64) for y in range(64)}
    assert len(colours) > 10


def test_window_icon_offers_every_size(qapp):
    from nnlab.app import ICON_SIZES, app_icon

    sizes = {size.width() for size in app_icon().availableSizes()}
    assert sizes == set(ICON_SIZES)


def test_desktop_entry_starts_the_installed_command_with_the_shipped_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(REPO / "packaging" / "nnlab.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]["scripts"]
    assert desktop["Type"] == "Application" and desktop["Name"] == "NN Lab"
    assert desktop["Exec"].split()[0] in scripts  # the same name as the bundle's executable
    assert (ICONS / f"{desktop['Icon']}.png").is_file()
    assert desktop["Terminal"] == "false"
    if shutil.which("desktop-file-validate") is None:
        pytest.skip("desktop-file-validate not installed (Debian: desktop-file-utils; .ci/run installs it)")
    result = subprocess.run(["desktop-file-validate", str(REPO / "packaging" / "nnlab.desktop")],
                            capture_output=True, text=True)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout


def test_windowed_builds_without_standard_streams_can_still_print(monkeypatch):
    from nnlab.app import ensure_standard_streams

    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    ensure_standard_streams()
    print("goes nowhere")
    print("also nowhere", file=sys.stderr)
    sys.stdout.close()
    sys.stderr.close()


def test_no_display_is_a_message_not_a_core_dump(tmp_path):
    from nnlab.app import missing_display

    assert missing_display({}, "linux") and "DISPLAY" in missing_display({}, "linux")
    assert missing_display({"DISPLAY": ":0"}, "linux") is None
    assert missing_display({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert missing_display({}, "win32") is None
    env = {key: value for key, value in os.environ.items()
           if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO)
    result = subprocess.run([sys.executable, "-m", "nnlab"], cwd=tmp_path, env=env, capture_output=True,
                            text=True, timeout=60)
    if sys.platform.startswith("linux"):
        assert result.returncode == 1
        assert result.stderr.startswith("nnlab: error: no display") and "Traceback" not in result.stderr


def test_version_comes_from_the_package_metadata():
    from nnlab import __version__

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    assert __version__ == project["version"]
