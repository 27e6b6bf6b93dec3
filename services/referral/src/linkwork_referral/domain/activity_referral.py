"""Activity referrals (issue 17): a plan's activity referred to its provider, and what the provider may do.

Pure rules, no I/O. The state lives in the activity_referrals table (`service_layer.activity_referrals`);
these functions decide what a step may do and what the person's agreed details become.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from linkwork_contracts.codes import DeclineReason, SharedContactRoute
from linkwork_contracts.events import SharedContact, SharedDetails

from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.records import PlanActivity


@dataclass(frozen=True)
class ProviderService:
    """A directory service as referral needs it: who runs it and whether it takes referrals from link workers.
    `revision` is the directory's: a higher one replaces a lower."""

    service_id: UUID
    organization_id: UUID
    organization_name: str
    service_name: str
    takes_referrals: bool
    revision: int


class ActivityReferralState(StrEnum):
    AWAITING_RESPONSE = "awaiting-response"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"  # the referral closed before the provider answered


class ProviderStep(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    SET_START_DATE = "set a start date for"
    CONFIRM_ATTENDANCE = "confirm attendance for"
    COMPLETE = "complete"


# Which states allow each step. Once declined (by the provider or the deadline) nothing more happens: the
# link worker finds the person another activity.
ALLOWED: dict[ProviderStep, frozenset[ActivityReferralState]] = {
    ProviderStep.ACCEPT: frozenset({ActivityReferralState.AWAITING_RESPONSE}),
    ProviderStep.DECLINE: frozenset({ActivityReferralState.AWAITING_RESPONSE, ActivityReferralState.ACCEPTED}),
    ProviderStep.SET_START_DATE: frozenset({ActivityReferralState.ACCEPTED}),
    ProviderStep.CONFIRM_ATTENDANCE: frozenset({ActivityReferralState.ACCEPTED}),
    ProviderStep.COMPLETE: frozenset({ActivityReferralState.ACCEPTED}),
}


class StepNotAllowed(Exception):
    """The activity referral's state does not allow the step (answered 409)."""

    def __init__(self, step: ProviderStep, current: ActivityReferralState) -> None:
        self.current = current
        self.allowed = sorted(ALLOWED[step], key=list(ActivityReferralState).index)
        names = ", ".join(s.value for s in self.allowed)
        super().__init__(f"cannot {step.value} an activity referral that is {current.value}; allowed from: {names}")


def check_step(step: ProviderStep, current: ActivityReferralState) -> None:
    if current not in ALLOWED[step]:
        raise StepNotAllowed(step, current)


def check_decline_reason(reason: DeclineReason) -> None:
    if reason is DeclineReason.NO_RESPONSE:
        raise DomainError("reason: no-response is given by the response deadline, not by a provider")


# A start date or session more than this far from today is a typing slip (a year in the wrong century).
MAX_DATE_DISTANCE = timedelta(days=366)


def check_date(field: str, day: date, today: date) -> None:
    if abs(day - today) > MAX_DATE_DISTANCE:
        raise DomainError(f"{field}: must be within a year of today")


def check_session(day: date, today: date, starts_on: date | None) -> None:
    if day > today:
        raise DomainError("session_on: attendance is confirmed after the session, not before")
    check_date("session_on", day, today)
    if starts_on is not None and day < starts_on:
        raise DomainError("session_on: must not be before the start date")


def shared_details(person: Person, activity: PlanActivity) -> SharedDetails:
    """Exactly what the person agreed to share with this activity's provider, and nothing else."""
    consent = activity.share
    contact: SharedContact | None = None
    if consent.contact is SharedContactRoute.PHONE and person.phone:
        contact = SharedContact(route=SharedContactRoute.PHONE, value=person.phone)
    elif consent.contact is SharedContactRoute.EMAIL and person.email:
        contact = SharedContact(route=SharedContactRoute.EMAIL, value=person.email)
    else:
        contact = SharedContact(route=SharedContactRoute.VIA_LINK_WORKER)
    return SharedDetails(
        first_name=person.given_name[:50] if consent.first_name else None,
        contact=contact,
        needs=(activity.need,) if consent.needs else (),
        accessibility_needs=person.accessibility_needs if consent.accessibility_needs else (),
    )


def deadlines(referred_at: datetime, respond_within: timedelta, remind_after: timedelta) -> tuple[datetime, datetime]:
    """When to remind the provider and when the referral is declined for want of an answer."""
    return referred_at + remind_after, referred_at + respond_within
