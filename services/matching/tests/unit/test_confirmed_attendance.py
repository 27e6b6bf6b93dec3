"""Attendance a provider confirmed weighs more than attendance only self-reported (issue 17)."""

from __future__ import annotations

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import SessionAttendance
from linkwork_matching.domain.effectiveness import SELF_REPORTED_WEIGHT, OutcomeTally, estimate
from linkwork_matching.service_layer.learning import took_part_in

pytestmark = pytest.mark.unit


def test_four_confirmed_outweigh_five_self_reported() -> None:
    confirmed = OutcomeTally(4, 4, weighted_outcomes=4.0, weighted_attended=4.0)
    reported = OutcomeTally(
        5, 5, weighted_outcomes=5 * SELF_REPORTED_WEIGHT, weighted_attended=5 * SELF_REPORTED_WEIGHT
    )
    assert estimate(confirmed).score > estimate(reported).score
    # Counted alike, the five would have won: the weighting is what changes the order.
    assert estimate(OutcomeTally(4, 4)).score < estimate(OutcomeTally(5, 5)).score
    # A tally without weights (older rows) is read as every outcome counting 1.
    assert OutcomeTally(5, 3).evidence == (5.0, 3.0)


def test_what_an_attendance_record_says_about_taking_part() -> None:
    session = examples.ATTENDANCE_CONFIRMED
    assert took_part_in(session) is True
    missed_first = session.model_copy(update={"attendance": SessionAttendance.DID_NOT_ATTEND, "sessions_attended": 0})
    assert took_part_in(missed_first) is False
    # Missing a later session does not undo having gone; a cancelled session says nothing.
    assert took_part_in(missed_first.model_copy(update={"sessions_attended": 2})) is True
    cancelled = session.model_copy(update={"attendance": SessionAttendance.CANCELLED, "sessions_attended": 0})
    assert took_part_in(cancelled) is None
