"""Small valid files of every kind NN Lab reads: the starting points the mutations damage.

Each seed is a *variant*: a name and a function writing it into a folder and returning the path
to load. The datasets hold 2 features or small images so the window's session (open on ``xor``,
2 inputs, 2 classes) accepts the weight seeds as they are.
"""
from __future__ import annotations

import gzip
import struct
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from nnlab.data.image_io import write_grey_png
from nnlab.data.weights_file import SavedModel, save_model
from nnlab.engine.network import LayerSpec, Network

Writer = Callable[[Path], Path]
_RNG = np.random.default_rng(20261206)  # fixed content: a seed is the same file in every run
_IMAGES = _RNG.integers(0, 256, size=(6, 5, 4), dtype=np.uint8)
_LABELS = np.array([0, 1, 2, 1, 0, 2], dtype=np.uint8)
_FEATURES = _RNG.normal(size=(6, 3)).round(3)
_NAMES = np.array(["cat", "dog", "cat", "emu", "dog", "cat"])


def idx_bytes(magic: int, array: np.ndarray) -> bytes:
    array = np.asarray(array, dtype=np.uint8)
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def _idx(folder: Path, gz: bool) -> Path:
    suffix, opener = (".gz", gzip.open) if gz else ("", open)
    images = folder / f"train-images-idx3-ubyte{suffix}"
    with opener(images, "wb") as handle:
        handle.write(idx_bytes(0x803, _IMAGES))
    with opener(folder / f"train-labels-idx1-ubyte{suffix}", "wb") as handle:
        handle.write(idx_bytes(0x801, _LABELS))
    return images


def _npz_images(folder: Path) -> Path:
    np.savez(folder / "images.npz", x=_IMAGES, y=_LABELS, classes=np.array(["zero", "one", "two"]))
    return folder / "images.npz"


def _npz_features(folder: Path) -> Path:
    np.savez(folder / "features.npz", x=_FEATURES, y=_NAMES)
    return folder / "features.npz"


def _npz_keras(folder: Path) -> Path:
    np.savez_compressed(folder / "keras.npz", x_train=_IMAGES[:4], y_train=_LABELS[:4].astype(np.int64),
                        x_test=_IMAGES[4:], y_test=_LABELS[4:].astype(np.int64))
    return folder / "keras.npz"


def _npz_float_images(folder: Path) -> Path:
    np.savez(folder / "float_images.npz", x=(_IMAGES / 255.0).astype(np.float32)[..., None],
             y=_NAMES.astype("S"))
    return folder / "float_images.npz"


