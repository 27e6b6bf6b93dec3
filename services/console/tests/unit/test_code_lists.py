"""The console's choices for a coded value: each list is the contract's own set of codes, worded by the console."""

from __future__ import annotations

from typing import get_args

import pytest
from linkwork_console.web import capacity, curation, pages, provider
from linkwork_contracts.codes import (
    TERMINAL_STATUSES,
    DayOfWeek,
    DeclineReason,
    SessionAttendance,
    SharedContactRoute,
    Urgency,
)
from linkwork_contracts.events import SharedDetails, WaitingList

pytestmark = pytest.mark.unit


def test_the_plan_offers_every_contact_route_a_provider_may_be_given() -> None:
    assert set(pages.SHARE_ROUTES) == {route.value for route in SharedContactRoute}
    assert next(iter(pages.SHARE_ROUTES)) == SharedContactRoute.VIA_LINK_WORKER  # shares nothing unless chosen


def test_the_plan_asks_about_each_detail_a_provider_may_be_given() -> None:
    assert {*pages.SHARE_DETAILS, "contact"} == set(SharedDetails.model_fields)


def test_the_caseload_filters_by_every_state_a_referral_can_close_in() -> None:
    assert {status.value for status in TERMINAL_STATUSES} <= set(pages.STATES)
    assert not {status.value for status in TERMINAL_STATUSES} & set(pages.OPEN_STATES)


def test_the_caseload_filters_by_every_urgency() -> None:
    assert set(pages.URGENCIES) == {urgency.value for urgency in Urgency}


def test_a_provider_sees_words_for_every_decline_reason_contact_route_and_attendance() -> None:
    assert set(provider.DECLINE_WORDS) == {reason.value for reason in DeclineReason}
    assert set(provider.CONTACT_WORDS) == {route.value for route in SharedContactRoute}
    assert set(provider.ATTENDANCE_WORDS) == {attendance.value for attendance in SessionAttendance}


def test_a_curator_picks_schedule_days_from_the_contracts_weekdays_in_order() -> None:
    assert [code for code, _ in curation.DAYS] == [day.value for day in DayOfWeek]


def test_a_provider_is_told_what_every_wait_estimate_rests_on() -> None:
    (bases, _none) = get_args(WaitingList.model_fields["wait_basis"].annotation)
    assert set(capacity.BASIS_WORDS) == set(get_args(bases))
