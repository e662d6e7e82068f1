"""Issue 12 A4: every damaged dataset ends in DatasetFormatError (file, position, problem); files that
loaded wrong are refused; sizes are checked from headers before anything is inflated or decoded."""
import gzip
import pickle
import struct
import tracemalloc
import zipfile

import numpy as np
import pytest

from nnlab.data.errors import DatasetFormatError
from nnlab.data.image_io import write_grey_png
from nnlab.data.importers import load_dataset_file

from .damaged_npz import npy_bytes
from .test_importers import expect_error, idx_bytes, write_idx_pair


def write_npz(path, members: dict, compression=zipfile.ZIP_STORED):
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def set_zip_field(path, local_offset, central_offset, fmt, value):
    """Overwrite one field in every local and central zip header."""
    raw = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        at = raw.find(signature)
        while at >= 0:
            struct.pack_into(fmt, raw, at + offset, value)
            at = raw.find(signature, at + 4)
    path.write_bytes(bytes(raw))


def peak_while(load, *args):
    """(result or exception, tracemalloc peak bytes) of one call."""
    tracemalloc.start()
    try:
        try:
            outcome = load(*args)
        except Exception as error:  # noqa: BLE001 — returned for the test to inspect
            outcome = error
        return outcome, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


X, Y = np.zeros((4, 3), np.float32), np.array([0, 1, 0, 1])


# --------------------------------------------------------------------- .npz: exceptions that escaped

def test_member_without_npy_magic(tmp_path):
    path = write_npz(tmp_path / "m.npz", {"x.npy": b"just some bytes, no header", "y.npy": npy_bytes(Y)})
    expect_error(path, "array 'x'", "not a NumPy .npy array")  # was AttributeError: 'bytes' has no 'ndim'


def test_declared_shape_of_2_to_the_40_is_refused_before_allocating(tmp_path):
    header = npy_bytes(X).replace(b"(4, 3)", b"(1099511627776, 3)")
    path = write_npz(tmp_path / "huge.npz", {"x.npy": header, "y.npy": npy_bytes(Y)})
    error, peak = peak_while(load_dataset_file, path)
    assert isinstance(error, DatasetFormatError), error  # was MemoryError
    assert "array 'x'" in str(error) and "12 TiB" in str(error) and "limit of 2 GiB" in str(error)
    assert peak < 1 << 20


@pytest.mark.parametrize("flag, words", [(0x1, "encrypted"), (0x41, "encrypted"), (0x20, "patched data")])
def test_encrypted_or_patched_entries(tmp_path, flag, words):
    path = write_npz(tmp_path / "e.npz", {"x.npy": npy_bytes(X), "y.npy": npy_bytes(Y)})
    set_zip_field(path, 6, 8, "<H", flag)
    expect_error(path, "array 'x'", words)  # was RuntimeError / NotImplementedError


def test_unsupported_compression_method(tmp_path):
    path = write_npz(tmp_path / "c.npz", {"x.npy": npy_bytes(X), "y.npy": npy_bytes(Y)})
    set_zip_field(path, 8, 10, "<H", 99)
    expect_error(path, "array 'x'", "compression method 99")  # was NotImplementedError


@pytest.mark.parametrize("damage", [b"{'descr': '<f4', (", b"{'descr': '<f4'}", b"((((" * 400])
def test_malformed_header(tmp_path, damage):
    blob = npy_bytes(X)
    length = struct.unpack("<H", blob[8:10])[0]
    padded = damage.ljust(length, b" ")[:max(length, len(damage))]
    blob = blob[:8] + struct.pack("<H", len(padded)) + padded + blob[10 + length:]
    path = write_npz(tmp_path / "h.npz", {"x.npy": blob, "y.npy": npy_bytes(Y)})
    expect_error(path, "array 'x'", ".npy header")  # was tokenize.TokenError


def test_oversized_header_length_is_refused_unread(tmp_path):
    blob = b"\x93NUMPY\x02\x00" + struct.pack("<I", 0xFFFFFFF0) + b"{" * 100
    path = write_npz(tmp_path / "h.npz", {"x.npy": blob, "y.npy": npy_bytes(Y)})
    expect_error(path, "array 'x'", "header is 4,294,967,280")


