"""What happened to a referral, as the aggregate reports it.

These are internal facts. The service layer turns each into a timeline entry, and the ones other
services care about into contract events (`adapters/outgoing.py`) written to the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from linkwork_referral.domain.records import Assessment, Closure, Contact, Plan


@dataclass(frozen=True)
class ReferralCreated:
    at: datetime


@dataclass(frozen=True)
class ReferralAccepted:
    at: datetime
    link_worker: str


@dataclass(frozen=True)
class ReferralReassigned:
    at: datetime
    previous_link_worker: str | None
    link_worker: str


@dataclass(frozen=True)
class ReferralRejected:
    at: datetime
    closure: Closure


@dataclass(frozen=True)
class ContactLogged:
    at: datetime
    contact: Contact
    first_contact: bool


@dataclass(frozen=True)
class AssessmentRecorded:
    at: datetime
    assessment: Assessment
    referral_version: int


@dataclass(frozen=True)
class PlanAgreed:
    at: datetime
    plan: Plan


@dataclass(frozen=True)
class FollowUpRecorded:
    at: datetime
    contact: Contact
    contacts_to_date: int


@dataclass(frozen=True)
class ReferralClosed:
    at: datetime
    closure: Closure


@dataclass(frozen=True)
class PersonUpdated:
    """The person's details changed. `referral_version` went up when a field matching uses changed."""

    at: datetime
    changed: tuple[str, ...]
    republish: bool
    referral_version: int


@dataclass(frozen=True)
class ReferralPutOnHold:
    at: datetime
    reason: str


@dataclass(frozen=True)
class ReferralResumed:
    at: datetime
    held_since: datetime


@dataclass(frozen=True)
class ReferralEnteredInError:
    """The referral should never have been recorded; it leaves every figure (closure has the status)."""

    at: datetime
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
