"""Stale services: the review queue and how many are due (the gauge that shows it is workers/stale_services.py)."""

from __future__ import annotations

import logging
from datetime import datetime

from linkwork_directory.domain.freshness import DueForReview, review_cutoff
from linkwork_directory.service_layer.ports import ReviewStore

log = logging.getLogger(__name__)

__all__ = ["DueForReview", "count_due", "review_queue"]


async def review_queue(
    store: ReviewStore, *, now: datetime, months: int, limit: int, offset: int
) -> tuple[list[DueForReview], int]:
    """Services due for review, least recently verified (never verified) first, and how many in all."""
    cutoff = review_cutoff(now, months)
    due = await store.due_for_review(cutoff=cutoff, limit=limit, offset=offset)
    return due, await store.count_due(cutoff=cutoff)


async def count_due(store: ReviewStore, *, now: datetime, months: int) -> int:
    return await store.count_due(cutoff=review_cutoff(now, months))
