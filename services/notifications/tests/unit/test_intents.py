"""What each consumed event records (service_layer/intents.py) against the in-memory store: message intents
for the dispatcher and tasks for link workers, once whatever comes again."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from linkwork_contracts.codes import ActivityReferralDecision, DeclineReason
from linkwork_contracts.envelope import wrap
from linkwork_contracts.examples import (
    ACTIVITY_REFERRAL_RESPONDED,
    FOLLOW_UP_DUE,
    FOLLOW_UP_ID,
    FOLLOW_UP_RECORDED,
    REFERRAL_CREATED,
    REFERRAL_ID,
)
from linkwork_notifications.domain.messages import Reason
from linkwork_notifications.service_layer import intents
from notifications_fakes import FakeEventRecords, FakeMessageStore

pytestmark = pytest.mark.unit

SOURCE = "urn:test:referral"


async def _committed(store: FakeMessageStore, record: Callable[[FakeEventRecords], Awaitable[None]]) -> None:
    """`record` in a consumer transaction of its own that commits, as one delivery of an event."""
    async with store.consumer_transaction() as records:
        await record(records)


def _reasons(store: FakeMessageStore) -> list[Reason]:
    return [message.claimed.reason for message in store.messages.values()]


async def test_a_referral_is_announced_once_whatever_comes_again() -> None:
    store = FakeMessageStore()
    envelope = wrap(REFERRAL_CREATED, source=SOURCE)
    await _committed(store, lambda r: intents.announce_first_contact(r, REFERRAL_CREATED, envelope))
    await _committed(store, lambda r: intents.announce_first_contact(r, REFERRAL_CREATED, envelope))  # redelivered
    changed = REFERRAL_CREATED.model_copy(update={"version": 2})  # needs changed: not news
    await _committed(store, lambda r: intents.announce_first_contact(r, changed, wrap(changed, source=SOURCE)))
    assert _reasons(store) == [Reason.FIRST_CONTACT]


async def test_a_follow_up_due_reminds_the_person_and_its_record_finishes_the_task() -> None:
    store = FakeMessageStore()
    created, due = wrap(REFERRAL_CREATED, source=SOURCE), wrap(FOLLOW_UP_DUE, source=SOURCE)
    await _committed(store, lambda r: intents.announce_first_contact(r, REFERRAL_CREATED, created))
    await _committed(store, lambda r: intents.remind_of_follow_up(r, FOLLOW_UP_DUE, due))
    task = ("follow-up-due", str(FOLLOW_UP_ID))
    assert _reasons(store) == [Reason.FIRST_CONTACT, Reason.FOLLOW_UP_REMINDER]
    assert store.tasks[task].due_on == FOLLOW_UP_DUE.due_on and store.tasks_done == set()
    await _committed(store, lambda r: intents.record_follow_up(r, FOLLOW_UP_RECORDED))
    assert store.tasks_done == {task}
    assert store.referrals[REFERRAL_ID].first_contact_at == FOLLOW_UP_RECORDED.contact_at


async def test_only_an_unanswered_activity_referral_puts_a_task_on_the_list() -> None:
    store = FakeMessageStore()
    await _committed(store, lambda r: intents.ask_for_another_activity(r, ACTIVITY_REFERRAL_RESPONDED))  # accepted
    assert store.tasks == {}
    unanswered = ACTIVITY_REFERRAL_RESPONDED.model_copy(
        update={"decision": ActivityReferralDecision.DECLINED, "decline_reason": DeclineReason.NO_RESPONSE}
    )
    await _committed(store, lambda r: intents.ask_for_another_activity(r, unanswered))
    [(kind, subject)] = store.tasks
    assert (kind, subject) == ("provider-no-response", str(unanswered.activity_referral_id))
