"""The summary report as CSV: one row per figure, long format, so any tool can pivot it.

Columns: section, row, label, figure, value, suppressed. Suppressed figures have an empty value
and `suppressed` = true; the rule itself is the first data row after the title.

Names in it (activities, providers) are typed by people outside the project: a cell starting with `=`, `+`,
`-`, `@`, a tab or a carriage return would run as a formula when a commissioner opens the file in a
spreadsheet, so such a cell gets a leading apostrophe (OWASP's advice), unless it is a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from linkwork_outcomes.domain.report import CountRow, Figure, SummaryReport

HEADER = ("section", "row", "label", "figure", "value", "suppressed")
Row = tuple[str, str, str, str, str, str]
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: never the start of a formula."""
    if not cell.startswith(_FORMULA_STARTS):
        return cell
    try:
        float(cell)  # -0.25 is a figure, not a formula
    except ValueError:
        return "'" + cell
    return cell


def _value(figure: Figure) -> str:
    if figure.value is None:
        return ""
    if isinstance(figure.value, int):
        return str(figure.value)
    return repr(float(figure.value))


def _figure(section: str, row: str, label: str, name: str, figure: Figure) -> Row:
    return (section, row, label, name, _value(figure), "true" if figure.suppressed else "false")


def _text(section: str, row: str, value: str) -> Row:
    return (section, row, "", "text", value, "false")


def _figures(section: str, row: str, label: str, item: object, names: tuple[str, ...]) -> Iterator[Row]:
    """One line per figure of `item`, in the order of `names`; a figure's column is its field's name."""
    for name in names:
        yield _figure(section, row, label, name, getattr(item, name))


def _count_rows(section: str, rows: list[CountRow]) -> Iterator[Row]:
    for row in rows:
        yield from _figures(section, row.key, row.label, row, ("count", "share"))


# The figures of each kind of row, as CSV names them (their fields' names).
_FUNNEL = ("count", "conversion_from_previous", "conversion_from_referred")
_FIRST_CONTACT = ("referrals", "median_days", "p90_days", "within_target")
_CONTACTS = ("referrals", "mean_per_person", "median_per_person")
_ATTENDANCE = ("planned", "attended", "attendance_rate")  # of an activity and of a provider
_OUTCOME = ("pairs", "mean_change", "ci_lower", "ci_upper", "improved", "improved_share")
_EQUITY = ("referrals", "share", "plan_agreed", "plan_rate")


def rows(report: SummaryReport) -> Iterator[Row]:
    yield _text("metadata", "title", report.title)
    yield _text("metadata", "suppression_rule", report.suppression.rule)
    yield _text("metadata", "period_start", report.period.start)
    yield _text("metadata", "period_end", report.period.end)
    yield _text("metadata", "icb", report.scope.icb or "")
    yield _text("metadata", "sub_icb", report.scope.sub_icb or "")
    yield _text("metadata", "pcn", report.scope.pcn or "all")
    yield _text("metadata", "practice", report.scope.practice or "all")
    yield _text("metadata", "generated_at", report.generated_at.isoformat())
    for number, note in enumerate(report.notes, start=1):
        yield _text("metadata", f"note_{number}", note)
    yield _figure("referrals", "total", "All referrals", "count", report.referrals)
    yield from _count_rows("by_source", report.by_source)
    yield from _count_rows("by_need", report.by_need)
    yield from _count_rows("by_status", report.by_status)
    for stage in report.funnel:
        yield from _figures("funnel", stage.stage, stage.label, stage, _FUNNEL)
    yield from _figures("first_contact", "all", "Days to first contact", report.first_contact, _FIRST_CONTACT)
    yield from _figures("contacts", "all", "Contacts per person", report.contacts, _CONTACTS)
    for activity in report.activities:
        label = activity.name + (f" ({activity.provider_name})" if activity.provider_name else "")
        yield from _figures("activities", activity.service_id, label, activity, _ATTENDANCE)
    for provider in report.providers:
        yield from _figures("providers", provider.provider_id, provider.name, provider, _ATTENDANCE)
    for outcome in report.outcomes:
        yield from _figures("outcomes", outcome.score, outcome.label, outcome, _OUTCOME)
    yield _figure("closures", "total", "All closures", "count", report.closures.closed)
    yield from _count_rows("closure_reasons", report.closures.reasons)
    yield _figure("gaps", "total", "Unmet needs", "unmet", report.gaps.total_unmet)
    for cell in report.gaps.cells:
        label = f"{cell.need_label}, {cell.postcode_district}"
        yield from _figures("gaps", f"{cell.need}:{cell.postcode_district}", label, cell, ("unmet", "with_need"))
    yield from _count_rows("gaps_by_need", report.gaps.by_need)
    yield from _count_rows("gaps_by_area", report.gaps.by_area)
    for breakdown in report.equity:
        for equity in breakdown.rows:
            yield from _figures(f"equity_{breakdown.dimension}", equity.key, equity.label, equity, _EQUITY)


def render(report: SummaryReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(tuple(defused(cell) for cell in row) for row in rows(report))
    return buffer.getvalue()
