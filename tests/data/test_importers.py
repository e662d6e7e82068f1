"""load_dataset_file: round-trips for every format, and a precise error for every malformed file."""
import gzip
import struct

import numpy as np
import pytest

from nnlab.data.errors import DatasetFormatError
from nnlab.data.image_io import write_grey_png
from nnlab.data.importers import load_dataset_file

RNG = np.random.default_rng(7)


def idx_bytes(magic, array):
    array = np.asarray(array, dtype=np.uint8)
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx_pair(folder, images, labels, prefix="train", gz=False):
    suffix = ".gz" if gz else ""
    opener = gzip.open if gz else open
    image_path = folder / f"{prefix}-images-idx3-ubyte{suffix}"
    with opener(image_path, "wb") as handle:
        handle.write(idx_bytes(0x803, images))
    with opener(folder / f"{prefix}-labels-idx1-ubyte{suffix}", "wb") as handle:
        handle.write(idx_bytes(0x801, labels))
    return image_path


def expect_error(path, *fragments):
    """Load ``path`` expecting DatasetFormatError whose message names the file and each fragment."""
    with pytest.raises(DatasetFormatError) as info:
        load_dataset_file(path)
    message = str(info.value)
    assert path.name in message, message
    for fragment in fragments:
        assert fragment in message, message
    return message


# ------------------------------------------------------------------------------------------- IDX

@pytest.mark.parametrize("gz", [False, True])
def test_idx_round_trip(tmp_path, gz):
    images = RNG.integers(0, 256, size=(6, 28, 28), dtype=np.uint8)
    labels = np.array([0, 1, 2, 9, 1, 0], dtype=np.uint8)
    data = load_dataset_file(write_idx_pair(tmp_path, images, labels, prefix="t10k", gz=gz))
    assert data.x.shape == (6, 784) and data.x.dtype == np.float32
    assert np.allclose(data.x, images.reshape(6, -1) / 255.0)
    assert data.y.tolist() == [0, 1, 2, 9, 1, 0]
    assert data.classes == [str(k) for k in range(10)]
    assert data.input_shape == (28, 28) and data.preprocess == "mnist"


def test_idx_other_size_is_resize(tmp_path):
    images = RNG.integers(0, 256, size=(4, 8, 10), dtype=np.uint8)
    data = load_dataset_file(write_idx_pair(tmp_path, images, [0, 1, 1, 0]))
    assert data.input_shape == (8, 10) and data.preprocess == "resize" and data.classes == ["0", "1"]


def test_idx_truncated_names_byte_offset(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0])
    path.write_bytes(path.read_bytes()[:16 + 40])  # header + 40 of 48 pixel bytes
    expect_error(path, "byte 56", "truncated")


def test_idx_truncated_header(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0])
    path.write_bytes(path.read_bytes()[:10])
    expect_error(path, "byte 10", "header")


def test_idx_wrong_magic(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0])
    path.write_bytes(struct.pack(">I", 0x0802) + path.read_bytes()[4:])
    expect_error(path, "byte 0", "0x00000802", "expected 0x00000803")


def test_idx_labels_file_given_instead_of_images(tmp_path):
    write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0])
    expect_error(tmp_path / "train-labels-idx1-ubyte", "byte 0", "labels file")


def test_idx_count_mismatch_names_labels_file(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0, 1])
    with pytest.raises(DatasetFormatError) as info:
        load_dataset_file(path)
    message = str(info.value)
    assert "train-labels-idx1-ubyte, bytes 4-7" in message
    assert "4 labels" in message and "train-images-idx3-ubyte holds 3 images" in message


def test_idx_missing_labels_file(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0])
    (tmp_path / "train-labels-idx1-ubyte").unlink()
    expect_error(path, "train-labels-idx1-ubyte", "missing")


def test_idx_corrupt_gzip(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [0, 1, 0], gz=True)
    path.write_bytes(path.read_bytes()[:20])
    expect_error(path, "gzip")


def test_idx_single_class_rejected(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((3, 4, 4)), [5, 5, 5])
    expect_error(path, "all 3 samples", "'5'", "at least 2 classes")


def test_idx_zero_samples_rejected(tmp_path):
    path = write_idx_pair(tmp_path, np.zeros((0, 4, 4)), np.zeros(0))
    expect_error(path, "no samples")


# ------------------------------------------------------------------------------------------- NPZ

def test_npz_uint8_images_with_string_labels(tmp_path):
    x = RNG.integers(0, 256, size=(5, 6, 7), dtype=np.uint8)
    np.savez(tmp_path / "shapes.npz", x=x, y=np.array(["star", "circle", "star", "box", "box"]))
    data = load_dataset_file(tmp_path / "shapes.npz")
    assert data.name == "shapes" and data.classes == ["box", "circle", "star"]
    assert data.y.tolist() == [2, 1, 2, 0, 0]
    assert np.allclose(data.x, x.reshape(5, -1) / 255.0)
    assert data.input_shape == (6, 7) and data.preprocess == "resize"


