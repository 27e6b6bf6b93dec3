"""What happened to a referral, as the aggregate reports it.

These are internal facts. The service layer turns each into a timeline entry, and the ones other
services care about into contract events (`adapters/outgoing.py`) written to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from linkwork_referral.domain.records import Assessment, Closure, Contact, Plan


@dataclass(frozen=True)
class Happened:
    """What every domain event has, first: when it happened."""

    at: datetime


@dataclass(frozen=True)
class ReferralCreated(Happened):
    """The referral was made (at its created_at)."""


@dataclass(frozen=True)
class ReferralAccepted(Happened):
    link_worker: str


@dataclass(frozen=True)
class ReferralReassigned(Happened):
    previous_link_worker: str | None
    link_worker: str


@dataclass(frozen=True)
class ReferralRejected(Happened):
    closure: Closure


@dataclass(frozen=True)
class ContactLogged(Happened):
    contact: Contact
    first_contact: bool


@dataclass(frozen=True)
class AssessmentRecorded(Happened):
    assessment: Assessment
    referral_version: int


@dataclass(frozen=True)
class PlanAgreed(Happened):
    plan: Plan


@dataclass(frozen=True)
class FollowUpRecorded(Happened):
    contact: Contact
    contacts_to_date: int


@dataclass(frozen=True)
class ReferralClosed(Happened):
    closure: Closure


@dataclass(frozen=True)
class PersonUpdated(Happened):
    """The person's details changed. `referral_version` went up when a field matching uses changed."""

    changed: tuple[str, ...]
    republish: bool
    referral_version: int


@dataclass(frozen=True)
class ReferralPutOnHold(Happened):
    reason: str


@dataclass(frozen=True)
class ReferralResumed(Happened):
    held_since: datetime


@dataclass(frozen=True)
class ReferralEnteredInError(Happened):
    """The referral should never have been recorded; it leaves every figure (closure has the status)."""

    closure: Closure


DomainEvent = (
    ReferralCreated
    | ReferralAccepted
    | ReferralReassigned
    | ReferralRejected
    | ContactLogged
    | AssessmentRecorded
    | PlanAgreed
    | FollowUpRecorded
    | ReferralClosed
    | PersonUpdated
    | ReferralPutOnHold
    | ReferralResumed
    | ReferralEnteredInError
)
