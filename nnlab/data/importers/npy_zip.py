"""Read the arrays of an untrusted ``.npz`` (a zip of ``.npy`` files) without NumPy's ``np.load``.

``np.load`` trusts what it reads: a member without the ``.npy`` magic comes back as raw bytes, a
header declaring 2**40 values is allocated, an encrypted or oddly flagged zip entry raises
RuntimeError or NotImplementedError. Here each member's zip entry and ``.npy`` header are checked
first — encryption, compression, magic, header size and syntax, dtype, shape, and the declared size
against NN Lab's limits and against what the entry can hold — and only then is the data read,
straight into its array. Nothing is ever unpickled: object arrays are refused from the header.
"""
from __future__ import annotations

import ast
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nnlab.data.errors import DatasetFormatError

from .common import read_into
from .limits import MAX_ARRAY_BYTES, MAX_DEFLATE_RATIO, MAX_NPY_HEADER_BYTES, format_bytes

NPY_MAGIC = b"\x93NUMPY"
_HEADER_LENGTH = {1: "<H", 2: "<I", 3: "<I"}  # .npy major version → its header-length field
_HEADER_KEYS = {"descr", "fortran_order", "shape"}
_COMPRESSIONS = {zipfile.ZIP_STORED: 1, zipfile.ZIP_DEFLATED: MAX_DEFLATE_RATIO}  # method → most it inflates
# What zipfile, zlib and a damaged stream may raise while an entry is read.
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, zlib.error, ValueError,
               struct.error, NotImplementedError, RuntimeError, OverflowError, UnicodeDecodeError)
_NUMERIC_OR_TEXT = "biufUS"  # bool, ints, floats, str, bytes: anything else is not data NN Lab learns from


@dataclass(frozen=True)
class NpyHeader:
    """What one ``.npy`` member declares, before any of its data is read."""

    shape: tuple[int, ...]
    dtype: np.dtype
    fortran_order: bool
    data_offset: int  # bytes from the member's start to its data

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize


class NpzArchive:
    """An open ``.npz`` whose members are reached by array name (``"x"`` for ``x.npy``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self._file_size = path.stat().st_size
            self._zip = zipfile.ZipFile(path)
            infos = self._zip.infolist()
        except _ZIP_ERRORS as error:
            raise DatasetFormatError(path, None, f"cannot open it as a .npz archive ({_sentence(error)})") from error
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            if name in self.members:
                self.close()
                raise DatasetFormatError(path, f"array {name!r}", "the archive holds two arrays of that name")
            self.members[name] = info

    def __enter__(self) -> "NpzArchive":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def header(self, name: str) -> NpyHeader:
        """Check member ``name``'s zip entry and parse its ``.npy`` header (reads ≤ 10 kB)."""
        info = self.members[name]
        self._check_entry(name, info)
        try:
            with self._zip.open(info) as member:
                return _parse_header(self.path, name, member)
        except DatasetFormatError:
            raise
        except _ZIP_ERRORS as error:
            raise self._unreadable(name, error) from error

    def read(self, name: str, header: NpyHeader, out: np.ndarray | None = None) -> np.ndarray:
        """Member ``name``'s data as declared by ``header`` (from :meth:`header`), or into ``out``."""
        info = self.members[name]
        stored = info.file_size - header.data_offset
        if stored != header.nbytes:
            raise DatasetFormatError(self.path, f"array {name!r}", f"its header declares {header.shape} "
                                     f"{header.dtype} values ({header.nbytes:,} bytes) but the archive holds "
                                     f"{max(stored, 0):,} bytes of data")
        order = "F" if header.fortran_order else "C"
        array = np.empty(header.shape, dtype=header.dtype, order=order) if out is None else out
        flat = array.reshape(-1, order="A")  # a view: C or F contiguous like ``array``
        try:
            with self._zip.open(info) as member:
                member.read(header.data_offset)
                got = read_into(member, flat.view(np.uint8))
                trailing = member.read(1)  # reaching the end checks the entry's CRC
        except _ZIP_ERRORS as error:
            raise self._unreadable(name, error) from error
        if got < header.nbytes or trailing:
            raise DatasetFormatError(self.path, f"array {name!r}", "its data does not match its zip entry's size; "
                                     "the archive is damaged")
        return array

    def _check_entry(self, name: str, info: zipfile.ZipInfo) -> None:
        where = f"array {name!r}"
        if info.flag_bits & 0x41:  # bit 0: encrypted, bit 6: strong encryption
            raise DatasetFormatError(self.path, where, "it is encrypted; save the archive without a password")
        if info.flag_bits & 0x20:
            raise DatasetFormatError(self.path, where, "it is stored as zip 'patched data', which NN Lab "
                                     "does not read; save it again with numpy.savez")
        ratio = _COMPRESSIONS.get(info.compress_type)
        if ratio is None:
            raise DatasetFormatError(self.path, where, f"it uses zip compression method {info.compress_type}; "
                                     "NN Lab reads arrays saved by numpy.savez or numpy.savez_compressed")
        if info.file_size > MAX_ARRAY_BYTES:
            raise DatasetFormatError(self.path, where, f"it would decompress to {format_bytes(info.file_size)}, "
                                     f"more than NN Lab's limit of {format_bytes(MAX_ARRAY_BYTES)} for one array")
        holds = ratio * min(info.compress_size, self._file_size)
        if info.file_size > holds:
            raise DatasetFormatError(self.path, where, f"its zip entry claims {info.file_size:,} bytes, more than "
                                     f"its {info.compress_size:,} stored bytes can hold; the archive is damaged")

    def _unreadable(self, name: str, error: Exception) -> DatasetFormatError:
        return DatasetFormatError(self.path, f"array {name!r}", f"it cannot be read ({_sentence(error)})")


