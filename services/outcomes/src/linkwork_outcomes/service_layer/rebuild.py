"""Rebuild: empty the projections and replay every consumed topic from its beginning.

The replay reads each partition from offset 0 up to the end offsets taken after the tables were
emptied, decodes records exactly as the live consumer does, turns them into facts with the same
`facts_of`, stores them with the same fact store (thousands per statement), in parallel
processes (replay.py), and then summarises every referral with the projector's own functions
(bulk_projection.py). So a rebuilt database equals the live one row for row.

While it runs, it holds the projector's lock, so a live service's projector waits; the live
consumer may keep storing facts, which are idempotent, and the projector catches up afterwards.
Order: tables are emptied first, then end offsets are read, so an event the live consumer stored
before the emptying is always at an offset the replay reads.

The use case talks to ports (ports.py): PostgreSQL in adapters/projection_store.py, Kafka in
adapters/kafka_history.py, wired by entrypoints/rebuild_projections.py; in-memory fakes in the unit tests.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from linkwork_outcomes.service_layer.bulk_projection import project_everything
from linkwork_outcomes.service_layer.ports import EventHistory, RebuildStore, Replayed, Replayer
from linkwork_outcomes.service_layer.replay import deal

log = logging.getLogger(__name__)


@dataclass
class RebuildResult(Replayed):
    """What the replay read (every share's counts added up), how many referrals were projected, and how long."""

    referrals: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def events_per_second(self) -> float:
        total = sum(self.seconds.values())
        return self.records / total if total else 0.0


async def rebuild(store: RebuildStore, history: EventHistory, replay: Replayer, *, workers: int = 1) -> RebuildResult:
    """Empty the projections of the (migrated) store and refill them from the event history."""
    result = RebuildResult()
    started = time.perf_counter()  # emptying the tables counts as part of the replay
    async with store.emptied():
        ends = await history.end_offsets()
        for counts in await replay(deal(ends, max(1, workers))):
            result.add(counts)
        result.seconds["replay"] = time.perf_counter() - started
        started = time.perf_counter()
        result.referrals = await project_everything(store)
        result.seconds["projection"] = time.perf_counter() - started
    log.info(
        "rebuild done",
        extra={
            "records": result.records,
            "events": result.events,
            "skipped": result.skipped,
            "referrals": result.referrals,
        },
    )
    return result
