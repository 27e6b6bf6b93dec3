"""Codes describing a person's preferences and contacts with their link worker.

Travel modes: `docs/conventions.md`. The rest are linkwork's own small sets, taken from the
link worker workflow in `standards/social-prescribing.md` (contacts, follow-ups, attendance).
"""

from __future__ import annotations

from datetime import time
from enum import StrEnum


class TravelMode(StrEnum):
    WALK = "walk"
    PUBLIC_TRANSPORT = "public-transport"
    CAR = "car"


class PartOfDay(StrEnum):
    """When in the day a person is free, in the words they use ("Tuesday mornings")."""

    MORNING = "morning"
    AFTERNOON = "afternoon"
    EVENING = "evening"


# Half-open [start, end) clock ranges: a session that starts in a range fits that part of day.
PART_OF_DAY_HOURS: dict[PartOfDay, tuple[time, time]] = {
    PartOfDay.MORNING: (time(6, 0), time(12, 0)),
    PartOfDay.AFTERNOON: (time(12, 0), time(17, 0)),
    PartOfDay.EVENING: (time(17, 0), time(23, 59, 59)),
}


def part_of_day(at: time) -> PartOfDay | None:
    """The part of day a clock time falls in, or None for the small hours."""
    for part, (start, end) in PART_OF_DAY_HOURS.items():
        if start <= at < end:
            return part
    return None


class ContactKind(StrEnum):
    """Why the link worker and person were in contact."""

    FIRST_CONTACT = "first-contact"
    WHAT_MATTERS = "what-matters"
    FOLLOW_UP = "follow-up"
    REVIEW = "review"  # a planned review, e.g. at 6 or 12 weeks
    CLOSURE = "closure"


class ContactOutcome(StrEnum):
    CONTACT_MADE = "contact-made"
    NO_ANSWER = "no-answer"
    MESSAGE_LEFT = "message-left"
    DID_NOT_ATTEND = "did-not-attend"
    CANCELLED = "cancelled"


class AttendanceStatus(StrEnum):
    """How a person is getting on with one activity in their plan."""

    NOT_STARTED = "not-started"
    ATTENDING = "attending"
    COMPLETED = "completed"
    STOPPED = "stopped"
    DID_NOT_ATTEND = "did-not-attend"


class ConfirmedBy(StrEnum):
    """Who reported an attendance (providers can confirm attendance: workflow step 6)."""

    PERSON = "person"
    LINK_WORKER = "link-worker"
    PROVIDER = "provider"


class ContactMethod(StrEnum):
    """How a person prefers to be contacted (referral-requested only)."""

    TELEPHONE = "telephone"
    TEXT_MESSAGE = "text-message"
    EMAIL = "email"
    LETTER = "letter"
