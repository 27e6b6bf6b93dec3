"""Issue 15: no small count can be recovered by differencing published reports across the fixed hierarchies.

A generated history goes into real PostgreSQL and the projector runs. The attacker then reads every report of the
lattice (ICB, sub-ICB locations, PCNs and practices; the year, its quarters and its months) and uses the relations
that hold exactly whatever the data: a year is the sum of its quarters, a quarter of its months, an ICB of its
sub-ICB locations, a sub-ICB location of its PCNs. Wherever every member of such a relation but one is shown, the
hidden one is recovered; a recovered 1-4 is a leak. Reports suppressed one by one (as before the wiring) leak; the
reports API, which suppresses the lattice together, does not.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

import asyncpg
import pytest
from linkwork_outcomes.adapters import aggregate_store, area_table
from linkwork_outcomes.adapters.aggregate_store import PostgresReportStore
from linkwork_outcomes.adapters.synthetic.history import History, generate
from linkwork_outcomes.domain import report_cells
from linkwork_outcomes.domain.areas import Area, AreaHierarchy, Level
from linkwork_outcomes.domain.contribution import Section
from linkwork_outcomes.domain.lattice import Lattice, report_key, year_bins
from linkwork_outcomes.domain.period import calendar_year
from linkwork_outcomes.domain.report import Period, Scope
from linkwork_outcomes.domain.report_assembly import assemble
from linkwork_outcomes.service_layer.reports import ReportRequest, summary_report
from outcomes_expectations import flatten
from outcomes_report_check import is_count
from outcomes_support import load_history

pytestmark = pytest.mark.integration

HIERARCHY = area_table.load(area_table.SAMPLE)
ICB = Area(Level.ICB, "QWO")
YEAR = 2025
NOW = datetime(2026, 1, 5, tzinfo=UTC)
Reports = dict[str, dict[str, dict]]  # type: ignore[type-arg]


@pytest.fixture(scope="module")
def history() -> History:
    return generate(20251215, referrals=300)


def _exact_relations(hierarchy: AreaHierarchy) -> list[tuple[str, list[str]]]:
    """(whole, parts) report keys whose counts add up exactly: bins always; areas above the PCN (every referral
    has a PCN, but not every referral has a practice, so a PCN is not exactly the sum of its practices)."""
    lattice = Lattice.around(hierarchy, ICB, YEAR)
    bins = year_bins(YEAR)
    relations = []
    for area in lattice.areas:
        relations.append((report_key(area, bins[0]), [report_key(area, q) for q in bins[1:5]]))
        for index, quarter in enumerate(bins[1:5]):
            relations.append(
                (report_key(area, quarter), [report_key(area, m) for m in bins[5 + 3 * index : 8 + 3 * index]])
            )
        if area.level in (Level.ICB, Level.SUB_ICB):
            for period in bins:
                children = [report_key(child, period) for child in hierarchy.children(area)]
                relations.append((report_key(area, period), children))
    return relations


def leaks(reports: Reports, hierarchy: AreaHierarchy) -> list[tuple[str, str, int]]:
    """Every (report, count, value 1-4) the attacker recovers from the published figures."""
    found = []
    for whole, parts in _exact_relations(hierarchy):
        keys = {
            k for name in (whole, *parts) for k, f in reports[name].items() if is_count(k) and not k.startswith("gap")
        }
        for key in keys:
            figures = {name: reports[name].get(key, {"value": 0, "suppressed": False}) for name in (whole, *parts)}
            hidden = [name for name, f in figures.items() if f["suppressed"]]
            if len(hidden) != 1:
                continue
            shown = {name: f["value"] for name, f in figures.items() if not f["suppressed"]}
            target = hidden[0]
            value = (
                sum(shown[p] for p in parts)
                if target == whole
                else shown[whole] - sum(shown[p] for p in parts if p != target)
            )
            if 0 < value < 5:
                found.append((target, key, value))
    return found


async def _published(pool: asyncpg.Pool) -> Reports:
    """Every report of the lattice as the reports API publishes it."""
    reports: Reports = {}
    async with pool.acquire() as connection:
        for key, area, months in Lattice.around(HIERARCHY, ICB, YEAR).reports():
            report = await summary_report(
                PostgresReportStore(connection), ReportRequest(months, area), HIERARCHY, now=NOW
            )
            reports[key] = flatten(json.loads(report.model_dump_json()))
    return reports


async def _one_by_one(pool: asyncpg.Pool) -> Reports:
    """The same reports, each suppressed on its own (what the API did before the wiring)."""
    lattice = Lattice.around(HIERARCHY, ICB, YEAR)
    year = calendar_year(YEAR)
    async with pool.acquire() as connection:
        rows = await aggregate_store.read_lattice(connection, lattice.pcns, year.first, year.last)
        planned = sorted({k for _, _, _, section, k, _, _ in rows.tally if section == Section.PLANNED})
        labels = await aggregate_store.service_labels(connection, planned)
    reports: Reports = {}
    for key, data in lattice.aggregates(rows.tally, rows.outcomes, labels).items():
        report = assemble(data, Period(start="-", end="-"), Scope(pcn=None, practice=None), NOW)
        reports[key] = flatten(json.loads(report.model_dump_json()))
    return reports


async def test_no_small_count_is_recovered_across_nested_areas_and_bins(pool: asyncpg.Pool, history: History) -> None:
    await load_history(pool, history, random.Random(11), repeats=0)
    alone = leaks(await _one_by_one(pool), HIERARCHY)
    assert alone, "the history should be small enough that reports suppressed one by one leak"
    assert leaks(await _published(pool), HIERARCHY) == []


async def test_every_report_hides_what_the_others_hide(pool: asyncpg.Pool, history: History) -> None:
    """Asked for in any order, a report publishes the same figures: the joint suppression does not depend on
    which report of the lattice came first."""
    await load_history(pool, history, random.Random(12), repeats=0)
    first = await _published(pool)
    again = await _published(pool)
    assert first == again


async def test_reports_listing_different_top_activities_still_leak_nothing(
    pool: asyncpg.Pool, history: History, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each report lists only its most-planned activities and providers, so the lists differ between a PCN and its
    practices; every activity is still one cell in every report (unlisted ones implied), and nothing leaks."""
    monkeypatch.setattr(report_cells, "ACTIVITY_ROWS", 3)
    monkeypatch.setattr(report_cells, "PROVIDER_ROWS", 2)
    await load_history(pool, history, random.Random(13), repeats=0)
    published = await _published(pool)
    assert leaks(published, HIERARCHY) == []
    assert all(
        len([k for k in r if k.endswith(":planned") and k.startswith("activity:")]) <= 3 for r in published.values()
    )
