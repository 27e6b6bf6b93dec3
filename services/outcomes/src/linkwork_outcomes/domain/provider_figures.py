"""The provider side of the loop by provider and service (issue 17): how fast providers answer, how many
referrals they accept or decline and why, how many sessions people miss, how many complete.

Counts go through the usual small-number suppression (`suppression.suppress`): each service's counts and
its provider's totals form one table, with the margins that tie them (referred = accepted + declined;
declined = the sum of its reasons; accepted = started + not started; started = completed + not completed;
sessions recorded = attended + missed; a provider's count = the sum of its services'), so no hidden count
can be recovered by subtraction, within a service or across a provider's services. A rate or median is
shown only when every count it rests on is.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from linkwork_contracts.codes import DeclineReason
from pydantic import BaseModel, Field

from linkwork_outcomes.domain.suppression import RULE, Margin, Table, suppress

REASONS: tuple[str, ...] = tuple(reason.value for reason in DeclineReason)
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class ActivityReferralRow:
    organization_id: str
    organization_name: str | None
    service_id: str
    service_name: str | None
    referred_at: datetime
    responded_at: datetime
    decision: str  # accepted | declined
    decline_reason: str | None
    sessions_attended: int
    sessions_missed: int
    completed: bool


class Figures(BaseModel):
    """Counts (null when suppressed) and the rates and median built on them (null when any base is)."""

    referred: int | None = Field(description="Activity referrals answered (accepted or declined), by referral date")
    accepted: int | None
    declined: int | None
    declined_by_reason: dict[str, int | None] = Field(description="Declines by reason code (no-response: the deadline)")
    acceptance_rate: float | None = Field(description="accepted / referred")
    decline_rate: float | None = Field(description="declined / referred")
    median_response_days: float | None = Field(description="Median days from referral to the provider's first answer")
    started: int | None = Field(description="Accepted referrals with a session attended (or completed)")
    completed: int | None
    completion_rate: float | None = Field(description="completed / accepted")
    sessions_attended: int | None
    sessions_missed: int | None
    did_not_attend_rate: float | None = Field(description="sessions missed / sessions recorded (cancelled left out)")


class ServiceFigures(BaseModel):
    service_id: str
    name: str | None
    figures: Figures


class ProviderFigures(BaseModel):
    organization_id: str
    name: str | None
    figures: Figures
    services: list[ServiceFigures]


class ProviderReport(BaseModel):
    start: str
    end: str
    area: str = Field(description="The area reported on, as level:code (pcn:U10001, icb:QWO)")
    suppression: str = RULE
    providers: list[ProviderFigures]


def _counts(rows: Sequence[ActivityReferralRow]) -> dict[str, int]:
    accepted = [r for r in rows if r.decision == "accepted"]
    started = [r for r in accepted if r.sessions_attended > 0 or r.completed]
    completed = [r for r in started if r.completed]
    cells = {
        "referred": len(rows),
        "accepted": len(accepted),
        "declined": len(rows) - len(accepted),
        "started": len(started),
        "not-started": len(accepted) - len(started),
        "completed": len(completed),
        "not-completed": len(started) - len(completed),
        "sessions-attended": sum(r.sessions_attended for r in rows),
        "sessions-missed": sum(r.sessions_missed for r in rows),
    }
    cells["sessions-recorded"] = cells["sessions-attended"] + cells["sessions-missed"]
    for reason in REASONS:
        cells[f"declined:{reason}"] = sum(1 for r in rows if r.decision != "accepted" and r.decline_reason == reason)
    return cells


IMPLIED = frozenset({"not-started", "not-completed", "sessions-recorded"})
_MARGINS = (
    ("referred", ("accepted", "declined")),
    ("declined", tuple(f"declined:{reason}" for reason in REASONS)),
    ("accepted", ("started", "not-started")),
    ("started", ("completed", "not-completed")),
    ("sessions-recorded", ("sessions-attended", "sessions-missed")),
)


def _ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, 4)


def _figures(shown: dict[str, int | None], rows: Sequence[ActivityReferralRow]) -> Figures:
    days = [(r.responded_at - r.referred_at).total_seconds() / SECONDS_PER_DAY for r in rows]
    return Figures(
        referred=shown["referred"],
        accepted=shown["accepted"],
        declined=shown["declined"],
        declined_by_reason={reason: shown[f"declined:{reason}"] for reason in REASONS},
        acceptance_rate=_ratio(shown["accepted"], shown["referred"]),
        decline_rate=_ratio(shown["declined"], shown["referred"]),
        # Over the same referrals as `referred`: shown only when that count is (so never over 1 to 4 people).
        median_response_days=round(statistics.median(days), 2) if shown["referred"] and days else None,
        started=shown["started"],
        completed=shown["completed"],
        completion_rate=_ratio(shown["completed"], shown["accepted"]),
        sessions_attended=shown["sessions-attended"],
        sessions_missed=shown["sessions-missed"],
        did_not_attend_rate=_ratio(shown["sessions-missed"], shown["sessions-recorded"]),
    )


def provider_report(rows: Iterable[ActivityReferralRow], *, start: str, end: str, area: str) -> ProviderReport:
    by_provider: dict[str, dict[str, list[ActivityReferralRow]]] = {}
    for row in rows:
        by_provider.setdefault(row.organization_id, {}).setdefault(row.service_id, []).append(row)
    cells: dict[str, int] = {}
    implied: set[str] = set()
    margins: list[Margin] = []

    def add(group: str, counts: dict[str, int]) -> None:
        for cell, value in counts.items():
            cells[f"{group}/{cell}"] = value
            if cell in IMPLIED:
                implied.add(f"{group}/{cell}")
        margins.extend(Margin(f"{group}/{total}", tuple(f"{group}/{p}" for p in parts)) for total, parts in _MARGINS)

    for organization, services in by_provider.items():
        whole = f"org:{organization}"
        add(whole, _counts([r for rows_ in services.values() for r in rows_]))
        for service, service_rows in services.items():
            add(f"svc:{service}", _counts(service_rows))
        for cell in _counts([]):
            margins.append(Margin(f"{whole}/{cell}", tuple(f"svc:{s}/{cell}" for s in services)))
    hidden = suppress(Table(cells, frozenset(implied), tuple(margins)))

    def shown(group: str) -> dict[str, int | None]:
        prefix = f"{group}/"
        return {
            key.removeprefix(prefix): (None if key in hidden else value)
            for key, value in cells.items()
            if key.startswith(prefix)
        }

    providers = []
    for organization, services in sorted(by_provider.items()):
        every = [r for rows_ in services.values() for r in rows_]
        providers.append(
            ProviderFigures(
                organization_id=organization,
                name=next((r.organization_name for r in every if r.organization_name), None),
                figures=_figures(shown(f"org:{organization}"), every),
                services=[
                    ServiceFigures(
                        service_id=service,
                        name=next((r.service_name for r in service_rows if r.service_name), None),
                        figures=_figures(shown(f"svc:{service}"), service_rows),
                    )
                    for service, service_rows in sorted(services.items())
                ],
            )
        )
    return ProviderReport(start=start, end=end, area=area, providers=providers)
