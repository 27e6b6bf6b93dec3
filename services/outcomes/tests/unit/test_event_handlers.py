"""The event handler (handlers/events.py) against the in-memory fact store: an event's facts are kept, and their
referral queued for the projector, through the store's records `joining` the consumer's transaction, so they
commit with the event's receipt or not at all."""

from __future__ import annotations

import uuid

import pytest
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import Event
from linkwork_contracts.examples import (
    ACTIVITY_REFERRAL_RESPONDED,
    FOLLOW_UP_RECORDED,
    REFERRAL_CREATED,
    REFERRAL_ID,
)
from linkwork_outcomes.adapters.event_facts import CONSUMED
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP
from linkwork_outcomes.handlers.events import outcome_handlers
from linkwork_outcomes.service_layer import projection
from linkwork_runtime.messaging.handlers import Handler
from outcomes_fakes import FakeProjectionStore, referral_facts

pytestmark = pytest.mark.unit

REFERRAL = str(REFERRAL_ID)


def _handler(store: FakeProjectionStore, event: Event) -> Handler:
    """The handler the consumer would call for `event`, wired as app.py wires it."""
    handler = outcome_handlers(store, (*CONSUMED, *PROVIDER_LOOP)).find(event)
    assert handler is not None
    return handler


async def _deliver(store: FakeProjectionStore, event: Event, envelope: CloudEvent) -> None:
    """One delivery of `event`, in a consumer transaction of its own that commits."""
    async with store.consumer_transaction() as consumer:
        await _handler(store, event)(event, envelope, consumer)


async def test_an_events_facts_commit_with_the_consumers_transaction() -> None:
    store = FakeProjectionStore()
    envelope = wrap(REFERRAL_CREATED, source="urn:test:referral")
    async with store.consumer_transaction() as consumer:  # stands for the consumer's inbox transaction
        await _handler(store, REFERRAL_CREATED)(REFERRAL_CREATED, envelope, consumer)
        assert (store.facts, store.pending) == ({}, []), "the handler wrote on its own, not with the event's receipt"
    [version] = store.facts[REFERRAL].versions
    assert (version.version, version.pcn) == (REFERRAL_CREATED.version, REFERRAL_CREATED.pcn_code)
    assert store.pending == [REFERRAL]


async def test_nothing_is_kept_when_the_consumers_transaction_rolls_back() -> None:
    store = FakeProjectionStore()
    with pytest.raises(ConnectionError):
        async with store.consumer_transaction() as consumer:
            await _handler(store, REFERRAL_CREATED)(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source="urn:t"), consumer)
            raise ConnectionError("the inbox row was not written")
    assert (store.facts, store.pending) == ({}, [])


async def test_what_the_handler_queues_the_projector_summarises_once() -> None:
    store = FakeProjectionStore()
    envelope = wrap(REFERRAL_CREATED, source="urn:test:referral")
    await _deliver(store, REFERRAL_CREATED, envelope)
    await _deliver(store, REFERRAL_CREATED, envelope)  # redelivered: no new fact, not queued again
    await _deliver(store, FOLLOW_UP_RECORDED, wrap(FOLLOW_UP_RECORDED, source="urn:test:referral"))
    assert store.pending == [REFERRAL, REFERRAL]
    assert len(store.facts[REFERRAL].versions) == len(store.facts[REFERRAL].contacts) == 1
    assert await projection.project_pending(store) == 2
    assert list(store.summaries) == [REFERRAL]


async def test_a_provider_loop_event_is_kept_apart_from_the_referral_facts() -> None:
    store = FakeProjectionStore()
    envelope = wrap(ACTIVITY_REFERRAL_RESPONDED, source="urn:test:referral")
    await _deliver(store, ACTIVITY_REFERRAL_RESPONDED, envelope)
    assert store.provider_events == [ACTIVITY_REFERRAL_RESPONDED]
    assert (store.facts, store.pending) == ({}, [])


async def test_overlapping_consumer_transactions_keep_both_their_facts() -> None:
    store = FakeProjectionStore()
    other = REFERRAL_CREATED.model_copy(update={"referral_id": uuid.UUID(int=7)})
    async with store.consumer_transaction() as first, store.consumer_transaction() as second:
        await _handler(store, REFERRAL_CREATED)(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source="urn:t"), first)
        await _handler(store, other)(other, wrap(other, source="urn:t"), second)
    assert sorted(store.facts) == sorted(store.pending) == sorted([REFERRAL, str(other.referral_id)])


async def test_a_projector_batch_committed_meanwhile_keeps_its_referrals_off_the_queue() -> None:
    store = FakeProjectionStore()
    store.add(referral_facts(1))
    async with store.consumer_transaction() as consumer:
        await _handler(store, REFERRAL_CREATED)(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source="urn:t"), consumer)
        assert await projection.project_pending(store) == 1  # the projector's batch commits first
    assert store.pending == [REFERRAL], "the consumer's commit brought back a referral the projector had taken"


async def test_overlapping_consumer_transactions_keep_both_their_facts_about_one_referral() -> None:
    store = FakeProjectionStore()
    async with store.consumer_transaction() as first, store.consumer_transaction() as second:
        await _handler(store, REFERRAL_CREATED)(REFERRAL_CREATED, wrap(REFERRAL_CREATED, source="urn:t"), first)
        await _handler(store, FOLLOW_UP_RECORDED)(FOLLOW_UP_RECORDED, wrap(FOLLOW_UP_RECORDED, source="urn:t"), second)
    facts = store.facts[REFERRAL]
    assert (len(facts.versions), len(facts.contacts)) == (1, 1)