def _csv_pixels(folder: Path) -> Path:
    pixels = _IMAGES.reshape(6, -1)[:, :16]
    lines = ["label," + ",".join(f"p{i}" for i in range(16))]
    lines += [f"{label}," + ",".join(map(str, row)) for label, row in zip(_LABELS, pixels)]
    (folder / "pixels.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "pixels.csv"


def _csv_features(folder: Path) -> Path:
    lines = [f"{name};" + ";".join(f"{v:g}" for v in row) for name, row in zip(_NAMES, _FEATURES)]
    (folder / "features.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "features.csv"


def _tsv_header(folder: Path) -> Path:
    lines = ["animal\theight\tweight\tage"]
    lines += [f"{name}\t" + "\t".join(f"{v:g}" for v in row) for name, row in zip(_NAMES, _FEATURES)]
    (folder / "animals.tsv").write_text("\r\n".join(lines), encoding="utf-8")
    return folder / "animals.tsv"


def _image_folder(folder: Path) -> Path:
    """Two classes; PNG, BMP, JPEG and GIF files, one of them a different size."""
    from PySide6.QtGui import QImage

    root = folder / "shapes"
    for k, (name, suffixes) in enumerate((("dark", (".png", ".bmp")), ("light", (".jpg", ".gif", ".png")))):
        (root / name).mkdir(parents=True)
        for j, suffix in enumerate(suffixes):
            pixels = _IMAGES[(2 * k + j) % 6]
            if j == 2:
                pixels = np.kron(pixels, np.ones((2, 2), np.uint8))  # 10 × 8: resized to 5 × 4
            if suffix == ".png":
                write_grey_png(root / name / f"{j}{suffix}", pixels)
            elif suffix == ".gif":  # Qt reads GIF but does not write it
                (root / name / f"{j}{suffix}").write_bytes(grey_gif(pixels))
            else:
                image = QImage(np.ascontiguousarray(pixels).tobytes(), pixels.shape[1], pixels.shape[0],
                               pixels.shape[1], QImage.Format.Format_Grayscale8).copy()
                assert image.save(str(root / name / f"{j}{suffix}"))
    return root


def grey_gif(pixels: np.ndarray) -> bytes:
    """A GIF of (H, W) uint8 grey levels: a 256-grey palette and 9-bit LZW codes, cleared every 254
    pixels so the code width never grows (valid, if not small)."""
    height, width = pixels.shape
    palette = bytes(np.repeat(np.arange(256, dtype=np.uint8), 3))
    codes, clear, end = [], 256, 257
    flat = pixels.reshape(-1).tolist()
    for start in range(0, len(flat), 254):
        codes += [clear, *flat[start: start + 254]]
    codes.append(end)
    bits = sum(code << (9 * i) for i, code in enumerate(codes))
    data = bits.to_bytes((9 * len(codes) + 7) // 8, "little")
    blocks = b"".join(bytes([len(data[i: i + 255])]) + data[i: i + 255] for i in range(0, len(data), 255))
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0xF7, 0, 0) + palette
            + b"\x2c" + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x08" + blocks + b"\x00\x3b")


def _model(dtype=np.float32, session: bool = False) -> SavedModel:
    network = Network(2, [LayerSpec(3, "tanh", 0.1), LayerSpec(2, "softmax")], dtype=np.dtype(dtype), seed=3)
    extra = {"experiment": {"dataset": "xor", "split": [0.7, 0.15, 0.15], "seed": 0,
                            "train": {"epochs": 3, "learning_rate": 0.01}, "augment": False}}
    arrays = {"session.history.loss": np.linspace(1, 0.1, 5)} if session else {}
    return SavedModel(network, "cross_entropy", ["0", "1"], (2,), "none", extra, arrays)


def _weights(folder: Path) -> Path:
    save_model(folder / "model.npz", _model())
    return folder / "model.npz"


def _weights_session(folder: Path) -> Path:
    save_model(folder / "model64.npz", _model(np.float64, session=True))
    return folder / "model64.npz"


def _weights_deflated(folder: Path) -> Path:
    """The same model, its members deflated (numpy.savez_compressed style)."""
    plain = _weights(folder)
    with zipfile.ZipFile(plain) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    target = folder / "compressed.npz"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    plain.unlink()
    return target


DATASET_SEEDS: dict[str, Writer] = {
    "idx": lambda folder: _idx(folder, gz=False), "idx.gz": lambda folder: _idx(folder, gz=True),
    "npz images": _npz_images, "npz features": _npz_features, "npz keras": _npz_keras,
    "npz float images": _npz_float_images, "csv pixels": _csv_pixels, "csv features": _csv_features,
    "tsv header": _tsv_header, "image folder": _image_folder,
}
def _session(folder: Path, trained: bool = True) -> Path:
    """Two runs on xor (the second branched from the first, with changed settings), snapshots and trainer states."""
    from nnlab.data.experiment import Experiment
    from nnlab.engine import EpochResult, TrainConfig, TrainingEnded
    from nnlab.lab.session import LabSession

    lab = LabSession()
    lab.load_dataset("xor")
    for rate in (0.05, 0.01):
        experiment = Experiment(dataset="xor", hidden=[3], activation="tanh",
                                train=TrainConfig(epochs=3, batch_size=32, learning_rate=rate))
        if lab.runs.current is not None:
            lab.branch(lab.runs.current.id, 1, experiment)
        trainer = lab.make_trainer(experiment)
        for record in trainer.run() if trained else ():
            if isinstance(record, (EpochResult, TrainingEnded)):
                record_it = lab.record_epoch if isinstance(record, EpochResult) else lab.record_end
                record_it(record, trainer.network.params.copy(), trainer.state())
        lab.epochs_trained = trainer.completed_epochs
    path = folder / "lesson.nnlab"
    lab.save_session(path, {"neuron": [1, 2], "connection": None}, {"epoch": 2, "ticked": [1, 2]})
    return path


def _session_deflated(folder: Path) -> Path:
    plain = _session(folder)
    with zipfile.ZipFile(plain) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    target = folder / "compressed.nnlab"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    plain.unlink()
    return target


def _conv_model(dtype=np.float32, session: bool = False, strided: bool = False) -> SavedModel:
    """A small CNN on 12×12 images: convolution, pooling, flatten and dense layers (weight format version 2)."""
    from nnlab.engine.layers import ConvSpec, PoolSpec

    if strided:
        layers = [ConvSpec(3, 3, 2, "valid", "tanh"), PoolSpec(2, "avgpool2d"), LayerSpec(4, "relu", 0.2),
                  LayerSpec(3, "softmax")]
    else:
        layers = [ConvSpec(3, 3), PoolSpec(2), ConvSpec(4, 3, frozen=True), PoolSpec(2), LayerSpec(3, "softmax")]
    network = Network((12, 12), layers, dtype=np.dtype(dtype), seed=4)
    arrays = {"session.history.loss": np.linspace(1, 0.1, 5)} if session else {}
    return SavedModel(network, "cross_entropy", ["a", "b", "c"], (12, 12), "resize", {}, arrays)


def _conv_weights(folder: Path) -> Path:
    save_model(folder / "cnn.npz", _conv_model())
    return folder / "cnn.npz"


def _conv_weights_strided(folder: Path) -> Path:
    save_model(folder / "cnn64.npz", _conv_model(np.float64, session=True, strided=True))
    return folder / "cnn64.npz"


def _conv_weights_deflated(folder: Path) -> Path:
    plain = _conv_weights(folder)
    with zipfile.ZipFile(plain) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    target = folder / "cnn-compressed.npz"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    plain.unlink()
    return target


CONV_SEEDS: dict[str, Writer] = {
    "conv weights": _conv_weights, "conv weights float64 strided+session": _conv_weights_strided,
    "conv weights deflated": _conv_weights_deflated,
}
WEIGHT_SEEDS: dict[str, Writer] = {
    "weights": _weights, "weights float64+session": _weights_session, "weights deflated": _weights_deflated,
}
SESSION_SEEDS: dict[str, Writer] = {
    "session": _session, "session deflated": _session_deflated,
}
SEEDS = {"datasets": DATASET_SEEDS, "weights": WEIGHT_SEEDS, "sessions": SESSION_SEEDS, "conv": CONV_SEEDS}
