"""Recounts the `linkwork_directory_stale_services` gauge (service_layer/freshness.py) every interval.

The first count is made while the service starts, before it reports ready (a failure there stops the start-up),
so the gauge never shows a stale directory as fresh; the rounds follow from one interval later.
"""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_directory.service_layer.freshness import StaleServicesGauge


def stale_services_worker(
    gauge: StaleServicesGauge, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask(
        "stale-services-gauge",
        gauge.next_round,
        interval=interval,
        run_at_start=False,
        before_start=gauge.refresh,
        registry=registry,
    )
