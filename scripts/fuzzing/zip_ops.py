"""Damage that knows a ``.npz`` is a zip of ``.npy`` members: headers, members, entries, flags.

Members are rewritten and the zip rebuilt (with correct CRCs) so the damage reaches the ``.npy``
parser instead of stopping at a checksum; zip-level operations then patch the finished bytes.
"""
from __future__ import annotations

import io
import json
import re
import struct
import tokenize
import zipfile

import numpy as np

from .bytes_ops import damage, interesting_array

_HUGE_SHAPES = ["(1099511627776,)", "(4294967296, 4294967296)", "(-1, 3)", "()", "(0,)", "(6, 0)", "(6, 5, 0)",
                "(3, 2**40)", "(6, 5, 4, 1, 1)", "(True,)", "(6.0, 4)", "[6, 4]", "(6, 20)"]
_DESCRS = ["'|O'", "'<c16'", "'|V8'", "'<M8[ns]'", "[('a', '<i4'), ('b', '<f8')]", "'(2,)<i4'", "'>f8'", "'<U0'",
           "'|S0'", "'<f16'", "'nonsense'", "42", "'<U2147483647'", "'<i8'", "'?'", "{'names': 1}"]


def read_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, archive.read(info)) for info in archive.infolist()]


def write_members(members: list[tuple[str, bytes]], deflate: bool) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED
    with zipfile.ZipFile(buffer, "w", compression=method) as archive:
        for name, content in members:
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), content, compress_type=method)
    return buffer.getvalue()


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)  # object arrays too: the loaders must refuse them unread
    return buffer.getvalue()


def split_npy(blob: bytes) -> tuple[str, bytes] | None:
    """(header text, data) of a .npy member, or None when it has no readable header."""
    if not blob.startswith(b"\x93NUMPY") or len(blob) < 10:
        return None
    size_format = "<H" if blob[6] == 1 else "<I"
    start = 8 + struct.calcsize(size_format)
    (length,) = struct.unpack(size_format, blob[8:start])
    return blob[start: start + length].decode("latin-1"), blob[start + length:]


def join_npy(header: str, data: bytes, version: int = 1) -> bytes:
    raw = header.encode("latin-1", "replace")
    size_format = "<H" if version == 1 else "<I"
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack(size_format, len(raw) & 0xFFFF) + raw + data


def mutate_header(blob: bytes, rng: np.random.Generator):
    parts = split_npy(blob)
    if parts is None:
        return damage(blob, rng)
    header, data = parts
    choice = int(rng.integers(0, 7))
    if choice == 0:
        shape = _HUGE_SHAPES[int(rng.integers(0, len(_HUGE_SHAPES)))]
        return join_npy(re.sub(r"'shape': [^}]*?\),", f"'shape': {shape},", header), data), f"header shape {shape}"
    if choice == 1:
        descr = _DESCRS[int(rng.integers(0, len(_DESCRS)))]
        return join_npy(re.sub(r"'descr': '[^']*'", f"'descr': {descr}", header), data), f"header descr {descr}"
    if choice == 2:
        return join_npy(header.replace("False", "True") if "False" in header else header.replace("True", "1"),
                        data), "header fortran_order flipped"
    if choice == 3:
        cut = int(rng.integers(0, len(header) + 1))
        junk = ["{", "}", "(", "'", '"', "\\", "L", "#", "((((" * 300, "\x00", "\n", "lambda: 0", "3L"]
        token = junk[int(rng.integers(0, len(junk)))]
        return join_npy(header[:cut] + token + header[cut:], data), f"header text {token[:8]!r} at {cut}"
    if choice == 4:  # a header length field far beyond the member
        length = int(rng.choice([0, 1, 0xFFFF, 0x7FFFFFFF, 0xFFFFFFFF]))
        version = 2 if length > 0xFFFF else 1
        size_format = "<H" if version == 1 else "<I"
        raw = header.encode("latin-1")
        return b"\x93NUMPY" + bytes([version, 0]) + struct.pack(size_format, length) + raw + data, \
            f"header length field {length:#x}"
    if choice == 5:
        version = [(0, 0), (3, 0), (4, 0), (1, 9), (2, 0)][int(rng.integers(0, 5))]
        return b"\x93NUMPY" + bytes(version) + blob[8:], f".npy version {version}"
    magic = [b"\x93NUMPX", b"PK\x03\x04\x00\x00", b"", b"\x93NUMPY"][int(rng.integers(0, 4))]
    return magic + blob[6:], f"magic {magic!r}"


def mutate_member(members: list[tuple[str, bytes]], rng: np.random.Generator,
                  n_samples: int) -> tuple[list[tuple[str, bytes]], str]:
    """One structural change to the members list (returns a new list)."""
    members = list(members)
    k = int(rng.integers(0, len(members))) if members else 0
    name = members[k][0] if members else "x.npy"
    choice = int(rng.integers(0, 8))
    if choice == 0 and members:
        blob, what = damage(members[k][1], rng)
        members[k] = (name, blob)
        return members, f"{name}: {what}"
    if choice in (1, 2) and members:
        blob, what = mutate_header(members[k][1], rng)
        members[k] = (name, blob)
        return members, f"{name}: {what}"
    if choice in (3, 4) and members:
        array, what = interesting_array(rng, n_samples)
        members[k] = (name, npy_bytes(array))
        return members, f"{name} replaced by {what}"
    if choice == 5 and members:
        del members[k]
        return members, f"{name} removed"
    if choice == 6 and members:
        members.append(members[k])
        return members, f"{name} twice"
    if choice == 7:
        extra = ["x.npy", "y.npy", "classes.npy", "x_train.npy", "x_test.npy", "y_test.npy", "session.big.npy",
                 "notes", "layers.9.weight.npy"][int(rng.integers(0, 9))]
        array, what = interesting_array(rng, n_samples)
        members = [m for m in members if m[0] != extra] + [(extra, npy_bytes(array))]
        return members, f"{extra} set to {what}"
    return members, "no change"


