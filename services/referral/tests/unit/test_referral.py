"""The referral aggregate: one episode from referral to closure, and the rules each step keeps."""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import date, timedelta
from uuid import uuid4

import pytest
from linkwork_contracts.codes import (
    AttendanceStatus,
    ClosureReason,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    NeedCategory,
    ReferralStatus,
)
from linkwork_contracts.measures import Timepoint, Ucla3Result
from linkwork_referral.domain import events
from linkwork_referral.domain.errors import DomainError, IllegalTransition
from linkwork_referral.domain.records import Attendance, PlanActivity, ScheduledFollowUp
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_referral.domain.states import WorkflowState
from referral_builders import ACTIVE, CHOIR, LONELY, T0, WALKS, agree, assessment, contact, swemwbs, to_assessed

pytestmark = pytest.mark.unit


def state_of_referral(referral: Referral) -> WorkflowState:
    # A function call, so that mypy does not narrow `referral.state` across the steps.
    return referral.state


def test_a_new_referral_is_requested_and_reports_its_creation(new_referral: NewReferral) -> None:
    referral = Referral.create(new_referral)
    assert state_of_referral(referral) is WorkflowState.REQUESTED
    assert referral.version == 1
    assert referral.take_events() == [events.ReferralCreated(T0)]
    assert referral.take_events() == []


def test_a_new_referral_keeps_every_detail_it_was_made_with(new_referral: NewReferral) -> None:
    # Referral declares NewReferral's fields again (its docstring says why): none may be left behind.
    given = replace(
        new_referral,
        reason="lonely since moving",
        practice_ods_code="B86002",
        safeguarding_concern=True,
        request_id="7",
    )
    referral = Referral.create(given)
    details = [f.name for f in fields(NewReferral) if f.name != "consent_to_refer"]
    assert {name: getattr(referral, name) for name in details} == {name: getattr(given, name) for name in details}


def test_a_referral_needs_consent(new_referral: NewReferral) -> None:
    with pytest.raises(DomainError, match="consent"):
        Referral.create(replace(new_referral, consent_to_refer=False))


def test_a_referral_needs_distinct_needs_and_a_plausible_birth_date(new_referral: NewReferral) -> None:
    with pytest.raises(DomainError, match="at least 1 needs"):
        Referral.create(replace(new_referral, needs=()))
    with pytest.raises(DomainError, match="given twice"):
        Referral.create(replace(new_referral, needs=(LONELY, LONELY)))
    future = replace(new_referral.person, date_of_birth=date(2027, 1, 1))
    with pytest.raises(DomainError, match="in the future"):
        Referral.create(replace(new_referral, person=future))
    ancient = replace(new_referral.person, date_of_birth=date(1850, 1, 1))
    with pytest.raises(DomainError, match="outside"):
        Referral.create(replace(new_referral, person=ancient))


