"""Follows the read model tables every `interval` seconds (service_layer/sync_index.py). Start-up loads the
index before anything else in the service starts (the read model consumer's replay and the referral consumers
come after it in app.py); the first round comes one interval later."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_matching.service_layer.sync_index import IndexSync


def index_sync_worker(sync: IndexSync, *, interval: float, registry: CollectorRegistry | None = None) -> PeriodicTask:
    return PeriodicTask(
        "index-sync", sync.next_round, interval=interval, run_at_start=False, before_start=sync.load, registry=registry
    )
