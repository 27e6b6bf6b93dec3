"""Runs the week rollover (service_layer/week_rollover.py) every interval, so a new week is noticed within it;
the first round at start-up."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_directory.service_layer.week_rollover import WeekRollover


def week_rollover_worker(
    rollover: WeekRollover, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("week-rollover", rollover.next_round, interval=interval, registry=registry)
