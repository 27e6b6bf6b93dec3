"""Recounts the `linkwork_directory_stale_services` gauge (service_layer/freshness.py) every interval.

The first count is made while the service starts, before it reports ready (a failure there stops the start-up),
so the gauge never shows a stale directory as fresh; the rounds follow from one interval later.
"""

from __future__ import annotations

from dataclasses import dataclass

from linkwork_runtime.context import Component
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_directory.service_layer.freshness import StaleServicesGauge


@dataclass(frozen=True)
class _CountedAtStart:
    gauge: StaleServicesGauge
    rounds: PeriodicTask

    async def start(self) -> None:
        await self.gauge.refresh()
        await self.rounds.start()

    async def stop(self) -> None:
        await self.rounds.stop()


def stale_services_worker(
    gauge: StaleServicesGauge, *, interval: float, registry: CollectorRegistry | None = None
) -> Component:
    rounds = PeriodicTask(
        "stale-services-gauge", gauge.next_round, interval=interval, run_at_start=False, registry=registry
    )
    return _CountedAtStart(gauge, rounds)
