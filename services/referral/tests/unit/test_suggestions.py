"""Storing matches-suggested and ranking a plan's choices (service_layer/suggestions.py) against the in-memory
store; the asyncpg adapter is covered by the integration tests (test_journey.py, test_person_details.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from linkwork_contracts.codes import DeliveryMode, NeedCategory
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import MatchesSuggestedV1, NeedSuggestions, SuggestedOption
from linkwork_referral.service_layer.suggestions import chosen_ranks, store
from referral_fakes import FakeSuggestionStore

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REFERRAL = UUID("00000000-0000-4000-8000-000000000001")
CHOIR = UUID("00000000-0000-4000-8000-0000000000c1")
WALKS = UUID("00000000-0000-4000-8000-0000000000a1")
GYM = UUID("00000000-0000-4000-8000-0000000000b1")


def _option(service_id: UUID, rank: int) -> SuggestedOption:
    return SuggestedOption(
        service_id=service_id,
        service_name="An activity",
        rank=rank,
        score=0.5,
        distance_km=1.0,
        delivery_mode=DeliveryMode.IN_PERSON,
        reasons=("near",),
    )


def _suggested(
    version: int = 1, at: datetime = T0, referral_id: UUID = REFERRAL
) -> tuple[MatchesSuggestedV1, CloudEvent]:
    event = MatchesSuggestedV1(
        referral_id=referral_id,
        referral_version=version,
        person_ref="a" * 64,
        suggested_at=at,
        ranker_version="test-1",
        needs=(
            NeedSuggestions(need=NeedCategory.LONELINESS_ISOLATION, options=(_option(CHOIR, 1),)),
            NeedSuggestions(need=NeedCategory.PHYSICAL_ACTIVITY, options=(_option(GYM, 1), _option(WALKS, 2))),
        ),
    )
    return event, wrap(event, source="urn:test:matching")


@pytest.fixture
def suggestions() -> FakeSuggestionStore:
    return FakeSuggestionStore({REFERRAL})


async def test_suggestions_are_kept_and_timelined_once_when_the_event_is_replayed(
    suggestions: FakeSuggestionStore,
) -> None:
    event, envelope = _suggested()
    await store(event, envelope, suggestions)
    await store(event, envelope, suggestions)
    assert await suggestions.latest(REFERRAL) == event
    [row] = suggestions.timeline
    assert (row.referral_id, row.at, row.actor, row.actor_role) == (REFERRAL, T0, "matching", None)
    assert row.entry.kind == "suggestions-received"
    assert row.entry.summary == "3 suggestions for referral version 1"
    assert row.entry.detail == {"event_id": str(envelope.id)}


async def test_a_higher_version_replaces_the_set_and_a_late_lower_one_does_not_come_back(
    suggestions: FakeSuggestionStore,
) -> None:
    await store(*_suggested(1), suggestions)
    newer, newer_envelope = _suggested(2)
    await store(newer, newer_envelope, suggestions)
    await store(*_suggested(1, T0 + timedelta(hours=1)), suggestions)
    assert await suggestions.latest(REFERRAL) == newer
    assert [row.entry.summary for row in suggestions.timeline] == [
        "3 suggestions for referral version 1",
        "3 suggestions for referral version 2",
    ]


async def test_a_later_set_for_the_same_version_replaces_the_earlier(suggestions: FakeSuggestionStore) -> None:
    await store(*_suggested(1), suggestions)
    later, envelope = _suggested(1, T0 + timedelta(minutes=5))
    await store(later, envelope, suggestions)
    assert await suggestions.latest(REFERRAL) == later
    assert len(suggestions.timeline) == 2


async def test_suggestions_for_an_unknown_referral_are_kept_without_a_timeline_entry(
    suggestions: FakeSuggestionStore,
) -> None:
    # The referral may not be stored (yet) here: the set is kept for it, but there is no timeline to add to.
    stranger = uuid4()
    event, envelope = _suggested(referral_id=stranger)
    await store(event, envelope, suggestions)
    assert await suggestions.latest(stranger) == event
    assert suggestions.timeline == []


async def test_chosen_ranks_are_found_within_the_need_they_were_suggested_for(
    suggestions: FakeSuggestionStore,
) -> None:
    await store(*_suggested(2), suggestions)
    chosen = [(WALKS, NeedCategory.PHYSICAL_ACTIVITY), (CHOIR, NeedCategory.LONELINESS_ISOLATION)]
    assert await chosen_ranks(suggestions, REFERRAL, chosen) == ({WALKS: 2, CHOIR: 1}, 2)
    # Chosen for another need than the one it was suggested for: no rank.
    assert await chosen_ranks(suggestions, REFERRAL, [(CHOIR, NeedCategory.PHYSICAL_ACTIVITY)]) == ({}, None)


async def test_chosen_ranks_without_stored_suggestions(suggestions: FakeSuggestionStore) -> None:
    assert await chosen_ranks(suggestions, REFERRAL, [(WALKS, NeedCategory.PHYSICAL_ACTIVITY)]) == ({}, None)
