"""Prometheus metrics of the outbox relay and the consumer runners, registered on a registry the service owns."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class MessagingMetrics:
    """Create once per registry and pass to both the relay and every consumer runner of a service."""

    def __init__(self, registry: CollectorRegistry | None = None, namespace: str = "linkwork") -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        on: dict[str, Any] = {"namespace": namespace, "registry": self.registry}  # where every metric goes
        self.outbox_backlog = Gauge("outbox_backlog", "Outbox rows waiting to be published", **on)
        self.outbox_oldest_age = Gauge("outbox_oldest_age_seconds", "Age of the oldest unpublished outbox row", **on)
        self.published = Counter("events_published", "Events published from the outbox", ["topic"], **on)
        self.outbox_parked = Counter(
            "outbox_parked",
            "Outbox rows Kafka refused for good, moved to outbox_parked so later events flow",
            ["topic", "error_type"],
            **on,
        )
        self.processed = Counter("events_processed", "Events applied by a consumer", ["consumer", "topic"], **on)
        self.skipped = Counter(
            "events_skipped",
            "Events a consumer skipped: already applied, or no handler for the type",
            ["consumer", "topic", "reason"],
            **on,
        )
        self.retried = Counter(
            "events_retried",
            "Retries of a message: transient failure or handler error",
            ["consumer", "topic", "kind"],
            **on,
        )
        self.dead_lettered = Counter(
            "events_dead_lettered",
            "Messages sent to the dead-letter topic",
            ["consumer", "topic", "error_type"],
            **on,
        )
        self.handler_seconds = Histogram(
            "handler_duration_seconds",
            "Time spent in an event handler",
            ["consumer", "topic"],
            buckets=_LATENCY_BUCKETS,
            **on,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Messages in the partition not yet processed by the consumer",
            ["consumer", "topic", "partition"],
            **on,
        )


def observe_all(histogram: Any, amounts: Sequence[float]) -> None:
    """`histogram.observe(amount)` for each amount (`histogram` being a labelled child), with one locked
    increment per bucket touched instead of two per amount: a consumer times every handler call.

    Falls back to `observe` if prometheus_client's Histogram no longer keeps `_upper_bounds`, `_buckets`
    and `_sum` (as it does in every 0.x release; observe() counts an amount in the first bucket whose bound
    is >= it, which is what bisect_left finds)."""
    bounds = getattr(histogram, "_upper_bounds", None)
    buckets = getattr(histogram, "_buckets", None)
    total = getattr(histogram, "_sum", None)
    if not amounts:
        return
    if bounds is None or buckets is None or total is None or len(bounds) != len(buckets):
        for amount in amounts:
            histogram.observe(amount)
        return
    counts: dict[int, int] = {}
    for amount in amounts:
        index = bisect_left(bounds, amount)
        counts[index] = counts.get(index, 0) + 1
    total.inc(sum(amounts))
    for index, count in counts.items():
        buckets[index].inc(count)
