"""Which word on a planned activity is kept: the rule the learning records' adapter says in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.domain.attendance import Attendance

pytestmark = pytest.mark.unit

EARLIER = datetime(2026, 3, 2, 10, tzinfo=UTC)
LATER = EARLIER + timedelta(days=1)
REFERRAL, SERVICE = uuid4(), uuid4()


def said(at: datetime, *, confirmed: bool) -> Attendance:
    return Attendance(REFERRAL, SERVICE, NeedCategory.PHYSICAL_ACTIVITY, True, at, confirmed)


@pytest.mark.parametrize(
    ("new", "held", "kept"),
    [
        (said(LATER, confirmed=False), said(EARLIER, confirmed=False), True),
        (said(EARLIER, confirmed=False), said(LATER, confirmed=False), False),
        (said(EARLIER, confirmed=False), said(EARLIER, confirmed=False), True),
        (said(EARLIER, confirmed=True), said(LATER, confirmed=False), True),
        (said(LATER, confirmed=False), said(EARLIER, confirmed=True), False),
        (said(LATER, confirmed=True), said(EARLIER, confirmed=True), True),
        (said(EARLIER, confirmed=True), said(LATER, confirmed=True), False),
    ],
    ids=[
        "a later self-report replaces an earlier one",
        "an earlier self-report does not",
        "a self-report at the same moment as the one held replaces it",
        "a confirmation replaces a self-report whenever it comes",
        "a self-report never replaces a confirmation",
        "a later confirmation replaces an earlier one",
        "an earlier confirmation does not",
    ],
)
def test_which_word_on_an_activity_is_kept(new: Attendance, held: Attendance, kept: bool) -> None:
    assert new.replaces(held) is kept
