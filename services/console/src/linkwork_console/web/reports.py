"""Reports for PCN managers and commissioners: scope selectors, month-by-month trends, a comparison of the areas
one level down (PCN by PCN in an ICB), the deprivation breakdown, CSV and a printable page.

Every figure comes from the outcomes service's summary reports, asked with the person's own token: outcomes
decides what they may see (a commissioner their ICB's areas, a PCN manager their PCN) and has already suppressed
small numbers across every report that could be differenced. The console only arranges published figures; it
never adds a suppressed one back (a sum or share is shown only when every figure in it is shown).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from linkwork_console.adapters.services import Services, UpstreamError
from linkwork_console.web.charts import Point, bar_chart
from linkwork_console.web.deps import Pages, Render, SignedIn, Upstream, User
from linkwork_console.web.filters import LONDON
from linkwork_console.web.report_scope import AreaChoice, BadScope, Bin, areas_of, children, choices, parse_area

router = APIRouter(include_in_schema=False)

PeriodParam = Annotated[str | None, Query(max_length=8)]
AreaParam = Annotated[str | None, Query(max_length=20)]
MOST_DEPRIVED = ("1", "2")  # IMD deciles of the most deprived fifth of England's neighbourhoods


def _require_reports(user: User) -> None:
    if not user.sees_reports:
        raise UpstreamError(403, "Forbidden", "reports are for PCN managers and commissioners")


async def _summary(upstream: Services, user: User, period: Bin, area: AreaChoice) -> dict[str, Any]:
    answer: dict[str, Any] = await upstream.get(
        user.token, "outcomes", "/reports/summary", params={**period.query, **area.query}
    )
    return answer


async def _providers(upstream: Services, user: User, period: Bin, area: AreaChoice) -> list[dict[str, Any]]:
    """Provider figures (issue 17) for the same period and area; none for a practice (they are by PCN)."""
    if area.level == "practice":
        return []
    answer: dict[str, Any] = await upstream.get(
        user.token, "outcomes", "/reports/providers", params={**period.query, **area.query}
    )
    providers: list[dict[str, Any]] = answer["providers"]
    for row in [p for provider in providers for p in (provider, *provider["services"])]:
        shown = {reason: count for reason, count in row["figures"]["declined_by_reason"].items() if count}
        row["main_reason"] = max(sorted(shown.items()), key=lambda item: item[1]) if shown else None
    return providers


def _value(figure: dict[str, Any]) -> float | None:
    return figure.get("value")


def _stage(summary: dict[str, Any], stage: str) -> dict[str, Any]:
    return next((s["count"] for s in summary["funnel"] if s["stage"] == stage), {"value": None, "suppressed": False})


def _deprivation(summary: dict[str, Any]) -> list[dict[str, Any]]:
    return next((b["rows"] for b in summary["equity"] if b["dimension"] == "imd-decile"), [])


def _most_deprived_share(summary: dict[str, Any]) -> dict[str, Any]:
    """Share of referrals from IMD deciles 1-2: only when both counts and the total are shown."""
    rows = {row["key"]: row["referrals"] for row in _deprivation(summary)}
    parts = [rows.get(key, {"value": 0}) for key in MOST_DEPRIVED]
    total = summary["referrals"]
    if any(_value(p) is None for p in parts) or not _value(total):
        suppressed = any(p.get("suppressed") for p in parts) or total.get("suppressed", False)
        return {"value": None, "suppressed": suppressed}
    return {"value": sum(_value(p) or 0 for p in parts) / (_value(total) or 1), "suppressed": False}


def _headline_outcome(summary: dict[str, Any]) -> dict[str, Any] | None:
    outcomes = summary["outcomes"]
    return next((o for o in outcomes if "swemwbs" in o["score"].lower()), outcomes[0] if outcomes else None)


def _trend(chart_id: str, title: str, measure: str, months: list[Bin], figures: list[dict[str, Any]]) -> dict[str, Any]:
    points = [
        Point(label=month.label.split()[0][:3], value=_value(figure), suppressed=bool(figure.get("suppressed")))
        for month, figure in zip(months, figures, strict=True)
    ]
    rows = [(month.label, figure) for month, figure in zip(months, figures, strict=True)]
    return {"id": chart_id, "title": title, "measure": measure, "svg": bar_chart(chart_id, title, points), "rows": rows}


async def _context(upstream: Services, user: User, period_text: str | None, area_text: str | None) -> dict[str, Any]:
    today = datetime.now(UTC).astimezone(LONDON).date()
    try:
        period = Bin.parse(period_text) if period_text else Bin(today.year, 1, 12)
        wanted = parse_area(area_text) if area_text else None
    except BadScope as bad:
        raise UpstreamError(400, "Bad request", str(bad)) from bad
    areas = areas_of(await upstream.get(user.token, "outcomes", "/reports/areas"))
    if not areas:
        raise UpstreamError(404, "Not Found", "no areas to report on")
    area = areas[0] if wanted is None else next((a for a in areas if (a.level, a.code) == wanted), None)
    if area is None:
        raise UpstreamError(404, "Not Found", "that area is not one you can see reports for")
    months = period.months(today)
    kids = children(areas, area)
    providers, summary, *rest = await asyncio.gather(
        _providers(upstream, user, period, area),
        _summary(upstream, user, period, area),
        *(_summary(upstream, user, month, area) for month in months),
        *(_summary(upstream, user, period, kid) for kid in kids),
    )
    monthly, compared = rest[: len(months)], rest[len(months) :]
    trends = [
        _trend("trend-referrals", "Referrals each month", "Referrals", months, [m["referrals"] for m in monthly]),
        _trend(
            "trend-plans",
            "Plans agreed each month",
            "Plans agreed",
            months,
            [_stage(m, "plan-agreed") for m in monthly],
        ),
    ]
    comparison = [
        {
            "area": kid,
            "referred": report["referrals"],
            "contacted": _stage(report, "contacted"),
            "plan": _stage(report, "plan-agreed"),
            "closed": _stage(report, "closed"),
            "outcome": _headline_outcome(report),
            "deprived": _most_deprived_share(report),
        }
        for kid, report in zip(kids, compared, strict=True)
    ]
    query = {"period": period.key, "area": area.key}
    return {
        "summary": summary,
        "period": period,
        "area": area,
        "areas": areas,
        "period_choices": choices(today),
        "trends": trends,
        "comparison": comparison,
        "compared_level": kids[0].label.rsplit(" ", 1)[0] if kids else None,
        "deprivation": _deprivation(summary),
        "outcome_label": (_headline_outcome(summary) or {}).get("label"),
        "query": query,
        "providers": providers,
    }


def _href(path: str, query: dict[str, str]) -> str:
    return f"{path}?{urlencode(query)}"


async def _report(
    user: SignedIn, upstream: Upstream, period: PeriodParam = None, area: AreaParam = None
) -> dict[str, Any]:
    """The report of the scope asked for (the person's own by default), for its screen and its paper page."""
    _require_reports(user)
    return await _context(upstream, user, period, area)


Report = Annotated[dict[str, Any], Depends(_report)]


def _report_page(request: Request, pages: Pages, user: User, report: dict[str, Any], **page: Any) -> Response:
    return pages.render(request, "reports.html", user=user, column="full", **page, **report)


@router.get("/reports")
async def reports(request: Request, user: SignedIn, pages: Render, report: Report) -> Response:
    query = report["query"]
    return _report_page(
        request,
        pages,
        user,
        report,
        title="Outcomes report",
        printable=False,
        csv_href=_href("/reports/summary.csv", query),
        print_href=_href("/reports/print", query),
    )


@router.get("/reports/print")
async def printable(request: Request, user: SignedIn, pages: Render, report: Report) -> Response:
    """The same report laid out for paper: no selectors or navigation, every table in full."""
    back = _href("/reports", report["query"])
    return _report_page(request, pages, user, report, title="Outcomes report (printable)", printable=True, back=back)


@router.get("/reports/summary.csv")
async def reports_csv(
    user: SignedIn, upstream: Upstream, period: PeriodParam = None, area: AreaParam = None
) -> Response:
    """The figures of the chosen scope as CSV, from the outcomes service (which guards every cell against
    spreadsheet formulas), fetched with the person's own token so that outcomes applies their scope."""
    _require_reports(user)
    params: dict[str, str] = {}
    try:
        if period:
            params |= Bin.parse(period).query
        if area:
            level, code = parse_area(area)
            params[level] = code
    except BadScope as bad:
        raise UpstreamError(400, "Bad request", str(bad)) from bad
    answer = await upstream.call(
        user.token, "outcomes", "GET", "/reports/summary.csv", params=params, accept="text/csv"
    )
    name = f"outcomes-{period or 'this-year'}-{(area or 'own').replace(':', '-')}.csv"
    return Response(
        answer.content, media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
