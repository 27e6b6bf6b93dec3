"""Notify's delivery receipts: late, repeated or out-of-order receipts change only what they should."""

from __future__ import annotations

import pytest
from linkwork_notifications.domain.messages import Status
from linkwork_notifications.domain.receipts import after_receipt

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("notify_status", "current", "expected"),
    [
        ("delivered", Status.SENT, Status.DELIVERED),
        ("delivered", Status.DELIVERED, None),  # the same receipt twice
        ("permanent-failure", Status.SENT, Status.UNDELIVERABLE),
        ("temporary-failure", Status.DELIVERED, Status.UNDELIVERABLE),  # final on Notify's side
        ("technical-failure", Status.UNDELIVERABLE, None),  # already failed: no second task
        ("permanent-failure", Status.PENDING, None),  # not one we handed over
        ("sending", Status.SENT, None),  # an interim status
    ],
)
def test_after_a_receipt(notify_status: str, current: Status, expected: Status | None) -> None:
    assert after_receipt(notify_status, current) is expected
