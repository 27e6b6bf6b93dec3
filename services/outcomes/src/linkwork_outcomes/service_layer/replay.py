"""One share of a rebuild's replay: some partitions read from their start into fact tables.

A share runs in its own process (decoding is the replay's most expensive step and Python runs it
on one core), with its own Kafka consumer and database connection (entrypoints/rebuild_projections.py
wires them). Shares never write the same rows: a fact's key belongs to one event's aggregate, and each
topic's events of one kind land in one table, so two processes storing facts at once cannot wait on each
other. Partitions are dealt out by number, as one referral's events share a partition number across topics.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from linkwork_outcomes.service_layer.ports import FactSink, Replayed, Share, ShareHistory


def deal(ends: Mapping[tuple[str, int], int], workers: int) -> list[Share]:
    """The (topic, partition, end offset) of every partition, dealt into at most `workers` shares by number."""
    dealt: list[list[tuple[str, int, int]]] = [[] for _ in range(workers)]
    for (topic, partition), end in sorted(ends.items()):
        dealt[partition % workers].append((topic, partition, end))
    return [tuple(share) for share in dealt if share]


async def replay_share(history: ShareHistory, sink: FactSink) -> Replayed:
    """Store every chunk of the share's history; returns what it read."""
    counts = Replayed()
    storing: asyncio.Task[None] | None = None
    async for chunk in history.chunks():
        counts.add(chunk.counts)
        # PostgreSQL stores one chunk while this process decodes the next.
        if storing is not None:
            await storing
        storing = asyncio.create_task(sink.store(chunk))
    if storing is not None:
        await storing
    return counts