def test_zero_d_x_train(tmp_path):
    np.savez(tmp_path / "k.npz", x_train=np.array(5.0), y_train=np.array(1))
    expect_error(tmp_path / "k.npz", "array 'x_train'", "shape ()")  # was TypeError: len() of unsized object


@pytest.mark.parametrize("x_test, y_test, where, words", [
    (np.zeros((2, 5)), np.array([1, 1]), "array 'x_test'", "shaped (5,)"),
    (np.zeros((2, 4), np.float32), np.array([1, 1]), "array 'x_test'", "float32"),
    (np.zeros((2, 4)), np.array([b"a", b"b"]), "array 'y_test'", "numbers or text"),
])
def test_train_and_test_parts_that_do_not_go_together(tmp_path, x_test, y_test, where, words):
    np.savez(tmp_path / "k.npz", x_train=np.zeros((3, 4)), y_train=np.array([0, 1, 0]), x_test=x_test, y_test=y_test)
    expect_error(tmp_path / "k.npz", where, words)  # were ValueError / DTypePromotionError from concatenate


def test_keras_parts_are_read_into_one_array(tmp_path):
    train = np.arange(3 * 16, dtype=np.uint8).reshape(3, 4, 4)
    test = np.asfortranarray(np.full((2, 4, 4), 255, np.uint8))
    np.savez_compressed(tmp_path / "k.npz", x_train=train, y_train=[0, 1, 0], x_test=test, y_test=[1, 1])
    data = load_dataset_file(tmp_path / "k.npz")
    assert np.array_equal(data.x.raw_bytes, np.concatenate([train, test]).reshape(5, 16))
    assert data.extra["n_train"] == 3


def test_non_utf8_label_bytes_name_the_sample(tmp_path):
    np.savez(tmp_path / "l.npz", x=np.zeros((3, 4)), y=np.array([b"tea", b"caf\xe9", b"tea"]))
    expect_error(tmp_path / "l.npz", "sample 1", "not UTF-8")  # was UnicodeDecodeError


def test_utf8_label_bytes_are_text(tmp_path):
    np.savez(tmp_path / "l.npz", x=np.zeros((3, 4)), y=np.array([s.encode() for s in ("tea", "café", "tea")]))
    assert load_dataset_file(tmp_path / "l.npz").classes == ["café", "tea"]


def test_lone_surrogate_class_name(tmp_path):
    np.savez(tmp_path / "s.npz", x=np.zeros((2, 4)), y=np.array([0, 1]), classes=np.array(["a", "\ud800"]))
    expect_error(tmp_path / "s.npz", "array 'classes', entry 1", "lone surrogate")


def test_object_member_is_refused_without_calling_pickle(tmp_path, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("pickle was called")

    monkeypatch.setattr(pickle, "load", never)
    monkeypatch.setattr(pickle, "loads", never)
    x = np.empty(3, dtype=object)
    x[:] = [{"a": 1}, [2], None]
    np.savez(tmp_path / "o.npz", x=x, y=np.array([0, 1, 0]))
    expect_error(tmp_path / "o.npz", "array 'x'", "Python objects")


def test_entry_claiming_more_than_it_stores(tmp_path):
    path = write_npz(tmp_path / "z.npz", {"x.npy": npy_bytes(X), "y.npy": npy_bytes(Y)})
    set_zip_field(path, 22, 24, "<I", 2**31 - 1)  # uncompressed size of a stored (1:1) member
    expect_error(path, "array 'x'")


def test_fortran_order_and_big_endian_arrays_read_right(tmp_path):
    x = np.asfortranarray(np.arange(12, dtype=">f8").reshape(4, 3))
    np.savez(tmp_path / "f.npz", x=x, y=Y)
    assert np.array_equal(load_dataset_file(tmp_path / "f.npz").x, x.astype(np.float32))


# --------------------------------------------------------------------- .npz: accepted but wrong

def test_features_of_width_zero(tmp_path):
    np.savez(tmp_path / "w.npz", x=np.zeros((3, 0)), y=np.array([0, 1, 0]))
    expect_error(tmp_path / "w.npz", "hold no values")


def test_images_in_minus_one_to_one_are_refused_with_the_fix(tmp_path):
    x = np.linspace(-1, 1, 3 * 5 * 5).reshape(3, 5, 5)
    np.savez(tmp_path / "n.npz", x=x, y=np.array([0, 1, 0]))
    expect_error(tmp_path / "n.npz", "array 'x', sample 0, pixel 0", "0..1 or 0..255", "(x + 1) / 2")


def test_whole_number_float_images_become_levels(tmp_path):
    np.savez(tmp_path / "g.npz", x=np.full((2, 4, 4), 51.0), y=np.array([0, 1]))
    assert np.allclose(load_dataset_file(tmp_path / "g.npz").x, 0.2)


def test_features_beyond_float32(tmp_path):
    x = np.ones((2, 3))
    x[1, 2] = 1e300
    np.savez(tmp_path / "b.npz", x=x, y=np.array([0, 1]))
    expect_error(tmp_path / "b.npz", "sample 1, feature 2", "too large")


# --------------------------------------------------------------------- IDX

def test_idx_images_of_height_zero(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 0, 5)), [0, 1, 0])
    expect_error(path, "bytes 8-15", "0×5 pixels")