def test_one_referral_through_every_step(referral: Referral) -> None:
    referral.accept("lw-1", T0 + timedelta(hours=1))
    assert (referral.state, referral.status) == (WorkflowState.ALLOCATED, ReferralStatus.ACCEPTED)

    # An unanswered call is logged but is not the first contact.
    referral.log_contact(contact(ContactOutcome.NO_ANSWER, hours=20), T0 + timedelta(hours=20))
    assert (referral.state, referral.first_contact_at) == (WorkflowState.ALLOCATED, None)
    referral.log_contact(contact(hours=26), T0 + timedelta(hours=26))
    assert state_of_referral(referral) is WorkflowState.CONTACTED
    assert referral.status is ReferralStatus.IN_PROGRESS
    assert referral.first_contact_at == T0 + timedelta(hours=26)

    referral.record_assessment(assessment(needs=(LONELY, ACTIVE, NeedCategory.HOUSING)), T0 + timedelta(days=3))
    assert state_of_referral(referral) is WorkflowState.ASSESSED
    assert referral.version == 2 and NeedCategory.HOUSING in referral.needs

    agree(referral)
    assert referral.plan is not None and referral.plan.version == 1
    # Follow-ups are numbered in date order whatever order they were given in.
    assert [(f.sequence, f.due_on) for f in referral.plan.follow_ups] == [
        (1, date(2026, 3, 16)),
        (2, date(2026, 4, 20)),
    ]
    first_due = referral.plan.follow_ups[0]

    follow_up = contact(
        hours=24 * 14,
        kind=ContactKind.FOLLOW_UP,
        follow_up_id=first_due.id,
        attendance=(Attendance(CHOIR, AttendanceStatus.ATTENDING, ConfirmedBy.PROVIDER, 2),),
        measures=(swemwbs(Timepoint.FOLLOW_UP, [3, 3, 3, 3, 3, 3, 3]),),
    )
    referral.record_follow_up(follow_up, T0 + timedelta(days=14))
    assert state_of_referral(referral) is WorkflowState.FOLLOWING_UP
    assert [f.id for f in referral.pending_follow_ups()] == [referral.plan.follow_ups[1].id]

    final = swemwbs(Timepoint.CLOSURE, [4, 4, 4, 4, 4, 4, 4])
    referral.close(ClosureReason.GOALS_MET, by="lw-1", now=T0 + timedelta(days=90), final_measures=(final,))
    assert state_of_referral(referral) is WorkflowState.COMPLETED and referral.pending_follow_ups() == ()
    kinds = [type(e).__name__ for e in referral.take_events()]
    assert kinds == [
        "ReferralAccepted",
        "ContactLogged",
        "ContactLogged",
        "AssessmentRecorded",
        "PlanAgreed",
        "FollowUpRecorded",
        "ReferralClosed",
    ]


def test_an_action_the_state_does_not_allow_is_refused_unchanged(referral: Referral) -> None:
    with pytest.raises(IllegalTransition, match="allowed from: assessed, following-up"):
        agree(referral)
    assert state_of_referral(referral) is WorkflowState.REQUESTED and referral.plan is None
    assert referral.take_events() == []
    referral.reject("not eligible", "admin-1", T0)
    with pytest.raises(IllegalTransition):
        referral.accept("lw-1", T0)


def test_follow_ups_repeat_and_a_plan_can_be_revised(referral: Referral) -> None:
    to_assessed(referral)
    agree(referral)
    for day in (14, 21):
        referral.record_follow_up(contact(hours=24 * day, kind=ContactKind.FOLLOW_UP), T0 + timedelta(days=day))
    assert referral.contacts_made == 3
    agree(referral, activities=(PlanActivity(WALKS, ACTIVE),), follow_ups=(), now=T0 + timedelta(days=22))
    assert referral.plan is not None and referral.plan.version == 2
    assert state_of_referral(referral) is WorkflowState.PLAN_AGREED


def test_the_assessment_needs_a_baseline_measure(referral: Referral) -> None:
    referral.accept("lw-1", T0)
    referral.log_contact(contact(), T0 + timedelta(days=1))
    with pytest.raises(DomainError, match="baseline outcome measure"):
        referral.record_assessment(assessment(baseline_measures=()), T0 + timedelta(days=3))
    wrong_time = swemwbs(Timepoint.FOLLOW_UP, [2] * 7)
    with pytest.raises(DomainError, match="timepoint baseline"):
        referral.record_assessment(assessment(baseline_measures=(wrong_time,)), T0 + timedelta(days=3))
    assert state_of_referral(referral) is WorkflowState.CONTACTED and referral.version == 1


