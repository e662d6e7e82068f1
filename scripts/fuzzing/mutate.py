"""Turn a seed into one damaged file: pick the format's mutations, apply one to three of them.

``make_case(kind, seed, index, folder)`` is deterministic: the same three numbers always write
the same files, so any finding is replayed with ``scripts/fuzz_files.py --replay``.
"""
from __future__ import annotations

import gzip
import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .bytes_ops import INTERESTING_INTS, damage
from .seeds import SEEDS
from .zip_ops import many_members, meta_json_op, mutate_member, patch_entries, read_members, write_members

KINDS = ("weights", "datasets", "sessions", "conv")  # conv: weight files of convolutional networks (version 2)
_CSV_TOKENS = ['"', '""', "\x00", "\ufeff", "nan", "inf", "-inf", "1e400", "-5", "99999999", "1_000", "\u0661",
               "0x10", "\r", "\x85", "\u2028", "\x1c", ",", ";", "\t", " ", "\n", "", "é", "\U0001F600", "1e-400",
               "9" * 200_000, "a" * 140_000, '"' + "1" * 140_000 + '"', ",".join(["7"] * 20_000), "--", "+1", ".5"]


def make_case(kind: str, seed: int, index: int, folder: Path) -> tuple[Path, str]:
    """Write case ``index`` of ``kind`` under ``folder``; return (path to load, recipe)."""
    rng = np.random.default_rng([seed, KINDS.index(kind), index])
    variants = SEEDS[kind]
    name = list(variants)[int(rng.integers(0, len(variants)))]
    target = variants[name](folder)
    steps = [_mutate_once(name, target, rng) for _ in range(int(rng.choice([1, 1, 1, 2, 3])))]
    return target, f"{name}: " + "; ".join(steps)


def _mutate_once(variant: str, target: Path, rng: np.random.Generator) -> str:
    if variant.startswith("idx"):
        victim = target if rng.random() < 0.7 else next(target.parent.glob("*labels*"))
        return f"{victim.name}: " + _mutate_idx_file(victim, rng)
    if variant == "image folder":
        return _mutate_folder(target, rng)
    data = target.read_bytes()
    if variant.startswith(("npz", "weights", "session", "conv")):
        new, what = _mutate_zip(data, rng, weights=variant.startswith(("weights", "session", "conv")))
    elif rng.random() < 0.7:
        new, what = _mutate_text(data, rng)
    else:
        new, what = damage(data, rng)
    target.write_bytes(new)
    return what


def _mutate_zip(data: bytes, rng: np.random.Generator, weights: bool) -> tuple[bytes, str]:
    roll = rng.random()
    if roll < 0.6:
        try:
            members = read_members(data)
        except Exception:  # an earlier step broke the zip: damage its bytes instead
            return damage(data, rng)
        deflate = _deflated(data)
        if rng.random() < 0.005:
            members, what = many_members(members, rng)
        elif weights and rng.random() < 0.4:
            members, what = meta_json_op(members, rng)
        else:
            members, what = mutate_member(members, rng, n_samples=6)
        return write_members(members, deflate), what
    if roll < 0.75:
        return patch_entries(data, rng)
    return damage(data, rng)


def _deflated(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())


def _mutate_idx_file(path: Path, rng: np.random.Generator) -> str:
    gz = path.name.endswith(".gz")
    data = path.read_bytes()
    if gz and rng.random() < 0.4:
        new, what = damage(data, rng)
        path.write_bytes(new)
        return "gzip bytes: " + what
    if gz:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error):
            new, what = damage(data, rng)
            path.write_bytes(new)
            return "gzip bytes: " + what
    if rng.random() < 0.6 and len(data) >= 8:
        new, what = _idx_header_op(data, rng)
    else:
        new, what = damage(data, rng)
    path.write_bytes(gzip.compress(new, mtime=0) if gz else new)
    return what


