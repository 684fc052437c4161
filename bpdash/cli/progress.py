"""A one-line progress bar on stderr, redrawn at most ten times a second: the command line's
long commands (``train``'s epochs, ``sweep``'s runs) draw theirs with it."""
from __future__ import annotations

import sys
import time


class ProgressLine:
    """``show(done, text)`` redraws ``[####....] done/total unit  text`` when a tenth of a
    second has passed since the last drawing, or when ``done`` reaches ``total``."""

    def __init__(self, total: int, unit: str, stream=None, width: int = 30):
        self.total, self.unit, self.width = total, unit, width
        self.stream = sys.stderr if stream is None else stream
        self._drawn = 0.0

    def show(self, done: int, text: str = "") -> None:
        now = time.monotonic()
        if now - self._drawn < 0.1 and done != self.total:
            return
        self._drawn = now
        filled = int(self.width * done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {self.unit}  {text}")
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