def test_plan_rules(referral: Referral) -> None:
    to_assessed(referral)
    with pytest.raises(DomainError, match="not among the referral's needs"):
        agree(referral, needs_addressed=(NeedCategory.HOUSING,), activities=())
    with pytest.raises(DomainError, match="which needs_addressed does not list"):
        agree(referral, needs_addressed=(LONELY,))
    with pytest.raises(DomainError, match="service_id"):
        agree(referral, activities=(PlanActivity(CHOIR, LONELY), PlanActivity(CHOIR, ACTIVE)))
    past = ScheduledFollowUp(uuid4(), 0, ContactKind.REVIEW, date(2026, 1, 1))
    with pytest.raises(DomainError, match="between today and two years ahead"):
        agree(referral, follow_ups=(past,))
    assert referral.plan is None


def test_follow_up_rules(referral: Referral) -> None:
    to_assessed(referral)
    agree(referral)
    stranger = Attendance(uuid4(), AttendanceStatus.ATTENDING, ConfirmedBy.PERSON)
    with pytest.raises(DomainError, match="not an activity in the agreed plan"):
        referral.record_follow_up(contact(hours=300, attendance=(stranger,)), T0 + timedelta(days=14))
    ucla = Ucla3Result.from_items([2, 2, 2], recorded_at=T0, timepoint=Timepoint.FOLLOW_UP)
    with pytest.raises(DomainError, match="no baseline"):
        referral.record_follow_up(contact(hours=300, measures=(ucla,)), T0 + timedelta(days=14))
    with pytest.raises(DomainError, match="contact that was made"):
        referral.record_follow_up(
            contact(ContactOutcome.NO_ANSWER, hours=300, measures=(swemwbs(Timepoint.FOLLOW_UP, [3] * 7),)),
            T0 + timedelta(days=14),
        )
    with pytest.raises(DomainError, match="not a follow-up in the current plan"):
        referral.record_follow_up(contact(hours=300, follow_up_id=uuid4()), T0 + timedelta(days=14))
    assert referral.plan is not None
    due = referral.plan.follow_ups[0].id
    referral.record_follow_up(contact(hours=300, follow_up_id=due), T0 + timedelta(days=14))
    with pytest.raises(DomainError, match="already been recorded"):
        referral.record_follow_up(contact(hours=310, follow_up_id=due), T0 + timedelta(days=14))


def test_contacts_cannot_be_in_the_future_or_before_the_referral(referral: Referral) -> None:
    referral.accept("lw-1", T0)
    with pytest.raises(DomainError, match="in the future"):
        referral.log_contact(contact(hours=48), T0 + timedelta(hours=1))
    with pytest.raises(DomainError, match="before the referral"):
        referral.log_contact(contact(hours=-48), T0 + timedelta(hours=1))
    assert referral.contacts == []


def test_closing_ends_in_the_status_of_its_reason(referral: Referral) -> None:
    referral.close(ClosureReason.DECLINED, by="lw-1", now=T0 + timedelta(days=1))
    assert referral.status is ReferralStatus.CANCELLED
    closed = referral.take_events()[-1]
    assert isinstance(closed, events.ReferralClosed) and closed.closure.reason is ClosureReason.DECLINED


def test_a_rejection_needs_a_reason(referral: Referral) -> None:
    with pytest.raises(DomainError, match="needs a reason"):
        referral.reject("  ", "admin-1", T0)
    referral.reject("outside our area", "admin-1", T0)
    assert state_of_referral(referral) is WorkflowState.REJECTED
    assert referral.closure is not None and referral.closure.notes == "outside our area"


