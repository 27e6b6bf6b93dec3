"""In-memory stand-ins for matching's ports (service_layer/ports.py), for use-case tests in milliseconds.

The asyncpg adapters (adapters/match_store.py, adapters/unit_of_work.py) keep their integration tests against
PostgreSQL; these fakes only have to keep the ports' promises; they translate contract events as the adapters
do (ContractEvents).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.events import MatchesSuggestedV1, ProvisionGapV1, ReferralCreatedV1, ServiceChangedV1
from linkwork_matching.adapters.contract_events import ContractEvents
from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.domain.effectiveness import OutcomeTally
from linkwork_matching.domain.gaps import GapObservation, OpenGap
from linkwork_matching.domain.service import Service
from linkwork_matching.service_layer.ports import TallyChange
from linkwork_runtime.testing import FakeTransaction


class FakeMatchingStore(ContractEvents):
    def __init__(self) -> None:
        self.referrals: dict[UUID, ReferralCreatedV1] = {}
        self.suggestion_sets: dict[tuple[UUID, int], MatchesSuggestedV1] = {}
        self.outbox: list[MatchesSuggestedV1] = []
        self.gaps: list[tuple[UUID, int, GapObservation]] = []

    async def save_referral(self, event: ReferralCreatedV1) -> bool:
        held = self.referrals.get(event.referral_id)
        if held is not None and held.version > event.version:
            return False
        self.referrals[event.referral_id] = event
        return True

    async def has_suggestions(self, referral_id: UUID, version: int) -> bool:
        return (referral_id, version) in self.suggestion_sets

    async def save_suggestions(self, message: MatchesSuggestedV1) -> bool:
        key = (message.referral_id, message.referral_version)
        if key in self.suggestion_sets:
            return False
        self.suggestion_sets[key] = message
        return True

    async def publish(self, message: MatchesSuggestedV1) -> None:
        self.outbox.append(message)

    async def record_gaps(
        self, referral_id: UUID, version: int, observations: list[GapObservation], now: datetime
    ) -> None:
        self.gaps.extend((referral_id, version, o) for o in observations)

    # The reads, so that one fake serves both ports.
    async def referral(self, referral_id: UUID) -> ReferralCreatedV1 | None:
        return self.referrals.get(referral_id)

    async def latest_suggestions(self, referral_id: UUID) -> tuple[str, dict[str, Any]] | None:
        versions = [v for r, v in self.suggestion_sets if r == referral_id]
        if not versions:
            return None
        latest = self.suggestion_sets[referral_id, max(versions)]
        return self.referrals[referral_id].pcn_code, latest.model_dump(mode="json")


class FakeLearningRecords:
    """What plans and follow-ups said, kept by the rules adapters/learning_store.py's statements keep; a tally
    refresh is recorded, in order, rather than computed (the sums are the adapter's, tested against PostgreSQL)."""

    def __init__(self) -> None:
        self.baselines: dict[UUID, tuple[int, float | None]] = {}  # referral -> (plan version, SWEMWBS metric)
        self.follow_ups: dict[UUID, tuple[float, datetime]] = {}  # referral -> (SWEMWBS metric, measured at)
        self.observations: dict[tuple[UUID, UUID, NeedCategory], Attendance] = {}  # (referral, service, need)
        self.refreshed: list[tuple[UUID, NeedCategory]] = []

    async def save_baseline(self, referral_id: UUID, plan_version: int, swemwbs_metric: float | None) -> bool:
        held = self.baselines.get(referral_id)
        if held is not None and held[0] > plan_version:
            return False
        kept_metric = held[1] if held is not None and swemwbs_metric is None else swemwbs_metric
        self.baselines[referral_id] = (plan_version, kept_metric)
        return True

    async def save_follow_up_wellbeing(self, referral_id: UUID, swemwbs_metric: float, measured_at: datetime) -> bool:
        held = self.follow_ups.get(referral_id)
        if held is not None and held[1] > measured_at:
            return False
        self.follow_ups[referral_id] = (swemwbs_metric, measured_at)
        return True

    async def save_attendance(self, attendance: Attendance) -> bool:
        key = (attendance.referral_id, attendance.service_id, attendance.need)
        held = self.observations.get(key)
        if held is not None and not attendance.replaces(held):
            return False
        self.observations[key] = attendance
        return True

    async def observed_activities(self, referral_id: UUID) -> list[tuple[UUID, NeedCategory]]:
        return sorted(
            ((service_id, need) for referral, service_id, need in self.observations if referral == referral_id),
            key=lambda pair: (pair[0], pair[1].value),
        )

    async def refresh_tally(self, service_id: UUID, need: NeedCategory) -> None:
        self.refreshed.append((service_id, need))


class FakeServiceSnapshots:
    """The latest snapshot of each service: its revision and the data stored."""

    def __init__(self) -> None:
        self.held: dict[UUID, tuple[int, dict[str, Any]]] = {}

    async def save(self, event: ServiceChangedV1, data: dict[str, Any] | None = None) -> bool:
        held = self.held.get(event.service_id)
        if held is not None and held[0] >= event.revision:
            return False
        self.held[event.service_id] = (event.revision, data if data is not None else event.model_dump(mode="json"))
        return True


@dataclass
class FakeMatchingSession:
    referrals: FakeMatchingStore = field(default_factory=FakeMatchingStore)
    learning: FakeLearningRecords = field(default_factory=FakeLearningRecords)
    snapshots: FakeServiceSnapshots = field(default_factory=FakeServiceSnapshots)


class FakeMatchingUnitOfWork:
    """Matching's records in memory: `committed` is what a transaction that ended well left."""

    def __init__(self) -> None:
        self.committed = FakeMatchingSession()

    # What a transaction writes: every record of the three holders.
    _TABLES = (
        "referrals.referrals",
        "referrals.suggestion_sets",
        "referrals.outbox",
        "referrals.gaps",
        "learning.baselines",
        "learning.follow_ups",
        "learning.observations",
        "learning.refreshed",
        "snapshots.held",
    )

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeMatchingSession]:
        """Stands for the consumer's inbox transaction in the unit tests: its records are a copy (a
        FakeTransaction's), and what it wrote is kept only when the block ends without raising."""
        transaction = FakeTransaction(self.committed, tables=self._TABLES)
        yield transaction.stored
        transaction.commit(self.committed)

    def joining(self, transaction: FakeMatchingSession) -> FakeMatchingSession:
        """The consumer's transaction is a session the test opened with `transaction()`: joining it writes
        into that session."""
        return transaction


