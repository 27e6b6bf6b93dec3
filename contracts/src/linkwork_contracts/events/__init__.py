"""Every event model, one versioned class per event type. See `registry` for lookup by type."""

from linkwork_contracts.events.base import Event
from linkwork_contracts.events.directory import (
    Capacity,
    Cost,
    GeoJsonPolygon,
    LocalAuthorityArea,
    LsoaArea,
    Organisation,
    PolygonArea,
    PostcodeArea,
    Schedule,
    ServiceArea,
    ServiceChangedV1,
    ServiceChangedV2,
    ServiceChangedV3,
    ServiceLocation,
    ServiceTaxonomyTerm,
    WaitingList,
)
from linkwork_contracts.events.follow_ups import (
    ActivityAttendance,
    FollowUpDueV1,
    FollowUpRecordedV1,
)
from linkwork_contracts.events.gp_record import GpRecordChange, GpRecordUpdateV1, gp_record_concepts
from linkwork_contracts.events.matching import (
    EligibilityCheck,
    MatchesSuggestedV1,
    NeedSuggestions,
    ProvisionGapV1,
    SuggestedOption,
)
from linkwork_contracts.events.person import AvailabilitySlot, PersonProfile, Preferences
from linkwork_contracts.events.plan import PlanAgreedV1, PlannedActivity
from linkwork_contracts.events.provider import (
    ActivityReferralRespondedV1,
    ActivityReferredV1,
    AttendanceConfirmedV1,
    SharedContact,
    SharedDetails,
)
from linkwork_contracts.events.referral import ReferralClosedV1, ReferralCreatedV1
from linkwork_contracts.events.referral_requested import (
    PersonDetails,
    ReferralRequestedV1,
    Referrer,
)
from linkwork_contracts.events.refusals import ReferralRequestRefusedV1

__all__ = [
    "ActivityAttendance",
    "ActivityReferralRespondedV1",
    "ActivityReferredV1",
    "AttendanceConfirmedV1",
    "AvailabilitySlot",
    "Capacity",
    "Cost",
    "EligibilityCheck",
    "Event",
    "FollowUpDueV1",
    "FollowUpRecordedV1",
    "GeoJsonPolygon",
    "GpRecordChange",
    "GpRecordUpdateV1",
    "LocalAuthorityArea",
    "LsoaArea",
    "MatchesSuggestedV1",
    "NeedSuggestions",
    "Organisation",
    "PersonDetails",
    "PersonProfile",
    "PlanAgreedV1",
    "PlannedActivity",
    "PolygonArea",
    "PostcodeArea",
    "Preferences",
    "ProvisionGapV1",
    "ReferralClosedV1",
    "ReferralCreatedV1",
    "ReferralRequestRefusedV1",
    "ReferralRequestedV1",
    "Referrer",
    "Schedule",
    "ServiceArea",
    "ServiceChangedV1",
    "ServiceChangedV2",
    "ServiceChangedV3",
    "ServiceLocation",
    "ServiceTaxonomyTerm",
    "SharedContact",
    "SharedDetails",
    "SuggestedOption",
    "WaitingList",
    "gp_record_concepts",
]
