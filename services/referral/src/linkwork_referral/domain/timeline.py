"""A line of a referral's timeline: a plain value, so use cases build entries without knowing how they are stored;
and the line each domain event of the referral makes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter

from linkwork_referral.domain import events


@dataclass(frozen=True)
class Entry:
    kind: str
    summary: str
    detail: dict[str, Any]


_DETAIL: TypeAdapter[Any] = TypeAdapter(Any)


def _json(value: object) -> dict[str, Any]:
    dumped = _DETAIL.dump_python(value, mode="json")
    assert isinstance(dumped, dict)
    return dumped


def entry_for(event: events.DomainEvent) -> Entry:
    if isinstance(event, events.ReferralCreated):
        return Entry("referral-created", "Referral made", {})
    if isinstance(event, events.ReferralAccepted):
        return Entry("accepted", f"Accepted and allocated to {event.link_worker}", {"link_worker": event.link_worker})
    if isinstance(event, events.ReferralReassigned):
        return Entry(
            "reassigned",
            f"Reassigned to {event.link_worker}",
            {"previous_link_worker": event.previous_link_worker, "link_worker": event.link_worker},
        )
    if isinstance(event, events.ReferralRejected):
        return Entry("rejected", "Rejected", _json(event.closure))
    if isinstance(event, events.ContactLogged):
        first = " (first contact)" if event.first_contact else ""
        contact = event.contact
        return Entry(
            "contact-logged",
            f"{contact.kind.value} by {contact.mode.value}: {contact.outcome.value}{first}",
            _json(contact),
        )
    if isinstance(event, events.AssessmentRecorded):
        return Entry(
            "assessment-recorded",
            f"What matters assessment recorded (referral version {event.referral_version})",
            _json(event.assessment),
        )
    if isinstance(event, events.PlanAgreed):
        plan = event.plan
        return Entry(
            "plan-agreed",
            f"Plan version {plan.version} agreed: {len(plan.activities)} activities, {len(plan.follow_ups)} follow-ups",
            _json(plan),
        )
    if isinstance(event, events.FollowUpRecorded):
        return Entry("follow-up-recorded", f"Follow-up recorded: {event.contact.outcome.value}", _json(event.contact))
    if isinstance(event, events.PersonUpdated):
        # Field names only: the values are in the record, not repeated in its history.
        version = f" (referral version {event.referral_version})" if event.republish else ""
        return Entry(
            "person-updated",
            f"Person details changed: {', '.join(name.replace('_', ' ') for name in event.changed)}{version}",
            {"changed": list(event.changed), "referral_version": event.referral_version},
        )
    if isinstance(event, events.ReferralPutOnHold):
        return Entry("put-on-hold", "Put on hold", {"reason": event.reason})
    if isinstance(event, events.ReferralResumed):
        return Entry("resumed", "Resumed", {"held_since": event.held_since.isoformat()})
    if isinstance(event, events.ReferralEnteredInError):
        return Entry("entered-in-error", "Marked as entered in error", _json(event.closure))
    reason = event.closure.reason.value if event.closure.reason else "none"
    return Entry("closed", f"Closed ({event.closure.status.value}, reason {reason})", _json(event.closure))
