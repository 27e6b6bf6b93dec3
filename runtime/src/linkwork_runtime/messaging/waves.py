"""Split outbox rows into publishing waves so that no key ever has two events in flight.

The relay sends one wave, waits for every acknowledgement, and only then sends the next. Each key appears
at most once per wave and its rows keep their order across waves, so if a wave partly fails, every key's
acknowledged rows are a prefix of its rows: nothing published after a row the broker did not accept.
Batches that span many keys (the usual case: events about many referrals) need only a few waves.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

Row = TypeVar("Row")


def waves(rows: Sequence[Row], key: Callable[[Row], Hashable]) -> list[list[Row]]:
    """`rows` in publication order; returns waves in which each key occurs at most once."""
    depth: dict[Hashable, int] = {}
    result: list[list[Row]] = []
    for row in rows:
        k = key(row)
        level = depth.get(k, 0)
        depth[k] = level + 1
        if level == len(result):
            result.append([])
        result[level].append(row)
    return result
