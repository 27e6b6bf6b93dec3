"""`PeriodicTask`: the one way a service runs work on a timer (schedulers, gap reports, gauges, index sync).

Each round calls `work()`; what it returns decides when the next round runs (`None`: after the interval,
a number: after that many seconds, so a scheduler with a full batch can carry on at its rate limit). The
interval gets proportional jitter so replicas started together do not hit the database in step.

A round that raises is told apart by cause, the same way the consumers do (`retry.is_transient`):
- a transient error (the database or broker is away) is logged as a warning and the next round retries;
- anything else is a bug: logged with its traceback and counted under `kind="bug"`, which is alerted on.
Either way the task keeps running: one bad round must not stop every later one. Work that handles rows
one by one quarantines a row that fails for a non-transient reason itself (kept, counted, alerted on;
see the follow-up scheduler), so a poison row never blocks the others and never reaches this fallback.

`linkwork_periodic_last_success_timestamp_seconds{task}` says when each task last finished a round, so an
operator can see a task that silently stopped making progress.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge

from linkwork_runtime.messaging.retry import is_transient

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[float | None]]


@dataclass(frozen=True)
class _Metrics:
    last_success: Gauge
    failures: Counter


_METRICS: weakref.WeakKeyDictionary[CollectorRegistry, _Metrics] = weakref.WeakKeyDictionary()


def _metrics(registry: CollectorRegistry | None) -> _Metrics:
    """One pair of series per registry, labelled by task: several tasks share a service's registry."""

    def create(target: CollectorRegistry | None) -> _Metrics:
        return _Metrics(
            Gauge(
                "linkwork_periodic_last_success_timestamp_seconds",
                "Unix time at which this periodic task last finished a round without an error",
                ["task"],
                registry=target,
            ),
            Counter(
                "linkwork_periodic_failures",
                "Rounds of a periodic task that raised: kind=transient (a dependency was away) or bug",
                ["task", "kind"],
                registry=target,
            ),
        )

    if registry is None:
        return create(None)
    if registry not in _METRICS:
        _METRICS[registry] = create(registry)
    return _METRICS[registry]


class PeriodicTask:
    """Runs `work` every `interval` seconds (plus or minus `jitter` of it) between `start()` and `stop()`."""

    def __init__(
        self,
        name: str,
        work: Work,
        *,
        interval: float,
        jitter: float = 0.1,
        run_at_start: bool = True,
        before_start: Callable[[], Awaitable[object]] | None = None,
        registry: CollectorRegistry | None = None,
        stop_timeout: float = 10.0,
        uniform: Callable[[float, float], float] = random.uniform,
    ) -> None:
        if interval <= 0:
            raise ValueError(f"{name}: the interval must be positive, not {interval}")
        if not 0 <= jitter < 1:
            raise ValueError(f"{name}: jitter is a fraction of the interval in [0, 1), not {jitter}")
        self.name = name
        self._work, self._interval, self._jitter = work, interval, jitter
        self._run_at_start, self._stop_timeout, self._uniform = run_at_start, stop_timeout, uniform
        self._before_start = before_start
        metrics = _metrics(registry)
        self._last_success = metrics.last_success.labels(task=name)
        self._transient = metrics.failures.labels(task=name, kind="transient")
        self._bugs = metrics.failures.labels(task=name, kind="bug")
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def next_delay(self) -> float:
        """The regular wait between rounds, jittered."""
        spread = self._interval * self._jitter
        return self._interval + self._uniform(-spread, spread)

    async def run_once(self) -> float | None:
        """One round, with its failure classified and counted; returns the delay before the next round."""
        try:
            delay = await self._work()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            if is_transient(error):
                self._transient.inc()
                log.warning("%s: round failed, retrying next round: %r", self.name, error)
            else:
                self._bugs.inc()
                log.exception("%s: round failed with an error a retry will not fix", self.name)
            return None
        self._last_success.set(time.time())
        return delay

    async def start(self) -> None:
        """Awaits `before_start`, if given, then starts the rounds in the background.

        `before_start` is what the rounds build on (a first load, a first count): its error is the start-up's,
        not a round's, so a service never reports ready with it undone; the first round follows one interval
        later unless `run_at_start`.
        """
        if self._before_start is not None:
            await self._before_start()
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        """Lets a round in progress finish (its transaction commits or rolls back whole), then stops.

        A round still running after `stop_timeout` seconds is cancelled: a hung dependency must not hold
        up shutdown past Kubernetes' grace period.
        """
        self._stopping.set()
        if self._task is None:
            return
        task, self._task = self._task, None
        done, _ = await asyncio.wait({task}, timeout=self._stop_timeout)
        if not done:
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    async def _run(self) -> None:
        delay: float | None = None if self._run_at_start else self.next_delay()
        while not self._stopping.is_set():
            if delay is not None and await self._stopped_within(delay):
                return
            delay = await self.run_once()
            if delay is None:
                delay = self.next_delay()

    async def _stopped_within(self, seconds: float) -> bool:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), max(seconds, 0.0))
        return self._stopping.is_set()
