"""Codes of the provider side of the loop: activity referrals, their answers and session attendance.

linkwork's own small sets (no national value set exists), from issue 17: the decline reasons are those a
provider can give, plus `no-response`, which only the response deadline gives.
"""

from __future__ import annotations

from enum import StrEnum


class ActivityReferralDecision(StrEnum):
    ACCEPTED = "accepted"
    DECLINED = "declined"


class DeclineReason(StrEnum):
    NO_CAPACITY = "no-capacity"
    NOT_ELIGIBLE = "not-eligible"
    COULD_NOT_CONTACT = "could-not-contact"
    PERSON_DECLINED = "person-declined"
    OTHER = "other"
    NO_RESPONSE = "no-response"  # the response deadline passed; never given by a provider


# The reasons a provider may choose (no-response is the deadline's alone), with the words the console shows.
PROVIDER_DECLINE_REASONS: dict[DeclineReason, str] = {
    DeclineReason.NO_CAPACITY: "No capacity",
    DeclineReason.NOT_ELIGIBLE: "Not eligible",
    DeclineReason.COULD_NOT_CONTACT: "Could not contact the person",
    DeclineReason.PERSON_DECLINED: "The person declined",
    DeclineReason.OTHER: "Other",
}


class SessionAttendance(StrEnum):
    """What happened at one session of an activity."""

    ATTENDED = "attended"
    DID_NOT_ATTEND = "did-not-attend"
    CANCELLED = "cancelled"  # the session did not take place, or was cancelled in advance


class SharedContactRoute(StrEnum):
    """How the provider may contact the person, as the person agreed."""

    PHONE = "phone"
    EMAIL = "email"
    VIA_LINK_WORKER = "via-link-worker"  # no direct contact: the provider goes through the link worker
