"""Building a summary report for a period and scope: read the aggregates, assemble, suppress."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from linkwork_outcomes.adapters import aggregate_store
from linkwork_outcomes.adapters.aggregate_store import ReportScope
from linkwork_outcomes.domain.period import MonthRange
from linkwork_outcomes.domain.report import Period, Scope, SummaryReport
from linkwork_outcomes.domain.report_assembly import assemble


@dataclass(frozen=True, slots=True)
class ReportRequest:
    months: MonthRange
    pcn: str | None
    practice: str | None


async def summary_report(
    connection: asyncpg.Connection, request: ReportRequest, now: datetime | None = None
) -> SummaryReport:
    months = request.months
    scope = ReportScope(request.pcn, request.practice, months.first, months.last, months.start, months.end)
    async with connection.transaction(isolation="repeatable_read", readonly=True):
        aggregates = await aggregate_store.read(connection, scope)
    return assemble(
        aggregates,
        Period(start=months.label(months.first), end=months.label(months.last)),
        Scope(pcn=request.pcn, practice=request.practice),
        now or datetime.now(UTC),
    )
