"""Storing matches-suggested, and finding where a plan's chosen activities ranked in it."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg
from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import MatchesSuggestedV1

from linkwork_referral.adapters import timeline


async def store(event: MatchesSuggestedV1, envelope: CloudEvent, connection: asyncpg.Connection) -> None:
    """Keep the suggestions for the highest referral version (and latest within it)."""
    stored = await connection.fetchval(
        """INSERT INTO suggestions AS s (referral_id, referral_version, suggested_at, event_id, body)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (referral_id) DO UPDATE SET
               referral_version = excluded.referral_version, suggested_at = excluded.suggested_at,
               event_id = excluded.event_id, body = excluded.body, received_at = now()
           WHERE (excluded.referral_version, excluded.suggested_at) > (s.referral_version, s.suggested_at)
           RETURNING true""",
        event.referral_id,
        event.referral_version,
        event.suggested_at,
        str(envelope.id),
        event.model_dump(mode="json"),
    )
    known = await connection.fetchval("SELECT true FROM referrals WHERE id = $1", event.referral_id)
    if stored and known:
        options = sum(len(n.options) for n in event.needs)
        entry = timeline.Entry(
            "suggestions-received",
            f"{options} suggestions for referral version {event.referral_version}",
            {"event_id": str(envelope.id)},
        )
        await timeline.append(connection, event.referral_id, event.suggested_at, entry, "matching", None)


async def chosen_ranks(
    connection: asyncpg.Connection, referral_id: UUID, chosen: Sequence[tuple[UUID, NeedCategory]]
) -> tuple[dict[UUID, int], int | None]:
    """Each chosen service's rank among the stored suggestions for its need, and the referral
    version those suggestions were for (None when nothing was chosen from them)."""
    row = await connection.fetchrow(
        "SELECT referral_version, body FROM suggestions WHERE referral_id = $1", referral_id
    )
    if row is None:
        return {}, None
    suggested = MatchesSuggestedV1.model_validate(row["body"])
    ranks: dict[UUID, int] = {}
    for service_id, need in chosen:
        for group in suggested.needs:
            if group.need is need:
                ranks.update({o.service_id: o.rank for o in group.options if o.service_id == service_id})
    return ranks, row["referral_version"] if ranks else None