def test_idx_gz_is_inflated_once(tmp_path, monkeypatch):
    images = np.zeros((50, 28, 28), np.uint8)
    path = write_idx_pair(tmp_path, images, np.arange(50) % 2, gz=True)
    inflated, original = [], gzip.GzipFile.read

    def counting(self, *args):  # GzipFile.readinto reads through read() too
        result = original(self, *args)
        inflated.append(len(result))
        return result

    monkeypatch.setattr(gzip.GzipFile, "read", counting)
    load_dataset_file(path)
    labels = 8 + 50
    assert sum(inflated) <= 16 + images.size + labels + 2  # each file once, plus the 1-byte end checks


def test_idx_declaring_more_than_the_limit_is_refused_from_its_header(tmp_path):
    header = struct.pack(">IIII", 0x803, 1_000_000, 28, 28)  # 784 MB of pixels
    path = tmp_path / "big-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(1000)))
    (tmp_path / "big-labels-idx1-ubyte").write_bytes(idx_bytes(0x801, [0, 1]))
    error, peak = peak_while(load_dataset_file, path)
    assert isinstance(error, DatasetFormatError)
    assert "bytes 4-15" in str(error) and "747.7 MiB" in str(error) and "limit of 512 MiB" in str(error)
    assert peak < 1 << 20


def test_idx_gz_declaring_more_than_deflate_can_hold(tmp_path):
    header = struct.pack(">IIII", 0x803, 20_000, 28, 28)  # 15.7 MB declared in a ~100-byte file
    path = tmp_path / "t-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(header + bytes(100)))
    write_idx_pair(tmp_path, np.zeros((1, 1, 1)), [0], prefix="unused")
    (tmp_path / "t-labels-idx1-ubyte").write_bytes(idx_bytes(0x801, [0, 1]))
    error, peak = peak_while(load_dataset_file, path)
    assert isinstance(error, DatasetFormatError) and "compressed bytes can hold" in str(error)
    assert peak < 1 << 20


def test_idx_load_peaks_under_six_bytes_a_pixel(tmp_path):
    n = 20_000
    write_idx_pair(tmp_path, np.zeros((n, 28, 28)), np.arange(n) % 2)
    data, peak = peak_while(load_dataset_file, tmp_path / "train-images-idx3-ubyte")
    assert len(data) == n
    assert peak < 6 * n * 784  # the bytes and the float32 rows; no whole-set NaN mask on top


def test_plain_idx_size_is_checked_before_reading(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0])
    path.write_bytes(struct.pack(">IIII", 0x803, 100_000, 64, 64) + bytes(48))
    error, peak = peak_while(load_dataset_file, path)
    assert isinstance(error, DatasetFormatError) and "truncated" in str(error)
    assert peak < 1 << 20


# --------------------------------------------------------------------- CSV

def test_csv_cell_over_the_csv_limit(tmp_path):
    (tmp_path / "long.csv").write_text("label,a\n0,1\n1,\"" + "9" * 200_000 + "\"\n")
    expect_error(tmp_path / "long.csv", "line 3", "longer than 131,072")  # was _csv.Error


