"""Re-reads the business figures /metrics serves every `interval` seconds (adapters/metrics.py's MetricsRefresher)."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_outcomes.adapters.metrics import MetricsRefresher


def business_metrics_worker(
    refresher: MetricsRefresher, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("outcomes-business-metrics", refresher.next_round, interval=interval, registry=registry)
