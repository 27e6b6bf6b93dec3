"""Append-only numpy columns that grow by doubling, so adding a service costs amortised O(1)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

INITIAL_CAPACITY = 16


class Columns:
    """Named columns of equal length; rows are appended, and views cover the rows in use."""

    def __init__(self, dtypes: dict[str, npt.DTypeLike]) -> None:
        self._data: dict[str, npt.NDArray[Any]] = {
            name: np.zeros(INITIAL_CAPACITY, dtype=dtype) for name, dtype in dtypes.items()
        }
        self.size = 0

    def append(self, **values: Any) -> int:
        """Add one row; every column must be given. Returns the row's position."""
        if values.keys() != self._data.keys():
            raise KeyError(f"a row needs exactly the columns {sorted(self._data)}")
        if self.size == len(next(iter(self._data.values()))):
            self._grow()
        row = self.size
        for name, value in values.items():
            self._data[name][row] = value
        self.size += 1
        return row

    def _grow(self) -> None:
        for name, column in self._data.items():
            bigger = np.zeros(len(column) * 2, dtype=column.dtype)
            bigger[: self.size] = column[: self.size]
            self._data[name] = bigger

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        """The rows in use of one column (a view: writing to it updates the table)."""
        return self._data[name][: self.size]

    @property
    def nbytes(self) -> int:
        return sum(column.nbytes for column in self._data.values())
