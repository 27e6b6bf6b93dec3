"""Reminds providers and declines unanswered activity referrals every `interval` seconds
(service_layer/activity_referrals.py)."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_referral.service_layer.activity_referrals import ResponseDeadlines


def provider_deadlines_worker(
    deadlines: ResponseDeadlines, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("provider-response-deadlines", deadlines.next_round, interval=interval, registry=registry)
