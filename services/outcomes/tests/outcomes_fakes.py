"""In-memory stand-in for the projection port (service_layer/ports.py), for use-case tests in milliseconds.

The PostgreSQL adapter keeps its integration tests (tests/integration); this fake only keeps the port's
promises: one batch at a time, and a batch's claims and writes kept only if it completes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.facts import ReferralFacts
from linkwork_outcomes.domain.referral_summary import ReferralSummary


@dataclass
class FakeProjectionStore:
    facts: dict[str, ReferralFacts] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    summaries: dict[str, ReferralSummary] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    cells: Contribution = field(default_factory=Contribution)
    locked: bool = False  # another projector holds the lock
    saved: list[list[ReferralSummary]] = field(default_factory=list)

    def add(self, facts: ReferralFacts) -> None:
        """Facts arrived for a referral: store them and queue it, as the event handlers do."""
        self.facts[facts.referral_id] = facts
        self.pending.append(facts.referral_id)

    def aggregates(self) -> Contribution:
        return self.cells.without_zeros()

    @asynccontextmanager
    async def batch(self) -> AsyncIterator[FakeProjectionBatch | None]:
        if self.locked:
            yield None
            return
        self.locked = True
        batch = FakeProjectionBatch(self)
        try:
            yield batch
            batch.commit()
        finally:
            self.locked = False


class FakeProjectionBatch:
    """Reads see the store; writes wait in the batch until it commits."""

    def __init__(self, store: FakeProjectionStore) -> None:
        self._store = store
        self._claimed = 0
        self._summaries: list[ReferralSummary] = []
        self._delta = Contribution()
        self._failed: dict[str, str] = {}
        self._recovered: list[str] = []

    async def claim(self, batch_size: int) -> list[str]:
        self._claimed = min(batch_size, len(self._store.pending))
        return self._store.pending[: self._claimed]

    async def facts(self, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
        return {r: self._store.facts.get(r, ReferralFacts(r)) for r in referral_ids}

    async def summaries(self, referral_ids: Sequence[str]) -> dict[str, ReferralSummary]:
        return {r: self._store.summaries[r] for r in referral_ids if r in self._store.summaries}

    async def set_aside(self, failed: Mapping[str, str]) -> None:
        self._failed.update(failed)

    async def recovered(self, referral_ids: Sequence[str]) -> None:
        self._recovered.extend(referral_ids)

    async def save(
        self, summaries: Sequence[ReferralSummary], delta: Contribution, facts: Iterable[ReferralFacts]
    ) -> None:
        self._summaries.extend(summaries)
        self._delta.add(delta)

    def commit(self) -> None:
        store = self._store
        del store.pending[: self._claimed]
        store.failures.update(self._failed)
        for referral_id in self._recovered:
            store.failures.pop(referral_id, None)
        store.summaries.update((s.referral_id, s) for s in self._summaries)
        store.cells.add(self._delta)
        store.saved.append(list(self._summaries))
