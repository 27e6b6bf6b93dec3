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

The use case talks to a port (ports.py): PostgreSQL in adapters/projection_store.py, and an
in-memory fake in the unit tests (tests/outcomes_fakes.py).
"""

from __future__ import annotations

from collections.abc import Callable

from linkwork_runtime.messaging.redaction import safe_message

from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.referral_summary import summarise
from linkwork_outcomes.service_layer.ports import ProjectionStore


async def project_pending(
    store: ProjectionStore, batch_size: int = 2000, on_failure: Callable[[str, str], None] | None = None
) -> int:
    """Project up to `batch_size` queued referrals; returns how many (0 if another projector is busy).

    `on_failure(referral_id, reason)` is told about each referral whose summary could not be computed."""
    async with store.batch() as batch:
        if batch is None:
            return 0
        claimed = await batch.claim(batch_size)
        if not claimed:
            return 0
        referral_ids = sorted(set(claimed))
        facts = await batch.facts(referral_ids)
        old = await batch.summaries(referral_ids)
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
        await batch.set_aside(failed)
        for referral_id, reason in failed.items():
            if on_failure is not None:
                on_failure(referral_id, reason)
        await batch.recovered([r for r in referral_ids if r not in failed])
        await batch.save(new, delta.without_zeros(), facts.values())
        return len(claimed)


async def project_all(store: ProjectionStore, batch_size: int = 2000) -> int:
    """Project until the queue is empty; returns the number of queue rows processed."""
    total = 0
    while done := await project_pending(store, batch_size):
        total += done
    return total
