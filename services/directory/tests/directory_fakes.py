"""In-memory stand-ins for the directory's ports (service_layer/ports.py), for use-case tests in milliseconds.

The PostgreSQL adapters keep their integration tests (tests/integration); these fakes only keep the ports'
promises.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from linkwork_directory.domain.freshness import DueForReview


@dataclass
class ReviewedService:
    name: str
    last_verified_at: datetime | None
    verified_by: str | None = None
    organization: str | None = None
    withdrawn: bool = False
    service_id: UUID = field(default_factory=uuid.uuid4)


class FakeReviewStore:
    def __init__(self, *services: ReviewedService) -> None:
        self.services = list(services)

    def _due(self, cutoff: datetime) -> list[ReviewedService]:
        due = [
            s for s in self.services if not s.withdrawn and (s.last_verified_at is None or s.last_verified_at < cutoff)
        ]
        # Never verified first, then least recently verified, then name and id: the port's order.
        return sorted(
            due, key=lambda s: (s.last_verified_at is not None, s.last_verified_at or cutoff, s.name, s.service_id)
        )

    async def due_for_review(self, *, cutoff: datetime, limit: int, offset: int) -> list[DueForReview]:
        return [
            DueForReview(s.service_id, s.name, s.organization, s.last_verified_at, s.verified_by)
            for s in self._due(cutoff)[offset : offset + limit]
        ]

    async def count_due(self, *, cutoff: datetime) -> int:
        return len(self._due(cutoff))
