"""One referral's state, derived from all of its facts at once.

Because the summary is recomputed from the whole set of facts, not updated event by event, it is
the same whatever order the events arrived in and however often each was delivered. Every
choice below picks by content (highest version, earliest time, then value), never by arrival.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from linkwork_contracts.codes import AttendanceStatus, ContactKind, ContactOutcome, ReferralStatus
from linkwork_contracts.measures import OUTCOME_SCORES, Timepoint

from linkwork_outcomes.domain.facts import Contact, Measurement, ReferralFacts

# Reports count days and months as people in England and Wales live them.
REPORTING_ZONE = ZoneInfo("Europe/London")

ATTENDED = frozenset({AttendanceStatus.ATTENDING.value, AttendanceStatus.COMPLETED.value})
FOLLOW_UP_KINDS = frozenset({ContactKind.FOLLOW_UP.value, ContactKind.REVIEW.value})
CONTACT_MADE = ContactOutcome.CONTACT_MADE.value


class OpenStatus:
    """Where an open referral is in the link worker's workflow."""

    REFERRED = "referred"
    CONTACTED = "contacted"
    PLAN_AGREED = "plan-agreed"
    FOLLOWING_UP = "following-up"


OPEN_STATUSES = (
    OpenStatus.REFERRED,
    OpenStatus.CONTACTED,
    OpenStatus.PLAN_AGREED,
    OpenStatus.FOLLOWING_UP,
)
CLOSED_STATUSES = (
    ReferralStatus.COMPLETED.value,
    ReferralStatus.CANCELLED.value,
    ReferralStatus.FAILED.value,
    ReferralStatus.REJECTED.value,
)


@dataclass(frozen=True, slots=True)
class ScoreChange:
    score: str
    change: int  # latest - baseline, hundredths
    improved: bool


@dataclass(frozen=True, slots=True)
class ReferralSummary:
    """What reports need about one referral. `month` is None until referral-created has arrived."""

    referral_id: str
    month: date | None = None
    pcn: str | None = None
    practice: str | None = None
    source: str | None = None
    needs: tuple[str, ...] = ()
    age_band: str | None = None
    sex: str | None = None
    ethnic_category: str | None = None
    imd_decile: int | None = None
    postcode_district: str | None = None
    status: str = OpenStatus.REFERRED
    entered_in_error: bool = False
    contacted: bool = False
    first_contact_days: int | None = None
    contacts: int = 0
    plan_agreed: bool = False
    followed_up: bool = False
    closed: bool = False
    closure_reason: str | None = None
    planned: tuple[str, ...] = ()
    attended: tuple[str, ...] = ()
    changes: tuple[ScoreChange, ...] = ()
    earliest_unmet_due: date | None = None  # the oldest due follow-up no contact has fulfilled

    @property
    def counted(self) -> bool:
        """Whether the referral appears in reports at all."""
        return self.month is not None and not self.entered_in_error


def local_date(moment: datetime) -> date:
    return moment.astimezone(REPORTING_ZONE).date()


def month_of(moment: datetime) -> date:
    return local_date(moment).replace(day=1)


def _pairs(measurements: tuple[Measurement, ...]) -> tuple[ScoreChange, ...]:
    """Baseline (earliest baseline measurement) against the latest later measurement, per score."""
    changes = []
    for score in sorted({m.score for m in measurements}):
        if score not in OUTCOME_SCORES:
            continue
        of_score = [m for m in measurements if m.score == score]
        baselines = [m for m in of_score if m.timepoint == Timepoint.BASELINE.value]
        if not baselines:
            continue
        baseline = min(baselines, key=lambda m: (m.recorded_at, m.value))
        later = [
            m for m in of_score if m.timepoint != Timepoint.BASELINE.value and m.recorded_at >= baseline.recorded_at
        ]
        if not later:
            continue
        latest = max(later, key=lambda m: (m.recorded_at, m.value))
        rule = OUTCOME_SCORES[score]
        improved = rule.improved(baseline.value / 100, latest.value / 100)
        changes.append(ScoreChange(score, latest.value - baseline.value, improved))
    return tuple(changes)


def _earliest_unmet_due(facts: ReferralFacts, made: list[Contact]) -> date | None:
    """A due follow-up is met by a contact made for it, or by any follow-up contact on or after its date."""
    named = {c.follow_up_id for c in made if c.follow_up_id}
    follow_up_days = [local_date(c.contact_at) for c in made if c.kind in FOLLOW_UP_KINDS]
    unmet = [
        due.due_on
        for due in facts.follow_ups_due
        if due.follow_up_id not in named and not any(day >= due.due_on for day in follow_up_days)
    ]
    return min(unmet, default=None)


def summarise(facts: ReferralFacts) -> ReferralSummary:
    """The referral's summary from every fact known about it."""
    closure = max(facts.closures, key=lambda c: (c.closed_at, c.status, c.reason), default=None)
    plan = max(facts.plans, key=lambda p: (p.plan_version, p.agreed_at), default=None)
    made = [c for c in facts.contacts if c.outcome == CONTACT_MADE]

    first_contacts = [c.contact_at for c in made]
    first_contacts += [p.first_contact_at for p in facts.plans if p.first_contact_at is not None]
    if closure is not None and closure.first_contact_at is not None:
        first_contacts.append(closure.first_contact_at)
    first_contact_at = min(first_contacts, default=None)

    contacts = max([c.contacts_to_date for c in facts.contacts], default=0)
    if closure is not None:
        contacts = max(contacts, closure.contacts_count)
    contacts = max(contacts, len({c.contact_id for c in made}))

    plan_agreed = plan is not None
    contacted = first_contact_at is not None or contacts > 0 or plan_agreed
    followed_up = plan_agreed and any(c.kind in FOLLOW_UP_KINDS for c in made)
    planned = tuple(sorted({a.service_id for a in plan.activities})) if plan else ()
    attended = tuple(
        sorted(
            {
                a.service_id
                for c in facts.contacts
                for a in c.attendance
                if a.status in ATTENDED and a.service_id in planned
            }
        )
    )

    if closure is not None:
        status = closure.status
    elif followed_up:
        status = OpenStatus.FOLLOWING_UP
    elif plan_agreed:
        status = OpenStatus.PLAN_AGREED
    elif contacted:
        status = OpenStatus.CONTACTED
    else:
        status = OpenStatus.REFERRED

    progress = ReferralSummary(
        referral_id=facts.referral_id,
        status=status,
        entered_in_error=status == ReferralStatus.ENTERED_IN_ERROR.value,
        contacted=contacted,
        contacts=contacts,
        plan_agreed=plan_agreed,
        followed_up=followed_up,
        closed=closure is not None,
        closure_reason=closure.reason if closure else None,
        planned=planned,
        attended=attended,
        changes=_pairs(facts.measurements),
        earliest_unmet_due=_earliest_unmet_due(facts, made),
    )
    latest = max(facts.versions, key=lambda v: v.version, default=None)
    if latest is None:
        return progress
    created_at = min(v.created_at for v in facts.versions)
    first_contact_days = None
    if first_contact_at is not None:
        first_contact_days = max(0, (local_date(first_contact_at) - local_date(created_at)).days)
    return replace(
        progress,
        month=month_of(created_at),
        pcn=latest.pcn,
        practice=latest.practice,
        source=latest.source,
        needs=tuple(sorted(latest.needs)),
        age_band=latest.age_band,
        sex=latest.sex,
        ethnic_category=latest.ethnic_category,
        imd_decile=latest.imd_decile,
        postcode_district=latest.postcode_district,
        first_contact_days=first_contact_days,
    )
