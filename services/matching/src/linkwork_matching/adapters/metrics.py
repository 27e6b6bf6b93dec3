"""Prometheus metrics of matching itself (the messaging layer counts events separately)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0)


class MatchingMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.rank_seconds = Histogram(
            "matching_rank_seconds",
            "Time to rank and explain options for one person",
            ["path"],
            buckets=_BUCKETS,
            namespace="linkwork",
            registry=registry,
        )
        self.suggestion_sets = Counter(
            "matching_suggestion_sets",
            "Suggestion sets emitted (one per referral version)",
            namespace="linkwork",
            registry=registry,
        )
        self.unmet_needs = Counter(
            "matching_unmet_needs",
            "Needs of referrals with nothing eligible within reach",
            ["need"],
            namespace="linkwork",
            registry=registry,
        )
        self.gap_reports = Counter(
            "matching_gap_reports", "provision-gap events emitted", namespace="linkwork", registry=registry
        )
        self.index_services = Gauge(
            "matching_index_services",
            "Active services in this replica's in-memory index",
            namespace="linkwork",
            registry=registry,
        )
