"""What the service says to a person, by which channel, and whether it may say it at all.

Pure rules, no I/O: the handlers and the dispatcher call these, and the unit tests pin them down.
The text never carries health details (needs, activities, measures): only who will call and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from uuid import UUID


class Reason(StrEnum):
    """Why a message is sent; with the event id it is the idempotency key of a message."""

    FIRST_CONTACT = "first-contact"  # after the referral is accepted
    FOLLOW_UP_REMINDER = "follow-up-reminder"  # a planned follow-up falls due


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    LETTER = "letter"


class Status(StrEnum):
    PENDING = "pending"  # waiting to be sent (or to be retried at next_attempt_at)
    SENDING = "sending"  # handed to a provider; the outcome is not recorded yet (in doubt after a crash)
    SENT = "sent"  # the provider accepted it
    DELIVERED = "delivered"  # the provider's receipt says it arrived
    UNDELIVERABLE = "undeliverable"  # a permanent failure or retries exhausted; a task is raised
    SUPPRESSED = "suppressed"  # not sent on purpose: no consent, opted out, no usable route


@dataclass(frozen=True)
class NewMessage:
    """A message an event calls for, pending until the dispatcher sends it; (event_source, event_id, reason) is
    its identity, so a redelivered event adds no second one."""

    event_source: str
    event_id: str
    reason: Reason
    referral_id: UUID
    person_ref: str
    pcn_code: str
    link_worker_id: str | None = None
    due_on: date | None = None


@dataclass(frozen=True)
class Claimed:
    """A message taken for sending under a lease (the store's claim)."""

    id: UUID
    reason: Reason
    referral_id: UUID
    person_ref: str
    pcn_code: str
    link_worker_id: str | None
    due_on: date | None
    channel: Channel | None
    attempts: int
    in_doubt: bool  # a previous sender handed it to a provider and never recorded the outcome
    created_at: datetime


@dataclass(frozen=True)
class Settlement:
    """What becomes of a claimed message: its new status, with the provider's reference or why."""

    status: Status
    provider_id: str | None = None
    failure: str | None = None
    suppressed_because: str | None = None
    retry_in_seconds: float | None = None  # with PENDING: try again after this long


@dataclass(frozen=True)
class ContactRoute:
    """What the referral service tells us about reaching one person, fetched when sending and never stored.

    `consented` lists the channels the person agreed to be contacted by; `preferred` is the one they chose.
    """

    preferred: Channel | None
    consented: frozenset[Channel]
    phone: str | None = None
    email: str | None = None
    pcn_name: str | None = None
    accepted: bool = True  # false while the referral waits for triage: no first-contact message yet

    def address(self, channel: Channel) -> str | None:
        if channel is Channel.SMS:
            return self.phone
        if channel is Channel.EMAIL:
            return self.email
        return None


@dataclass(frozen=True)
class Decision:
    """Send on `channel`, or do not send, for `suppressed_because` (a code, never a personal detail)."""

    channel: Channel | None
    suppressed_because: str | None = None


def choose_channel(route: ContactRoute | None, opted_out: frozenset[Channel], *, letters: bool) -> Decision:
    """The person's preferred channel, only with consent and not opted out; no fallback to another channel.

    Falling back (say from SMS to email) would contact someone in a way they did not choose, so a message
    without a usable preferred route is suppressed and the link worker sees why on their task list.
    """
    if route is None:
        return Decision(None, "no-contact-route")
    if route.preferred is None:
        return Decision(None, "no-preferred-channel")
    channel = route.preferred
    if channel not in route.consented:
        return Decision(None, "no-consent")
    if channel in opted_out:
        return Decision(None, "opted-out")
    if channel is Channel.LETTER and not letters:
        return Decision(None, "letters-not-enabled")
    if channel is not Channel.LETTER and not route.address(channel):
        return Decision(None, "no-address")
    return Decision(channel)


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def day_phrase(day: date, today: date) -> str:
    """'today', 'tomorrow', 'on Thursday' (within a week), or 'on Thursday 10 December'."""
    delta = (day - today).days
    if delta == 0:
        return "today"
    if delta == 1:
        return "tomorrow"
    weekday = _WEEKDAYS[day.weekday()]
    if 1 < delta < 7:
        return f"on {weekday}"
    return f"on {weekday} {day.day} {day.strftime('%B')}"


def personalisation(reason: Reason, pcn_name: str, due_on: date | None, today: date) -> dict[str, str]:
    """The Notify template's placeholders; the SMTP body is rendered from the same values (see `text`)."""
    values = {"pcn_name": pcn_name}
    if reason is Reason.FOLLOW_UP_REMINDER and due_on is not None:
        values["when"] = day_phrase(due_on, today)
    return values


def text(reason: Reason, values: dict[str, str]) -> str:
    """The message as plain text, e.g. 'Your link worker from Leeds North PCN will call you on Thursday.'"""
    if reason is Reason.FOLLOW_UP_REMINDER:
        return f"Your link worker from {values['pcn_name']} will call you {values.get('when', 'soon')}."
    return (
        f"You have been referred to a link worker from {values['pcn_name']}. "
        "They will contact you in the next few days."
    )


SUBJECTS = {
    Reason.FIRST_CONTACT: "Your link worker will contact you",
    Reason.FOLLOW_UP_REMINDER: "Your link worker will call you",
}
