"""In-memory stand-ins for the outcomes ports (service_layer/ports.py), for use-case tests in milliseconds.

The PostgreSQL and Kafka adapters keep their integration tests (tests/integration); these fakes only keep the
ports' promises: an event's facts kept, and their referrals queued, only if the consumer's transaction commits;
one projection batch at a time, a batch's claims and writes kept only if it completes; a rebuild empties every
projection before it refills them; a report reads one snapshot of the cells.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from linkwork_contracts.events import Event
from linkwork_outcomes.adapters.event_facts import facts_of
from linkwork_outcomes.adapters.provider_store import PROVIDER_LOOP
from linkwork_outcomes.domain.aggregates import GapCounts, areas_of
from linkwork_outcomes.domain.contribution import Contribution
from linkwork_outcomes.domain.facts import Closure, FactBatch, ReferralFacts, ReferralVersion, ServiceLabel
from linkwork_outcomes.domain.lattice import LatticeRows
from linkwork_outcomes.domain.referral_summary import ReferralSummary
from linkwork_outcomes.service_layer.ports import HistoryChunk, Share
from linkwork_runtime.testing import FakeConsumerTransactions, FakeTransaction

T0 = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)


def referral_facts(
    number: int,
    *,
    needs: tuple[str, ...] = ("housing",),
    closed: bool = False,
    source: str = "gp-practice",
    pcn: str = "U12345",
    practice: str = "B86001",
) -> ReferralFacts:
    """A referral created at T0 (April 2025), closed 30 days later if `closed`."""
    referral_id = f"6f0c1b9e-0000-4000-8000-{number:012d}"
    version = ReferralVersion(
        referral_id, 1, "a" * 64, T0, source, pcn, practice, "45-54", "female", "A", "LS6", 3, needs
    )
    closures = (Closure(referral_id, T0 + timedelta(days=30), "closed", "goals-met", None, 0),) if closed else ()
    return ReferralFacts(referral_id, versions=(version,), closures=closures)


def keep_facts(stored: dict[str, ReferralFacts], batch: FactBatch) -> set[str]:
    """Add the batch's facts about referrals to `stored`, each kept once whatever order and however often it
    comes; the referrals that gained a fact."""
    gained: set[str] = set()

    def keep(referral_id: str, name: str, fact: object) -> None:
        known = stored.get(referral_id, ReferralFacts(referral_id))
        if fact not in getattr(known, name):
            stored[referral_id] = dataclasses.replace(known, **{name: (*getattr(known, name), fact)})
            gained.add(referral_id)

    for name in ("versions", "plans", "contacts", "follow_ups_due", "closures"):
        for fact, _ in getattr(batch, name):
            keep(fact.referral_id, name, fact)
    for measurement in batch.measurements:
        keep(measurement.referral_id, "measurements", measurement)
    return gained


@dataclass
class FakeProjectionStore(FakeConsumerTransactions["FakeFactRecords"]):
    """The projection port and the consumer's fact store over one in-memory database."""

    facts: dict[str, ReferralFacts] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    provider_events: list[Event] = field(default_factory=list)  # as they came (the adapter upserts them by id)
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

    def begin_records(self) -> FakeFactRecords:
        return FakeFactRecords(self)

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


class FakeFactRecords(FakeTransaction):
    """The `FactRecords` of one consumer transaction: a transaction (FakeTransaction) over the store's queue
    and provider-loop events, so a projector batch or another consumer committing meanwhile keeps what it
    wrote. Events become facts through the adapters' own `facts_of`, as in production: what an event means
    is not the fake's to decide.

    The facts are not one of its tables: the fake holds a referral's facts as one value, but each fact is a row
    of its own inserted ON CONFLICT DO NOTHING (adapters/fact_store.py), so two transactions adding facts
    about one referral both keep theirs. The commit adds this transaction's facts to the committed ones."""

    stored: FakeProjectionStore

    def __init__(self, store: FakeProjectionStore) -> None:
        super().__init__(store, tables=("pending", "provider_events"))
        self._batches: list[FactBatch] = []

    async def record(self, event: Event, at: datetime) -> None:
        if isinstance(event, PROVIDER_LOOP):
            self.stored.provider_events.append(event)
        else:
            batch = facts_of(event, at)
            self._batches.append(batch)
            self.stored.pending.extend(sorted(keep_facts(self.stored.facts, batch)))

    def commit(self, committed: FakeProjectionStore) -> None:
        super().commit(committed)
        for batch in self._batches:
            keep_facts(committed.facts, batch)


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


