"""Prometheus metrics of the outcomes service: business gauges from the projections, and operational ones.

Business figures are read from PostgreSQL by a background refresher (scrapes must not wait on the
database) and served from the last snapshot by a custom collector. /metrics needs no sign-in, so the
per-PCN counts follow the reports' small-number rule (issue 15): a count of 1-4 is published as NaN. The
national figures (by source, plans agreed, services) are large and have no small cells in practice.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import partial

import asyncpg
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from linkwork_outcomes.adapters import business_figures
from linkwork_outcomes.adapters.business_figures import BusinessFigures
from linkwork_outcomes.domain.referral_summary import local_date
from linkwork_outcomes.domain.suppression import is_small

NAMESPACE = "linkwork_outcomes"


class OutcomesMetrics:
    """The service's own metrics, registered on the service's registry."""

    def __init__(self, registry: CollectorRegistry, topic_prefix: str = "") -> None:
        # Every metric of the service is in its namespace, on the service's registry.
        counter = partial(Counter, namespace=NAMESPACE, registry=registry)
        histogram = partial(Histogram, namespace=NAMESPACE, registry=registry)
        self.projected = counter("projected_referrals", "Referral summaries recomputed by the projector")
        self.summaries_failed = counter(
            "summaries_failed", "Referrals whose summary could not be computed, set aside in summary_failure"
        )
        self.projection_seconds = histogram(
            "projection_batch_seconds", "Time to project one batch of pending referrals"
        )
        self.report_seconds = histogram(
            "report_seconds",
            "Time to build a summary report",
            ["format"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1.0, 2.5),
        )
        self.business = BusinessCollector(topic_prefix)
        registry.register(self.business)


def shown(count: int) -> float:
    """A per-PCN count as /metrics publishes it: the reports' small-number rule applies (1-4 are suppressed).

    /metrics is scraped without authentication, so a PCN's count of 1-4 would reveal what every report hides.
    A suppressed cell keeps its series with the value NaN ("not shown"), so that queries see the PCN exists and
    comparisons such as `> 10` are simply false for it."""
    return math.nan if is_small(count) else float(count)


class BusinessCollector(Collector):
    def __init__(self, topic_prefix: str) -> None:
        self._prefix = topic_prefix
        self.figures: BusinessFigures | None = None
        self.refreshed_at: datetime | None = None

    def collect(self) -> Iterator[Metric]:
        figures = self.figures
        if figures is None:
            return
        open_referrals = GaugeMetricFamily(
            f"{NAMESPACE}_open_referrals", "Open referrals by PCN and workflow status", labels=["pcn", "status"]
        )
        for (pcn, status), count in sorted(figures.open_referrals.items()):
            open_referrals.add_metric([pcn, status], shown(count))
        yield open_referrals
        by_source = GaugeMetricFamily(
            f"{NAMESPACE}_referrals",
            "Referrals received, all time, by source (entered in error excluded)",
            labels=["source"],
        )
        for source, count in sorted(figures.referrals_by_source.items()):
            by_source.add_metric([source], count)
        yield by_source
        yield GaugeMetricFamily(
            f"{NAMESPACE}_plans_agreed",
            "Referrals with a personalised plan agreed, all time",
            value=figures.plans_agreed,
        )
        overdue = GaugeMetricFamily(
            f"{NAMESPACE}_follow_ups_overdue", "Open referrals with a due follow-up not yet met", labels=["pcn"]
        )
        for pcn, count in sorted(figures.follow_ups_overdue.items()):
            overdue.add_metric([pcn], shown(count))
        yield overdue
        services = GaugeMetricFamily(
            f"{NAMESPACE}_directory_services", "Community services known from the directory", labels=["status"]
        )
        for status, count in sorted(figures.services.items()):
            services.add_metric([status], count)
        yield services
        stale = GaugeMetricFamily(
            f"{NAMESPACE}_stale_directory_services",
            "Active services whose last verification is older than the staleness limit, or unknown",
            labels=["reason"],
        )
        stale.add_metric(["verification-too-old"], figures.stale_services)
        stale.add_metric(["never-verified"], figures.never_verified_services)
        yield stale
        last = GaugeMetricFamily(
            f"{NAMESPACE}_last_event_timestamp_seconds",
            "Time of the newest event stored from each topic",
            labels=["topic"],
        )
        for topic, moment in sorted(figures.last_event_time.items()):
            last.add_metric([self._prefix + topic], moment.timestamp())
        yield last
        yield GaugeMetricFamily(
            f"{NAMESPACE}_projection_backlog",
            "Referrals waiting for the projector",
            value=figures.projection_backlog,
        )
        if self.refreshed_at is not None:
            yield GaugeMetricFamily(
                f"{NAMESPACE}_business_metrics_refreshed_timestamp_seconds",
                "When the business figures above were last read",
                value=self.refreshed_at.timestamp(),
            )


class MetricsRefresher:
    """Re-reads the business figures into the collector; workers/business_metrics.py runs a round every interval.

    A failed round keeps serving the last snapshot: the refresh timestamp above shows its age, and the
    PeriodicTask counts the failure."""

    def __init__(self, pool: asyncpg.Pool, collector: BusinessCollector, stale_days: int) -> None:
        self._pool, self._collector, self._stale_days = pool, collector, stale_days

    async def refresh(self) -> None:
        now = datetime.now(UTC)
        async with self._pool.acquire() as connection:
            self._collector.figures = await business_figures.read(connection, local_date(now), self._stale_days)
        self._collector.refreshed_at = now

    async def next_round(self) -> float | None:
        """One round as workers/business_metrics.py runs it: the next one follows after the interval."""
        await self.refresh()
        return None
