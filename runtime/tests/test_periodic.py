"""PeriodicTask: rounds on a timer, failures told apart by cause, and a task that outlives a bad round."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from linkwork_runtime.periodic import PeriodicTask
from linkwork_stack.testing import eventually
from prometheus_client import CollectorRegistry

pytestmark = pytest.mark.unit


def _sample(registry: CollectorRegistry, name: str, **labels: str) -> float:
    value = registry.get_sample_value(name, labels)
    return 0.0 if value is None else value


async def test_rounds_repeat_until_stopped_and_success_is_timestamped() -> None:
    registry = CollectorRegistry()
    rounds = 0

    async def work() -> None:
        nonlocal rounds
        rounds += 1

    task = PeriodicTask("ticker", work, interval=0.001, registry=registry)
    await task.start()
    await eventually(lambda: rounds >= 3, every=0.001, what="rounds >= 3")
    await task.stop()
    stopped_at = rounds
    await asyncio.sleep(0.01)
    assert rounds == stopped_at
    assert _sample(registry, "linkwork_periodic_last_success_timestamp_seconds", task="ticker") > 0


async def test_a_bug_is_counted_as_a_bug_and_the_next_round_still_runs() -> None:
    registry = CollectorRegistry()
    calls = 0

    async def work() -> None:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyError("a programming error")

    task = PeriodicTask("buggy", work, interval=0.001, registry=registry)
    await task.start()
    await eventually(lambda: calls >= 2, every=0.001, what="calls >= 2")
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
    rounds = 0

    async def work() -> float | None:
        nonlocal rounds
        rounds += 1
        return 0.0 if rounds < 3 else None

    task = PeriodicTask("backlog", work, interval=3600)
    await task.start()
    await eventually(lambda: rounds >= 3, every=0.001, what="rounds >= 3")
    await task.stop()
    assert rounds == 3  # the third round went back to the hour-long interval


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
