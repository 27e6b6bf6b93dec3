"""Cover every need before giving a second option for any one."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T")


def interleave(per_need: Sequence[Sequence[T]], key: Callable[[T], Hashable]) -> list[T]:
    """Round-robin over the needs' ranked lists (in need order), skipping items already taken.

    A service that is the best option for two needs is listed once, in the first need's turn;
    the second need then offers its next option in its own turn.
    """
    result: list[T] = []
    seen: set[Hashable] = set()
    depth = max((len(options) for options in per_need), default=0)
    cursors = [0] * len(per_need)
    for _ in range(depth):
        for need, options in enumerate(per_need):
            while cursors[need] < len(options):
                item = options[cursors[need]]
                cursors[need] += 1
                if key(item) not in seen:
                    seen.add(key(item))
                    result.append(item)
                    break
    return result
