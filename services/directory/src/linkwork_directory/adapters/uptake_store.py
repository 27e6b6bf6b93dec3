"""Uptake counted from agreed plans (migration tables `plan_version` and `plan_activity`), and the services
whose announced week has passed.

Callers hold the transaction: the plan-agreed handler the consumer's, the week rollover its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

from linkwork_directory.adapters.service_reader import Connection


async def counted_plan_version(conn: Connection, referral_id: UUID) -> int | None:
    """The plan version already counted for the referral, locked until the transaction ends."""
    version = await conn.fetchval("SELECT version FROM plan_version WHERE referral_id = $1 FOR UPDATE", referral_id)
    return None if version is None else int(version)


async def record_plan_version(conn: Connection, referral_id: UUID, version: int) -> None:
    await conn.execute(
        """INSERT INTO plan_version (referral_id, version) VALUES ($1, $2)
           ON CONFLICT (referral_id) DO UPDATE SET version = EXCLUDED.version""",
        referral_id,
        version,
    )


async def counted_activities(conn: Connection, referral_id: UUID) -> dict[UUID, date]:
    """The week each service of the referral's plan was counted in."""
    rows = await conn.fetch("SELECT service_id, week_starting FROM plan_activity WHERE referral_id = $1", referral_id)
    return {row["service_id"]: row["week_starting"] for row in rows}


async def known_services(conn: Connection, service_ids: Iterable[UUID]) -> set[UUID]:
    """Those of `service_ids` that this directory holds."""
    rows = await conn.fetch("SELECT id FROM service WHERE id = ANY($1::uuid[])", list(service_ids))
    return {row["id"] for row in rows}


async def replace_activities(
    conn: Connection, referral_id: UUID, removed: Iterable[UUID], added: Mapping[UUID, date]
) -> None:
    await conn.execute(
        "DELETE FROM plan_activity WHERE referral_id = $1 AND service_id = ANY($2::uuid[])",
        referral_id,
        list(removed),
    )
    await conn.executemany(
        "INSERT INTO plan_activity (referral_id, service_id, week_starting) VALUES ($1, $2, $3)",
        [(referral_id, service, week) for service, week in added.items()],
    )


async def lock_services_of_past_week(conn: Connection, *, week: date, window_weeks: int, limit: int) -> list[UUID]:
    """Up to `limit` services whose latest snapshot is for a week before `week` and in which places were
    taken, or with people waiting or starts within `window_weeks`; locked, skipping those another holds."""
    rows = await conn.fetch(
        """SELECT e.service_id FROM service_extension e
           WHERE e.announced_week < $1
             AND ((e.places_per_week IS NOT NULL
                   AND EXISTS (SELECT 1 FROM plan_activity p
                               WHERE p.service_id = e.service_id AND p.week_starting = e.announced_week))
                  OR EXISTS (SELECT 1 FROM waiting_entry w
                             WHERE w.service_id = e.service_id
                               AND (w.status = 'waiting' OR w.started_at >= e.announced_week - 7 * $3::int)))
           ORDER BY e.service_id LIMIT $2 FOR UPDATE OF e SKIP LOCKED""",
        week,
        limit,
        window_weeks,
    )
    return [row["service_id"] for row in rows]
