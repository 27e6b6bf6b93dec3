"""Builders for what a link worker records (contacts, assessments, plans), shared by the unit and
integration tests so that each step is made one way. Every builder takes keyword overrides."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from linkwork_contracts.codes import ContactKind, ContactOutcome, DeliveryMode, NeedCategory
from linkwork_contracts.measures import SwemwbsResult, Timepoint
from linkwork_referral.domain.records import Assessment, Contact, PlanActivity, ScheduledFollowUp
from linkwork_referral.domain.referral import Referral

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # as in conftest.py
LONELY = NeedCategory.LONELINESS_ISOLATION
ACTIVE = NeedCategory.PHYSICAL_ACTIVITY
CHOIR = UUID("00000000-0000-4000-8000-000000000001")
WALKS = UUID("00000000-0000-4000-8000-000000000002")


def contact(outcome: ContactOutcome = ContactOutcome.CONTACT_MADE, hours: int = 24, **extra: object) -> Contact:
    """A first contact by telephone `hours` after T0, unless `extra` says otherwise."""
    fields: dict[str, object] = {
        "id": uuid4(),
        "kind": ContactKind.FIRST_CONTACT,
        "mode": DeliveryMode.TELEPHONE,
        "occurred_at": T0 + timedelta(hours=hours),
        "outcome": outcome,
        "recorded_by": "lw-1",
        "duration_minutes": 20,
    }
    fields.update(extra)
    return Contact(**fields)  # type: ignore[arg-type]


def swemwbs(timepoint: Timepoint, items: list[int]) -> SwemwbsResult:
    return SwemwbsResult.from_items(items, recorded_at=T0 + timedelta(days=3), timepoint=timepoint)


def assessment(**extra: object) -> Assessment:
    fields: dict[str, object] = {
        "needs": (LONELY, ACTIVE),
        "baseline_measures": (swemwbs(Timepoint.BASELINE, [2, 2, 2, 2, 2, 2, 2]),),
        "recorded_at": T0 + timedelta(days=3),
        "recorded_by": "lw-1",
    }
    fields.update(extra)
    return Assessment(**fields)  # type: ignore[arg-type]


def to_assessed(referral: Referral) -> Referral:
    """Accepted, first contact made, assessed: the steps before a plan."""
    referral.accept("lw-1", T0 + timedelta(hours=1))
    referral.log_contact(contact(), T0 + timedelta(days=1))
    referral.record_assessment(assessment(), T0 + timedelta(days=3))
    return referral


def agree(referral: Referral, **overrides: object) -> None:
    """Agree a plan with the choir and the walks, a review and a follow-up."""
    arguments: dict[str, object] = {
        "goals": ("join a group",),
        "needs_addressed": (LONELY, ACTIVE),
        "activities": (PlanActivity(CHOIR, LONELY, suggested_rank=1), PlanActivity(WALKS, ACTIVE)),
        "follow_ups": (
            ScheduledFollowUp(uuid4(), 0, ContactKind.REVIEW, date(2026, 4, 20)),
            ScheduledFollowUp(uuid4(), 0, ContactKind.FOLLOW_UP, date(2026, 3, 16)),
        ),
        "referral_version": 2,
        "by": "lw-1",
        "now": T0 + timedelta(days=4),
    }
    arguments.update(overrides)
    referral.agree_plan(**arguments)  # type: ignore[arg-type]


def first_contact_body(at: datetime | None = None, **extra: object) -> dict[str, object]:
    """The body of POST /referrals/{id}/contacts for a first telephone contact made at `at` (default: now)."""
    return {
        "kind": "first-contact",
        "mode": "telephone",
        "occurred_at": (at or datetime.now(UTC)).isoformat(),
        "outcome": "contact-made",
        **extra,
    }


# What identifies the person in a referral request's body (the first address line besides these).
PERSON_IDENTIFIERS = ("nhs_number", "given_name", "family_name", "date_of_birth", "phone", "email", "postcode")


def person_identifiers(body: dict[str, Any], *, shared: tuple[str, ...] = ()) -> list[str]:
    """The identifying values of the body's person, but those named in `shared` (what a provider may get):
    none of them may leave the service."""
    person = body["person"]
    assert isinstance(person, dict)
    return [*(person[name] for name in PERSON_IDENTIFIERS if name not in shared), person["address_lines"][0]]
