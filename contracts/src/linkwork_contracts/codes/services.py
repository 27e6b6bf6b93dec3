"""Codes describing community services: delivery, schedule days, access, routes in, cost, status.

Delivery modes and days: `docs/conventions.md`; days are iCalendar BYDAY (RFC 5545), as ORUK v3
`schedule.byday` uses. Accessibility features are linkwork's own list, built from the features
link workers ask about and ORUK's free-text `accessibility` examples; people's accessibility
needs use the same codes so that matching can compare them directly.
Referral routes: the social prescribing extension named in the directory issue.
"""

from __future__ import annotations

from enum import StrEnum


class DeliveryMode(StrEnum):
    IN_PERSON = "in-person"
    ONLINE = "online"
    TELEPHONE = "telephone"


class DayOfWeek(StrEnum):
    """iCalendar BYDAY weekday codes."""

    MO = "MO"
    TU = "TU"
    WE = "WE"
    TH = "TH"
    FR = "FR"
    SA = "SA"
    SU = "SU"


class Accessibility(StrEnum):
    """An accessibility feature of a venue or service, or a person's matching need."""

    STEP_FREE_ACCESS = "step-free-access"
    WHEELCHAIR_ACCESSIBLE = "wheelchair-accessible"
    ACCESSIBLE_TOILET = "accessible-toilet"
    CHANGING_PLACES = "changing-places"
    HEARING_LOOP = "hearing-loop"
    BSL_INTERPRETER = "bsl-interpreter"
    LARGE_PRINT = "large-print"
    EASY_READ = "easy-read"
    QUIET_SPACE = "quiet-space"
    SEATING_AVAILABLE = "seating-available"
    ACCESSIBLE_PARKING = "accessible-parking"
    ASSISTANCE_DOGS_WELCOME = "assistance-dogs-welcome"
    CARER_ATTENDS_FREE = "carer-attends-free"


class ReferralRoute(StrEnum):
    """How a person can be connected to a service."""

    SELF_REFERRAL = "self-referral"  # the person can just turn up or sign up
    LINK_WORKER = "link-worker"  # a link worker refers them in
    PROVIDER_CONTACT = "provider-contact"  # the provider must be contacted first
    # Added with service-changed v2 (issue 21); a v1 event never carries them.
    PROFESSIONAL_REFERRAL = "professional-referral"  # only from a professional (GP, link worker, ...)
    DROP_IN = "drop-in"  # no referral or booking: the person turns up


class ServiceStatus(StrEnum):
    """A service snapshot's status. ORUK's inactive/defunct are both "withdrawn" to matching."""

    ACTIVE = "active"
    WITHDRAWN = "withdrawn"


class CostUnit(StrEnum):
    """What a non-free cost is charged per."""

    SESSION = "session"
    WEEK = "week"
    MONTH = "month"
    COURSE = "course"
    ONE_OFF = "one-off"


class CapacityStatus(StrEnum):
    """Provider capacity, as coded in the Gravity SDOH Clinical Care IG."""

    CAPACITY = "capacity"
    NO_CAPACITY = "no-capacity"
    WAITLIST = "waitlist"
    ADDITIONAL_ASSESSMENT_REQUIRED = "additional-assessment-required"


class ScheduleFrequency(StrEnum):
    """iCalendar FREQ values a community activity's schedule uses (as ORUK `schedule.freq`)."""

    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
