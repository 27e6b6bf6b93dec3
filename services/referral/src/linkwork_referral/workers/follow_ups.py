"""Emits due follow-ups every `interval` seconds, and straight on while a backlog lasts (service_layer/scheduler.py)."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_referral.service_layer.scheduler import FollowUpScheduler


def follow_up_worker(
    scheduler: FollowUpScheduler, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("follow-up-scheduler", scheduler.next_round, interval=interval, registry=registry)
