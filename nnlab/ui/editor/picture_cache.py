"""The editor's rendered pictures, kept by what they show, so scrubbing back to an epoch only blits it.

A learner scrubs back and forth over the same few epochs; rendering one picture of 784-128-64-10 costs
about 4 ms of a 16 ms frame (320 antialiased lines, the neurons), blitting a kept one about 0.3 ms.
Pictures are kept least recently used first out within ``PICTURE_BUDGET_BYTES``.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from PySide6.QtGui import QPixmap

# 48 MB: 24 pictures of a 900×540 drawing (1.9 MB each, enough for a 20-epoch run scrubbed end to end),
# 100 of the 470×220 drawing of the default 1280×720 window; a 2× screen keeps a quarter as many.
PICTURE_BUDGET_BYTES = 48 * 2 ** 20


def picture_bytes(picture: QPixmap) -> int:
    return picture.width() * picture.height() * max(picture.depth(), 8) // 8


class PictureCache:
    """Pictures by key, within ``budget_bytes``; the least recently used goes first."""

    def __init__(self, budget_bytes: int = PICTURE_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._pictures: OrderedDict[Hashable, QPixmap] = OrderedDict()
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self._pictures)

    def get(self, key: Hashable) -> QPixmap | None:
        picture = self._pictures.get(key)
        if picture is not None:
            self._pictures.move_to_end(key)
        return picture

    def put(self, key: Hashable, picture: QPixmap) -> None:
        """Keep ``picture``; one larger than the whole budget is not kept."""
        size = picture_bytes(picture)
        if size > self.budget_bytes:
            return
        old = self._pictures.pop(key, None)
        if old is not None:
            self.nbytes -= picture_bytes(old)
        while self._pictures and self.nbytes + size > self.budget_bytes:
            self.nbytes -= picture_bytes(self._pictures.popitem(last=False)[1])
        self._pictures[key] = picture
        self.nbytes += size

    def clear(self) -> None:
        self._pictures.clear()
        self.nbytes = 0
