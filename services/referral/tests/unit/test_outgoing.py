"""What leaves the service: contract events built from the aggregate, with nothing identifiable."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from linkwork_contracts.codes import (
    AttendanceStatus,
    ClosureReason,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    NeedCategory,
)
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import ReferralCreatedV1
from linkwork_contracts.measures import Timepoint, Ucla3Result
from linkwork_referral.adapters.documents import from_document, to_document
from linkwork_referral.adapters.outgoing import EventMapper
from linkwork_referral.adapters.reference_tables import PostcodeDirectory
from linkwork_referral.domain.pseudonym import PersonRefKey
from linkwork_referral.domain.records import Assessment, Attendance, Contact, PlanActivity, ScheduledFollowUp
from linkwork_referral.domain.referral import Referral
from linkwork_referral.settings import DATA

pytestmark = pytest.mark.unit
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # as in conftest.py


def walk_through(referral: Referral) -> Referral:
    service = uuid4()
    referral.accept("lw-1", T0)
    referral.log_contact(
        Contact(
            uuid4(),
            ContactKind.FIRST_CONTACT,
            DeliveryMode.TELEPHONE,
            T0 + timedelta(days=1),
            ContactOutcome.CONTACT_MADE,
            "lw-1",
            notes="lives at 1 Test Street",
        ),
        T0 + timedelta(days=1),
    )
    baseline = Ucla3Result.from_items([3, 3, 2], recorded_at=T0, timepoint=Timepoint.BASELINE)
    referral.record_assessment(
        Assessment((NeedCategory.LONELINESS_ISOLATION,), (baseline,), T0, "lw-1"), T0 + timedelta(days=2)
    )
    referral.agree_plan(
        goals=["g"],
        needs_addressed=[NeedCategory.LONELINESS_ISOLATION],
        activities=[PlanActivity(service, NeedCategory.LONELINESS_ISOLATION)],
        follow_ups=[ScheduledFollowUp(uuid4(), 0, ContactKind.REVIEW, T0.date() + timedelta(days=42))],
        referral_version=None,
        by="lw-1",
        now=T0 + timedelta(days=2),
    )
    repeat = Ucla3Result.from_items([2, 2, 2], recorded_at=T0, timepoint=Timepoint.FOLLOW_UP)
    referral.record_follow_up(
        Contact(
            uuid4(),
            ContactKind.FOLLOW_UP,
            DeliveryMode.IN_PERSON,
            T0 + timedelta(days=14),
            ContactOutcome.CONTACT_MADE,
            "lw-1",
            attendance=(Attendance(service, AttendanceStatus.ATTENDING, ConfirmedBy.PERSON),),
            measures=(repeat,),
        ),
        T0 + timedelta(days=14),
    )
    referral.close(ClosureReason.DECLINED, by="lw-1", now=T0 + timedelta(days=20))
    return referral


def test_every_event_is_pseudonymous(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory.load(DATA / "postcode_districts.csv"))
    events = [e for d in walk_through(referral).take_events() for e in mapper.outgoing(referral, d)]
    assert [type(e).__name__ for e in events] == [
        "ReferralCreatedV1",
        "PlanAgreedV1",
        "FollowUpRecordedV1",
        "ReferralClosedV1",
    ]
    person = referral.person
    assert person.nhs_number is not None and person.phone is not None and person.postcode is not None
    identifiable = [
        person.nhs_number,
        person.given_name,
        person.family_name,
        person.date_of_birth.isoformat(),
        person.phone,
        person.postcode,
        "Test Street",
    ]
    for event in events:
        raw = encode(wrap(event, source="urn:test")).decode()
        for value in identifiable:
            assert value not in raw, f"{type(event).__name__} carries {value!r}"
        assert mapper.person_ref(referral) in raw
    created, _, recorded, closed = events
    assert created.person.postcode_district == "LS6" and created.version == 2  # type: ignore[attr-defined]
    assert created.person.age_band.value == "75-84"  # type: ignore[attr-defined]
    assert recorded.contacts_to_date == 2  # type: ignore[attr-defined]
    assert closed.status.value == "cancelled" and [c.value for c in closed.gp_record_codes] == [  # type: ignore[attr-defined]
        "871731000000106",
        "871711000000103",
    ]


def test_a_rejection_is_reported_closed_without_gp_codes(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory({}))
    referral.reject("outside our area", "admin-1", T0)
    [closed] = mapper.outgoing(referral, referral.take_events()[0])
    assert closed.status.value == "rejected" and closed.gp_record_codes == ()  # type: ignore[attr-defined]
    assert "outside our area" not in closed.model_dump_json()


def test_entered_in_error_is_reported_closed_with_that_status_and_no_gp_codes(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory({}))
    referral.accept("lw-1", T0)
    referral.put_on_hold("in hospital", "lw-1", T0)
    assert [mapper.outgoing(referral, e) for e in referral.take_events()] == [[], []]  # only this service tracks holds
    referral.mark_entered_in_error("wrong person", "admin-1", T0)
    [closed] = mapper.outgoing(referral, referral.take_events()[0])
    assert closed.status.value == "entered-in-error" and closed.gp_record_codes == ()  # type: ignore[attr-defined]
    assert "wrong person" not in closed.model_dump_json()


def test_only_a_change_matching_uses_republishes_referral_created(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory({}))
    referral.take_events()
    referral.update_person(replace(referral.person, phone="07700 900123"), T0)
    referral.update_person(replace(referral.person, interpreter_needed=True), T0 + timedelta(hours=1))
    quiet, loud = (mapper.outgoing(referral, e) for e in referral.take_events())
    assert quiet == []
    [created] = loud
    assert isinstance(created, ReferralCreatedV1)
    assert created.version == 2 and created.person.interpreter_needed
    assert created.updated_at == T0 + timedelta(hours=1)


def test_a_held_referral_document_round_trips(referral: Referral) -> None:
    referral.accept("lw-1", T0)
    referral.put_on_hold("in hospital", "lw-1", T0)
    referral.take_events()
    assert from_document(to_document(referral)) == referral


def test_the_document_round_trips(referral: Referral) -> None:
    walked = walk_through(referral)
    walked.take_events()
    assert from_document(to_document(walked)) == walked