def test_npz_float_features_kept_with_given_classes(tmp_path):
    x = RNG.normal(size=(4, 3)).astype(np.float64) * 10
    np.savez(tmp_path / "f.npz", x=x, y=np.array([0, 2, 1, 2]), classes=np.array(["a", "b", "c"]))
    data = load_dataset_file(tmp_path / "f.npz")
    assert np.allclose(data.x, x, atol=1e-5) and data.classes == ["a", "b", "c"]
    assert data.input_shape == (3,) and data.preprocess == "none"


def test_npz_mnist_shaped_floats_are_mnist(tmp_path):
    np.savez(tmp_path / "m.npz", x=np.full((2, 28, 28), 0.25, np.float32), y=np.array([3, 1]))
    data = load_dataset_file(tmp_path / "m.npz")
    assert data.preprocess == "mnist" and data.classes == ["0", "1", "2", "3"]
    assert np.allclose(data.x, 0.25)


def test_npz_keras_layout_concatenates_train_and_test(tmp_path):
    np.savez(tmp_path / "k.npz", x_train=np.zeros((3, 28, 28), np.uint8), y_train=np.array([0, 1, 0]),
             x_test=np.full((2, 28, 28), 255, np.uint8), y_test=np.array([1, 1]))
    data = load_dataset_file(tmp_path / "k.npz")
    assert len(data) == 5 and data.extra["n_train"] == 3 and data.x[3:].min() == 1.0


def test_npz_object_array_is_refused_not_unpickled(tmp_path):
    x = np.empty(3, dtype=object)
    x[:] = [np.zeros(2), np.zeros(2), np.zeros(2)]
    np.savez(tmp_path / "obj.npz", x=x, y=np.array([0, 1, 0]))
    expect_error(tmp_path / "obj.npz", "array 'x'", "Python objects")


def test_npz_missing_y(tmp_path):
    np.savez(tmp_path / "noy.npz", x=np.zeros((3, 4)), labels=np.zeros(3))
    expect_error(tmp_path / "noy.npz", "array 'y'", "found: labels, x")


def test_npz_nan_names_sample_and_feature(tmp_path):
    x = np.zeros((3, 4))
    x[2, 1] = np.nan
    np.savez(tmp_path / "nan.npz", x=x, y=np.array([0, 1, 0]))
    expect_error(tmp_path / "nan.npz", "sample 2, feature 1", "not a finite number")


def test_npz_count_mismatch_and_bad_labels(tmp_path):
    np.savez(tmp_path / "n.npz", x=np.zeros((3, 4)), y=np.array([0, 1]))
    expect_error(tmp_path / "n.npz", "array 'y'", "expected 3 labels")
    np.savez(tmp_path / "neg.npz", x=np.zeros((3, 4)), y=np.array([0, -1, 1]))
    expect_error(tmp_path / "neg.npz", "sample 1", "negative")
    np.savez(tmp_path / "half.npz", x=np.zeros((3, 4)), y=np.array([0, 0.5, 1]))
    expect_error(tmp_path / "half.npz", "sample 1", "not a whole number")


def test_npz_not_a_zip(tmp_path):
    (tmp_path / "junk.npz").write_bytes(b"hello")
    expect_error(tmp_path / "junk.npz", ".npz archive")


# ------------------------------------------------------------------------------------------- CSV

def test_csv_with_header_and_pixel_images(tmp_path):
    pixels = RNG.integers(0, 256, size=(3, 16))
    lines = ["label," + ",".join(f"p{i}" for i in range(16))]
    lines += [f"{label}," + ",".join(map(str, row)) for label, row in zip([1, 0, 1], pixels)]
    (tmp_path / "tiny.csv").write_text("\n".join(lines) + "\n")
    data = load_dataset_file(tmp_path / "tiny.csv")
    assert data.input_shape == (4, 4) and data.preprocess == "resize"
    assert np.allclose(data.x, pixels / 255.0) and data.y.tolist() == [1, 0, 1]


def test_csv_features_without_header_and_text_labels(tmp_path):
    (tmp_path / "iris.csv").write_text("setosa,5.1,3.5\nvirginica,6.3,3.3\nsetosa,4.9,3.0\n")
    data = load_dataset_file(tmp_path / "iris.csv")
    assert data.classes == ["setosa", "virginica"] and data.y.tolist() == [0, 1, 0]
    assert data.input_shape == (2,) and data.preprocess == "none"
    assert np.allclose(data.x, [[5.1, 3.5], [6.3, 3.3], [4.9, 3.0]])


def test_csv_fractional_square_features_stay_features(tmp_path):
    rows = [f"{k % 2}," + ",".join(["0.5"] * 16) for k in range(4)]
    (tmp_path / "f.csv").write_text("\n".join(rows))
    data = load_dataset_file(tmp_path / "f.csv")
    assert data.input_shape == (16,) and np.allclose(data.x, 0.5)


