"""CSV (or TSV, or space-separated) tables: one sample a row, the label first, then its values.

Rows of whole numbers 0..255 whose count is a square (16, 784, …) are taken as images; anything
else as feature vectors. Text labels become class names; an optional header row is skipped.
"""
from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np

from nnlab.data.dataset import Dataset
from nnlab.data.errors import DatasetFormatError

from .common import feature_dataset, first_non_finite, image_dataset, integer_labels, string_labels, whole_numbers
from .limits import MAX_CSV_BYTES, MAX_CSV_CELL_CHARS, format_bytes

_NUMERIC_ERRORS = (ValueError, TypeError, OverflowError)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # as editors count lines (str.splitlines also splits at \x1c, \x85, …)


def load_csv(path: Path) -> Dataset:
    try:
        size = path.stat().st_size
        if size > MAX_CSV_BYTES:
            raise DatasetFormatError(path, None, f"the file is {format_bytes(size)}, more than NN Lab's limit "
                                     f"of {format_bytes(MAX_CSV_BYTES)} for a CSV table; save large sets as .npz")
        raw = path.read_bytes()
    except OSError as error:
        raise DatasetFormatError(path, None, f"the file cannot be read ({error.strerror or error})") from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DatasetFormatError(path, f"byte {error.start}", "the file is not UTF-8 text") from error
    del raw
    numbered = [(k + 1, line) for k, line in enumerate(_LINE_BREAK.split(text)) if line.strip()]
    del text
    if not numbered:
        raise DatasetFormatError(path, None, "it holds no samples")
    first = numbered[0][1]
    delimiter = next((d for d in (",", ";", "\t") if d in first), None)
    if _is_header(path, numbered, delimiter):
        numbered = numbered[1:]
        if not numbered:
            raise DatasetFormatError(path, None, "it holds a header row but no samples")
    labels, x = _parse_rows(path, numbered, delimiter)
    label_at = lambda i: f"line {numbered[i][0]}, column 1"  # noqa: E731
    if all(_is_number(label) for label in labels):
        y, classes = integer_labels(path, np.array([float(label) for label in labels]), label_at)
    else:
        y, classes = string_labels(path, labels, "column 1")
    cell_at = lambda row, col: f"line {numbered[row][0]}, column {col + 2}"  # noqa: E731
    side = math.isqrt(x.shape[1])
    if side >= 4 and side * side == x.shape[1] and first_non_finite(x) is None and x.min() >= 0 and x.max() <= 255 \
            and whole_numbers(x):
        return image_dataset(path, x.astype(np.uint8), y, classes, (side, side))
    return feature_dataset(path, x, y, classes, where=cell_at)


def _cells(path: Path, line_no: int, line: str, delimiter: str | None) -> list[str]:
    if delimiter is None:
        return line.split()
    try:
        return [cell.strip() for cell in next(csv.reader([line], delimiter=delimiter))]
    except csv.Error as error:
        long_cell = "larger than field limit" in str(error)
        problem = (f"a cell is longer than {MAX_CSV_CELL_CHARS:,} characters, which no number is" if long_cell
                   else f"the row is not valid CSV ({error})")
        raise DatasetFormatError(path, f"line {line_no}", problem) from None


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except _NUMERIC_ERRORS:
        return False


def _is_header(path: Path, numbered: list[tuple[int, str]], delimiter: str | None) -> bool:
    """A header has a non-numeric feature name, or a text label above a numeric one."""
    cells = _cells(path, *numbered[0], delimiter)
    if not all(_is_number(c) for c in cells[1:]):
        return True
    if len(numbered) < 2 or not cells or _is_number(cells[0]):
        return False
    second = _cells(path, *numbered[1], delimiter)
    return bool(second) and _is_number(second[0])


def _parse_rows(path: Path, numbered: list[tuple[int, str]], delimiter: str | None):
    """(line number, text) rows → (labels as strings (N,), features float64 (N, D)).

    Tries NumPy's fast C parser first (given the lines: a StringIO of the text costs it four bytes a
    character); on any failure walks the rows in Python to report the line and column of the first problem.
    """
    try:
        table = np.loadtxt([line for _, line in numbered], delimiter=delimiter, comments=None, ndmin=2,
                           dtype=np.float64)
        if table.shape[1] >= 2 and len(table) == len(numbered):
            return table[:, 0].astype(str), table[:, 1:]
    except _NUMERIC_ERRORS:
        pass
    n_columns = None
    labels, rows = [], []
    for line_no, line in numbered:
        cells = _cells(path, line_no, line, delimiter)
        if n_columns is None:
            n_columns = len(cells)
            if n_columns < 2:
                raise DatasetFormatError(path, f"line {line_no}", "a row needs a label and at least one feature")
        if len(cells) != n_columns:
            raise DatasetFormatError(path, f"line {line_no}", f"the row has {len(cells)} columns but the first "
                                     f"row has {n_columns}")
        if not cells[0]:
            raise DatasetFormatError(path, f"line {line_no}, column 1", "the label is empty")
        bad = next((k for k, cell in enumerate(cells[1:]) if not _is_number(cell)), None)
        if bad is not None:
            raise DatasetFormatError(path, f"line {line_no}, column {bad + 2}",
                                     f"{cells[bad + 1][:40]!r} is not a number")
        rows.append([float(cell) for cell in cells[1:]])
        labels.append(cells[0])
    return np.array(labels, dtype=str), np.array(rows, dtype=np.float64)
