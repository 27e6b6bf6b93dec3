"""Summary report latency over the aggregates of a million referrals.

Setup (not timed): a population of referral summaries (population.py) goes through the service's
own `Contribution.include`; the resulting cells are copied into a fresh outcomes database,
together with service labels, gap windows and the areas each PCN serves. Timed: building the
summary report the API would answer, from reading the aggregates to the JSON bytes, for several
scopes, each repeated after warm-up runs.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
from linkwork_outcomes.adapters.aggregate_store import PostgresReportStore
from linkwork_outcomes.api.presentation import html_page
from linkwork_outcomes.app import COMPONENT_MIGRATIONS
from linkwork_outcomes.domain.areas import Area, AreaHierarchy, Level, Membership
from linkwork_outcomes.domain.contribution import ALL, Contribution
from linkwork_outcomes.domain.period import MonthRange
from linkwork_outcomes.service_layer.reports import ReportRequest, summary_report
from linkwork_runtime.migrations import migrate

from bench.outcomes import population
from bench.percentiles import percentile


@dataclass
class Timing:
    scope: str
    runs: int
    median_ms: float
    p95_ms: float
    max_ms: float
    bytes: int
    first_ms: float = 0.0  # the first request, before the lattice's joint suppression is cached


def _level(pcn: str, practice: str) -> int:
    """The tally partition of a cell, as the service's own upsert computes it."""
    return 0 if pcn == ALL else 1 if practice == ALL else 2


async def build(url: str, referrals: int, seed: int = 1) -> dict[str, object]:
    """Fill the database at `url` with the aggregates of `referrals` referrals; returns what was built."""
    rng = random.Random(seed)
    place = population.world(rng, pcns=100, practices_per_pcn=6)
    started = time.perf_counter()
    total = Contribution()
    areas: set[tuple[str, str, str]] = set()
    for summary in population.summaries(rng, place, referrals):
        total.include(summary)
        assert summary.pcn is not None and summary.postcode_district is not None
        areas.add((summary.pcn, ALL, summary.postcode_district))
        if summary.practice:
            areas.add((summary.pcn, summary.practice, summary.postcode_district))
    computed = time.perf_counter() - started
    connection = await asyncpg.connect(url)
    try:
        await migrate(connection, COMPONENT_MIGRATIONS)
        tally = [
            (_level(pcn, practice), pcn, practice, month, str(section), key, subkey, n)
            for (month, pcn, practice, section, key, subkey), n in total.tally.items()
            if n
        ]
        await connection.copy_records_to_table("tally", records=tally)
        outcome_rows = [
            (pcn, practice, month, score, s.pairs, s.total, s.total_squares, s.improved)
            for (month, pcn, practice, score), s in total.outcomes.items()
        ]
        await connection.copy_records_to_table("outcome_sums", records=outcome_rows)
        await connection.copy_records_to_table(
            "service_label",
            records=[
                (
                    UUID(s.service_id),
                    s.revision,
                    s.name,
                    UUID(s.provider_id or ""),
                    s.provider_name,
                    s.active,
                    s.changed_at,
                    s.last_verified_on,
                    s.changed_at,
                )
                for s in place.labels
            ],
        )
        gaps = [
            (need, district, begin, end, with_need, unmet, end, end)
            for need, district, begin, end, with_need, unmet in population.gap_windows(rng, place)
        ]
        await connection.copy_records_to_table("provision_gap", records=gaps)
        await connection.copy_records_to_table("area_served", records=sorted(areas))
        await connection.execute("ANALYZE")
    finally:
        await connection.close()
    return {
        "referrals": referrals,
        "pcns": len(place.pcns),
        "practices": sum(map(len, place.practices.values())),
        "services": len(place.labels),
        "tally_rows": len(tally),
        "outcome_rows": len(outcome_rows),
        "gap_windows": len(gaps),
        "seconds_to_compute_aggregates": round(computed, 1),
    }


PCNS_PER_ICB = 25  # an ICB has 20-40 PCNs; the bench's 100 PCNs make four ICBs of three sub-ICB locations


def hierarchy(pcns: int = 100, practices_per_pcn: int = 6) -> AreaHierarchy:
    """The area hierarchy of `population.world`'s PCNs and practices (same codes)."""
    rows = []
    for i in range(pcns):
        icb = f"Q{chr(65 + i // PCNS_PER_ICB)}A"
        sub_icb = f"{i // PCNS_PER_ICB}{(i % PCNS_PER_ICB) % 3}X"
        for p in range(practices_per_pcn):
            rows.append(Membership(f"{chr(65 + i % 26)}{30001 + i * 10 + p:05d}", f"U{20001 + i:05d}", sub_icb, icb))
    return AreaHierarchy.of(rows)


async def measure(url: str, runs: int, warm_up: int = 3) -> list[Timing]:
    connection = await asyncpg.connect(url)
    areas = hierarchy()
    year = MonthRange.parse("2025-01", "2025-12")
    icb = Area(Level.ICB, "QAA")
    scopes = [
        ("one ICB of 25 PCNs, 12 months (JSON)", ReportRequest(year, icb), "json"),
        ("one ICB, 12 months (HTML page)", ReportRequest(year, icb), "html"),
        ("one ICB, one quarter (JSON)", ReportRequest(MonthRange.parse("2025-04", "2025-06"), icb), "json"),
        ("one PCN, 12 months (JSON)", ReportRequest(year, Area(Level.PCN, "U20001")), "json"),
        ("one practice, 12 months (JSON)", ReportRequest(year, Area(Level.PRACTICE, "A30001")), "json"),
    ]
    timings = []
    try:
        for name, request, form in scopes:
            samples, size, first = [], 0, 0.0
            for run in range(warm_up + runs):
                started = time.perf_counter()
                report = await summary_report(
                    PostgresReportStore(connection), request, areas, now=datetime(2026, 1, 5, tzinfo=UTC)
                )
                body = report.model_dump_json().encode() if form == "json" else html_page.render(report).encode()
                elapsed = (time.perf_counter() - started) * 1000
                size = len(body)
                first = first or elapsed
                if run >= warm_up:
                    samples.append(elapsed)
            samples.sort()
            timings.append(
                Timing(
                    name,
                    runs,
                    round(statistics.median(samples), 1),
                    round(percentile(samples, 95), 1),
                    round(samples[-1], 1),
                    size,
                    round(first, 1),
                )
            )
    finally:
        await connection.close()
    return timings
