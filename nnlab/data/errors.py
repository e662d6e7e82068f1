"""The one error a user sees when a data file cannot be read.

Importers translate every low-level failure (zip, gzip, csv, NumPy, Qt) into this so the UI
can show ``str(error)`` as-is: one sentence naming the file, where in it, and what is wrong.
"""
from __future__ import annotations

import os


class DatasetFormatError(ValueError):
    """A malformed or unsupported data file.

    ``DatasetFormatError(path, position, problem)`` reads e.g.
    ``"data/train.csv, line 3, column 5: 'abc' is not a number."``.
    ``position`` may be None when the problem concerns the file as a whole.
    """

    def __init__(self, path: str | os.PathLike, position: str | None, problem: str) -> None:
        self.path = os.fspath(path)
        self.position = position
        self.problem = problem
        where = f"{self.path}, {position}" if position else self.path
        super().__init__(f"{where}: {problem.rstrip('.')}.")

    def __reduce__(self):  # keep the three-argument form picklable (e.g. across processes)
        return (type(self), (self.path, self.position, self.problem))
