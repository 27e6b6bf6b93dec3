"""The directory read model in PostgreSQL: latest snapshot per service, outcome tallies, and the
change numbers each replica's in-memory index follows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.events import ServiceChangedV1

from linkwork_matching.adapters.inbound import service_from_snapshot
from linkwork_matching.domain.effectiveness import OutcomeTally
from linkwork_matching.domain.service import Service
from linkwork_matching.service_layer.ports import TallyChange

# Transaction advisory locks (class, object) serialising the drawing of change numbers.
SERVICE_CHANGES_LOCK = (7_202_613, 1)
TALLY_CHANGES_LOCK = (7_202_613, 2)

# A snapshot replaces the stored one only when its revision is newer.
_NEWER_REVISION_WINS = """ON CONFLICT (service_id) DO UPDATE
    SET revision = EXCLUDED.revision, status = EXCLUDED.status, snapshot = EXCLUDED.snapshot,
        change_seq = EXCLUDED.change_seq, updated_at = now()
    WHERE services.revision < EXCLUDED.revision"""

_SAVE_SNAPSHOT = f"""
INSERT INTO services (service_id, revision, status, snapshot, change_seq)
SELECT $1, $2, $3, $4, nextval('service_change_seq') FROM pg_advisory_xact_lock($5, $6)
{_NEWER_REVISION_WINS}
RETURNING change_seq
"""


# The same rule for many snapshots in one statement, for replaying the topic (at most one row per
# service: the caller keeps the highest revision of each). The snapshot arrives as JSON text and is
# cast in the database, so nothing is serialised twice.
_SAVE_SNAPSHOTS = f"""
INSERT INTO services (service_id, revision, status, snapshot, change_seq)
SELECT s.service_id, s.revision, s.status, s.snapshot::jsonb, nextval('service_change_seq')
FROM unnest($1::uuid[], $2::integer[], $3::text[], $4::text[]) AS s(service_id, revision, status, snapshot)
ORDER BY s.service_id
{_NEWER_REVISION_WINS}
"""


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One service's snapshot ready to store: its service-changed data as JSON text."""

    service_id: UUID
    revision: int
    status: str
    data_json: str


async def generation(connection: asyncpg.Connection | asyncpg.Pool) -> UUID:
    value: UUID = await connection.fetchval("SELECT generation FROM read_model")
    return value


async def reset(connection: asyncpg.Connection) -> UUID:
    """Empty the read model and start a new generation: the next start replays the topic."""
    async with connection.transaction():
        await connection.execute("TRUNCATE services")
        value: UUID = await connection.fetchval(
            "UPDATE read_model SET generation = gen_random_uuid(), started_at = now() RETURNING generation"
        )
    return value


async def save_snapshot(
    connection: asyncpg.Connection, event: ServiceChangedV1, data: dict[str, Any] | None = None
) -> bool:
    """Keep the snapshot unless a later revision is already held; True if it was kept.

    `data` is the event's JSON as received, when the caller has it: it validated as `event`, and
    storing it as it is saves serialising the model again (a third of the cost on a replay).
    """
    seq = await connection.fetchval(
        _SAVE_SNAPSHOT,
        event.service_id,
        event.revision,
        event.status.value,
        data if data is not None else event.model_dump(mode="json"),
        *SERVICE_CHANGES_LOCK,
    )
    return seq is not None


async def save_snapshots(connection: asyncpg.Connection, snapshots: Sequence[Snapshot]) -> None:
    """`save_snapshot` for many services at once (one snapshot per service), in the caller's transaction.

    Change numbers are drawn under the same lock as `save_snapshot`, held until the caller commits,
    so a replica following the table by change number never passes a number committed later.
    """
    if not snapshots:
        return
    await connection.execute("SELECT pg_advisory_xact_lock($1, $2)", *SERVICE_CHANGES_LOCK)
    await connection.execute(
        _SAVE_SNAPSHOTS,
        [s.service_id for s in snapshots],
        [s.revision for s in snapshots],
        [s.status for s in snapshots],
        [s.data_json for s in snapshots],
    )


async def changed_services(
    connection: asyncpg.Connection | asyncpg.Pool,
    after: int,
    limit: int = 1000,
) -> list[tuple[int, dict[str, Any]]]:
    """Snapshots changed after change number `after`: their service-changed JSON, as validated
    when consumed."""
    rows = await connection.fetch(
        "SELECT change_seq, snapshot FROM services WHERE change_seq > $1 ORDER BY change_seq LIMIT $2", after, limit
    )
    return [(row["change_seq"], row["snapshot"]) for row in rows]


async def changed_tallies(
    connection: asyncpg.Connection | asyncpg.Pool,
    after: int,
    limit: int = 5000,
) -> list[TallyChange]:
    rows = await connection.fetch(
        "SELECT change_seq, service_id, need, outcomes, attended, measured, wellbeing_change, "
        "weighted_outcomes, weighted_attended "
        "FROM outcome_tallies WHERE change_seq > $1 ORDER BY change_seq LIMIT $2",
        after,
        limit,
    )
    return [
        TallyChange(
            row["change_seq"],
            str(row["service_id"]),
            NeedCategory(row["need"]),
            OutcomeTally(
                row["outcomes"],
                row["attended"],
                row["measured"],
                row["wellbeing_change"],
                row["weighted_outcomes"],
                row["weighted_attended"],
            ),
        )
        for row in rows
    ]


class PostgresReadModelChanges:
    """The read model's tables as the in-memory index follows them (service_layer/ports.py)."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def changed_services(self, after: int) -> list[tuple[int, Service]]:
        return [(seq, service_from_snapshot(snapshot)) for seq, snapshot in await changed_services(self._pool, after)]

    async def changed_tallies(self, after: int) -> list[TallyChange]:
        return await changed_tallies(self._pool, after)
