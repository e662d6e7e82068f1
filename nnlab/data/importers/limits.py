"""How big a data file NN Lab agrees to read, and why each limit sits where it does.

(The limit on one image file's pixels lives with the decoder, in ``nnlab.data.image_io``.)

Every limit is checked from what a file *declares* (an IDX or .npy header, a zip entry, an
image header) before the memory is allocated or the data inflated, and each refusal says the
limit in its sentence. ``format_bytes`` writes sizes the way those sentences do.
"""
from __future__ import annotations

# Samples × features in one dataset. 2**29 values are 680,000 28×28 images (11× MNIST's 60,000
# training digits, room for a 500,000-image set): 512 MiB kept as bytes, 2 GiB as float32 rows —
# what a learner's 8 GB laptop can spare beside the app.
MAX_VALUES = 2**29

# Bytes any one array of a file may decompress to (float64 features, long text labels): 2 GiB.
MAX_ARRAY_BYTES = 2**31

# Deflate (zip, gzip, PNG) never inflates one byte into more than 1,032 (RFC 1951: a 258-byte match
# costs at least 2 bits). A header declaring more data than its compressed bytes can hold is
# damaged, and is refused before that much memory is allocated.
MAX_DEFLATE_RATIO = 1032

# A .npy header is a ~100-byte Python literal; NumPy's own reader stops at 10,000 characters.
MAX_NPY_HEADER_BYTES = 10_000

# A CSV is parsed into several copies (text, rows, float64 table): about 8× its size at the peak.
# 256 MiB is 2.3× MNIST's 60,000 training digits written as CSV (110 MB), and peaks near 2 GiB.
MAX_CSV_BYTES = 256 * 2**20

# The csv module's own limit on one cell (131,072 characters): a number is never that long.
MAX_CSV_CELL_CHARS = 131_072

# Pixels in one sample of an image folder. Bigger pictures are scaled down to fit, keeping their
# shape: 256 × 256 inputs already make a 128-unit first layer of 8.4 million weights.
MAX_INPUT_PIXELS = 256 * 256

# An output layer wider than this is refused anyway; checking labels first names the real culprit.
MAX_CLASSES = 10_000


def format_bytes(n_bytes: int) -> str:
    """1536 → '1.5 KiB', 2**31 → '2 GiB': sizes as the refusal messages state them."""
    size = float(n_bytes)
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if size < 1024 or unit == "PiB":
            return f"{int(size):,} bytes" if unit == "bytes" else f"{size:.4g} {unit}"
        size /= 1024
    raise AssertionError("unreachable")