def test_csv_text_label_header_above_numeric_labels(tmp_path):
    (tmp_path / "h.csv").write_text("digit,0,1\n0,0.1,0.2\n1,0.3,0.4\n")
    data = load_dataset_file(tmp_path / "h.csv")
    assert len(data) == 2 and data.classes == ["0", "1"]


def test_csv_ragged_line_3(tmp_path):
    (tmp_path / "ragged.csv").write_text("0,1,2,3\n1,4,5,6\n0,7,8\n")
    expect_error(tmp_path / "ragged.csv", "line 3", "3 columns", "first row has 4")


def test_csv_non_number_names_line_and_column(tmp_path):
    (tmp_path / "bad.csv").write_text("a,b,c\n0,1,2\n\n1,3,x7\n")  # the blank line still counts
    expect_error(tmp_path / "bad.csv", "line 4, column 3", "'x7' is not a number")


def test_csv_nan_names_line_and_column(tmp_path):
    (tmp_path / "nan.csv").write_text("0,1,2\n1,nan,3\n")
    expect_error(tmp_path / "nan.csv", "line 2, column 2", "not a finite number")


def test_csv_single_class_and_empty(tmp_path):
    (tmp_path / "one.csv").write_text("3,1,2\n3,4,5\n")
    expect_error(tmp_path / "one.csv", "at least 2 classes")
    (tmp_path / "empty.csv").write_text("\n\n")
    expect_error(tmp_path / "empty.csv", "no samples")
    (tmp_path / "header_only.csv").write_text("label,x1\n")
    expect_error(tmp_path / "header_only.csv", "no samples")


def test_csv_not_utf8(tmp_path):
    (tmp_path / "latin.csv").write_bytes(b"0,1\n1,\xff\n")
    expect_error(tmp_path / "latin.csv", "byte 6", "UTF-8")


# ---------------------------------------------------------------------------------------- folder

def make_folder(root, spec):
    """spec: {class name: [array, …]} → root/class/NN.png."""
    for name, images in spec.items():
        (root / name).mkdir(parents=True)
        for k, image in enumerate(images):
            write_grey_png(root / name / f"{k:02d}.png", image)
    return root


def test_folder_round_trip_resizes_to_most_common_size(tmp_path):
    dark, light = np.zeros((6, 8)), np.ones((6, 8))
    root = make_folder(tmp_path / "shapes", {"light": [light, light, np.ones((12, 16))], "dark": [dark]})
    (root / "dark" / "notes.txt").write_text("ignored")
    data = load_dataset_file(root)
    assert data.name == "shapes" and data.classes == ["dark", "light"]
    assert data.y.tolist() == [0, 1, 1, 1]
    assert data.input_shape == (6, 8) and data.preprocess == "resize"
    assert np.allclose(data.x[0], 0.0) and np.allclose(data.x[1:], 1.0)


def test_folder_resize_averages_areas(tmp_path):
    big = np.zeros((8, 8))
    big[:, :4] = 1.0
    root = make_folder(tmp_path / "d", {"a": [np.zeros((4, 4)), np.zeros((4, 4))], "b": [big]})
    data = load_dataset_file(root)
    assert np.allclose(data.x[2].reshape(4, 4), [[1, 1, 0, 0]] * 4)


def test_folder_empty_class_folder(tmp_path):
    root = make_folder(tmp_path / "d", {"cats": [np.zeros((4, 4))]})
    (root / "dogs").mkdir()
    with pytest.raises(DatasetFormatError, match=r"dogs.*holds no png/jpg/jpeg/bmp/gif images"):
        load_dataset_file(root)


def test_folder_without_subfolders_and_single_class(tmp_path):
    (tmp_path / "flat").mkdir()
    write_grey_png(tmp_path / "flat" / "a.png", np.zeros((3, 3)))
    expect_error(tmp_path / "flat", "no class sub-folders")
    root = make_folder(tmp_path / "one", {"only": [np.zeros((3, 3))]})
    expect_error(root, "'only'", "at least 2 classes")


def test_folder_broken_image_names_the_image(tmp_path):
    root = make_folder(tmp_path / "d", {"a": [np.zeros((3, 3))], "b": [np.ones((3, 3))]})
    (root / "b" / "zz.png").write_bytes(b"not a png")
    with pytest.raises(DatasetFormatError, match=r"zz\.png: cannot decode"):
        load_dataset_file(root)


# ------------------------------------------------------------------------------------------ other

def test_unknown_and_missing_files(tmp_path):
    (tmp_path / "notes.bin").write_bytes(b"\x01\x02\x03\x04\x05")
    expect_error(tmp_path / "notes.bin", "unrecognised")
    with pytest.raises(FileNotFoundError, match="nowhere.csv"):
        load_dataset_file(tmp_path / "nowhere.csv")


def test_an_absurd_csv_label_is_refused_with_its_line(tmp_path):
    path = tmp_path / "huge_label.csv"
    path.write_text("0,1,2\n20000000,3,4\n")
    with pytest.raises(DatasetFormatError, match=r"line 2.*20000000 is above the largest class number"):
        load_dataset_file(path)
