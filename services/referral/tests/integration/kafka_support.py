"""Kafka helpers for the referral service's integration tests (real broker only)."""

from __future__ import annotations

from linkwork_contracts import topics
from linkwork_stack.testing import eventually as eventually  # re-exported for the tests here
from linkwork_stack.testing import tail as tail

# The topics a referral's journey from creation to closure publishes to, for tests that collect them.
OUTGOING = [
    topics.REFERRAL_CREATED,
    topics.PLAN_AGREED,
    topics.FOLLOW_UP_DUE,
    topics.FOLLOW_UP_RECORDED,
    topics.REFERRAL_CLOSED,
]
