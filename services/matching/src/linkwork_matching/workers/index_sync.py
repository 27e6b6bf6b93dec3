"""Follows the read model tables every `interval` seconds (service_layer/sync_index.py). The first round comes
after one interval: start-up loads the index itself (workers/read_model_consumer.py)."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_matching.service_layer.sync_index import IndexSync


def index_sync_worker(sync: IndexSync, *, interval: float, registry: CollectorRegistry | None = None) -> PeriodicTask:
    return PeriodicTask("index-sync", sync.next_round, interval=interval, run_at_start=False, registry=registry)
