"""Builds the summary report from aggregates: figures, statistics and suppression in one place.

Input is plain data (sums already restricted to the period and scope); output is a
`SummaryReport` in which every count, rate and statistic has been through the FigureBook.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

from linkwork_contracts.measures import OUTCOME_SCORES

from linkwork_outcomes.domain import labels
from linkwork_outcomes.domain.contribution import Dimension, Section, Stage
from linkwork_outcomes.domain.facts import ServiceLabel
from linkwork_outcomes.domain.figure_book import FigureBook
from linkwork_outcomes.domain.referral_summary import OPEN_STATUSES
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
from linkwork_outcomes.domain.statistics import (
    ChangeSums,
    histogram_mean,
    histogram_quantile,
    paired_change,
)
from linkwork_outcomes.domain.suppression import RULE, SMALLEST_SHOWN

TITLE = "Social prescribing: referrals, outcomes and gaps in provision"
ACTIVITY_ROWS = 200  # a summary lists the activities and providers with most places planned
PROVIDER_ROWS = 100
FIRST_CONTACT_TARGET_DAYS = 14  # NHS England's link worker model: first contact within 2 weeks
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
    "districts its referrals come from.",
    "Referrals entered in error are left out.",
)


@dataclass(frozen=True, slots=True)
class GapCounts:
    with_need: int
    unmet: int


@dataclass(frozen=True)
class Aggregates:
    """Additive sums for one period and scope."""

    tally: Mapping[tuple[str, str, str], int] = field(default_factory=dict)
    outcomes: Mapping[str, ChangeSums] = field(default_factory=dict)
    gaps: Mapping[tuple[str, str], GapCounts] = field(default_factory=dict)
    services: Mapping[str, ServiceLabel] = field(default_factory=dict)

    def count(self, section: str, key: str = "", subkey: str = "") -> int:
        return self.tally.get((section, key, subkey), 0)

    @cached_property
    def _by_section(self) -> dict[str, dict[str, dict[str, int]]]:
        # One pass over the cells instead of one per section: national reports hold thousands.
        index: dict[str, dict[str, dict[str, int]]] = {}
        for (section, key, subkey), n in self.tally.items():
            if n:
                index.setdefault(section, {}).setdefault(key, {})[subkey] = n
        return index

    def section(self, section: str, key: str | None = None) -> dict[str, int]:
        """{key: count} of a section, or {subkey: count} under one key."""
        keys = self._by_section.get(section, {})
        if key is None:
            return {k: sum(subkeys.values()) for k, subkeys in keys.items()}
        return dict(keys.get(key, {}))

    def histogram(self, section: str) -> dict[int, int]:
        return {int(key): n for key, n in self.section(section).items()}


def _count_rows(
    book: FigureBook, prefix: str, counts: Mapping[str, int], row_labels: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """Register one cell per row; returns (key, label, cell id) in display order."""
    rows = []
    for key, label in labels.with_unknowns(dict(row_labels), set(counts)).items():
        rows.append((key, label, book.cell(f"{prefix}:{key}", counts.get(key, 0))))
    return rows


def _render_rows(book: FigureBook, rows: list[tuple[str, str, str]], base: str) -> list[CountRow]:
    return [
        CountRow(key=key, label=label, count=book.count(cell), share=book.rate(cell, base)) for key, label, cell in rows
    ]


class _Assembly:
    """Registers the report's cells, seals the book, then renders each section."""

    def __init__(self, data: Aggregates) -> None:
        self.data = data
        self.book = FigureBook()

    # -- registration ---------------------------------------------------------------------

    def register(self) -> None:
        book, data = self.book, self.data
        self.total = book.cell("referrals", data.count(Section.REFERRALS))
        self.sources = _count_rows(book, "source", data.section(Section.SOURCE), labels.SOURCE_LABELS)
        book.margin(self.total, [cell for _, _, cell in self.sources])
        self.needs = _count_rows(
            book, "need", data.section(Section.NEED), labels.NEED_LABELS
        )  # a referral can have several needs: no additive relation to the total
        self._register_status_and_closure()
        self._register_funnel()
        self._register_contact_times()
        self._register_activities()
        self._register_outcomes()
        self._register_gaps()
        self._register_equity()

    def _register_status_and_closure(self) -> None:
        book, data = self.book, self.data
        status_labels = {key: labels.STATUS_LABELS.get(key, key) for key in labels.STATUS_ORDER}
        self.statuses = _count_rows(book, "status", data.section(Section.STATUS), status_labels)
        book.margin(self.total, [cell for _, _, cell in self.statuses])
        reasons = data.section(Section.CLOSURE)
        self.closed = book.cell("closed", sum(reasons.values()))
        self.reasons = _count_rows(book, "closure", reasons, labels.CLOSURE_LABELS)
        book.margin(self.closed, [cell for _, _, cell in self.reasons])
        open_cells = [cell for key, _, cell in self.statuses if key in OPEN_STATUSES]
        closed_cells = [cell for key, _, cell in self.statuses if key not in OPEN_STATUSES]
        book.margin(self.closed, closed_cells)
        book.remainder("open", self.total, self.closed)
        book.margin("open", open_cells)

    def _register_funnel(self) -> None:
        book, data = self.book, self.data
        self.stages: list[tuple[Stage, str]] = [(Stage.REFERRED, self.total)]
        for stage in list(Stage)[1:]:
            cell = book.cell(f"funnel:{stage}", data.count(Section.FUNNEL, stage))
            previous = self.stages[-1][1]
            book.remainder(f"funnel-left:{stage}", previous, cell)
            self.stages.append((stage, cell))
        self.plan_agreed = dict(self.stages)[Stage.PLAN_AGREED]
        self.contacted = dict(self.stages)[Stage.CONTACTED]

    def _register_contact_times(self) -> None:
        book, data = self.book, self.data
        self.days = data.histogram(Section.FIRST_CONTACT_DAYS)
        self.timed = book.cell("first-contact", sum(self.days.values()))
        book.remainder("first-contact-undated", self.contacted, self.timed)
        on_time = sum(n for d, n in self.days.items() if d <= FIRST_CONTACT_TARGET_DAYS)
        self.on_time = book.cell("first-contact-on-time", on_time)
        book.remainder("first-contact-late", self.timed, self.on_time)
        self.contact_counts = data.histogram(Section.CONTACTS)
        self.with_contacts = book.cell("contacts", sum(self.contact_counts.values()))
        book.remainder("contacted-uncounted", self.contacted, self.with_contacts)

    def _register_activities(self) -> None:
        """The most-planned activities and providers, with the rest of each provider as one implied cell."""
        book, data = self.book, self.data
        planned, attended = data.section(Section.PLANNED), data.section(Section.ATTENDED)
        ranked = sorted(planned, key=lambda s: (-planned[s], s))
        self.activities: list[str] = ranked[:ACTIVITY_ROWS]
        for service_id in self.activities:
            book.cell(f"planned:{service_id}", planned[service_id])
            book.cell(f"attended:{service_id}", attended.get(service_id, 0))
            book.remainder(f"not-attended:{service_id}", f"planned:{service_id}", f"attended:{service_id}")
        by_provider: dict[str, list[str]] = {}
        for service_id in ranked:
            label = data.services.get(service_id)
            if label is not None and label.provider_id:
                by_provider.setdefault(label.provider_id, []).append(service_id)
        totals = {p: sum(planned[s] for s in services) for p, services in by_provider.items()}
        listed = set(self.activities)
        self.providers = {p: by_provider[p] for p in sorted(totals, key=lambda p: (-totals[p], p))[:PROVIDER_ROWS]}
        for provider_id, services in self.providers.items():
            shown = [s for s in services if s in listed]
            rest = [s for s in services if s not in listed]
            for kind, counts in (("planned", planned), ("attended", attended)):
                total = book.cell(f"provider-{kind}:{provider_id}", sum(counts.get(s, 0) for s in services))
                parts = [f"{kind}:{s}" for s in shown]
                if rest:  # activities outside the listed ones: unpublished, but their sum is derivable
                    parts.append(
                        book.cell(
                            f"provider-other-{kind}:{provider_id}", sum(counts.get(s, 0) for s in rest), implied=True
                        )
                    )
                book.margin(total, parts)
            book.remainder(
                f"provider-not-attended:{provider_id}",
                f"provider-planned:{provider_id}",
                f"provider-attended:{provider_id}",
            )

    def _register_outcomes(self) -> None:
        for score in OUTCOME_SCORES:
            sums = self.data.outcomes.get(score, ChangeSums())
            self.book.cell(f"pairs:{score}", sums.pairs)
            self.book.cell(f"improved:{score}", sums.improved)
            self.book.remainder(f"not-improved:{score}", f"pairs:{score}", f"improved:{score}")

    def _register_gaps(self) -> None:
        book = self.book
        self.gap_cells = sorted(self.data.gaps.items(), key=lambda item: item[0])
        needs: dict[str, list[str]] = {}
        areas: dict[str, list[str]] = {}
        for (need, district), counts in self.gap_cells:
            unmet = book.cell(f"gap:{need}:{district}", counts.unmet)
            book.cell(f"gap-with:{need}:{district}", counts.with_need)
            book.remainder(f"gap-met:{need}:{district}", f"gap-with:{need}:{district}", unmet)
            needs.setdefault(need, []).append(unmet)
            areas.setdefault(district, []).append(unmet)
        total = book.cell("gap-total", sum(c.unmet for _, c in self.gap_cells))
        for prefix, groups in (("gap-need", needs), ("gap-area", areas)):
            group_cells = []
            for key, parts in sorted(groups.items()):
                cell = book.cell(f"{prefix}:{key}", sum(book.value(p) for p in parts))
                book.margin(cell, parts)
                group_cells.append(cell)
            book.margin(total, group_cells)
        self.gap_needs, self.gap_areas = sorted(needs), sorted(areas)

    def _register_equity(self) -> None:
        book, data = self.book, self.data
        self.equity: dict[Dimension, list[tuple[str, str]]] = {}
        for dimension in Dimension:
            counts = data.section(Section.EQUITY, dimension)
            with_plan = data.section(Section.EQUITY_PLAN, dimension)
            values = labels.with_unknowns(labels.DIMENSION_VALUES[dimension], set(counts))
            rows, everyone, planned = [], [], []
            for value, label in values.items():
                cell = book.cell(f"equity:{dimension}:{value}", counts.get(value, 0))
                plan = book.cell(f"equity-plan:{dimension}:{value}", with_plan.get(value, 0))
                book.remainder(f"equity-no-plan:{dimension}:{value}", cell, plan)
                everyone.append(cell)
                planned.append(plan)
                rows.append((value, label))
            book.margin(self.total, everyone)
            book.margin(self.plan_agreed, planned)
            self.equity[dimension] = rows

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
            for (need, district), _ in self.gap_cells
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


def assemble(data: Aggregates, period: Period, scope: Scope, generated_at: datetime) -> SummaryReport:
    """The suppressed summary report for one period and scope."""
    assembly = _Assembly(data)
    assembly.register()
    book = assembly.book
    book.seal()
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