def test_csv_over_the_size_limit(tmp_path, monkeypatch):
    from nnlab.data.importers import csv_table

    monkeypatch.setattr(csv_table, "MAX_CSV_BYTES", 1000)
    (tmp_path / "big.csv").write_text("0,1\n1,2\n" * 200)
    expect_error(tmp_path / "big.csv", "1.562 KiB", "limit of 1,000 bytes")


def test_a_refused_csv_peaks_near_its_own_size(tmp_path):
    row = ",".join(str(k) for k in range(100))
    (tmp_path / "t.csv").write_text("\n".join([row, row.replace(",7,", ",x7,")] + [row] * 5000))
    error, peak = peak_while(load_dataset_file, tmp_path / "t.csv")
    assert isinstance(error, DatasetFormatError) and "line 2, column 8" in str(error)
    assert peak < 3.5 * (tmp_path / "t.csv").stat().st_size  # bytes, text and lines; not 4 bytes a character


def test_a_csv_of_pictures_is_told_from_features_without_a_copy_of_its_table(tmp_path):
    """Whether the values are whole 0..255 levels is checked a few MB at a time: rounding the whole
    float64 table at once held a second copy of it (8,000 pictures: 2.46× the table at the peak)."""
    n = 8000
    pixels = np.zeros((n, 784), np.uint8)
    pixels[:, ::7] = 255
    (tmp_path / "p.csv").write_text("\n".join(f"{k % 2}," + ",".join(map(str, row)) for k, row in enumerate(pixels)))
    data, peak = peak_while(load_dataset_file, tmp_path / "p.csv")
    assert np.array_equal(data.x.raw_bytes, pixels)
    assert peak < 2.2 * pixels.size * 8, f"peak {peak / (pixels.size * 8):.2f}× the float64 table"


def test_csv_lines_are_counted_as_editors_count_them(tmp_path):
    (tmp_path / "nel.csv").write_text("0,1\n1,2\x85x\n0,3\n", encoding="utf-8")
    expect_error(tmp_path / "nel.csv", "line 2, column 2", "is not a number")  # \x85 is no line break


# --------------------------------------------------------------------- image folders

def test_folder_image_declaring_too_many_pixels_is_refused_from_its_header(tmp_path):
    from nnlab.data.image_io import MAX_IMAGE_PIXELS

    for name in ("a", "b"):
        (tmp_path / "d" / name).mkdir(parents=True)
        write_grey_png(tmp_path / "d" / name / "1.png", np.zeros((3, 3)))
    blob = bytearray((tmp_path / "d" / "b" / "1.png").read_bytes())
    struct.pack_into(">II", blob, 16, 9000, 9000)
    struct.pack_into(">I", blob, 29, __import__("zlib").crc32(bytes(blob[12:29])))
    (tmp_path / "d" / "b" / "1.png").write_bytes(bytes(blob))
    with pytest.raises(DatasetFormatError, match=r"1\.png: the image is 9000×9000 pixels, more than") as info:
        load_dataset_file(tmp_path / "d")
    assert f"{MAX_IMAGE_PIXELS:,}" in str(info.value)


def test_folder_of_big_pictures_is_scaled_to_the_input_limit_one_at_a_time(tmp_path):
    big = np.zeros((2048, 2048), np.uint8)
    big[:, 1024:] = 255
    for name in ("a", "b"):
        (tmp_path / "d" / name).mkdir(parents=True)
        for k in range(2):
            write_grey_png(tmp_path / "d" / name / f"{k}.png", big)
    data, peak = peak_while(load_dataset_file, tmp_path / "d")
    assert data.input_shape == (256, 256)
    picture = data.x[0].reshape(256, 256)
    assert np.allclose(picture[:, :127], 0) and np.allclose(picture[:, 129:], 1)
    # four 4-megapixel pictures were kept as 4 × 16 MB of float32 (plus a picture's worth of copies);
    # now the target-size rows and one strip of a picture exist at a time
    assert peak < 16 * 2**20