@dataclass
class FakeRebuildStore:
    """The rebuild port and a replay's fact sink over one in-memory database."""

    stored: dict[str, ReferralFacts] = field(default_factory=dict)
    summaries: dict[str, ReferralSummary] = field(default_factory=dict)
    cells: Contribution = field(default_factory=Contribution)
    areas: set[tuple[str, str, str]] = field(default_factory=set)
    locked: bool = False  # the projector's lock, held for the whole rebuild

    @asynccontextmanager
    async def emptied(self) -> AsyncIterator[None]:
        self.locked = True
        self.stored.clear()
        self.summaries.clear()
        self.cells = Contribution()
        self.areas.clear()
        try:
            yield
        finally:
            self.locked = False

    async def referral_ids(self) -> list[str]:
        return sorted(self.stored)

    async def facts(self, referral_ids: Sequence[str]) -> dict[str, ReferralFacts]:
        return {r: self.stored.get(r, ReferralFacts(r)) for r in referral_ids}

    async def write(
        self, summaries: Sequence[ReferralSummary], facts: Iterable[ReferralFacts], cells: Contribution | None
    ) -> None:
        self.summaries.update((s.referral_id, s) for s in summaries)
        self.areas |= areas_of(facts)
        if cells is not None:
            self.cells.add(cells)

    async def store(self, chunk: HistoryChunk) -> None:
        """The fact sink: each fact kept once per referral, whatever order and however often it comes."""
        keep_facts(self.stored, chunk.facts)


@dataclass
class FakeHistory:
    """The event history port over chunks of facts held per (topic, partition); an offset is a chunk's record."""

    partitions: dict[tuple[str, int], list[FactBatch]] = field(default_factory=dict)

    async def end_offsets(self) -> dict[tuple[str, int], int]:
        return {tp: len(batches) for tp, batches in self.partitions.items() if batches}

    def share(self, share: Share) -> FakeShareHistory:
        return FakeShareHistory([self.partitions[(topic, partition)][:end] for topic, partition, end in share])


@dataclass
class FakeShareHistory:
    """The share history port: one chunk per record, each counted as one event."""

    partitions: list[list[FactBatch]]

    async def chunks(self) -> AsyncIterator[HistoryChunk]:
        for batches in self.partitions:
            for batch in batches:
                chunk = HistoryChunk(facts=batch)
                chunk.counts.records = chunk.counts.events = 1
                yield chunk


@dataclass
class FakeReportStore:
    """The report port over aggregate cells (a projection's `Contribution`), as the tables would hold them."""

    cells: Contribution
    labels: dict[str, ServiceLabel] = field(default_factory=dict)
    gap_counts: dict[tuple[str, str], GapCounts] = field(default_factory=dict)  # the same for every area
    readings: int = 0

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[FakeReportStore]:
        self.readings += 1
        yield self

    async def lattice(self, pcns: list[str], first: date, last: date) -> LatticeRows:
        # PCN and practice levels only: the all-PCN cells ('*') are never in `pcns`.
        tally = sorted(
            (pcn, practice, month, str(section), key, subkey, n)
            for (month, pcn, practice, section, key, subkey), n in self.cells.without_zeros().tally.items()
            if pcn in pcns and first <= month <= last
        )
        outcomes = sorted(
            (
                (pcn, practice, month, score, sums)
                for (month, pcn, practice, score), sums in self.cells.without_zeros().outcomes.items()
                if pcn in pcns and first <= month <= last
            ),
            key=lambda row: row[:4],
        )
        return LatticeRows(tally, outcomes)

    async def service_labels(self, service_ids: list[str]) -> dict[str, ServiceLabel]:
        return {s: self.labels[s] for s in service_ids if s in self.labels}

    async def gaps(
        self, pcns: list[str], practice: str | None, start: datetime, end: datetime
    ) -> dict[tuple[str, str], GapCounts]:
        return dict(self.gap_counts)
