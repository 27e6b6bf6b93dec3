"""The ports the outcomes use cases and event handlers talk to: the facts consumed, the projection, the rebuild
and its replay, and the reports.

PostgreSQL behind adapters/projection_store.py and aggregate_store.py, Kafka behind adapters/kafka_history.py.
Ports, so the use cases' rules (one projector at a time, aggregates moved by the difference between a referral's
old and new contribution, a failing summary set aside without stopping the batch, a rebuild equal to the live
projection, a report suppressed together with its lattice) are unit-tested against in-memory fakes
(tests/outcomes_fakes.py) in milliseconds, and SQL stays in adapters.

Event handlers run inside the consumer's transaction, which also records the event in the inbox: they take the
`FactStore`'s records `joining` that transaction, so an event's facts (and the referrals they queue for the
projector) commit with the event's receipt.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from linkwork_contracts.events import Event
from linkwork_runtime.messaging.handlers import ConsumerTransaction as ConsumerTransaction
from prometheus_client import Counter, Histogram

from linkwork_outcomes.domain.aggregates import GapCounts
from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.facts import FactBatch, ReferralFacts, ServiceLabel
from linkwork_outcomes.domain.lattice import LatticeRows
from linkwork_outcomes.domain.referral_summary import ReferralSummary


class FactRecords(Protocol):
    async def record(self, event: Event, at: datetime) -> None:
        """Keep what the reports need of a consumed event, whatever order events come in and however often.

        A referral's event becomes facts (adapters/event_facts.py `facts_of`, as in a replay, with `at` the
        event's time); a fact already stored is skipped, and the referrals that gained one are queued for the
        projector. A provider-loop event (issue 17) is kept in tables of its own."""
        ...


class FactStore(Protocol):
    """Where the live consumer keeps events' facts. Only `joining`: the consumer's transaction is the only one
    facts are written in while the service runs (a rebuild's replay has its own `FactSink`)."""

    def joining(self, transaction: ConsumerTransaction) -> FactRecords:
        """The records inside a transaction its caller owns and ends (the consumer's inbox transaction): what
        they keep commits or rolls back with that transaction, never on its own."""
        ...


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


class BulkProjectionStore(Protocol):
    """Every referral's facts, and their summaries and cells written into emptied tables (a rebuild)."""

    async def referral_ids(self) -> list[str]:
        """Every referral with at least one fact, in order."""
        ...

    async def facts(self, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
        """Every fact about each referral; may run while a `write` is under way (another connection)."""
        ...

    async def write(
        self, summaries: Sequence[ReferralSummary], facts: Iterable[ReferralFacts], cells: Contribution | None
    ) -> None:
        """In one transaction: add the summaries, the areas the facts name, and the (summed) cells if given."""
        ...


class RebuildStore(BulkProjectionStore, Protocol):
    def emptied(self) -> AbstractAsyncContextManager[None]:
        """Hold the projector's lock throughout, having emptied every projection table first."""
        ...


# A share of a replay: (topic, partition, end offset) of the partitions one process reads from offset 0 to end.
Share = tuple[tuple[str, int, int], ...]


@dataclass
class Replayed:
    """What a replay read: every record below the end offsets, the events among them, and the rest skipped."""

    records: int = 0
    events: int = 0
    skipped: int = 0  # tombstones, other event types, and records that do not decode (the live consumer's DLQ)

    def add(self, other: Replayed) -> None:
        self.records += other.records
        self.events += other.events
        self.skipped += other.skipped


@dataclass
class HistoryChunk:
    """Some decoded records of a share: the facts of the referral events, and the provider loop's events."""

    facts: FactBatch = field(default_factory=FactBatch)
    provider_events: list[Event] = field(default_factory=list)
    counts: Replayed = field(default_factory=Replayed)


class EventHistory(Protocol):
    async def end_offsets(self) -> dict[tuple[str, int], int]:
        """(topic, partition): end offset, now, of every non-empty partition of the topics the service consumes."""
        ...


class ShareHistory(Protocol):
    def chunks(self) -> AsyncIterator[HistoryChunk]:
        """A share's records from offset 0 to its end offsets, decoded as the live consumer does, in chunks."""
        ...


class FactSink(Protocol):
    async def store(self, chunk: HistoryChunk) -> None:
        """Store a chunk's facts and provider events, idempotently, in one transaction (queueing nothing)."""
        ...


# Replays the shares (in parallel processes, or in this one) and returns each share's counts.
Replayer = Callable[[list[Share]], Awaitable[list[Replayed]]]


class ReportReading(Protocol):
    """One consistent view of the aggregate tables, for one report."""

    async def lattice(self, pcns: list[str], first: date, last: date) -> LatticeRows:
        """Every PCN-level and practice-level cell of `pcns` from month `first` to `last` (inclusive)."""
        ...

    async def service_labels(self, service_ids: list[str]) -> dict[str, ServiceLabel]: ...

    async def gaps(
        self, pcns: list[str], practice: str | None, start: datetime, end: datetime
    ) -> dict[tuple[str, str], GapCounts]:
        """Gap counts in the postcode districts the referrals of `pcns` (or of one practice) come from."""
        ...


class ReportStore(Protocol):
    def reading(self) -> AbstractAsyncContextManager[ReportReading]:
        """A read-only view in which every read sees the same snapshot."""
        ...
