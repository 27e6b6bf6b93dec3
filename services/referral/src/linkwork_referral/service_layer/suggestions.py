"""Storing matches-suggested, and finding where a plan's chosen activities ranked in it.

Both take the `SuggestionStore` port (service_layer/ports.py): the asyncpg adapter in production, the in-memory
fake in the unit tests."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import MatchesSuggestedV1

from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import SuggestionStore


async def store(event: MatchesSuggestedV1, envelope: CloudEvent, suggestions: SuggestionStore) -> None:
    """Keep the suggestions for the highest referral version (and latest within it)."""
    stored = await suggestions.save(event, str(envelope.id))
    if stored and await suggestions.referral_exists(event.referral_id):
        options = sum(len(n.options) for n in event.needs)
        entry = Entry(
            "suggestions-received",
            f"{options} suggestions for referral version {event.referral_version}",
            {"event_id": str(envelope.id)},
        )
        await suggestions.append_timeline(event.referral_id, event.suggested_at, entry, "matching", None)


async def chosen_ranks(
    suggestions: SuggestionStore, referral_id: UUID, chosen: Sequence[tuple[UUID, NeedCategory]]
) -> tuple[dict[UUID, int], int | None]:
    """Each chosen service's rank among the stored suggestions for its need, and the referral
    version those suggestions were for (None when nothing was chosen from them)."""
    suggested = await suggestions.latest(referral_id)
    if suggested is None:
        return {}, None
    ranks: dict[UUID, int] = {}
    for service_id, need in chosen:
        for group in suggested.needs:
            if group.need is need:
                ranks.update({o.service_id: o.rank for o in group.options if o.service_id == service_id})
    return ranks, suggested.referral_version if ranks else None
