"""Reading one ``.npy`` member of an untrusted zip: bounded memory, one clear sentence.

``numpy.lib.format`` trusts the length fields it reads: a member that declares a 1 GB header
is read whole before NumPy refuses it, and a header is parsed again each time its array is
read. Here the header's length is checked before the header is read, each distinct header is
parsed once, and the data is read straight into one array whose size the caller has already
checked. Every failure is a :class:`FileProblem` naming the member.
"""
from __future__ import annotations

import functools
import io
import lzma
import math
import struct
import tokenize
import zipfile
import zlib
from typing import NamedTuple

import numpy as np

from .meta_checks import FileProblem, first_sentence

# NumPy's own limit: np.load(allow_pickle=False) refuses a longer .npy header (a real one is ~128
# bytes). Checked on the length field before the header is read: a member declaring a 1 GB header
# used to be read whole (2.3 GB peak) before NumPy refused it.
MAX_HEADER_BYTES = 10_000
LAST_CODE_POINT = 0x10FFFF  # a .npy unicode array may hold any 32-bit number; Python's str cannot
_HEADER_LENGTH_FIELDS = {(1, 0): "<H", (2, 0): "<I"}  # the .npy header length after the 8-byte magic
_CHUNK_BYTES = 1 << 24  # array data is read in 16 MiB steps, so reading never holds a second copy
# Everything zipfile/zlib/lzma/numpy may raise on a damaged archive or member (a member marked LZMA whose
# filter properties are garbage raises LZMAError, an Exception of its own).
READ_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, struct.error,
               zlib.error, lzma.LZMAError, NotImplementedError, RuntimeError, OverflowError, UnicodeError,
               tokenize.TokenError, SyntaxError, MemoryError)


class NpyHeader(NamedTuple):
    """A checked .npy header: what its data is, and where the data starts in the member."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_offset: int


def read_header(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str) -> NpyHeader:
    """A member's .npy header, without reading (or allocating) its data.

    The header's declared length is checked before the header is read, so a hostile length
    costs nothing; NumPy parses the (at most MAX_HEADER_BYTES) header itself.
    """
    try:
        with archive.open(info) as member:
            magic = member.read(8)
            version = np.lib.format.read_magic(io.BytesIO(magic))
            if version not in _HEADER_LENGTH_FIELDS:
                raise FileProblem(f"{key} uses .npy format version {version}, which NN Lab does not read")
            length_field = _HEADER_LENGTH_FIELDS[version]
            raw_length = member.read(struct.calcsize(length_field))
            (length,) = struct.unpack(length_field, raw_length)
            if length > MAX_HEADER_BYTES:
                raise FileProblem(f"{key} declares a .npy header of {length:,} bytes; "
                                  f"NumPy reads at most {MAX_HEADER_BYTES:,}")
            shape, fortran_order, dtype = _parse_header(version, raw_length + member.read(length))
    except READ_ERRORS as exc:
        raise FileProblem(f"{key} is not a readable NumPy array ({first_sentence(exc)})") from None
    if any(n < 0 for n in shape):  # NumPy's parser lets (-1,) through; np.empty would not
        raise FileProblem(f"{key} has the impossible shape {shape}")
    return NpyHeader(shape, dtype, fortran_order, len(magic) + len(raw_length) + length)


@functools.lru_cache(maxsize=64)
def _parse_header(version: tuple[int, int], after_magic: bytes) -> tuple[tuple[int, ...], bool, np.dtype]:
    """NumPy's own header parser (a literal_eval, ~50 µs), run once per distinct header: 60,000
    session arrays usually share a handful."""
    parse = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}[version]
    shape, fortran_order, dtype = parse(io.BytesIO(after_magic))
    return tuple(int(n) for n in shape), bool(fortran_order), np.dtype(dtype)


def read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, key: str, header: NpyHeader) -> np.ndarray:
    """The data a checked header describes, read once into one array (the header is not parsed again).

    Reading one byte past the data reaches the member's end, where zipfile checks its CRC: a
    flipped bit in stored data is refused, not loaded.
    """
    count = math.prod(header.shape)
    try:
        raw = np.empty(count * header.dtype.itemsize, np.uint8)
        with archive.open(info) as member:
            member.read(header.data_offset)
            memory, filled = memoryview(raw), 0
            while filled < raw.size:
                got = member.readinto(memory[filled:filled + _CHUNK_BYTES])
                if not got:
                    raise FileProblem(f"{key} is damaged (its data ends after {filled:,} of "
                                      f"{raw.size:,} bytes)")
                filled += got
            if member.read(1):
                raise FileProblem(f"{key} is damaged (it holds more data than its header declares)")
        array = raw.view(header.dtype) if raw.size else np.empty(count, header.dtype)  # size 0, "V0"
        if header.fortran_order:
            return array.reshape(header.shape[::-1]).transpose()
        return array.reshape(header.shape)
    except READ_ERRORS as exc:
        raise FileProblem(f"{key} is damaged ({first_sentence(exc)})") from None


def check_code_points(array: np.ndarray, key: str, surrogates: bool = True) -> None:
    """Refuse a unicode array holding numbers beyond U+10FFFF (or lone surrogates).

    NumPy turns code 0x110000 into a Python str that raises SystemError when used, and a
    surrogate into one that cannot be printed; neither is text.
    """
    codes = array.reshape(-1).view(np.dtype(np.uint32).newbyteorder(array.dtype.byteorder))
    bad = codes > LAST_CODE_POINT
    if surrogates:
        bad |= (codes >= 0xD800) & (codes <= 0xDFFF)
    bad = np.flatnonzero(bad)
    if bad.size:
        position, code = int(bad[0]), int(codes[bad[0]])
        where = f"character {position + 1:,}" if array.ndim == 0 else \
            f"item {position // (array.dtype.itemsize // 4):,}"
        raise FileProblem(f"{key} holds code {code:#x} at {where}, which is not Unicode text")
