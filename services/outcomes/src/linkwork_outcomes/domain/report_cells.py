"""A report's counts, published and implied, and the additive relations between them.

Registration only: every cell goes into one FigureBook, so that suppression runs once over the
whole report and a count hidden in one section cannot be recovered through another. Rendering the
sections from the sealed book is `report_assembly`'s part.
"""

from __future__ import annotations

from collections.abc import Mapping

from linkwork_contracts.measures import OUTCOME_SCORES

from linkwork_outcomes.domain import labels
from linkwork_outcomes.domain.aggregates import Aggregates
from linkwork_outcomes.domain.contribution import Dimension, Section, Stage
from linkwork_outcomes.domain.figure_book import FigureBook
from linkwork_outcomes.domain.referral_summary import OPEN_STATUSES
from linkwork_outcomes.domain.statistics import ChangeSums

ACTIVITY_ROWS = 200  # a summary lists the activities and providers with most places planned
PROVIDER_ROWS = 100
GAP_ROWS = 100  # need x area cells listed: those with most unmet need
AREA_ROWS = 100
FIRST_CONTACT_TARGET_DAYS = 14  # NHS England's link worker model: first contact within 2 weeks


def _count_rows(
    book: FigureBook, prefix: str, counts: Mapping[str, int], row_labels: Mapping[str, str]
) -> list[tuple[str, str, str]]:
    """Register one cell per row; returns (key, label, cell id) in display order."""
    rows = []
    for key, label in labels.with_unknowns(dict(row_labels), set(counts)).items():
        rows.append((key, label, book.cell(f"{prefix}:{key}", counts.get(key, 0))))
    return rows


class ReportCells:
    """Registers every count of a report, and the relations between them, in one FigureBook."""

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
        """Every activity and provider with places planned; those beyond the listed ones are implied cells.

        All of them are registered, not only the listed ones, so that a report's cells do not depend on which
        activities rank highest in it: reports nested in one another (a PCN and its practices) then have the same
        cell for the same activity, which suppression across reports needs (`suppression.suppress_nested`).
        """
        book, data = self.book, self.data
        planned, attended = data.section(Section.PLANNED), data.section(Section.ATTENDED)
        ranked = sorted(planned, key=lambda s: (-planned[s], s))
        self.activities: list[str] = ranked[:ACTIVITY_ROWS]
        listed = set(self.activities)
        for service_id in ranked:
            unlisted = service_id not in listed
            book.cell(f"planned:{service_id}", planned[service_id], implied=unlisted)
            book.cell(f"attended:{service_id}", attended.get(service_id, 0), implied=unlisted)
            book.remainder(f"not-attended:{service_id}", f"planned:{service_id}", f"attended:{service_id}")
        by_provider: dict[str, list[str]] = {}
        for service_id in ranked:
            label = data.services.get(service_id)
            if label is not None and label.provider_id:
                by_provider.setdefault(label.provider_id, []).append(service_id)
        totals = {p: sum(planned[s] for s in services) for p, services in by_provider.items()}
        ordered = sorted(totals, key=lambda p: (-totals[p], p))
        self.providers = {p: by_provider[p] for p in ordered[:PROVIDER_ROWS]}
        for provider_id in ordered:
            services, unlisted = by_provider[provider_id], provider_id not in self.providers
            for kind, counts in (("planned", planned), ("attended", attended)):
                total = sum(counts.get(s, 0) for s in services)
                cell = book.cell(f"provider-{kind}:{provider_id}", total, implied=unlisted)
                book.margin(cell, [f"{kind}:{s}" for s in services])
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
        """The need x area cells and areas with most unmet need; the rest of each total is implied."""
        book, gaps = self.book, self.data.gaps
        ranked = sorted(gaps, key=lambda cell: (-gaps[cell].unmet, cell))
        self.gap_cells = sorted(ranked[:GAP_ROWS])
        listed = set(self.gap_cells)
        for need, district in self.gap_cells:
            counts = gaps[(need, district)]
            unmet = book.cell(f"gap:{need}:{district}", counts.unmet)
            book.cell(f"gap-with:{need}:{district}", counts.with_need)
            book.remainder(f"gap-met:{need}:{district}", f"gap-with:{need}:{district}", unmet)
        total = book.cell("gap-total", sum(c.unmet for c in gaps.values()))
        by_area: dict[str, int] = {}
        for (_, district), counts in gaps.items():
            by_area[district] = by_area.get(district, 0) + counts.unmet
        areas = sorted(sorted(by_area, key=lambda d: (-by_area[d], d))[:AREA_ROWS])
        needs = sorted({need for need, _ in gaps})
        for prefix, keys, position, complete in (("gap-need", needs, 0, True), ("gap-area", areas, 1, False)):
            group_cells = []
            for key in keys:
                members = [cell for cell in gaps if cell[position] == key]
                cell_id = book.cell(f"{prefix}:{key}", sum(gaps[c].unmet for c in members))
                parts = [f"gap:{c[0]}:{c[1]}" for c in members if c in listed]
                rest = sum(gaps[c].unmet for c in members if c not in listed)
                if rest or len(parts) < len(members):
                    parts.append(book.cell(f"{prefix}-rest:{key}", rest, implied=True))
                book.margin(cell_id, parts)
                group_cells.append(cell_id)
            if not complete and len(keys) < len(by_area):  # areas not listed: their sum is derivable
                group_cells.append(
                    book.cell("gap-area-rest", sum(by_area[d] for d in by_area if d not in keys), implied=True)
                )
            book.margin(total, group_cells)
        self.gap_needs, self.gap_areas = needs, areas

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
