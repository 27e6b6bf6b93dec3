"""Append-only numpy columns that grow by doubling, so adding a service costs amortised O(1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

INITIAL_CAPACITY = 16


class Columns:
    """Named columns of equal length; rows are appended, and views cover the rows in use.

    Appended rows wait in Python lists and are copied into the arrays, a column at a time, when the
    columns are next read: setting one numpy element costs about as much as appending a thousand to a
    list, and loading 100,000 services appends over a million rows of 17 columns.
    """

    def __init__(self, dtypes: dict[str, npt.DTypeLike]) -> None:
        self._data: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(INITIAL_CAPACITY, dtype=dtype) for name, dtype in dtypes.items()
        }
        self._names = self._data.keys()
        self._pending: list[dict[str, Any]] = []
        self._stored = 0  # rows already in the arrays; the rest are pending
        self.size = 0

    def append(self, **values: Any) -> int:
        """Add one row; every column must be given. Returns the row's position."""
        if values.keys() != self._names:
            raise KeyError(f"a row needs exactly the columns {sorted(self._data)}")
        self._pending.append(values)
        row = self.size
        self.size += 1
        return row

    def _flush(self) -> None:
        if self._stored == self.size:
            return
        capacity = len(next(iter(self._data.values())))
        if self.size > capacity:
            while capacity < self.size:
                capacity *= 2
            for name, column in self._data.items():
                bigger = np.zeros(capacity, dtype=column.dtype)
                bigger[: self._stored] = column[: self._stored]
                self._data[name] = bigger
        try:
            for name, column in self._data.items():
                column[self._stored : self.size] = [row[name] for row in self._pending]
        except (TypeError, ValueError, OverflowError):
            # A value its column cannot hold: drop the pending rows, as a failed append left none.
            self.size = self._stored
            raise
        finally:
            self._pending.clear()
        self._stored = self.size

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        """The rows in use of one column (a view: writing to it updates the table)."""
        if self._stored != self.size:  # checked here, not in _flush: a search reads columns dozens of times
            self._flush()
        return self._data[name][: self.size]

    @property
    def nbytes(self) -> int:
        self._flush()
        return sum(column.nbytes for column in self._data.values())
