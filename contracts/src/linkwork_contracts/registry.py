"""Every event type this build of linkwork knows, by CloudEvents `type` string.

A consumer that knows several versions of an event gets them all here; decoding looks types up
here and rejects the rest. When a v2 is added, v1 stays listed for as long as any v1 events may
still be read (the compatibility gate fails if a released type disappears).
"""

from __future__ import annotations

from linkwork_contracts.events import (
    ActivityReferralRespondedV1,
    ActivityReferredV1,
    AttendanceConfirmedV1,
    Event,
    FollowUpDueV1,
    FollowUpRecordedV1,
    GpRecordUpdateV1,
    MatchesSuggestedV1,
    PlanAgreedV1,
    ProvisionGapV1,
    ReferralClosedV1,
    ReferralCreatedV1,
    ReferralRequestedV1,
    ReferralRequestRefusedV1,
    ServiceChangedV1,
    ServiceChangedV2,
    ServiceChangedV3,
)

EVENT_CLASSES: tuple[type[Event], ...] = (
    ReferralRequestedV1,
    ReferralCreatedV1,
    MatchesSuggestedV1,
    PlanAgreedV1,
    FollowUpDueV1,
    FollowUpRecordedV1,
    ReferralClosedV1,
    ServiceChangedV1,
    ServiceChangedV2,
    ServiceChangedV3,
    ProvisionGapV1,
    ReferralRequestRefusedV1,
    GpRecordUpdateV1,
    ActivityReferredV1,
    ActivityReferralRespondedV1,
    AttendanceConfirmedV1,
)

EVENT_TYPES: dict[str, type[Event]] = {cls.TYPE: cls for cls in EVENT_CLASSES}


def event_types_for_topic(topic: str) -> tuple[type[Event], ...]:
    """Every known event class published on `topic`, oldest version first."""
    classes = (c for c in EVENT_TYPES.values() if topic == c.TOPIC)
    return tuple(sorted(classes, key=lambda c: (c.family(), c.type_version())))


def known_versions(family: str) -> tuple[int, ...]:
    """The versions known for a type family such as `uk.linkwork.referral.created`."""
    return tuple(sorted(c.type_version() for c in EVENT_TYPES.values() if c.family() == family))
