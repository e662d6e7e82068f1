"""Image files → grey arrays through QImage, without any QGuiApplication."""
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from nnlab.data.errors import DatasetFormatError
from nnlab.data.image_io import decode_grey_image, read_grey_image, read_grey_pixels, write_grey_png


def test_png_round_trip_keeps_grey_levels(tmp_path):
    image = np.linspace(0.0, 1.0, 12 * 7, dtype=np.float32).reshape(12, 7)
    path = tmp_path / "ramp.png"
    write_grey_png(path, image)
    back = read_grey_image(path)
    assert back.shape == (12, 7) and back.dtype == np.float32
    assert np.abs(back - image).max() <= 0.5 / 255 + 1e-6  # only 8-bit rounding is lost


def test_uint8_input_is_written_verbatim(tmp_path):
    pixels = np.array([[0, 128, 255], [7, 64, 200]], dtype=np.uint8)
    write_grey_png(tmp_path / "u8.png", pixels)
    assert np.array_equal(np.rint(read_grey_image(tmp_path / "u8.png") * 255).astype(np.uint8), pixels)


def test_decode_bytes_matches_reading_the_file(tmp_path):
    path = tmp_path / "a.png"
    write_grey_png(path, np.eye(5, dtype=np.float32))
    assert np.array_equal(decode_grey_image(path.read_bytes()), read_grey_image(path))


def test_transparent_png_with_black_strokes_reads_dark_on_white(tmp_path):
    image = QImage(4, 3, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))  # fully transparent (and black underneath)
    image.setPixelColor(1, 1, QColor(0, 0, 0, 255))  # one opaque black stroke pixel
    image.setPixelColor(2, 1, QColor(0, 0, 0, 128))  # half-transparent black
    path = tmp_path / "strokes.png"
    assert image.save(str(path))
    grey = read_grey_image(path)
    assert grey[0, 0] == pytest.approx(1.0)
    assert grey[1, 1] == pytest.approx(0.0)
    assert grey[1, 2] == pytest.approx(1 - 128 / 255, abs=1e-3)


def test_colour_uses_luma_weights(tmp_path):
    image = QImage(3, 1, QImage.Format.Format_RGB32)
    for x, colour in enumerate([QColor(255, 0, 0), QColor(0, 255, 0), QColor(0, 0, 255)]):
        image.setPixelColor(x, 0, colour)
    path = tmp_path / "rgb.bmp"
    assert image.save(str(path))
    assert read_grey_image(path)[0] == pytest.approx([0.299, 0.587, 0.114], abs=1e-3)


def test_jpeg_decodes(tmp_path):
    image = QImage(8, 8, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 200, 200))
    path = tmp_path / "grey.jpg"
    assert image.save(str(path))
    assert read_grey_image(path) == pytest.approx(np.full((8, 8), 200 / 255), abs=0.02)


def test_unreadable_file_names_the_file(tmp_path):
    path = tmp_path / "broken.png"
    path.write_bytes(b"this is not a picture")
    with pytest.raises(DatasetFormatError, match="broken.png") as info:
        read_grey_image(path)
    assert "cannot decode" in str(info.value)


def test_undecodable_bytes_use_the_given_name():
    with pytest.raises(DatasetFormatError, match="upload.png: cannot decode"):
        decode_grey_image(b"\x00\x01garbage", name="upload.png")


def test_works_without_any_gui_application(tmp_path):
    """Importers run from the CLI and worker threads, so decoding must not need a QGuiApplication."""
    write_grey_png(tmp_path / "x.png", np.full((2, 3), 0.5))
    script = (
        "import sys; from PySide6.QtGui import QGuiApplication;"
        "from nnlab.data.image_io import read_grey_image;"
        "a = read_grey_image(sys.argv[1]);"
        "assert QGuiApplication.instance() is None;"
        "print(a.shape, round(float(a.mean()), 2))"
    )
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "x.png")],
                          capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(2, 3) 0.5"


def test_write_rejects_non_2d(tmp_path):
    with pytest.raises(ValueError, match="shape"):
        write_grey_png(tmp_path / "bad.png", np.zeros((2, 2, 3)))


# -- header checks and decoding at a target size (the importers' path) ------------------------------

