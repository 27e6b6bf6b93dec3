"""Reports API: the summary as JSON or CSV, and as a self-contained HTML page with a print layout.

Every route takes the same query: `start` and `end` (YYYY-MM, inclusive; one calendar month, quarter or
year, anything else is refused with 422 so that overlapping reports cannot be differenced; default this
calendar year), and optionally one area of the fixed hierarchy: `icb`, `sub_icb`, `pcn` or `practice` (ODS
codes; the narrowest wins). A commissioner sees the areas of the ICB their token names (default: the whole
ICB); a PCN admin their own PCN and its practices. An area outside the hierarchy answers 404.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from linkwork_runtime.auth import CurrentPrincipal, require_role
from linkwork_runtime.context import Context
from linkwork_runtime.problems import Problem
from pydantic import BaseModel, Field

from linkwork_outcomes.adapters import provider_store
from linkwork_outcomes.adapters.aggregate_store import PostgresReportStore
from linkwork_outcomes.adapters.metrics import OutcomesMetrics
from linkwork_outcomes.api.presentation import csv_export, html_page
from linkwork_outcomes.domain.access import REPORT_ROLES, ScopeRefused, UnknownArea, report_area, visible_areas
from linkwork_outcomes.domain.areas import ODS_PATTERNS, AreaHierarchy, Level
from linkwork_outcomes.domain.period import CALENDAR_BIN_RULE, MONTH_PATTERN, MonthRange, calendar_year
from linkwork_outcomes.domain.provider_figures import ProviderReport, provider_report
from linkwork_outcomes.domain.referral_summary import local_date
from linkwork_outcomes.domain.report import SummaryReport
from linkwork_outcomes.service_layer.reports import ReportRequest, summary_report

router = APIRouter(tags=["reports"])

# The page needs nothing from anywhere: a policy that says so makes any accidental outside
# reference fail loudly in the browser instead of leaking a request.
PAGE_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
CSV_TYPE = "text/csv; charset=utf-8"


def _hierarchy(request: Request) -> AreaHierarchy:
    hierarchy: AreaHierarchy = request.app.state.outcomes.hierarchy
    return hierarchy


Hierarchy = Annotated[AreaHierarchy, Depends(_hierarchy)]


def _request(
    principal: CurrentPrincipal,
    hierarchy: Hierarchy,
    start: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="First month, YYYY-MM")] = None,
    end: Annotated[str | None, Query(pattern=MONTH_PATTERN, description="Last month, YYYY-MM (inclusive)")] = None,
    icb: Annotated[str | None, Query(pattern=ODS_PATTERNS["icb"], description="ICB ODS code")] = None,
    sub_icb: Annotated[str | None, Query(pattern=ODS_PATTERNS["sub_icb"], description="Sub-ICB location")] = None,
    pcn: Annotated[str | None, Query(pattern=ODS_PATTERNS["pcn"], description="PCN ODS code")] = None,
    practice: Annotated[str | None, Query(pattern=ODS_PATTERNS["practice"], description="Practice ODS code")] = None,
) -> ReportRequest:
    require_role(principal, *REPORT_ROLES)
    try:
        if start is None and end is None:
            months = calendar_year(local_date(datetime.now(UTC)).year)
        elif start is None or end is None:
            raise ValueError("give both start and end, or neither (this calendar year)")
        else:
            months = MonthRange.parse(start, end)
        if months.calendar_bin is None:
            raise ValueError(CALENDAR_BIN_RULE)
        area = report_area(principal, hierarchy, icb=icb, sub_icb=sub_icb, pcn=pcn, practice=practice)
        return ReportRequest(months, area)
    except ScopeRefused as refused:
        raise Problem(403, "Forbidden", str(refused)) from refused
    except UnknownArea as unknown:
        raise Problem(404, "Not Found", str(unknown)) from unknown
    except ValueError as invalid:
        raise Problem(422, "Invalid period", str(invalid)) from invalid


ReportQuery = Annotated[ReportRequest, Depends(_request)]


def _metrics(request: Request) -> OutcomesMetrics:
    metrics: OutcomesMetrics = request.app.state.outcomes.metrics
    return metrics


Metrics = Annotated[OutcomesMetrics, Depends(_metrics)]


async def _build(
    context: Context, metrics: OutcomesMetrics, query: ReportRequest, kind: str, hierarchy: AreaHierarchy
) -> SummaryReport:
    started = time.perf_counter()
    async with context.pool.acquire() as connection:
        report = await summary_report(PostgresReportStore(connection), query, hierarchy)
    metrics.report_seconds.labels(kind).observe(time.perf_counter() - started)
    return report


def _wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


class AreaRow(BaseModel):
    level: str = Field(description="practice, pcn, sub_icb or icb")
    code: str
    parent: str | None = Field(description="The code of the area above, within what this person may see")


class Areas(BaseModel):
    areas: list[AreaRow]


@router.get("/reports/areas", response_model=Areas, summary="The areas of the fixed hierarchy this person may see")
async def areas(principal: CurrentPrincipal, hierarchy: Hierarchy) -> Areas:
    require_role(principal, *REPORT_ROLES)
    try:
        visible = visible_areas(principal, hierarchy)
    except ScopeRefused as refused:
        raise Problem(403, "Forbidden", str(refused)) from refused
    shown = set(visible)
    return Areas(
        areas=[
            AreaRow(
                level=str(area.level),
                code=area.code,
                parent=parent.code if (parent := hierarchy.parent.get(area)) in shown and parent else None,
            )
            for area in visible
        ]
    )


@router.get(
    "/reports/summary",
    response_model=SummaryReport,
    summary="Summary report (JSON, or CSV with format=csv or Accept: text/csv)",
    responses={200: {"content": {"text/csv": {}}}},
)
async def summary(
    context: Context,
    metrics: Metrics,
    query: ReportQuery,
    hierarchy: Hierarchy,
    request: Request,
    format: Annotated[str | None, Query(pattern="^(json|csv)$")] = None,
) -> Response:
    as_csv = _wants_csv(request, format)
    report = await _build(context, metrics, query, "csv" if as_csv else "json", hierarchy)
    if as_csv:
        name = f"outcomes-{report.period.start}-{report.period.end}.csv"
        return Response(
            csv_export.render(report),
            media_type=CSV_TYPE,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return Response(report.model_dump_json(), media_type="application/json")


@router.get(
    "/reports/summary.csv",
    summary="Summary report as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def summary_csv(context: Context, metrics: Metrics, query: ReportQuery, hierarchy: Hierarchy) -> Response:
    report = await _build(context, metrics, query, "csv", hierarchy)
    return Response(csv_export.render(report), media_type=CSV_TYPE)


def _page(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": PAGE_POLICY, "Cache-Control": "no-store"})


@router.get("/reports", response_class=HTMLResponse, summary="Summary report page with charts")
async def page(
    context: Context, metrics: Metrics, query: ReportQuery, hierarchy: Hierarchy, request: Request
) -> HTMLResponse:
    report = await _build(context, metrics, query, "html", hierarchy)
    href = "/reports/print" + (f"?{urlencode(request.query_params)}" if request.query_params else "")
    return _page(html_page.render(report, printable_href=href))


@router.get("/reports/print", response_class=HTMLResponse, summary="Printable summary report page")
async def printable(context: Context, metrics: Metrics, query: ReportQuery, hierarchy: Hierarchy) -> HTMLResponse:
    report = await _build(context, metrics, query, "print", hierarchy)
    return _page(html_page.render(report, printable=True))


@router.get(
    "/reports/providers",
    summary="Providers' answers, attendance and completion, by provider and service (issue 17)",
)
async def providers(context: Context, metrics: Metrics, query: ReportQuery, hierarchy: Hierarchy) -> ProviderReport:
    if query.area.level is Level.PRACTICE:
        # Activity referrals carry the PCN, not the practice: a practice filter could only be ignored.
        raise Problem(422, "Invalid request", "practice: provider figures are by PCN and above; leave practice out")
    started = time.perf_counter()
    pcns = hierarchy.pcns_under(query.area) if query.area in hierarchy else []
    async with context.pool.acquire() as connection:
        rows = await provider_store.activity_referrals(connection, query.months.start, query.months.end, pcns)
    metrics.report_seconds.labels("providers").observe(time.perf_counter() - started)
    months = query.months
    return provider_report(
        rows, start=months.first.strftime("%Y-%m"), end=months.last.strftime("%Y-%m"), area=query.area.key
    )
