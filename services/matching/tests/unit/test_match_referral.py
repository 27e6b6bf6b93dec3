"""Matching a referral (service_layer/match_referral.py) and the routes' reads against the in-memory store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from linkwork_contracts import examples
from linkwork_contracts.codes import NeedCategory
from linkwork_matching.adapters.inbound import service_from_event
from linkwork_matching.domain.index import ServiceIndex
from linkwork_matching.domain.ranker import Ranker
from linkwork_matching.service_layer import reads
from linkwork_matching.service_layer.match_referral import MatchReferral
from linkwork_runtime.principal import Principal, Role
from matching_fakes import FakeMatchingStore

pytestmark = pytest.mark.unit

NOW = datetime(2025, 3, 4, 9, 0, tzinfo=UTC)
REFERRAL = examples.REFERRAL_CREATED
LINK_WORKER = Principal("lw-1", Role.LINK_WORKER, REFERRAL.pcn_code)


@pytest.fixture
def match() -> MatchReferral:
    index = ServiceIndex()
    index.upsert(service_from_event(examples.SERVICE_CHANGED))
    return MatchReferral(Ranker(index), options_per_need=3, ranker_version="test", clock=lambda: NOW)


async def test_a_referral_gets_one_suggestion_set_in_the_outbox_and_its_gaps_observed(match: MatchReferral) -> None:
    store = FakeMatchingStore()

    assert await match(REFERRAL, store)

    (message,) = store.outbox
    assert (message.referral_id, message.referral_version, message.suggested_at) == (REFERRAL.referral_id, 1, NOW)
    assert store.suggestion_sets == {(REFERRAL.referral_id, 1): message}
    assert {o.need for _, _, o in store.gaps} == set(REFERRAL.needs)


async def test_the_same_version_twice_is_matched_once(match: MatchReferral) -> None:
    store = FakeMatchingStore()
    await match(REFERRAL, store)

    assert not await match(REFERRAL, store)  # e.g. a producer retry under another event id
    assert len(store.outbox) == 1


async def test_a_stale_version_is_not_matched_after_a_newer_one(match: MatchReferral) -> None:
    store = FakeMatchingStore()
    newer = REFERRAL.model_copy(update={"version": 2, "needs": (NeedCategory.PHYSICAL_ACTIVITY,)})
    await match(newer, store)

    assert not await match(REFERRAL, store)
    assert [m.referral_version for m in store.outbox] == [2]


async def test_the_routes_reads_keep_to_the_callers_pcn(match: MatchReferral) -> None:
    store = FakeMatchingStore()
    await match(REFERRAL, store)

    payload = await reads.latest_suggestions(store, LINK_WORKER, REFERRAL.referral_id)
    person = await reads.referral_person(store, LINK_WORKER, REFERRAL.referral_id)

    assert payload["referral_id"] == str(REFERRAL.referral_id) and set(person.needs) == set(REFERRAL.needs)
    elsewhere = Principal("lw-2", Role.LINK_WORKER, "U00000")
    with pytest.raises(reads.ReferralNotFound):
        await reads.latest_suggestions(store, elsewhere, REFERRAL.referral_id)
    with pytest.raises(reads.ReferralNotFound):
        await reads.referral_person(store, elsewhere, REFERRAL.referral_id)