def _png_claiming(tmp_path, width, height):
    """A small valid PNG whose IHDR (checksum fixed) then claims width × height."""
    import struct
    import zlib

    path = tmp_path / "claims.png"
    write_grey_png(path, np.zeros((4, 4)))
    blob = bytearray(path.read_bytes())
    struct.pack_into(">II", blob, 16, width, height)
    struct.pack_into(">I", blob, 29, zlib.crc32(bytes(blob[12:29])))
    path.write_bytes(bytes(blob))
    return path


def test_a_declared_size_over_the_limit_is_refused_before_decoding(tmp_path):
    from nnlab.data.image_io import MAX_IMAGE_PIXELS, image_size

    path = _png_claiming(tmp_path, 8193, 8192)
    for read in (image_size, read_grey_image, read_grey_pixels):
        with pytest.raises(DatasetFormatError, match=r"claims\.png: the image is 8193×8192 pixels, more than"):
            read(path)
    assert 8193 * 8192 > MAX_IMAGE_PIXELS >= 8192 * 8192


def test_a_png_declaring_more_than_its_bytes_can_hold_is_damaged(tmp_path):
    with pytest.raises(DatasetFormatError, match=r"declares 4000×4000 pixels, more than its \d+ bytes can hold"):
        read_grey_pixels(_png_claiming(tmp_path, 4000, 4000))



def test_the_deflate_limit_is_stated_once_for_png_zip_and_gzip():
    """image_io kept its own copy of importers.limits.MAX_DEFLATE_RATIO (1032): one constant, one place."""
    import ast

    package = Path(__file__).resolve().parents[2] / "nnlab"
    places = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            named = isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and "DEFLATE" in node.id
            if named or (isinstance(node, ast.Constant) and node.value == 1032):
                places.append(f"{path.relative_to(package)}:{node.lineno}")
    assert {place.split(":")[0] for place in places} == {"data/importers/limits.py"}, places

def test_pixels_are_the_grey_levels_at_native_size(tmp_path):
    image = np.random.default_rng(3).integers(0, 256, size=(9, 13), dtype=np.uint8)
    write_grey_png(tmp_path / "g.png", image)
    pixels = read_grey_pixels(tmp_path / "g.png")
    assert pixels.dtype == np.uint8 and np.array_equal(pixels, image)
    colour = QImage(3, 1, QImage.Format.Format_RGB32)
    for x, rgb in enumerate([QColor(255, 0, 0), QColor(0, 255, 0), QColor(0, 0, 255)]):
        colour.setPixelColor(x, 0, rgb)
    assert colour.save(str(tmp_path / "rgb.bmp"))
    assert read_grey_pixels(tmp_path / "rgb.bmp")[0].tolist() == [76, 150, 29]  # 255 × BT.601 luma


@pytest.mark.parametrize("shape, target", [((40, 60), (10, 15)), ((37, 53), (16, 9)), ((5, 7), (12, 20))])
def test_resampled_pixels_follow_resize_image(tmp_path, shape, target):
    from nnlab.data.transforms import resize_image

    image = np.random.default_rng(4).integers(0, 256, size=shape, dtype=np.uint8)
    write_grey_png(tmp_path / "r.png", image)
    expected = resize_image(image / 255.0, target) * 255
    got = read_grey_pixels(tmp_path / "r.png", target)
    assert got.shape == target and np.abs(got - expected).max() <= 0.5 + 1e-3


def test_jpeg_is_decoded_at_the_target_size(tmp_path):
    image = QImage(64, 32, QImage.Format.Format_RGB32)
    image.fill(QColor(200, 200, 200))
    assert image.save(str(tmp_path / "p.jpg"))
    assert read_grey_pixels(tmp_path / "p.jpg", (8, 16)) == pytest.approx(np.full((8, 16), 200), abs=3)


def test_exif_rotation_is_applied_to_sizes(tmp_path):
    from PySide6.QtGui import QImageIOHandler, QImageWriter

    from nnlab.data.image_io import image_size

    image = QImage(8, 4, QImage.Format.Format_RGB32)  # stored 8 wide, 4 high; shown rotated
    image.fill(QColor(255, 255, 255))
    writer = QImageWriter(str(tmp_path / "turned.jpg"))
    writer.setTransformation(QImageIOHandler.Transformation.TransformationRotate90)
    assert writer.write(image)
    assert image_size(tmp_path / "turned.jpg") == (8, 4) == read_grey_image(tmp_path / "turned.jpg").shape
    assert read_grey_pixels(tmp_path / "turned.jpg", (4, 2)).shape == (4, 2)
