"""Builds the summary report from aggregates: figures, statistics and suppression in one place.

Input is plain data (sums already restricted to the period and scope); `ReportCells` registers
every count and relation, the book is sealed (suppression), and the sections are rendered here,
so every count, rate and statistic in the `SummaryReport` has been through the FigureBook.
"""

from __future__ import annotations

from datetime import datetime

from linkwork_contracts.measures import OUTCOME_SCORES

from linkwork_outcomes.domain import labels
from linkwork_outcomes.domain.aggregates import Aggregates, GapCounts
from linkwork_outcomes.domain.figure_book import FigureBook
from linkwork_outcomes.domain.report import (
    ActivityRow,
    Closures,
    Contacts,
    CountRow,
    EquityBreakdown,
    EquityRow,
    FirstContact,
    FunnelStage,
    GapCell,
    Gaps,
    OutcomeRow,
    Period,
    ProviderRow,
    Scope,
    SummaryReport,
    Suppression,
)
from linkwork_outcomes.domain.report_cells import ACTIVITY_ROWS, AREA_ROWS, GAP_ROWS, PROVIDER_ROWS, ReportCells
from linkwork_outcomes.domain.statistics import (
    ChangeSums,
    histogram_mean,
    histogram_quantile,
    paired_change,
)
from linkwork_outcomes.domain.suppression import RULE, SMALLEST_SHOWN

__all__ = ["Aggregates", "GapCounts", "assemble", "registered"]

TITLE = "Social prescribing: referrals, outcomes and gaps in provision"
NOTES = (
    "Figures describe the referrals received in the period (by the month they were made, UK "
    "time); their status, contacts, plans, outcomes and closures are as known today.",
    "The funnel is nested: each stage counts referrals that reached it and every earlier stage "
    "(a plan implies contact). 'Closed' there means closed after follow-up; closure reasons "
    "count every closure.",
    "Days to first contact are whole calendar days from referral to first contact.",
    "Contacts per person count the contacts made in each contacted referral's episode.",
    "Plan uptake counts referrals whose current plan includes the activity; attended means "
    "attending or completed. Provider figures add up the places planned at the provider's "
    "activities, so a person with two of them counts twice. The report lists the "
    f"{ACTIVITY_ROWS} activities and {PROVIDER_ROWS} providers with most places planned.",
    "Outcome change pairs each referral's baseline with its latest later measurement; the "
    "interval is a 95% confidence interval from the t distribution with pairs - 1 degrees of "
    "freedom. Improvement thresholds: SWEMWBS +3 metric points; ONS4 items 2 points the better "
    "way (down for anxiety); UCLA-3 down by 2.",
    "Gaps count referrals whose need had no suitable option within reach, from the matching "
    "service's windows that started in the period; a PCN or practice sees the postcode "
    f"districts its referrals come from. The {GAP_ROWS} need and area pairs and {AREA_ROWS} areas with most "
    "unmet need are listed.",
    "Referrals entered in error are left out.",
)


def _render_rows(book: FigureBook, rows: list[tuple[str, str, str]], base: str) -> list[CountRow]:
    return [
        CountRow(key=key, label=label, count=book.count(cell), share=book.rate(cell, base)) for key, label, cell in rows
    ]


