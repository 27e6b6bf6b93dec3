"""What leaves the service: contract events built from the aggregate, with nothing identifiable."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from linkwork_contracts.codes import AttendanceStatus, ClosureReason, ConfirmedBy, ContactKind, DeliveryMode
from linkwork_contracts.envelope import encode, wrap
from linkwork_contracts.events import GpRecordUpdateV1, ReferralCreatedV1
from linkwork_contracts.measures import Timepoint, Ucla3Result
from linkwork_referral.adapters.documents import from_document, to_document
from linkwork_referral.adapters.outgoing import EventMapper
from linkwork_referral.adapters.reference_tables import PostcodeDirectory
from linkwork_referral.domain.events import ReferralAccepted
from linkwork_referral.domain.pseudonym import PersonRefKey
from linkwork_referral.domain.records import Attendance, PlanActivity
from linkwork_referral.domain.referral import Referral
from linkwork_referral.settings import DATA
from referral_builders import CHOIR, LONELY, T0, agree, assessment, contact

pytestmark = pytest.mark.unit


def walk_through(referral: Referral) -> Referral:
    """Every step from acceptance to closure, with a street address in the first contact's notes."""
    referral.accept("lw-1", T0)
    referral.log_contact(contact(notes="lives at 1 Test Street"), T0 + timedelta(days=1))
    baseline = Ucla3Result.from_items([3, 3, 2], recorded_at=T0, timepoint=Timepoint.BASELINE)
    referral.record_assessment(assessment(needs=(LONELY,), baseline_measures=(baseline,)), T0 + timedelta(days=2))
    agree(referral, needs_addressed=(LONELY,), activities=(PlanActivity(CHOIR, LONELY),), referral_version=None)
    repeat = Ucla3Result.from_items([2, 2, 2], recorded_at=T0, timepoint=Timepoint.FOLLOW_UP)
    attended = Attendance(CHOIR, AttendanceStatus.ATTENDING, ConfirmedBy.PERSON)
    referral.record_follow_up(
        contact(
            kind=ContactKind.FOLLOW_UP,
            mode=DeliveryMode.IN_PERSON,
            hours=14 * 24,
            attendance=(attended,),
            measures=(repeat,),
        ),
        T0 + timedelta(days=14),
    )
    referral.close(ClosureReason.DECLINED, by="lw-1", now=T0 + timedelta(days=20))
    return referral


def test_every_event_is_pseudonymous(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory.load(DATA / "postcode_districts.csv"))
    produced = [e for d in walk_through(referral).take_events() for e in mapper.outgoing(referral, d)]
    # The message back to the GP is identifiable by design, on its restricted topic (tested below).
    events = [e for e in produced if not isinstance(e, GpRecordUpdateV1)]
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
    [closed, gp] = mapper.outgoing(referral, referral.take_events()[0])
    assert closed.status.value == "rejected" and closed.gp_record_codes == ()  # type: ignore[attr-defined]
    assert "outside our area" not in closed.model_dump_json()
    assert isinstance(gp, GpRecordUpdateV1) and gp.change.value == "rejected"
    assert [c.value for c in gp.snomed_codes] == ["871711000000103"]
    assert "outside our area" not in gp.model_dump_json()  # free text stays in linkwork


def test_the_gp_hears_of_acceptance_and_closure_once_each_with_the_codes(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory({}))
    produced = [e for d in walk_through(referral).take_events() for e in mapper.outgoing(referral, d)]
    gp = [e for e in produced if isinstance(e, GpRecordUpdateV1)]
    assert [(u.change.value, u.status.value, [c.value for c in u.snomed_codes]) for u in gp] == [
        ("accepted", "accepted", ["871731000000106"]),
        ("closed", "cancelled", ["871711000000103"]),
    ]
    accepted, closed = gp
    assert (
        accepted.nhs_number == referral.person.nhs_number and accepted.practice_ods_code == referral.practice_ods_code
    )
    assert closed.closure_reason is not None and closed.closure_reason.value == "declined"
    assert "declined" in closed.summary and "Test Street" not in closed.model_dump_json()
    # The same change reported again (a replay) keeps its update id, so the GP record gets it once.
    [again] = mapper.outgoing(referral, ReferralAccepted(T0 + timedelta(days=9), "lw-2"))
    assert isinstance(again, GpRecordUpdateV1) and again.update_id == accepted.update_id


def test_entered_in_error_is_reported_closed_with_that_status_and_no_gp_codes(referral: Referral) -> None:
    mapper = EventMapper(PersonRefKey(b"k" * 32), PostcodeDirectory({}))
    referral.accept("lw-1", T0)
    referral.take_events()
    referral.put_on_hold("in hospital", "lw-1", T0)
    referral.resume(T0)
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
