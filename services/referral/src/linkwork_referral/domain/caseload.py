"""The caseload as a link worker or PCN manager sees it: the filter, the orders and a page, and each link
worker's share of the open referrals. Values only: the queries are the adapter's (adapters/repository.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.states import WorkflowState


@dataclass(frozen=True)
class CaseloadFilter:
    states: tuple[WorkflowState, ...] = ()
    link_worker: str | None = None
    overdue: bool | None = None
    urgency: str | None = None
    safeguarding: bool | None = None
    # Search within the caller's scope: an NHS number (exact), a date of birth (exact) or part of a name.
    nhs_number: str | None = None
    date_of_birth: date | None = None
    name: str | None = None


@dataclass(frozen=True)
class Page:
    referrals: list[Referral]
    next_cursor: str | None
    follow_ups_due: dict[UUID, datetime]


class CaseloadSort(StrEnum):
    """The caseload's orders. Each is a keyset over (sort key, id), so paging stays exact while rows change."""

    NEWEST = "newest"  # most recently referred first (the default)
    WAITING = "waiting"  # waiting longest first
    URGENCY = "urgency"  # urgent first, then waiting longest first
    NEXT_FOLLOW_UP = "next-follow-up"  # soonest (or most overdue) follow-up first; none planned last


@dataclass(frozen=True)
class Workload:
    """One link worker's share of a PCN's open referrals (a PCN manager's team view)."""

    link_worker: str
    open: int  # allocated and being worked, or on hold
    awaiting_first_contact: int  # open, no contact made yet
    overdue_follow_ups: int  # planned follow-ups past their time, not yet recorded
    median_days_to_first_contact: float | None  # over every referral of theirs that had one
