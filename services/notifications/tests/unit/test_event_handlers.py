"""The event handlers (handlers/events.py) against the in-memory store: each calls its use case with the store's
records `joining` the consumer's transaction, so what it records commits with the event's receipt or not at
all. What each event records is tested on the use cases (test_intents.py)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from linkwork_contracts.envelope import wrap
from linkwork_contracts.events import Event
from linkwork_contracts.examples import (
    ACTIVITY_REFERRAL_RESPONDED,
    FOLLOW_UP_DUE,
    FOLLOW_UP_RECORDED,
    PERSON_REF,
    REFERRAL_CREATED,
    REFERRAL_ID,
)
from linkwork_notifications.domain.messages import Reason
from linkwork_notifications.handlers.events import notification_handlers
from linkwork_notifications.service_layer import intents
from linkwork_runtime.messaging.handlers import Handler
from notifications_fakes import FakeMessageStore

pytestmark = pytest.mark.unit

SOURCE = "urn:test:referral"


def _handler(store: FakeMessageStore, event: Event) -> Handler:
    """The handler the consumer would call for `event`."""
    handler = notification_handlers(store).find(event)
    assert handler is not None
    return handler


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


@pytest.mark.parametrize(
    ("use_case", "event", "with_envelope"),
    [
        ("announce_first_contact", REFERRAL_CREATED, True),
        ("remind_of_follow_up", FOLLOW_UP_DUE, True),
        ("record_follow_up", FOLLOW_UP_RECORDED, False),
        ("ask_for_another_activity", ACTIVITY_REFERRAL_RESPONDED, False),
    ],
    ids=["referral-created", "follow-up-due", "follow-up-recorded", "activity-referral-responded"],
)
async def test_a_handler_calls_its_use_case_within_the_consumers_transaction(
    monkeypatch: pytest.MonkeyPatch, use_case: str, event: Event, with_envelope: bool
) -> None:
    calls: list[tuple[Any, ...]] = []

    async def recorded(*given: Any) -> None:
        calls.append(given)

    monkeypatch.setattr(intents, use_case, recorded)
    store, envelope = FakeMessageStore(), wrap(event, source=SOURCE)
    async with store.consumer_transaction() as consumer:  # stands for the consumer's inbox transaction
        await _handler(store, event)(event, envelope, consumer)

    assert calls == [(consumer, event, envelope) if with_envelope else (consumer, event)]


async def test_overlapping_consumer_transactions_keep_both_their_referrals_and_messages() -> None:
    store = FakeMessageStore()
    other = REFERRAL_CREATED.model_copy(update={"referral_id": uuid.UUID(int=7)})
    handler = _handler(store, REFERRAL_CREATED)
    async with store.consumer_transaction() as first, store.consumer_transaction() as second:
        await handler(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source=SOURCE), first)
        await handler(other, wrap(other, source=SOURCE), second)
    assert set(store.referrals) == {message.claimed.referral_id for message in store.messages.values()}
    assert set(store.referrals) == {REFERRAL_ID, other.referral_id}
