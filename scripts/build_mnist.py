"""Rebuild the shipped full MNIST, resources/datasets/mnist.npz, from the four IDX files.

    python scripts/build_mnist.py --idx DIR        # train-images-idx3-ubyte.gz … t10k-labels-idx1-ubyte.gz
    python scripts/build_mnist.py --npz ../shared/mnist/mnist.npz

``--idx`` takes the four files LeCun, Cortes and Burges published (plain or .gz); the .gz ones are
checked against the published MD5s first. ``--npz`` takes an .npz holding the same four arrays
(x_train, y_train, x_test, y_test) — the project's ``../shared/mnist/mnist.npz`` is one, MD5-checked
against the published files when it was made (see ../shared/README.md). Either way the arrays are
checked (shapes, uint8, labels 0..9) and written with ``np.savez_compressed``, which NumPy ≥ 2 writes
with fixed zip timestamps: the same arrays give the same bytes, so the file's sha256 in
resources/datasets/mnist-PROVENANCE.md can be checked (the script says whether it matches).
"""
from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # read IDX with this tree's checked reader, whatever nnlab is installed

from nnlab.data.importers.idx import IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC, read_idx  # noqa: E402

OUT = REPO / "resources" / "datasets" / "mnist.npz"
PROVENANCE = REPO / "resources" / "datasets" / "mnist-PROVENANCE.md"
# The four files as published at http://yann.lecun.com/exdb/mnist/ (the MD5s torchvision checks too).
IDX_FILES = {
    "x_train": ("train-images-idx3-ubyte", IDX_IMAGES_MAGIC, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "y_train": ("train-labels-idx1-ubyte", IDX_LABELS_MAGIC, "d53e105ee54ea40749a09fcbcd1e9432"),
    "x_test": ("t10k-images-idx3-ubyte", IDX_IMAGES_MAGIC, "9fb629c4189551a2d022fa330f9573f3"),
    "y_test": ("t10k-labels-idx1-ubyte", IDX_LABELS_MAGIC, "ec29112dd5afa0611ce80d1b7f02629c"),
}
SHAPES = {"x_train": (60000, 28, 28), "y_train": (60000,), "x_test": (10000, 28, 28), "y_test": (10000,)}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_idx_files(folder: Path, check_md5: bool = True) -> dict[str, np.ndarray]:
    arrays = {}
    for key, (name, magic, md5) in IDX_FILES.items():
        found = [folder / (name + ext) for ext in (".gz", "") if (folder / (name + ext)).is_file()]
        if not found:
            raise SystemExit(f"{folder} has no {name}.gz (nor {name}): give the folder holding the four IDX files")
        path = found[0]
        if path.suffix == ".gz" and check_md5 and hashlib.md5(path.read_bytes()).hexdigest() != md5:
            raise SystemExit(f"{path} is not the published file (its MD5 is not {md5})")
        arrays[key] = read_idx(path, magic, "images" if key.startswith("x") else "labels")
    return arrays


def read_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as data:
        missing = [key for key in SHAPES if key not in data.files]
        if missing:
            raise SystemExit(f"{path} has no array {missing[0]!r}: it needs {', '.join(SHAPES)}")
        return {key: data[key] for key in SHAPES}


def check(arrays: dict[str, np.ndarray]) -> None:
    for key, shape in SHAPES.items():
        array = arrays[key]
        if array.shape != shape or array.dtype != np.uint8:
            raise SystemExit(f"{key} is {array.dtype} {array.shape}, not uint8 {shape}: this is not MNIST")
    for key in ("y_train", "y_test"):
        if arrays[key].max() > 9:
            raise SystemExit(f"{key} holds the label {arrays[key].max()}: MNIST's labels are 0..9")


def recorded_sha256() -> str | None:
    if not PROVENANCE.is_file():
        return None
    found = re.search(r"SHA-256: `([0-9a-f]{64})`", PROVENANCE.read_text(encoding="utf-8"))
    return found.group(1) if found else None


def build(arrays: dict[str, np.ndarray], out: Path) -> str:
    """Write the four arrays in the published order; returns the file's sha256."""
    check(arrays)
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out, **{key: np.ascontiguousarray(arrays[key]) for key in SHAPES})
    return sha256(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--idx", type=Path, help="folder with the four IDX files (plain or .gz)")
    source.add_argument("--npz", type=Path, help="an .npz with x_train, y_train, x_test, y_test")
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT.relative_to(REPO)})")
    parser.add_argument("--no-md5", action="store_true",
                        help="accept .gz IDX files that are not byte for byte the published ones")
    args = parser.parse_args(argv)
    arrays = read_idx_files(args.idx, not args.no_md5) if args.idx else read_npz(args.npz)
    digest = build(arrays, args.out)
    recorded = recorded_sha256()
    verdict = ("equal to the one recorded in mnist-PROVENANCE.md" if digest == recorded
               else f"NOT the recorded {recorded}: update mnist-PROVENANCE.md if the data is meant to change")
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes), sha256 {digest} — {verdict}")
    return 0 if digest == recorded else 1


if __name__ == "__main__":
    sys.exit(main())