def patch_entries(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    """Zip-level lies in both the local and the central headers: flags, method, sizes."""
    out = bytearray(data)
    choice = int(rng.integers(0, 4))
    if choice == 0:
        flag = int(rng.choice([0x1, 0x20, 0x40, 0x8, 0x800, 0x41]))
        _patch(out, lambda local: (6 if local else 8), "<H", lambda old: old | flag)
        return bytes(out), f"zip flag bits |= {flag:#x}"
    if choice == 1:
        method = int(rng.choice([1, 6, 9, 12, 14, 93, 99, 0xFFFF]))
        _patch(out, lambda local: (8 if local else 10), "<H", lambda old: method)
        return bytes(out), f"zip compression method {method}"
    if choice == 2:
        size = int(rng.choice([0, 1, 2**31 - 1, 2**32 - 1, 10_000_000]))
        _patch(out, lambda local: (22 if local else 24), "<I", lambda old: size)
        return bytes(out), f"zip uncompressed size {size:#x}"
    size = int(rng.choice([0, 1, 2**31 - 1, 2**32 - 1]))
    _patch(out, lambda local: (18 if local else 20), "<I", lambda old: size)
    return bytes(out), f"zip compressed size {size:#x}"


def _patch(out: bytearray, offset_of, fmt: str, change) -> None:
    for signature, local in ((b"PK\x03\x04", True), (b"PK\x01\x02", False)):
        at = out.find(signature)
        while at >= 0:
            offset = at + offset_of(local)
            if offset + struct.calcsize(fmt) <= len(out):
                (old,) = struct.unpack_from(fmt, out, offset)
                struct.pack_into(fmt, out, offset, change(old) & (0xFFFF if fmt == "<H" else 0xFFFFFFFF))
            at = out.find(signature, at + 4)


def many_members(members: list[tuple[str, bytes]], rng: np.random.Generator):
    """Thousands of tiny extra arrays (a weight file's ``session.*`` data, or unused .npz members)."""
    count = int(rng.choice([1_000, 5_000, 20_000]))
    tiny = npy_bytes(np.zeros(1, dtype=np.float32))
    return list(members) + [(f"session.s{i}.npy", tiny) for i in range(count)], f"{count:,} tiny session.* arrays"


def meta_json_op(members: list[tuple[str, bytes]], rng: np.random.Generator):
    """Weight files: change one value in the JSON meta (types, ranges, huge numbers, depth)."""
    k = next((i for i, (name, _) in enumerate(members) if name == "meta.npy"), None)
    parts = split_npy(members[k][1]) if k is not None else None
    if parts is None:
        return members, "meta absent"
    try:
        text = np.load(io.BytesIO(members[k][1]), allow_pickle=False)[()]
        meta = json.loads(str(text))
    except (ValueError, OSError, KeyError, IndexError, RecursionError, SyntaxError, tokenize.TokenError):
        return members, "meta unreadable"  # an earlier step broke its header; NumPy's parser says so in many ways
    if not isinstance(meta, dict):  # an earlier step made it another JSON value
        return members, "meta is not an object"
    values = ["1" + "0" * 400, "1e400", "-1", "0", "1.5", '"x"', "null", "true", "[]", "{}", "[" * 5000 + "]" * 5000,
              '"\\ud800"', "NaN", "-0", "99999999999999999999", '"float16"', '"softmax"', '"none"']
    raw = values[int(rng.integers(0, len(values)))]
    paths = _json_paths(meta)
    path = paths[int(rng.integers(0, len(paths)))]
    action = int(rng.integers(0, 3))
    marker = "\u0000MARK\u0000"
    if action == 0:
        _set(meta, path, marker)
        what = f"meta {'.'.join(map(str, path))} = {raw[:20]}"
    elif action == 1 and path:
        _delete(meta, path)
        raw, what = None, f"meta {'.'.join(map(str, path))} removed"
    else:
        _set(meta, path[:-1] + ["unknown_key"] if path and isinstance(_get(meta, path[:-1]), dict)
             else ["unknown_key"], marker)
        what = f"meta gains a key = {raw[:20]}"
    text = json.dumps(meta)
    if raw is not None:
        text = raw if action == 0 and not path else text.replace(json.dumps(marker), raw)
    members[k] = ("meta.npy", npy_bytes(np.array(text)))
    return members, what


def _json_paths(node, prefix=()) -> list[list]:
    paths = [list(prefix)]
    if isinstance(node, dict):
        for key, value in node.items():
            paths += _json_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            paths += _json_paths(value, (*prefix, i))
    return paths


def _get(node, path):
    for key in path:
        node = node[key]
    return node


def _set(root, path, value):
    if not path:
        return
    _get(root, path[:-1])[path[-1]] = value


def _delete(root, path):
    del _get(root, path[:-1])[path[-1]]
