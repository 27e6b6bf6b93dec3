"""plan-agreed: count each service's uptake and places taken, and announce the new capacity."""

from __future__ import annotations

import logging

import asyncpg
from linkwork_contracts.envelope import CloudEvent
from linkwork_contracts.events import PlanAgreedV1

from linkwork_directory.adapters import uptake_store as store
from linkwork_directory.adapters.unit_of_work import PostgresUnitOfWork
from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.uptake import is_newer, plan_change
from linkwork_directory.service_layer.changes import ChangeSink, announce

log = logging.getLogger(__name__)


class PlanAgreedHandler:
    def __init__(self, sink: ChangeSink, clock: Clock) -> None:
        self.sink, self.clock = sink, clock

    async def __call__(self, event: PlanAgreedV1, envelope: CloudEvent, conn: asyncpg.Connection) -> None:
        counted_version = await store.counted_plan_version(conn, event.referral_id)
        if not is_newer(event.plan_version, counted_version):
            return
        await store.record_plan_version(conn, event.referral_id, event.plan_version)
        counted = await store.counted_activities(conn, event.referral_id)
        known = await store.known_services(conn, [a.service_id for a in event.activities])
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
        await store.replace_activities(conn, event.referral_id, change.removed, change.added)
        await announce(PostgresUnitOfWork(conn), change.services, self.sink, self.clock.now())
