"""When a new week starts, services whose places were taken last week have them all back: announce that.

`places_remaining` in a snapshot is for the week it was announced in. Nothing else changes on a
Monday morning, so without this the last snapshot of the week before would stand until the service
next changed, and matching would keep treating a full group as full.

The estimated wait (issue 17) is for the week announced too: it rests on the starts of the 8 weeks before,
so a service with people waiting, or with starts in that window, is announced again each new week as well.
"""

from __future__ import annotations

import logging

from linkwork_directory.domain.capacity import week_starting
from linkwork_directory.domain.freshness import Clock
from linkwork_directory.domain.waiting_list import WINDOW_WEEKS
from linkwork_directory.service_layer.changes import announce
from linkwork_directory.service_layer.ports import ChangeSink, UnitOfWork

log = logging.getLogger(__name__)


async def roll_over(uow: UnitOfWork, *, clock: Clock, sink: ChangeSink, limit: int = 500) -> int:
    """Announce up to `limit` services whose latest snapshot is for an earlier week in which places
    were taken, or whose waiting-time estimate moves with the week; returns how many were announced."""
    now = clock.now()
    async with uow.transaction():
        services = await uow.services.lock_past_week(week=week_starting(now), window_weeks=WINDOW_WEEKS, limit=limit)
        await announce(uow, services, sink, now)
    return len(services)
