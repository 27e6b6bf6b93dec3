"""plan-agreed: count each service's uptake and places taken, and announce the new capacity."""

from __future__ import annotations

import logging

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import PlanAgreedV1

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.uptake import is_newer, plan_change
from linkwork_directory.service_layer.changes import ChangeSink, announce

log = logging.getLogger(__name__)


class PlanAgreedHandler:
    def __init__(self, sink: ChangeSink, clock: Clock) -> None:
        self.sink, self.clock = sink, clock

    async def __call__(self, event: PlanAgreedV1, envelope: CloudEvent, conn: asyncpg.Connection) -> None:
        counted_version = await conn.fetchval(
            "SELECT version FROM plan_version WHERE referral_id = $1 FOR UPDATE", event.referral_id
        )
        if not is_newer(event.plan_version, counted_version):
            return
        await conn.execute(
            """INSERT INTO plan_version (referral_id, version) VALUES ($1, $2)
               ON CONFLICT (referral_id) DO UPDATE SET version = EXCLUDED.version""",
            event.referral_id,
            event.plan_version,
        )
        counted = {
            row["service_id"]: row["week_starting"]
            for row in await conn.fetch(
                "SELECT service_id, week_starting FROM plan_activity WHERE referral_id = $1", event.referral_id
            )
        }
        known = {
            row["id"]
            for row in await conn.fetch(
                "SELECT id FROM service WHERE id = ANY($1::uuid[])", [a.service_id for a in event.activities]
            )
        }
        unknown = [a.service_id for a in event.activities if a.service_id not in known]
        if unknown:
            log.warning("plan %s names services not in this directory: %s", event.referral_id, unknown)
        change = plan_change(
            counted,
            (
                (a.service_id, week_starting(a.starts_on or event.agreed_at))
                for a in event.activities
                if a.service_id in known
            ),
        )
        await conn.execute(
            "DELETE FROM plan_activity WHERE referral_id = $1 AND service_id = ANY($2::uuid[])",
            event.referral_id,
            list(change.removed),
        )
        await conn.executemany(
            "INSERT INTO plan_activity (referral_id, service_id, week_starting) VALUES ($1, $2, $3)",
            [(event.referral_id, service, week) for service, week in change.added.items()],
        )
        await announce(conn, change.services, self.sink, self.clock.now())
