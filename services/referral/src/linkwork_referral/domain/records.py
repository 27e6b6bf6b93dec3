"""What the link worker records about a referral: contacts, assessment, plan, follow-ups, closure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from linkwork_contracts.codes import (
    AttendanceStatus,
    ClosureReason,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    NeedCategory,
    ReferralStatus,
    SharedContactRoute,
)
from linkwork_contracts.events import AvailabilitySlot, Preferences
from linkwork_contracts.measures import AnyMeasureResult


class Barrier(StrEnum):
    """What stands between the person and an activity (workflow step 4 of the standards file)."""

    TRANSPORT = "transport"
    COST = "cost"
    LANGUAGE = "language"
    MOBILITY = "mobility"
    CONFIDENCE = "confidence"
    CARING_RESPONSIBILITIES = "caring-responsibilities"
    DIGITAL_ACCESS = "digital-access"
    OTHER = "other"


@dataclass(frozen=True)
class Attendance:
    service_id: UUID
    status: AttendanceStatus
    confirmed_by: ConfirmedBy
    sessions_attended: int | None = None


@dataclass(frozen=True)
class Contact:
    """One contact or attempt; a follow-up is a contact that also reports attendance/measures."""

    id: UUID
    kind: ContactKind
    mode: DeliveryMode
    occurred_at: datetime
    outcome: ContactOutcome
    recorded_by: str
    duration_minutes: int | None = None
    notes: str | None = None
    follow_up_id: UUID | None = None
    attendance: tuple[Attendance, ...] = ()
    measures: tuple[AnyMeasureResult, ...] = ()

    @property
    def made(self) -> bool:
        return self.outcome is ContactOutcome.CONTACT_MADE


@dataclass(frozen=True)
class Assessment:
    """The "what matters to me" conversation."""

    needs: tuple[NeedCategory, ...]
    baseline_measures: tuple[AnyMeasureResult, ...]
    recorded_at: datetime
    recorded_by: str
    strengths: tuple[str, ...] = ()
    barriers: tuple[Barrier, ...] = ()
    what_matters: str | None = None
    preferences: Preferences = field(default_factory=Preferences)

    @property
    def availability(self) -> tuple[AvailabilitySlot, ...]:
        return self.preferences.availability


@dataclass(frozen=True)
class SharingConsent:
    """What the person agreed to share with the provider of one activity (issue 17). Nothing by default:
    the provider then hears only that there is a referral, and reaches the person through the link worker."""

    first_name: bool = False
    contact: SharedContactRoute = SharedContactRoute.VIA_LINK_WORKER
    needs: bool = False
    accessibility_needs: bool = False


@dataclass(frozen=True)
class PlanActivity:
    service_id: UUID
    need: NeedCategory
    suggested_rank: int | None = None
    starts_on: date | None = None
    name: str | None = None
    share: SharingConsent = field(default_factory=SharingConsent)


@dataclass(frozen=True)
class ScheduledFollowUp:
    id: UUID
    sequence: int
    kind: ContactKind
    due_on: date


@dataclass(frozen=True)
class Plan:
    version: int
    agreed_at: datetime
    agreed_by: str
    goals: tuple[str, ...]
    needs_addressed: tuple[NeedCategory, ...]
    activities: tuple[PlanActivity, ...]
    follow_ups: tuple[ScheduledFollowUp, ...]
    referral_version: int | None = None

    def activity(self, service_id: UUID) -> PlanActivity | None:
        return next((a for a in self.activities if a.service_id == service_id), None)


@dataclass(frozen=True)
class Closure:
    status: ReferralStatus
    reason: ClosureReason | None
    closed_at: datetime
    closed_by: str
    notes: str | None = None
    final_measures: tuple[AnyMeasureResult, ...] = ()


@dataclass(frozen=True)
class Hold:
    """Why and since when a referral is on hold (Gravity requires a reason for on-hold)."""

    reason: str
    since: datetime
    by: str
