"""Delivers due messages every `interval` seconds, and straight on while some are sent
(service_layer/dispatcher.py)."""

from __future__ import annotations

from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry

from linkwork_notifications.service_layer.dispatcher import Dispatcher


def delivery_worker(
    dispatcher: Dispatcher, *, interval: float, registry: CollectorRegistry | None = None
) -> PeriodicTask:
    return PeriodicTask("notifications-dispatcher", dispatcher.next_round, interval=interval, registry=registry)