class FakeGapReportStore(ContractEvents):
    """Both ports of gap reporting: the store, and the unit of work whose every transaction is this store
    (nothing is rolled back: the use-case tests do not need it)."""

    def __init__(self, open_gaps: list[OpenGap]) -> None:
        self.open_gaps = open_gaps
        self.outbox: list[ProvisionGapV1] = []
        self.reported: list[tuple[OpenGap, datetime]] = []
        self.pruned: list[tuple[timedelta, datetime]] = []

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeGapReportStore]:
        yield self

    async def claim_open_gaps(self) -> list[OpenGap]:
        return [gap for gap in self.open_gaps if gap not in {g for g, _ in self.reported}]

    async def publish(self, message: ProvisionGapV1) -> None:
        self.outbox.append(message)

    async def mark_reported(self, gap: OpenGap, now: datetime) -> None:
        self.reported.append((gap, now))

    async def prune(self, older_than: timedelta, now: datetime) -> int:
        self.pruned.append((older_than, now))
        return 0


class FakeReadModelChanges:
    """The read model's changes in memory, handed out `batch` at a time as the adapter's LIMIT does."""

    def __init__(self, batch: int = 2) -> None:
        self.batch = batch
        self.services: list[tuple[int, Service]] = []
        self.tallies: list[TallyChange] = []
        self._last_seq = 0

    def change_service(self, service: Service) -> None:
        self._last_seq += 1
        self.services.append((self._last_seq, service))

    def change_tally(self, service_id: str, need: NeedCategory, tally: OutcomeTally) -> None:
        self._last_seq += 1
        self.tallies.append(TallyChange(self._last_seq, service_id, need, tally))

    async def changed_services(self, after: int) -> list[tuple[int, Service]]:
        return [(seq, service) for seq, service in self.services if seq > after][: self.batch]

    async def changed_tallies(self, after: int) -> list[TallyChange]:
        return [change for change in self.tallies if change.change_seq > after][: self.batch]
