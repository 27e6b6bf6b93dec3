"""The ports the projection use case talks to (PostgreSQL in adapters/projection_store.py).

A port, so the projector's rules (one projector at a time, aggregates moved by the difference between
a referral's old and new contribution, a failing summary set aside without stopping the batch) are
unit-tested against an in-memory fake (tests/outcomes_fakes.py) in milliseconds, and SQL stays in adapters.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from prometheus_client import Counter, Histogram

from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.facts import ReferralFacts
from linkwork_outcomes.domain.referral_summary import ReferralSummary


class ProjectionBatch(Protocol):
    """One projection transaction: what it claims and writes is kept together or not at all."""

    async def claim(self, batch_size: int) -> list[str]:
        """Take the oldest queued referrals (a referral queued twice appears twice)."""
        ...

    async def facts(self, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
        """Every fact about each referral (an entry for each, empty if it has none)."""
        ...

    async def summaries(self, referral_ids: Sequence[str]) -> dict[str, ReferralSummary]:
        """The stored summaries of those referrals that have one."""
        ...

    async def set_aside(self, failed: Mapping[str, str]) -> None:
        """Keep the referrals whose summary failed, with the reason, out of the reports."""
        ...

    async def recovered(self, referral_ids: Sequence[str]) -> None:
        """Referrals summarised after all: no longer set aside."""
        ...

    async def save(
        self, summaries: Sequence[ReferralSummary], delta: Contribution, facts: Iterable[ReferralFacts]
    ) -> None:
        """Store new summaries, add the (zero-free) delta to the aggregates, record the areas the facts name."""
        ...


class ProjectionStore(Protocol):
    def batch(self) -> AbstractAsyncContextManager[ProjectionBatch | None]:
        """A transaction under the projector's lock; None when another projector holds it."""
        ...


class ProjectionCounts(Protocol):
    """What the projector counts for Prometheus (adapters/metrics.py); read-only, so the adapter's attributes fit."""

    @property
    def projected(self) -> Counter: ...

    @property
    def summaries_failed(self) -> Counter: ...

    @property
    def projection_seconds(self) -> Histogram: ...