def test_hold_keeps_the_stage_and_resume_returns_to_it(referral: Referral) -> None:
    to_assessed(referral)
    referral.take_events()
    with pytest.raises(DomainError, match="needs a reason"):
        referral.put_on_hold(" ", "lw-1", T0 + timedelta(days=5))
    referral.put_on_hold("in hospital", "lw-1", T0 + timedelta(days=5))
    assert state_of_referral(referral) is WorkflowState.ON_HOLD
    assert referral.status is ReferralStatus.ON_HOLD and referral.hold is not None
    with pytest.raises(IllegalTransition):  # nothing is worked while on hold
        referral.log_contact(contact(hours=100), T0 + timedelta(days=5))
    with pytest.raises(IllegalTransition):
        referral.put_on_hold("again", "lw-1", T0 + timedelta(days=5))
    referral.resume(T0 + timedelta(days=9))
    assert state_of_referral(referral) is WorkflowState.ASSESSED
    assert referral.status is ReferralStatus.IN_PROGRESS and referral.hold is None
    held, resumed = referral.take_events()
    assert isinstance(held, events.ReferralPutOnHold) and held.reason == "in hospital"
    assert isinstance(resumed, events.ReferralResumed) and resumed.held_since == T0 + timedelta(days=5)


def test_a_referral_held_before_first_contact_resumes_allocated(referral: Referral) -> None:
    referral.accept("lw-1", T0)
    referral.put_on_hold("asked to wait", "lw-1", T0 + timedelta(hours=2))
    referral.resume(T0 + timedelta(hours=3))
    assert state_of_referral(referral) is WorkflowState.ALLOCATED
    assert referral.status is ReferralStatus.ACCEPTED


def test_a_referral_on_hold_can_be_closed(referral: Referral) -> None:
    referral.accept("lw-1", T0)
    referral.put_on_hold("asked to wait", "lw-1", T0 + timedelta(hours=2))
    referral.close(ClosureReason.DECLINED, by="lw-1", now=T0 + timedelta(days=1))
    assert referral.status is ReferralStatus.CANCELLED and referral.hold is None


def test_entered_in_error_from_any_state_even_closed(referral: Referral) -> None:
    to_assessed(referral)
    referral.close(ClosureReason.MOVED_AWAY, by="lw-1", now=T0 + timedelta(days=6))
    referral.take_events()
    with pytest.raises(DomainError, match="needs a reason"):
        referral.mark_entered_in_error("", "admin-1", T0 + timedelta(days=7))
    referral.mark_entered_in_error("wrong person", "admin-1", T0 + timedelta(days=7))
    assert state_of_referral(referral) is WorkflowState.ENTERED_IN_ERROR
    assert referral.closure is not None and referral.closure.status is ReferralStatus.ENTERED_IN_ERROR
    assert referral.pending_follow_ups() == ()
    (event,) = referral.take_events()
    assert isinstance(event, events.ReferralEnteredInError)
    with pytest.raises(IllegalTransition):
        referral.mark_entered_in_error("twice", "admin-1", T0 + timedelta(days=8))


def test_a_change_matching_uses_makes_a_new_version(referral: Referral) -> None:
    referral.take_events()
    assert referral.update_person(replace(referral.person, phone="07700 900123"), T0) == ("phone",)
    assert referral.version == 1  # a phone number is not something matching uses
    assert referral.update_person(replace(referral.person, postcode="LS1 1UR", given_name="Ad"), T0) == (
        "given_name",
        "postcode",
    )
    assert referral.version == 2
    phone, postcode = referral.take_events()
    assert isinstance(phone, events.PersonUpdated) and not phone.republish
    assert isinstance(postcode, events.PersonUpdated) and postcode.republish and postcode.referral_version == 2
    assert referral.update_person(referral.person, T0) == ()  # nothing changed: no event, no version
    assert referral.take_events() == []


def test_the_nhs_number_and_a_future_birth_date_are_refused(referral: Referral) -> None:
    with pytest.raises(DomainError, match="nhs_number cannot be changed"):
        referral.update_person(replace(referral.person, nhs_number="9434765919"), T0)
    with pytest.raises(DomainError, match="date_of_birth is in the future"):
        referral.update_person(replace(referral.person, date_of_birth=date(2030, 1, 1)), T0)
    referral.reject("outside our area", "admin-1", T0)
    with pytest.raises(IllegalTransition):
        referral.update_person(replace(referral.person, phone="07700 900123"), T0)