def _parse_header(path: Path, name: str, member) -> NpyHeader:
    where = f"array {name!r}"
    magic = member.read(8)
    if magic[:6] != NPY_MAGIC or len(magic) < 8:
        raise DatasetFormatError(path, where, "it is not a NumPy .npy array (it does not start with the "
                                 ".npy magic bytes)")
    major, minor = magic[6], magic[7]
    length_format = _HEADER_LENGTH.get(major) if minor == 0 else None
    if length_format is None:
        raise DatasetFormatError(path, where, f"it uses .npy format version {major}.{minor}, which NN Lab "
                                 "does not read")
    length_bytes = member.read(struct.calcsize(length_format))
    if len(length_bytes) < struct.calcsize(length_format):
        raise DatasetFormatError(path, where, "it ends inside its .npy header")
    (length,) = struct.unpack(length_format, length_bytes)
    if length > MAX_NPY_HEADER_BYTES:
        raise DatasetFormatError(path, where, f"its .npy header is {length:,} bytes long; a real one is about "
                                 f"100 and NN Lab reads at most {MAX_NPY_HEADER_BYTES:,}")
    raw = member.read(length)
    if len(raw) < length:
        raise DatasetFormatError(path, where, "it ends inside its .npy header")
    shape, dtype, fortran = _header_fields(path, where, raw.decode("utf-8" if major == 3 else "latin-1"))
    return NpyHeader(shape, dtype, fortran, 8 + len(length_bytes) + length)


def _header_fields(path: Path, where: str, text: str) -> tuple[tuple[int, ...], np.dtype, bool]:
    """The ``{'descr': …, 'fortran_order': …, 'shape': …}`` literal → checked (shape, dtype, order)."""
    try:
        fields = ast.literal_eval(text)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        fields = None
    if not isinstance(fields, dict) or set(fields) != _HEADER_KEYS:
        raise DatasetFormatError(path, where, f"its .npy header is not valid ({text.strip()[:60]!r})")
    shape, fortran = fields["shape"], fields["fortran_order"]
    if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape):
        raise DatasetFormatError(path, where, f"its .npy header has an invalid shape {str(shape)[:60]}")
    if not isinstance(fortran, bool):
        raise DatasetFormatError(path, where, f"its .npy header has an invalid fortran_order {str(fortran)[:20]}")
    try:
        dtype = np.lib.format.descr_to_dtype(fields["descr"])
    except (TypeError, ValueError, KeyError, IndexError, RecursionError, OverflowError):
        raise DatasetFormatError(path, where, f"its .npy header has an invalid dtype "
                                 f"{str(fields['descr'])[:60]}") from None
    if dtype.hasobject:
        raise DatasetFormatError(path, where, "it holds Python objects, which NN Lab will not unpickle for "
                                 "safety; save it as a numeric or string array")
    if dtype.kind not in _NUMERIC_OR_TEXT or dtype.fields is not None:
        raise DatasetFormatError(path, where, f"it holds {dtype} values; NN Lab reads numbers or text")
    if dtype.itemsize == 0:
        raise DatasetFormatError(path, where, f"it holds {dtype} values, strings of no characters")
    count = math.prod(shape)
    if count * dtype.itemsize > MAX_ARRAY_BYTES:
        raise DatasetFormatError(path, where, f"its header declares {shape} {dtype} values, which would "
                                 f"decompress to {format_bytes(count * dtype.itemsize)}, more than NN Lab's "
                                 f"limit of {format_bytes(MAX_ARRAY_BYTES)} for one array")
    return shape, dtype, fortran


def _sentence(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__).rstrip(".")