def _idx_header_op(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    ndim = data[3]
    choice = int(rng.integers(0, 4))
    if choice == 0 and ndim:
        i = int(rng.integers(0, min(ndim, 3)))
        value = int(rng.choice(INTERESTING_INTS + (4, 5, 6, 7))) & 0xFFFFFFFF
        at = 4 + 4 * i
        return data[:at] + struct.pack(">I", value) + data[at + 4:], f"IDX dim {i} = {value}"
    if choice == 1:
        type_byte, dims = int(rng.choice([0x08, 0x09, 0x0B, 0x0D, 0x0E, 0x00])), int(rng.choice([0, 1, 2, 3, 4, 255]))
        return data[:2] + bytes([type_byte, dims]) + data[4:], f"IDX magic type 0x{type_byte:02X} dims {dims}"
    if choice == 2:
        extra = int(rng.choice([1, 20, 5000]))
        return data + bytes(extra), f"IDX {extra} extra byte(s)"
    cut = int(rng.integers(4, len(data) + 1))
    return data[:cut], f"IDX truncated to {cut}"


def _mutate_text(data: bytes, rng: np.random.Generator) -> tuple[bytes, str]:
    text = data.decode("utf-8", "surrogateescape")
    lines = text.split("\n")
    choice = int(rng.integers(0, 5))
    k = int(rng.integers(0, len(lines)))
    if choice <= 1:
        token = _CSV_TOKENS[int(rng.integers(0, len(_CSV_TOKENS)))]
        at = int(rng.integers(0, len(text) + 1))
        new = text[:at] + token + text[at:]
        what = f"insert {token[:12]!r}{'…' if len(token) > 12 else ''} ({len(token)} chars) at {at}"
    elif choice == 2:
        del lines[k]
        new, what = "\n".join(lines), f"delete line {k + 1}"
    elif choice == 3:
        lines.insert(k, lines[k])
        new, what = "\n".join(lines * int(rng.choice([1, 1, 50]))), f"repeat line {k + 1}"
    else:
        cells = lines[k].replace(";", ",").replace("\t", ",").split(",")
        cell = int(rng.integers(0, len(cells)))
        token = _CSV_TOKENS[int(rng.integers(0, len(_CSV_TOKENS)))]
        cells[cell] = token
        sep = next((s for s in (",", ";", "\t") if s in lines[k]), ",")
        lines[k] = sep.join(cells)
        new, what = "\n".join(lines), f"line {k + 1} cell {cell + 1} = {token[:12]!r} ({len(token)} chars)"
    if rng.random() < 0.1:
        return new.encode("utf-8", "surrogateescape") + b"\xed\xa0\x80\xff", what + "; invalid UTF-8 at the end"
    return new.encode("utf-8", "surrogateescape"), what


def _mutate_folder(root: Path, rng: np.random.Generator) -> str:
    images = sorted(p for p in root.rglob("*") if p.is_file())
    if not images:
        return "no image left"
    victim = images[int(rng.integers(0, len(images)))]
    roll = rng.random()
    if roll < 0.5:
        new, what = damage(victim.read_bytes(), rng)
        victim.write_bytes(new)
        return f"{victim.parent.name}/{victim.name}: {what}"
    if roll < 0.8:
        width, height = (int(rng.choice([0, 1, 3, 300, 8192, 8193, 30000, 65535])) for _ in range(2))
        return f"{victim.parent.name}/{victim.name}: " + _set_image_size(victim, width, height)
    choice = int(rng.integers(0, 4))
    if choice == 0:
        for image in victim.parent.iterdir():
            image.unlink()
        return f"class {victim.parent.name!r} emptied"
    if choice == 1:
        (victim.parent / "zero.png").write_bytes(b"")
        return f"{victim.parent.name}/zero.png is empty"
    if choice == 2:
        (root / "third").mkdir(exist_ok=True)
        victim.rename(root / "third" / victim.name)
        return f"{victim.name} moved to a third class"
    victim.rename(victim.with_suffix(".png" if victim.suffix != ".png" else ".gif"))
    return f"{victim.name}: wrong file extension"


def _set_image_size(path: Path, width: int, height: int) -> str:
    """Declare another size in the image's header, keeping its checksums valid."""
    data = bytearray(path.read_bytes())
    suffix = path.suffix.lower()
    if suffix == ".png" and data[12:16] == b"IHDR":
        struct.pack_into(">II", data, 16, width, height)
        struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    elif suffix == ".bmp" and len(data) >= 26:
        struct.pack_into("<ii", data, 18, width, height)
    elif suffix == ".gif" and len(data) >= 10:
        struct.pack_into("<HH", data, 6, width & 0xFFFF, height & 0xFFFF)
    elif suffix in (".jpg", ".jpeg"):
        at = data.find(b"\xff\xc0")
        if at < 0 or at + 9 > len(data):
            return "no JPEG frame header"
        struct.pack_into(">HH", data, at + 5, height & 0xFFFF, width & 0xFFFF)
    else:
        return "size unchanged"
    path.write_bytes(bytes(data))
    return f"header size {width}x{height}"