class _Report(ReportCells):
    """Renders each section from the sealed book."""

    # -- rendering ------------------------------------------------------------------------

    def funnel(self) -> list[FunnelStage]:
        book, result = self.book, []
        previous = self.total
        for stage, cell in self.stages:
            result.append(
                FunnelStage(
                    stage=stage,
                    label=labels.STAGE_LABELS[stage],
                    count=book.count(cell),
                    conversion_from_previous=book.rate(cell, previous),
                    conversion_from_referred=book.rate(cell, self.total),
                )
            )
            previous = cell
        return result

    def first_contact(self) -> FirstContact:
        book = self.book
        return FirstContact(
            referrals=book.count(self.timed),
            median_days=book.statistic(histogram_quantile(self.days, 0.5), self.timed),
            p90_days=book.statistic(histogram_quantile(self.days, 0.9), self.timed),
            within_target=book.rate(self.on_time, self.timed),
        )

    def contacts(self) -> Contacts:
        book = self.book
        return Contacts(
            referrals=book.count(self.with_contacts),
            mean_per_person=book.statistic(histogram_mean(self.contact_counts), self.with_contacts),
            median_per_person=book.statistic(histogram_quantile(self.contact_counts, 0.5), self.with_contacts),
        )

    def activity_rows(self) -> list[ActivityRow]:
        book, rows = self.book, []
        for service_id in self.activities:
            label = self.data.services.get(service_id)
            rows.append(
                ActivityRow(
                    service_id=service_id,
                    name=label.name if label else "Unknown activity",
                    provider_id=label.provider_id if label else None,
                    provider_name=label.provider_name if label else None,
                    planned=book.count(f"planned:{service_id}"),
                    attended=book.count(f"attended:{service_id}"),
                    attendance_rate=book.rate(f"attended:{service_id}", f"planned:{service_id}"),
                )
            )
        return rows

    def provider_rows(self) -> list[ProviderRow]:
        book, rows = self.book, []
        for provider_id, services in self.providers.items():
            label = self.data.services[services[0]]
            planned, attended = f"provider-planned:{provider_id}", f"provider-attended:{provider_id}"
            rows.append(
                ProviderRow(
                    provider_id=provider_id,
                    name=label.provider_name or provider_id,
                    planned=book.count(planned),
                    attended=book.count(attended),
                    attendance_rate=book.rate(attended, planned),
                )
            )
        return rows

    def outcome_rows(self) -> list[OutcomeRow]:
        book, rows = self.book, []
        for score, rule in OUTCOME_SCORES.items():
            pairs, improved = f"pairs:{score}", f"improved:{score}"
            change = paired_change(self.data.outcomes.get(score, ChangeSums()))
            rows.append(
                OutcomeRow(
                    score=score,
                    label=rule.label,
                    higher_is_better=rule.higher_is_better,
                    improvement_threshold=rule.threshold,
                    pairs=book.count(pairs),
                    mean_change=book.statistic(change.mean if change else None, pairs),
                    ci_lower=book.statistic(change.lower if change else None, pairs),
                    ci_upper=book.statistic(change.upper if change else None, pairs),
                    improved=book.count(improved),
                    improved_share=book.rate(improved, pairs),
                )
            )
        return rows

    def gaps(self) -> Gaps:
        book = self.book
        cells = [
            GapCell(
                need=need,
                need_label=labels.NEED_LABELS.get(need, need),
                postcode_district=district,
                unmet=book.count(f"gap:{need}:{district}"),
                with_need=book.count(f"gap-with:{need}:{district}"),
            )
            for need, district in self.gap_cells
        ]
        by_need = [
            CountRow(
                key=need,
                label=labels.NEED_LABELS.get(need, need),
                count=book.count(f"gap-need:{need}"),
                share=book.rate(f"gap-need:{need}", "gap-total"),
            )
            for need in self.gap_needs
        ]
        by_area = [
            CountRow(
                key=area,
                label=area,
                count=book.count(f"gap-area:{area}"),
                share=book.rate(f"gap-area:{area}", "gap-total"),
            )
            for area in self.gap_areas
        ]
        return Gaps(total_unmet=book.count("gap-total"), cells=cells, by_need=by_need, by_area=by_area)

    def equity_breakdowns(self) -> list[EquityBreakdown]:
        book, result = self.book, []
        for dimension, rows in self.equity.items():
            result.append(
                EquityBreakdown(
                    dimension=dimension,
                    label=labels.DIMENSION_LABELS[dimension],
                    rows=[
                        EquityRow(
                            key=value,
                            label=label,
                            referrals=book.count(f"equity:{dimension}:{value}"),
                            share=book.rate(f"equity:{dimension}:{value}", self.total),
                            plan_agreed=book.count(f"equity-plan:{dimension}:{value}"),
                            plan_rate=book.rate(f"equity-plan:{dimension}:{value}", f"equity:{dimension}:{value}"),
                        )
                        for value, label in rows
                    ],
                )
            )
        return result


def registered(data: Aggregates) -> _Report:
    """A report's cells and relations, not yet suppressed (`book.table()` is what suppression sees)."""
    assembly = _Report(data)
    assembly.register()
    return assembly


def assemble(
    data: Aggregates,
    period: Period,
    scope: Scope,
    generated_at: datetime,
    *,
    assembly: _Report | None = None,
    hidden: frozenset[str] | None = None,
) -> SummaryReport:
    """The suppressed summary report for one period and scope.

    On its own the report is suppressed alone; `hidden` is the result of suppressing it together with every
    report it could be differenced against (`service_layer.reports`), for `assembly` registered from `data`.
    """
    assembly = assembly or registered(data)
    book = assembly.book
    book.seal(hidden)
    return SummaryReport(
        title=TITLE,
        period=period,
        scope=scope,
        generated_at=generated_at,
        suppression=Suppression(
            rule=RULE, smallest_count_shown=SMALLEST_SHOWN, suppressed_figures=book.suppressed_published
        ),
        notes=list(NOTES),
        referrals=book.count(assembly.total),
        by_source=_render_rows(book, assembly.sources, assembly.total),
        by_need=_render_rows(book, assembly.needs, assembly.total),
        by_status=_render_rows(book, assembly.statuses, assembly.total),
        funnel=assembly.funnel(),
        first_contact=assembly.first_contact(),
        contacts=assembly.contacts(),
        activities=assembly.activity_rows(),
        providers=assembly.provider_rows(),
        outcomes=assembly.outcome_rows(),
        closures=Closures(
            closed=book.count(assembly.closed), reasons=_render_rows(book, assembly.reasons, assembly.closed)
        ),
        gaps=assembly.gaps(),
        equity=assembly.equity_breakdowns(),
    )
