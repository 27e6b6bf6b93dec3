"""Activity referral rules (issue 17): what a provider gets, which steps each state allows, the emails' words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest
from linkwork_contracts.codes import Accessibility, DeclineReason, NeedCategory, Sex, SharedContactRoute
from linkwork_referral.adapters.provider_email import compose
from linkwork_referral.domain.activity_referral import (
    ActivityReferralState,
    ProviderStep,
    StepNotAllowed,
    check_decline_reason,
    check_session,
    check_step,
    shared_details,
)
from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.person import Person
from linkwork_referral.domain.records import PlanActivity, SharingConsent

pytestmark = pytest.mark.unit

PERSON = Person(
    "Ada",
    "Example",
    "9990000018",
    date(1950, 3, 14),
    Sex.FEMALE,
    postcode="LS6 1AA",
    phone="0113 496 0000",
    email="ada@example.org",
    accessibility_needs=(Accessibility.STEP_FREE_ACCESS,),
)


def activity(share: SharingConsent) -> PlanActivity:
    return PlanActivity(uuid4(), NeedCategory.PHYSICAL_ACTIVITY, share=share)


def test_nothing_is_shared_unless_the_person_agreed() -> None:
    shared = shared_details(PERSON, activity(SharingConsent()))
    assert shared.first_name is None and shared.needs == () and shared.accessibility_needs == ()
    assert shared.contact is not None and shared.contact.route is SharedContactRoute.VIA_LINK_WORKER
    assert shared.contact.value is None


def test_exactly_what_was_agreed_is_shared() -> None:
    consent = SharingConsent(first_name=True, contact=SharedContactRoute.EMAIL, needs=True, accessibility_needs=True)
    shared = shared_details(PERSON, activity(consent))
    assert shared.model_dump(mode="json") == {
        "first_name": "Ada",
        "contact": {"route": "email", "value": "ada@example.org"},
        "needs": ["physical-activity"],
        "accessibility_needs": ["step-free-access"],
    }


@pytest.mark.parametrize(
    ("step", "state", "allowed"),
    [
        (ProviderStep.ACCEPT, ActivityReferralState.AWAITING_RESPONSE, True),
        (ProviderStep.ACCEPT, ActivityReferralState.DECLINED, False),
        (ProviderStep.DECLINE, ActivityReferralState.ACCEPTED, True),
        (ProviderStep.DECLINE, ActivityReferralState.COMPLETED, False),
        (ProviderStep.CONFIRM_ATTENDANCE, ActivityReferralState.AWAITING_RESPONSE, False),
        (ProviderStep.CONFIRM_ATTENDANCE, ActivityReferralState.ACCEPTED, True),
        (ProviderStep.COMPLETE, ActivityReferralState.COMPLETED, False),
    ],
)
def test_steps_by_state(step: ProviderStep, state: ActivityReferralState, allowed: bool) -> None:
    if allowed:
        check_step(step, state)
    else:
        with pytest.raises(StepNotAllowed):
            check_step(step, state)


def test_only_the_deadline_says_no_response() -> None:
    with pytest.raises(DomainError, match="reason"):
        check_decline_reason(DeclineReason.NO_RESPONSE)
    check_decline_reason(DeclineReason.NO_CAPACITY)


def test_sessions_are_confirmed_after_they_happen_and_not_before_the_start() -> None:
    today = date(2026, 12, 7)
    check_session(today, today, today - timedelta(days=7))
    with pytest.raises(DomainError, match="after the session"):
        check_session(today + timedelta(days=1), today, None)
    with pytest.raises(DomainError, match="start date"):
        check_session(today - timedelta(days=8), today, today - timedelta(days=7))


@pytest.mark.parametrize("kind", ["new-referral", "reminder", "declined-no-response"])
def test_emails_carry_no_details_only_the_link(kind: str) -> None:
    email = compose(kind, "referrals@example.org", "https://console.example/provider/referrals/x", datetime.now(UTC))
    assert "https://console.example/provider/referrals/x" in email.text
    for detail in ("Ada", "Example", "0113", "physical", "step-free", "9990000018"):
        assert detail not in email.text and detail not in email.subject
