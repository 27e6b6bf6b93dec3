"""The ports the directory's use cases talk to, so their rules are unit-tested against in-memory fakes
(tests/directory_fakes.py) in milliseconds while the SQL stays in adapters/ with its integration tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from linkwork_directory.domain.freshness import DueForReview


class ReviewStore(Protocol):
    async def due_for_review(self, *, cutoff: datetime, limit: int, offset: int) -> list[DueForReview]:
        """Services not withdrawn and last verified before `cutoff` (never verified counts as before), least
        recently verified first (never verified before all), then by name and id; one page of them."""
        ...

    async def count_due(self, *, cutoff: datetime) -> int:
        """How many services `due_for_review` would list over all pages."""
        ...
