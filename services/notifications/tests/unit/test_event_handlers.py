"""The event handlers (handlers/events.py) against the in-memory store: what each event records, through the
store's records `joining` the consumer's transaction, so it commits with the event's receipt or not at all."""

from __future__ import annotations

import uuid

import pytest
from linkwork_contracts.codes import ActivityReferralDecision, DeclineReason
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import Event
from linkwork_contracts.examples import (
    ACTIVITY_REFERRAL_RESPONDED,
    FOLLOW_UP_DUE,
    FOLLOW_UP_ID,
    FOLLOW_UP_RECORDED,
    PERSON_REF,
    REFERRAL_CREATED,
    REFERRAL_ID,
)
from linkwork_notifications.domain.messages import Reason
from linkwork_notifications.handlers.events import notification_handlers
from linkwork_runtime.messaging.handlers import Handler
from notifications_fakes import FakeMessageStore

pytestmark = pytest.mark.unit

SOURCE = "urn:test:referral"


def _handler(store: FakeMessageStore, event: Event) -> Handler:
    """The handler the consumer would call for `event`."""
    handler = notification_handlers(store).find(event)
    assert handler is not None
    return handler


async def _deliver(store: FakeMessageStore, event: Event, envelope: CloudEvent | None = None) -> None:
    """One delivery of `event`, in a consumer transaction of its own that commits."""
    handler = _handler(store, event)
    async with store.consumer_transaction() as consumer:
        await handler(event, envelope or wrap(event, source=SOURCE), consumer)


def _reasons(store: FakeMessageStore) -> list[Reason]:
    return [message.claimed.reason for message in store.messages.values()]


async def test_a_new_referral_commits_its_first_contact_message_with_the_consumers_transaction() -> None:
    store = FakeMessageStore()
    handler = _handler(store, REFERRAL_CREATED)
    async with store.consumer_transaction() as consumer:  # stands for the consumer's inbox transaction
        await handler(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source=SOURCE), consumer)
        assert store.messages == {}, "the handler wrote on its own, not with the event's receipt"
    [message] = store.messages.values()
    assert (message.claimed.reason, message.claimed.referral_id) == (Reason.FIRST_CONTACT, REFERRAL_ID)
    assert (message.claimed.person_ref, store.referrals[REFERRAL_ID].person_ref) == (PERSON_REF, PERSON_REF)


async def test_nothing_is_kept_when_the_consumers_transaction_rolls_back() -> None:
    store = FakeMessageStore()
    handler = _handler(store, REFERRAL_CREATED)
    with pytest.raises(ConnectionError):
        async with store.consumer_transaction() as consumer:
            await handler(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source=SOURCE), consumer)
            raise ConnectionError("the inbox row was not written")
    assert (store.messages, store.referrals) == ({}, {})


async def test_a_referral_is_announced_once_whatever_comes_again() -> None:
    store = FakeMessageStore()
    envelope = wrap(REFERRAL_CREATED, source=SOURCE)
    await _deliver(store, REFERRAL_CREATED, envelope)
    await _deliver(store, REFERRAL_CREATED, envelope)  # redelivered
    await _deliver(store, REFERRAL_CREATED.model_copy(update={"version": 2}))  # needs changed: not news
    assert _reasons(store) == [Reason.FIRST_CONTACT]


async def test_a_follow_up_due_reminds_the_person_and_its_record_finishes_the_task() -> None:
    store = FakeMessageStore()
    await _deliver(store, REFERRAL_CREATED)
    await _deliver(store, FOLLOW_UP_DUE)
    task = ("follow-up-due", str(FOLLOW_UP_ID))
    assert _reasons(store) == [Reason.FIRST_CONTACT, Reason.FOLLOW_UP_REMINDER]
    assert store.tasks[task].due_on == FOLLOW_UP_DUE.due_on and store.tasks_done == set()
    await _deliver(store, FOLLOW_UP_RECORDED)
    assert store.tasks_done == {task}
    assert store.referrals[REFERRAL_ID].first_contact_at == FOLLOW_UP_RECORDED.contact_at


async def test_only_an_unanswered_activity_referral_puts_a_task_on_the_list() -> None:
    store = FakeMessageStore()
    await _deliver(store, ACTIVITY_REFERRAL_RESPONDED)  # accepted
    assert store.tasks == {}
    unanswered = ACTIVITY_REFERRAL_RESPONDED.model_copy(
        update={"decision": ActivityReferralDecision.DECLINED, "decline_reason": DeclineReason.NO_RESPONSE}
    )
    await _deliver(store, unanswered)
    [(kind, subject)] = store.tasks
    assert (kind, subject) == ("provider-no-response", str(unanswered.activity_referral_id))


async def test_overlapping_consumer_transactions_keep_both_their_referrals_and_messages() -> None:
    store = FakeMessageStore()
    other = REFERRAL_CREATED.model_copy(update={"referral_id": uuid.UUID(int=7)})
    handler = _handler(store, REFERRAL_CREATED)
    async with store.consumer_transaction() as first, store.consumer_transaction() as second:
        await handler(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source=SOURCE), first)
        await handler(other, wrap(other, source=SOURCE), second)
    assert set(store.referrals) == {message.claimed.referral_id for message in store.messages.values()}
    assert set(store.referrals) == {REFERRAL_ID, other.referral_id}
