"""Reports gaps in provision every `interval` seconds (service_layer/report_gaps.py); the first round after one
interval, not at start-up."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_matching.service_layer.report_gaps import GapReporter


def gap_reporter_worker(
    reporter: GapReporter, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("gap-reporter", reporter.next_round, interval=interval, run_at_start=False, registry=registry)
