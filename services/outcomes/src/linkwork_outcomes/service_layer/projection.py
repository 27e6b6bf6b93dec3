"""The projector: turns pending referrals' facts into summaries and aggregate deltas.

Event handlers only store facts and queue the referral; this step recomputes each queued
referral's summary from all of its facts and moves the aggregates by the difference between its
old and new contribution. Doing it here, in batches, rather than in each handler means:
- one writer of the aggregate tables at a time (an advisory lock), so handlers running in
  parallel never contend for the hot all-PCN cells and cannot deadlock on them;
- deltas of a whole batch are summed before they are written;
- a rebuild can use the same arithmetic (`summarise`, `Contribution.include`) over every
  referral at once (bulk_projection.py), so rebuilt tables equal live ones.

A referral whose summary raises is set aside in `summary_failure` (with the reason, field and rule only)
and the rest of the batch is projected: one referral must not freeze every report.

A claimed queue row is deleted in the same transaction that writes the summary, so a crash
re-runs the batch; a fact committed after the claim leaves its own queue row for the next batch.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncpg
from linkwork_runtime.messaging.redaction import safe_message

from linkwork_outcomes.adapters import aggregate_store, area_store, fact_store, projection_store, summary_store
from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.referral_summary import summarise


async def project_pending(
    connection: asyncpg.Connection, batch_size: int = 2000, on_failure: Callable[[str, str], None] | None = None
) -> int:
    """Project up to `batch_size` queued referrals; returns how many (0 if another projector is busy).

    `on_failure(referral_id, reason)` is told about each referral whose summary could not be computed."""
    async with connection.transaction():
        if not await projection_store.try_lock(connection):
            return 0
        claimed = await projection_store.claim(connection, batch_size)
        if not claimed:
            return 0
        referral_ids = sorted(set(claimed))
        facts = await fact_store.load(connection, referral_ids)
        old = await summary_store.load(connection, referral_ids)
        delta = Contribution()
        new = []
        failed: dict[str, str] = {}
        for referral_id in referral_ids:
            try:
                summary = summarise(facts[referral_id])
            except Exception as error:  # deterministic in the facts: retrying the batch would fail again
                failed[referral_id] = f"{type(error).__name__}: {safe_message(error)}"
                continue
            previous = old.get(referral_id)
            if summary == previous:
                continue
            new.append(summary)
            delta.include(summary)
            if previous is not None:
                delta.include(previous, sign=-1)
        await projection_store.set_aside(connection, failed)
        for referral_id, reason in failed.items():
            if on_failure is not None:
                on_failure(referral_id, reason)
        await projection_store.recovered(connection, [r for r in referral_ids if r not in failed])
        await summary_store.save(connection, new)
        await aggregate_store.apply(connection, delta.without_zeros())
        await area_store.record(connection, area_store.areas_of(facts.values()))
        return len(claimed)


async def project_all(connection: asyncpg.Connection, batch_size: int = 2000) -> int:
    """Project until the queue is empty; returns the number of queue rows processed."""
    total = 0
    while done := await project_pending(connection, batch_size):
        total += done
    return total
