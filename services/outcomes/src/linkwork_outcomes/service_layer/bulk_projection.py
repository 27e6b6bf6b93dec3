"""Projecting every referral at once, for a rebuild: the projector's arithmetic without its queue.

After a replay into empty tables there are no old summaries, so each referral's contribution is
simply added up; doing that for many referrals before writing means each cell is written once
per flush rather than once per batch. Reading facts (one connection), computing (this process)
and writing (another connection) overlap, so PostgreSQL and Python work at the same time.
The summaries and cells are the same objects the live projector computes, from the same
functions (`summarise`, `Contribution.include`) and written by the same stores.
"""

from __future__ import annotations

import asyncio

from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.referral_summary import summarise
from linkwork_outcomes.service_layer.ports import BulkProjectionStore

FLUSH_CELLS = 150_000  # written while the next chunks are computed; also bounds memory


async def project_everything(store: BulkProjectionStore, chunk: int = 5000) -> int:
    """Summarise every referral with facts into empty derived tables; returns how many."""
    ids = await store.referral_ids()
    chunks = [ids[start : start + chunk] for start in range(0, len(ids), chunk)]
    cells = Contribution()
    loading = asyncio.create_task(store.facts(chunks[0])) if chunks else None
    writing: asyncio.Task[None] | None = None
    for index, referral_ids in enumerate(chunks):
        assert loading is not None
        facts = await loading
        last = index == len(chunks) - 1
        loading = None if last else asyncio.create_task(store.facts(chunks[index + 1]))
        summaries = [summarise(facts[referral_id]) for referral_id in referral_ids]
        for summary in summaries:
            cells.include(summary)
        flush = last or len(cells.tally) >= FLUSH_CELLS
        if writing is not None:
            await writing
        writing = asyncio.create_task(store.write(summaries, facts.values(), cells.without_zeros() if flush else None))
        if flush:
            cells = Contribution()
    if writing is not None:
        await writing
    return len(ids)
