"""PeriodicTask: rounds on a timer, failures told apart by cause, and a task that outlives a bad round."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import asyncpg
import pytest
from linkwork_runtime.periodic import PeriodicTask
from linkwork_stack.testing import eventually
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit


def _sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


class _Counted:
    """Work that counts its rounds; `then(n)` is what round n does besides (raise, or ask for an earlier round)."""

    def __init__(self, then: Callable[[int], float | None] = lambda n: None) -> None:
        self.rounds, self._then = 0, then

    async def __call__(self) -> float | None:
        self.rounds += 1
        return self._then(self.rounds)

    async def reached(self, rounds: int) -> None:
        await eventually(lambda: self.rounds >= rounds, every=0.001, what=f"rounds >= {rounds}")


async def test_rounds_repeat_until_stopped_and_success_is_timestamped() -> None:
    registry = CollectorRegistry()
    work = _Counted()
    task = PeriodicTask("ticker", work, interval=0.001, registry=registry)
    await task.start()
    await work.reached(3)
    await task.stop()
    stopped_at = work.rounds
    await asyncio.sleep(0.01)
    assert work.rounds == stopped_at
    assert _sample(registry, "linkwork_periodic_last_success_timestamp_seconds", task="ticker") > 0


async def test_a_bug_is_counted_as_a_bug_and_the_next_round_still_runs() -> None:
    registry = CollectorRegistry()

    def first_round_fails(n: int) -> None:
        if n == 1:
            raise KeyError("a programming error")

    work = _Counted(first_round_fails)
    task = PeriodicTask("buggy", work, interval=0.001, registry=registry)
    await task.start()
    await work.reached(2)
    await task.stop()
    assert _sample(registry, "linkwork_periodic_failures_total", task="buggy", kind="bug") == 1
    assert _sample(registry, "linkwork_periodic_failures_total", task="buggy", kind="transient") == 0


async def test_a_dependency_away_is_counted_as_transient() -> None:
    registry = CollectorRegistry()
    task = PeriodicTask("db-away", _raises(asyncpg.CannotConnectNowError("starting up")), interval=1, registry=registry)
    assert await task.run_once() is None
    assert _sample(registry, "linkwork_periodic_failures_total", task="db-away", kind="transient") == 1
    assert _sample(registry, "linkwork_periodic_failures_total", task="db-away", kind="bug") == 0
    assert _sample(registry, "linkwork_periodic_last_success_timestamp_seconds", task="db-away") == 0


async def test_work_can_ask_for_an_earlier_next_round() -> None:
    """A scheduler with a full batch carries on at its own pace instead of waiting out the interval."""
    work = _Counted(lambda n: 0.0 if n < 3 else None)
    task = PeriodicTask("backlog", work, interval=3600)
    await task.start()
    await work.reached(3)
    await task.stop()
    assert work.rounds == 3  # the third round went back to the hour-long interval


async def test_jitter_spreads_the_interval_both_ways() -> None:
    async def work() -> None:
        return None

    low = PeriodicTask("low", work, interval=10, jitter=0.2, uniform=lambda a, b: a)
    high = PeriodicTask("high", work, interval=10, jitter=0.2, uniform=lambda a, b: b)
    assert (low.next_delay(), high.next_delay()) == (8.0, 12.0)


async def test_stop_cancels_a_round_that_hangs_past_the_grace() -> None:
    started = asyncio.Event()

    async def hangs() -> None:
        started.set()
        await asyncio.Event().wait()

    task = PeriodicTask("hung", hangs, interval=1, stop_timeout=0.01)
    await task.start()
    await started.wait()
    await task.stop()  # returns instead of waiting forever


async def test_tasks_share_a_registry_without_clashing() -> None:
    registry = CollectorRegistry()

    async def work() -> None:
        return None

    first = PeriodicTask("first", work, interval=1, registry=registry)
    second = PeriodicTask("second", work, interval=1, registry=registry)
    await first.run_once()
    await second.run_once()
    for name in ("first", "second"):
        assert _sample(registry, "linkwork_periodic_last_success_timestamp_seconds", task=name) > 0


def test_settings_that_cannot_work_are_refused() -> None:
    async def work() -> None:
        return None

    with pytest.raises(ValueError, match="interval"):
        PeriodicTask("zero", work, interval=0)
    with pytest.raises(ValueError, match="jitter"):
        PeriodicTask("wild", work, interval=1, jitter=1.5)


def _raises(error: Exception):  # type: ignore[no-untyped-def]
    async def work() -> None:
        raise error

    return work


async def test_before_start_is_done_before_start_returns_and_its_failure_is_the_start_ups() -> None:
    order: list[str] = []

    async def first_load() -> None:
        order.append("loaded")

    work = _Counted(lambda n: order.append("round"))
    task = PeriodicTask("loader", work, interval=3600, run_at_start=False, before_start=first_load)
    await task.start()
    try:
        assert order == ["loaded"]  # awaited by start(); the first round waits its interval
    finally:
        await task.stop()

    async def refused() -> None:
        raise ConnectionRefusedError("database away")

    never = _Counted()
    failing = PeriodicTask("loader", never, interval=0.001, before_start=refused)
    with pytest.raises(ConnectionRefusedError):
        await failing.start()
    await asyncio.sleep(0.01)
    assert never.rounds == 0  # no rounds on top of a failed start
    await failing.stop()
