"""Prometheus metrics of the directory itself (the messaging layer and PeriodicTask count their own)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Gauge


def stale_services_gauge(registry: CollectorRegistry) -> Gauge:
    """The service layer's `StaleCount` (service_layer/freshness.py keeps it current); alerts use its name."""
    return Gauge(
        "linkwork_directory_stale_services",
        "Services not withdrawn whose details have not been verified within the review period",
        registry=registry,
    )
