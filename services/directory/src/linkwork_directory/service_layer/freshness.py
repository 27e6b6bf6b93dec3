"""Stale services: the review queue and the Prometheus gauge that counts them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import asyncpg
from linkwork_runtime.periodic import PeriodicTask
from prometheus_client import CollectorRegistry, Gauge

from linkwork_directory.adapters.service_reader import Connection
from linkwork_directory.domain.freshness import Clock, review_cutoff

log = logging.getLogger(__name__)
_DUE = "e.withdrawn_at IS NULL AND (e.last_verified_at IS NULL OR e.last_verified_at < $1)"


@dataclass(frozen=True, slots=True)
class DueForReview:
    service_id: UUID
    name: str
    organization: str | None
    last_verified_at: datetime | None
    verified_by: str | None


async def review_queue(
    conn: Connection, *, now: datetime, months: int, limit: int, offset: int
) -> tuple[list[DueForReview], int]:
    """Services due for review, least recently verified (never verified) first."""
    cutoff = review_cutoff(now, months)
    rows = await conn.fetch(
        f"""SELECT s.id, s.name, o.name AS organization, e.last_verified_at, e.verified_by
            FROM service s JOIN service_extension e ON e.service_id = s.id
            LEFT JOIN organization o ON o.id = s.organization_id
            WHERE {_DUE}
            ORDER BY e.last_verified_at NULLS FIRST, s.name, s.id LIMIT $2 OFFSET $3""",
        cutoff,
        limit,
        offset,
    )
    total = await count_due(conn, now=now, months=months)
    return [
        DueForReview(r["id"], r["name"], r["organization"], r["last_verified_at"], r["verified_by"]) for r in rows
    ], total


async def count_due(conn: Connection, *, now: datetime, months: int) -> int:
    cutoff = review_cutoff(now, months)
    return int(
        await conn.fetchval(
            f"SELECT count(*) FROM service s JOIN service_extension e ON e.service_id = s.id WHERE {_DUE}", cutoff
        )
    )


class StaleServicesGauge:
    """Keeps `linkwork_directory_stale_services` current: recounted every interval and after changes."""

    def __init__(
        self, pool: asyncpg.Pool, registry: CollectorRegistry, *, clock: Clock, months: int, interval: float
    ) -> None:
        self.pool, self.clock, self.months = pool, clock, months
        self.gauge = Gauge(
            "linkwork_directory_stale_services",
            "Services not withdrawn whose details have not been verified within the review period",
            registry=registry,
        )
        self._rounds = PeriodicTask(
            "stale-services-gauge", self._round, interval=interval, run_at_start=False, registry=registry
        )

    async def refresh(self) -> int:
        async with self.pool.acquire() as conn:
            count = await count_due(conn, now=self.clock.now(), months=self.months)
        self.gauge.set(count)
        return count

    async def start(self) -> None:
        await self.refresh()
        await self._rounds.start()

    async def stop(self) -> None:
        await self._rounds.stop()

    async def _round(self) -> None:
        await self.refresh()
