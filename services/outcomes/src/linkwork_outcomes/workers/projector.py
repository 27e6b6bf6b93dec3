"""Projects pending referrals every `interval` seconds, and straight on while a backlog lasts.

The round is service_layer/projector.py's; a failed round (the database restarting) is retried after the
interval, as every PeriodicTask does, where the projector's own loop used to back off up to 30 seconds.
"""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_outcomes.service_layer.projector import Projector


def projector_worker(
    projector: Projector, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("outcomes-projector", projector.next_round, interval=interval, registry=registry)
