"""The training history: one row per epoch, cheap to append, kept as a float table."""
from __future__ import annotations

import itertools

import numpy as np
import pandas as pd


class HistoryTable:
    """History rows, appended as tuples (cheap in the epoch loop) and kept as a float table.

    Pending tuples move into a growing float64 array every ``FLUSH`` rows and whenever the frame
    is asked for, so memory is 8 bytes a value and building the DataFrame never walks Python
    tuples again. A frame, once returned, never changes: later rows go beyond its end.
    """

    FLUSH = 4096

    def __init__(self, columns, table=None):
        self.columns = list(columns)
        self._table = np.empty((0, len(columns))) if table is None else np.array(table, float)
        self._n = len(self._table)
        self._pending: list[tuple] = []
        # For a loop that appends a row every epoch: the pending list's own append (no method
        # call around it, ≈0.2 µs less a row) with ``flush`` called every ``FLUSH`` rows.
        self.append_unchecked = self._pending.append
        self._frame = None

    def __len__(self) -> int:
        return self._n + len(self._pending)

    def append(self, row: tuple) -> None:
        self._pending.append(row)
        if len(self._pending) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        """Move the pending rows into the table (``append`` does it every FLUSH rows)."""
        if not self._pending:
            return
        # fromiter over the values one after another: np.array(rows) would first discover the
        # nesting of the list of tuples, twice as slow (≈0.5 µs a row, a few % of a small epoch)
        new = np.fromiter(itertools.chain.from_iterable(self._pending), float,
                          len(self._pending) * len(self.columns)).reshape(-1, len(self.columns))
        end = self._n + len(new)
        if end > len(self._table):  # grow by doubling: appends stay amortized O(1)
            grown = np.empty((max(end, 2 * len(self._table), 1024), len(self.columns)))
            grown[:self._n] = self._table[:self._n]
            self._table = grown
        self._table[self._n:end] = new
        self._n = end
        self._pending.clear()  # in place: append_unchecked is bound to this list

    def frame(self) -> pd.DataFrame:
        self.flush()
        if self._frame is None or len(self._frame) != self._n:
            rows = self._table[:self._n]
            data = {name: rows[:, i] for i, name in enumerate(self.columns)}
            data["epoch"] = rows[:, 0].astype(np.int64)
            self._frame = pd.DataFrame(data, columns=self.columns)
        return self._frame
