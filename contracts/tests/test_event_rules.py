"""The business rules inside event models: each broken rule is refused with a clear reason."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any
from uuid import uuid4

import pytest
from linkwork_contracts import topics
from linkwork_contracts.events import (
    Cost,
    Event,
    FollowUpRecordedV1,
    MatchesSuggestedV1,
    PlanAgreedV1,
    ProvisionGapV1,
    ReferralClosedV1,
    ReferralCreatedV1,
    ReferralRequestedV1,
    Schedule,
    ServiceChangedV1,
)
from linkwork_contracts.examples import (
    EXAMPLES,
    PROVISION_GAP,
    REFERRAL_CLOSED,
    REFERRAL_CREATED,
    REFERRAL_ID,
    SERVICE_ID,
)
from linkwork_contracts.registry import EVENT_CLASSES, event_types_for_topic
from pydantic import ValidationError

pytestmark = pytest.mark.unit


def changed(cls: type[Event], **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = EXAMPLES[cls.TYPE].model_dump()
    for dotted, value in changes.items():
        target = data
        *parents, last = dotted.split("__")
        for part in parents:
            target = target[part]
        target[last] = value
    return data


def refused(cls: type[Event], message: str, **changes: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        cls.model_validate(changed(cls, **changes))
    assert message in str(caught.value), str(caught.value)


def test_keys_are_the_aggregate_ids() -> None:
    for event_type, event in EXAMPLES.items():
        expected = {
            "request_id": "emis-LS6-000123",
            "referral_id": str(REFERRAL_ID),
            "service_id": str(SERVICE_ID),
            "postcode_district:need": "LS6:carers-support",
        }[event.KEY_FIELD]
        assert event.key() == expected, event_type


def test_every_topic_has_an_event_and_every_event_a_topic() -> None:
    assert {cls.TOPIC for cls in EVENT_CLASSES} == set(topics.TOPICS)
    for name in topics.TOPICS:
        assert event_types_for_topic(name)
    assert topics.dlq(topics.REFERRAL_CREATED) == "referral-created.dlq"
    assert topics.is_dlq("referral-created.dlq") and not topics.is_dlq("referral-created")
    assert [s.name for s in topics.TOPICS.values() if s.compacted] == [topics.SERVICE_CHANGED]


def test_events_are_frozen() -> None:
    with pytest.raises(ValidationError, match="frozen"):
        REFERRAL_CREATED.version = 2  # type: ignore[misc]


# --- referral-requested --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"consent_to_refer": False}, "consent_to_refer\n  Input should be True"),
        ({"person__nhs_number": "9990000019"}, "NHS number check digit is wrong"),
        ({"person__nhs_number": "99900000"}, "String should match pattern '^[0-9]{10}$'"),
        ({"needs": ["housing", "flying"]}, "needs.1"),
        ({"person__postcode": "nowhere"}, "not a UK postcode"),
        ({"person__date_of_birth": date.today() + timedelta(days=1)}, "is in the future"),
        ({"person__date_of_birth": date(1850, 1, 1)}, "implausible age"),
        (
            {"person__phone": None, "person__address_lines": ()},
            "a link worker must be able to reach the person",
        ),
        ({"referrer": None}, "referrer is required when source is gp-practice"),
        ({"person__email": "not-an-email"}, "person.email"),
        ({"reason": "x" * 2001}, "at most 2000 characters"),
        ({"request_id": "has spaces"}, "request_id"),
        ({"practice_ods_code": "LS6"}, "practice_ods_code"),
    ],
)
def test_referral_request_rules(changes: dict[str, Any], message: str) -> None:
    refused(ReferralRequestedV1, message, **changes)


def test_referral_request_normalises_what_people_type() -> None:
    request = ReferralRequestedV1.model_validate(
        changed(ReferralRequestedV1, person__nhs_number="999 000 0018", person__postcode="ls69zz")
    )
    assert request.person.nhs_number == "9990000018"
    assert request.person.postcode == "LS6 9ZZ"


def test_self_referral_needs_no_referrer_but_a_way_to_find_the_pcn() -> None:
    data = changed(ReferralRequestedV1, source="self-referral", referrer=None)
    assert ReferralRequestedV1.model_validate(data).referrer is None
    data["person"]["nhs_number"] = None
    data["practice_ods_code"] = None
    with pytest.raises(ValidationError, match="needs an nhs_number or a practice_ods_code"):
        ReferralRequestedV1.model_validate(data)


# --- referral-created / closed -------------------------------------------------------------


def test_referral_created_rules() -> None:
    later = REFERRAL_CREATED.created_at + timedelta(days=7)
    refused(ReferralCreatedV1, "version 1 must have updated_at equal", updated_at=later)
    refused(ReferralCreatedV1, "updated_at is before created_at", version=2, updated_at=later - timedelta(days=30))
    assert ReferralCreatedV1.model_validate(changed(ReferralCreatedV1, version=2, updated_at=later))
    refused(ReferralCreatedV1, "needs a travel_mode", preferences__travel_mode=None)
    refused(ReferralCreatedV1, "repeated: walking", preferences__interests=("walking", "walking"))
    refused(ReferralCreatedV1, "person.postcode_district", person__postcode_district="LS6 9ZZ")


def test_referral_closed_rules() -> None:
    refused(ReferralClosedV1, "status in-progress is not a closed status", status="in-progress")
    refused(
        ReferralClosedV1,
        "closed_at is before referred_at",
        closed_at=REFERRAL_CLOSED.referred_at - timedelta(days=1),
    )
    refused(ReferralClosedV1, "first_contact_at is missing", first_contact_at=None)
    refused(ReferralClosedV1, "repeated: 871731000000106", gp_record_codes=("871731000000106",) * 2)


# --- plans, follow-ups, suggestions, gaps --------------------------------------------------


def test_plan_rules() -> None:
    activity = EXAMPLES[PlanAgreedV1.TYPE].model_dump()["activities"][0]
    refused(PlanAgreedV1, "appears twice", activities=(activity, activity))
    refused(PlanAgreedV1, "not in needs_addressed", needs_addressed=("loneliness-isolation",))
    baseline = EXAMPLES[PlanAgreedV1.TYPE].model_dump()["baseline_measures"][0]
    refused(PlanAgreedV1, "timepoint baseline", baseline_measures=({**baseline, "timepoint": "closure"},))


def test_follow_up_rules() -> None:
    refused(FollowUpRecordedV1, "measures need a contact that was made", outcome="no-answer")
    refused(FollowUpRecordedV1, "contacts_to_date must count this contact", contacts_to_date=0)
    row = EXAMPLES[FollowUpRecordedV1.TYPE].model_dump()["attendance"][0]
    refused(FollowUpRecordedV1, "lists a service_id twice", attendance=(row, row))


def test_suggestion_rules() -> None:
    data = changed(MatchesSuggestedV1)
    data["needs"][0]["options"][0]["rank"] = 2
    with pytest.raises(ValidationError, match=r"must be ranked 1\.\.n in order"):
        MatchesSuggestedV1.model_validate(data)
    data = changed(MatchesSuggestedV1)
    data["needs"][1]["need"] = data["needs"][0]["need"]
    with pytest.raises(ValidationError, match="a need appears twice"):
        MatchesSuggestedV1.model_validate(data)
    data = changed(MatchesSuggestedV1)
    data["needs"][0]["options"][0]["score"] = 1.5
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        MatchesSuggestedV1.model_validate(data)


def test_provision_gap_rules() -> None:
    refused(ProvisionGapV1, "window_end must be after window_start", window_end=PROVISION_GAP.window_start)
    refused(ProvisionGapV1, "cannot exceed referrals_with_need", referrals_unmet=10)


# --- service-changed -----------------------------------------------------------------------


def test_service_rules() -> None:
    refused(ServiceChangedV1, "an in-person service needs at least one location", locations=())
    refused(ServiceChangedV1, "min_age 60 is above max_age 18", max_age=18)
    schedule = EXAMPLES[ServiceChangedV1.TYPE].model_dump()["schedules"][0]
    refused(ServiceChangedV1, "is not a location", schedules=({**schedule, "location_id": uuid4()},))
    location = EXAMPLES[ServiceChangedV1.TYPE].model_dump()["locations"][0]
    refused(ServiceChangedV1, "two locations share an id", locations=(location, location))
    refused(ServiceChangedV1, "at least 1 item", referral_routes=())
    refused(ServiceChangedV1, "places_remaining exceeds", capacity__places_remaining=50)


def test_online_services_need_no_location() -> None:
    data = changed(ServiceChangedV1, delivery_modes=("online",), locations=(), schedules=())
    assert ServiceChangedV1.model_validate(data).locations == ()


def test_schedules_and_costs() -> None:
    with pytest.raises(ValidationError, match="closes_at 10:00:00 must be after opens_at"):
        Schedule(byday=("TU",), opens_at=time(10), closes_at=time(10))
    with pytest.raises(ValidationError, match="valid_to is before valid_from"):
        Schedule(
            byday=("TU",),
            opens_at=time(10),
            closes_at=time(11),
            valid_from=date(2025, 2, 1),
            valid_to=date(2025, 1, 1),
        )
    with pytest.raises(ValidationError, match="repeated: TU"):
        Schedule(byday=("TU", "TU"), opens_at=time(10), closes_at=time(11))
    with pytest.raises(ValidationError, match="a free service has no amount_pence"):
        Cost(free=True, amount_pence=300, per="session")
    with pytest.raises(ValidationError, match="a paid service needs amount_pence and per"):
        Cost(free=False, amount_pence=300)
    assert Cost(free=False, amount_pence=300, per="session").amount_pence == 300
