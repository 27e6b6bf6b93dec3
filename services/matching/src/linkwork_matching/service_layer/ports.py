"""Ports of matching's use cases, owned by the service layer; the asyncpg adapters are adapters/match_store.py,
adapters/unit_of_work.py and, for the index following the read model, adapters/read_model.py.

Protocols, so the matching rules (one suggestion set per referral version, stale versions ignored, gaps
observed and reported once a period, the index following committed changes in order) are unit-tested against
in-memory fakes (services/matching/tests/matching_fakes.py).

Event handlers run inside the consumer's transaction, which also records the event in the inbox: they take
their records `joining` that transaction (`MatchingUnitOfWork.joining`), so what they change commits with
the event's receipt.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from linkwork_contracts.codes import NeedCategory
from linkwork_contracts.events import MatchesSuggestedV1, ProvisionGapV1, ReferralCreatedV1, ServiceChangedV1
from linkwork_runtime.messaging.handlers import ConsumerTransaction as ConsumerTransaction
from prometheus_client import Counter, Gauge, Histogram

from linkwork_matching.domain.attendance import Attendance
from linkwork_matching.domain.effectiveness import OutcomeTally
from linkwork_matching.domain.gaps import GapObservation, GapTally, OpenGap
from linkwork_matching.domain.person import Person
from linkwork_matching.domain.ranker import Suggestions
from linkwork_matching.domain.service import Service


class MatchCounts(Protocol):
    """What a match counts for Prometheus (adapters/metrics.py); read-only, so the adapter's attributes fit."""

    @property
    def rank_seconds(self) -> Histogram: ...

    @property
    def suggestion_sets(self) -> Counter: ...

    @property
    def unmet_needs(self) -> Counter: ...


class MatchingStore(Protocol):
    """What matching one referral may do, all inside the consumer's transaction for that record."""

    async def save_referral(self, event: ReferralCreatedV1) -> bool:
        """Keep the referral unless a later version is held; False means this version is stale."""
        ...

    async def has_suggestions(self, referral_id: UUID, version: int) -> bool: ...

    # Reading and writing contract events is the adapters' job (adapters/contract_events.py).
    def person_of(self, referral: ReferralCreatedV1) -> Person: ...

    def suggestions_message(
        self,
        referral: ReferralCreatedV1,
        person: Person,
        suggestions: Suggestions,
        *,
        suggested_at: datetime,
        ranker_version: str,
    ) -> MatchesSuggestedV1: ...

    async def save_suggestions(self, message: MatchesSuggestedV1) -> bool:
        """Record the set; False if one already exists for this referral version."""
        ...

    async def publish(self, message: MatchesSuggestedV1) -> None:
        """Add the message to the outbox, sent once the transaction commits."""
        ...

    async def record_gaps(
        self, referral_id: UUID, version: int, observations: list[GapObservation], now: datetime
    ) -> None: ...


class LearningRecords(Protocol):
    """What people's plans and follow-ups say about services, and the outcome tallies per service and need
    built from them. Each `save_...` keeps the best word so far and says whether this one was kept."""

    async def save_baseline(self, referral_id: UUID, plan_version: int, swemwbs_metric: float | None) -> bool:
        """The plan's baseline wellbeing, unless a later plan version is held (a missing score keeps the
        one held)."""
        ...

    async def save_follow_up_wellbeing(self, referral_id: UUID, swemwbs_metric: float, measured_at: datetime) -> bool:
        """The referral's latest follow-up wellbeing score, unless a later one is held."""
        ...

    async def save_attendance(self, attendance: Attendance) -> bool:
        """Whether the person took part in one planned activity, unless the word held replaces this one
        (`Attendance.replaces`)."""
        ...

    async def observed_activities(self, referral_id: UUID) -> list[tuple[UUID, NeedCategory]]:
        """The (service, need) pairs the referral has an attendance for, in that order."""
        ...

    async def refresh_tally(self, service_id: UUID, need: NeedCategory) -> None:
        """Recompute the service's tally for the need from what is held, as a new change the index follows."""
        ...


class ServiceSnapshots(Protocol):
    """The read model's latest snapshot of each directory service."""

    async def save(self, event: ServiceChangedV1, data: dict[str, Any] | None = None) -> bool:
        """Keep the snapshot unless a later revision is held; True if kept. `data` is the event's JSON as
        received, when the caller has it (it saves serialising the event again)."""
        ...


class MatchingSession(Protocol):
    """Matching's records inside one transaction."""

    @property
    def referrals(self) -> MatchingStore: ...

    @property
    def learning(self) -> LearningRecords: ...

    @property
    def snapshots(self) -> ServiceSnapshots: ...


class MatchingUnitOfWork(Protocol):
    """Matching's records within a transaction. Unlike referral's and the directory's, it only joins, for only
    the handlers need these records: gap reporting opens its own transactions through `GapReports`, and the
    start-up replay stores a whole batch in one statement on a connection of its own
    (workers/read_model_replay.py)."""

    def joining(self, transaction: ConsumerTransaction) -> MatchingSession:
        """The records inside a transaction its caller owns and ends (the consumer's inbox transaction a
        handler runs in): what they change commits or rolls back with that transaction, never on its own."""
        ...


class ReferralReader(Protocol):
    """The reads behind the HTTP routes."""

    async def referral(self, referral_id: UUID) -> ReferralCreatedV1 | None: ...

    def person_of(self, referral: ReferralCreatedV1) -> Person:
        """The referral's person as matching sees them (reading a contract event is the adapters' job)."""
        ...

    async def latest_suggestions(self, referral_id: UUID) -> tuple[str, dict[str, Any]] | None:
        """The referral's PCN and its newest suggestion set, if any."""
        ...


class GapReportStore(Protocol):
    """What one gap-reporting transaction may do; the open gaps it claims stay locked until it commits."""

    async def claim_open_gaps(self) -> list[OpenGap]: ...

    def report_for(self, tally: GapTally, now: datetime) -> ProvisionGapV1:
        """The provision-gap event of one area and need (mapping to a contract event is the adapters' job)."""
        ...

    async def publish(self, message: ProvisionGapV1) -> None:
        """Add the report to the outbox, sent once the transaction commits."""
        ...

    async def mark_reported(self, gap: OpenGap, now: datetime) -> None: ...

    async def prune(self, older_than: timedelta, now: datetime) -> int:
        """Forget observations no report will need again; returns how many."""
        ...


class GapReports(Protocol):
    """Where gap-reporting transactions come from (the asyncpg pool in production)."""

    def transaction(self) -> AbstractAsyncContextManager[GapReportStore]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        ...


class GapCounts(Protocol):
    """What gap reporting counts for Prometheus (adapters/metrics.py)."""

    @property
    def gap_reports(self) -> Counter: ...


@dataclass(frozen=True, slots=True)
class TallyChange:
    """A service's outcome tally for a need as of change number `change_seq`."""

    change_seq: int
    service_id: str
    need: NeedCategory
    tally: OutcomeTally


class ReadModelChanges(Protocol):
    """The read model's committed changes, by change number, as the in-memory index follows them; each call
    returns the next batch after `after` (empty once nothing is left)."""

    async def changed_services(self, after: int) -> list[tuple[int, Service]]: ...

    async def changed_tallies(self, after: int) -> list[TallyChange]: ...


class IndexCounts(Protocol):
    """What following the read model shows in Prometheus (adapters/metrics.py)."""

    @property
    def index_services(self) -> Gauge: ...
