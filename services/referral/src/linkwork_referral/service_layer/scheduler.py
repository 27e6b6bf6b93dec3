"""The follow-up scheduler: emits `follow-up-due` once per planned follow-up when it falls due.

Due work lives in the follow_ups table, so nothing is lost across restarts and the first round
runs at start-up (overdue follow-ups go out then). Each round claims a batch of pending, due rows
`FOR UPDATE SKIP LOCKED`, adds their events to the outbox, marks them `due` and timelines them,
all in one transaction: two replicas never claim the same row, and a replica killed mid-round
leaves its rows pending for the other (nothing it did commits). The outbox relay then publishes.

A row whose event cannot be built (its data breaks the event's contract, e.g. a link worker id that is
not a StaffId) is quarantined: kept with the rule it broke, counted in
`linkwork_referral_follow_ups_quarantined_total` (alerted on), and the rest of the batch flows. Retrying such
a row could never succeed, and it would be claimed first every round, stalling every reminder behind it.

The scheduler works through the `FollowUpUnitOfWork` port (service_layer/ports.py): the asyncpg adapter
(adapters/follow_up_store.py) in production, the in-memory fake in the unit tests.

A per-replica rate limit spreads a large backlog (after an outage) over time instead of
flooding notification systems downstream.
"""

from __future__ import annotations

import logging
from uuid import UUID

from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError

from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import FollowUpUnitOfWork

log = logging.getLogger(__name__)


def _broken_rules(error: ValueError) -> str:
    """Field and rule only: the values (a subject, a date) stay out of the table and the logs."""
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(str(part) for part in e['loc'])}: {e['type']}" for e in error.errors())
    return type(error).__name__


class FollowUpScheduler:
    def __init__(
        self,
        follow_ups: FollowUpUnitOfWork,
        *,
        source: str,
        batch_size: int,
        max_per_second: float,
        registry: CollectorRegistry | None = None,
    ) -> None:
        self._follow_ups, self._source = follow_ups, source
        self._batch, self._rate = batch_size, max_per_second
        self.emitted = Counter(
            "referral_follow_ups_due_emitted", "follow-up-due events added to the outbox", registry=registry
        )
        self.quarantined = Counter(
            "linkwork_referral_follow_ups_quarantined",
            "due follow-ups set aside because their follow-up-due event could not be built",
            registry=registry,
        )

    async def run_once(self) -> int:
        """Claim and emit one batch of due follow-ups; returns how many."""
        async with self._follow_ups.transaction() as session:
            rows, now = await session.claim_due(self._batch)
            emitted: list[UUID] = []
            for row in rows:
                try:
                    event = session.event_for(row)
                except ValueError as error:  # pydantic's ValidationError too: the row's data, not the moment
                    reason = _broken_rules(error)
                    await session.quarantine(row["id"], reason)
                    log.error("follow-up %s quarantined: %s", row["id"], reason)
                    self.quarantined.inc()
                    continue
                emitted.append(row["id"])
                await session.emit(event, self._source)
                entry = Entry(
                    "follow-up-due",
                    f"Follow-up {row['sequence']} ({row['kind']}) is due",
                    {"follow_up_id": str(row["id"]), "due_on": row["due_on"].isoformat()},
                )
                await session.append_timeline(row["referral_id"], now, entry, None, "scheduler")
            await session.mark_due(emitted)
        self.emitted.inc(len(emitted))
        return len(rows)

    async def next_round(self) -> float | None:
        """One round as workers/follow_ups.py runs it; returns the delay before the next one (None: the interval)."""
        # A full batch means more may be due: carry on at the rate limit; otherwise wait the poll interval.
        claimed = await self.run_once()
        return claimed / self._rate if claimed == self._batch else None
