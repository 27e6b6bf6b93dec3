"""When a new week starts, services whose places were taken last week have them all back: announce that.

`places_remaining` in a snapshot is for the week it was announced in. Nothing else changes on a
Monday morning, so without this the last snapshot of the week before would stand until the service
next changed, and matching would keep treating a full group as full.

The estimated wait (issue 17) is for the week announced too: it rests on the starts of the 8 weeks before,
so a service with people waiting, or with starts in that window, is announced again each new week as well.

`WeekRollover` announces them all, a batch (`roll_over`) per unit of work from the `UnitOfWorkFactory` port
(service_layer/ports.py): connections borrowed from the pool in production, the in-memory fake in the unit tests.
workers/new_week.py runs a round every `week_rollover_seconds`, so a new week is noticed within that.
"""

from __future__ import annotations

import logging

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.waiting_list import WINDOW_WEEKS
from linkwork_directory.service_layer.changes import announce
from linkwork_directory.service_layer.ports import ChangeSink, UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)


async def roll_over(uow: UnitOfWork, *, clock: Clock, sink: ChangeSink, limit: int = 500) -> int:
    """Announce up to `limit` services whose latest snapshot is for an earlier week in which places
    were taken, or whose waiting-time estimate moves with the week; returns how many were announced."""
    now = clock.now()
    async with uow.transaction():
        services = await uow.services.lock_past_week(week=week_starting(now), window_weeks=WINDOW_WEEKS, limit=limit)
        await announce(uow, services, sink, now)
    return len(services)


class WeekRollover:
    """Announces every service the new week changes, in batches of `roll_over`'s size."""

    def __init__(self, units: UnitOfWorkFactory, *, clock: Clock, sink: ChangeSink) -> None:
        self.units, self.clock, self.sink = units, clock, sink

    async def run_once(self) -> int:
        """Batch after batch until none is left; returns how many services were announced."""
        total = 0
        while True:
            async with self.units() as uow:
                done = await roll_over(uow, clock=self.clock, sink=self.sink)
            total += done
            if done == 0:
                return total

    async def next_round(self) -> float | None:
        """One round as workers/new_week.py runs it; the next one after the interval."""
        if announced := await self.run_once():
            log.info("announced the new week's places", extra={"services": announced})
        return None