@pytest.mark.parametrize("bad", ["class", "image"])
def test_folder_names_that_are_not_utf8_are_named_in_the_refusal(tmp_path, bad):
    """Linux keeps such names' bytes as lone surrogates: Qt answered "File not found" for the image
    inside, and a class name must be text a weight file and a terminal can hold."""
    import os

    root = os.fsencode(tmp_path / "d")
    for name in (b"caf\xe9" if bad == "class" else b"a", b"b"):
        os.makedirs(os.path.join(root, name))
        for image in (b"1.png", b"\xff.png" if bad == "image" and name == b"b" else b"2.png"):
            write_grey_png(tmp_path / "plain.png", np.eye(4))
            os.replace(tmp_path / "plain.png", os.path.join(root, name, image))
    odd = "caf\udce9" if bad == "class" else os.path.join("b", "\udcff.png")
    byte, at = ("0xE9", 3) if bad == "class" else ("0xFF", 0)
    with pytest.raises(DatasetFormatError) as refused:
        load_dataset_file(tmp_path / "d")
    assert str(refused.value) == (f"{tmp_path / 'd' / odd}: the {bad if bad == 'image' else 'class folder'}'s name "
                                  f"is not UTF-8 text (byte {at} is {byte}); rename it.")


def test_unreadable_csv_and_folder_are_dataset_errors(tmp_path, monkeypatch):
    import pathlib

    def denied(self, *args):
        raise PermissionError(13, "Permission denied")

    (tmp_path / "locked.csv").write_text("0,1\n1,2\n")
    (tmp_path / "d" / "a").mkdir(parents=True)
    monkeypatch.setattr(pathlib.Path, "read_bytes", denied)
    monkeypatch.setattr(pathlib.Path, "iterdir", denied)
    expect_error(tmp_path / "locked.csv", "cannot be read (Permission denied)")  # was a bare PermissionError
    expect_error(tmp_path / "d", "cannot be read (Permission denied)")


def _npz_classes(path):
    np.savez(path / "c.npz", x=np.zeros((2, 4)), y=[0, 1], classes=np.array(["cat", "do\x1b[31mg"]))
    return path / "c.npz"


def _npz_text_labels(path):
    np.savez(path / "t.npz", x=np.zeros((3, 4)), y=np.array(["cat", "do\x1b[31mg", "cat"]))
    return path / "t.npz"


def _csv_text_labels(path):
    (path / "t.csv").write_text("label,a,b\ncat,0.5,1\ndo\x1b[31mg,1,0.5\n", encoding="utf-8")
    return path / "t.csv"


def _folder_names(path):
    for name in ("cat", "do\x1b[31mg"):
        (path / "d" / name).mkdir(parents=True)
        write_grey_png(path / "d" / name / "1.png", np.zeros((3, 3)))
    return path / "d"


@pytest.mark.parametrize("write", [_npz_classes, _npz_text_labels, _csv_text_labels, _folder_names],
                         ids=["npz classes", "npz text labels", "csv text labels", "folder names"])
def test_a_class_name_with_a_terminal_escape_is_refused_naming_class_and_character(tmp_path, write):
    """Class names reach the terminal (nnlab evaluate, the weights a run saves, then info and predict):
    "\x1b[31m" turned it red. Every importer refuses such a name; the message shows it escaped."""
    message = expect_error(write(tmp_path), "class 1: its name 'do\\x1b[31mg' holds the control character "
                                            "U+001B at character 3, which would steer the terminal")
    assert "\x1b" not in message


def test_a_path_that_would_steer_a_terminal_is_refused_before_it_is_read(tmp_path):
    """A session keeps the dataset's path and nnlab info prints it: a file named with an escape is refused
    when it is imported (so the session can be saved), its name shown escaped."""
    folder = tmp_path / "sets\x1b]0;owned\x07"
    folder.mkdir()
    np.savez(folder / "xy.npz", x=np.zeros((4, 2)), y=np.array([0, 1, 0, 1]))
    with pytest.raises(DatasetFormatError) as caught:
        load_dataset_file(folder / "xy.npz")
    message = str(caught.value)
    assert "\x1b" not in message and "\x07" not in message
    assert message.endswith("\\x1b]0;owned\\x07/xy.npz: its path holds the control character U+001B at character "
                            f"{len(str(tmp_path)) + 6}, which would steer the terminal it is printed in; rename it.")
