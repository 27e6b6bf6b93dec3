"""Small helpers shared by every test suite (runtime, each service, end-to-end), so each has one copy."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T] | T],
    *,
    within: float = 60.0,
    what: str = "condition",
    every: float = 0.2,
    tolerate: tuple[type[BaseException], ...] = (),
) -> T:
    """Poll `check()` (sync or async) until it returns something truthy, and return that.

    `within` is a guard against hanging, not a speed assertion. Errors of the `tolerate` types count as
    "not yet" (a service still starting refuses connections) and are shown as the last value on failure.
    """
    deadline = time.monotonic() + within
    last: object = None
    while True:
        try:
            result = check()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            last = result
        except tolerate as error:
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {within:.0f}s waiting for {what}; last value: {last!r}")
        await asyncio.sleep(every)
