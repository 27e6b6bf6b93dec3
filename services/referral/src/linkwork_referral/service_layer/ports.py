"""Ports of the referral service's use cases, owned by the service layer.

The first is the unit of work of the referral's use cases (service_layer/referrals.py, create.py): one
transaction that e.g. stores the referral with its timeline and outbox events, claims the Idempotency-Key and
writes the audit record. A `Protocol`, so the rules (replay, refusal on record, all or nothing) are unit-tested
against the in-memory fake in services/referral/tests/referral_fakes.py; the asyncpg adapter
(adapters/unit_of_work.py) keeps its integration tests against PostgreSQL.

`SuggestionStore` keeps the suggestions matching sent (service_layer/suggestions.py) and `FollowUpUnitOfWork`
claims and emits due follow-ups (service_layer/scheduler.py), in the same way: fakes beside the first one,
asyncpg adapters in adapters/suggestion_store.py and adapters/follow_up_store.py.

`ActivityReferralUnitOfWork` is what the provider's steps and the response deadline
(service_layer/activity_referrals.py) change in one transaction; its asyncpg adapter is in
adapters/activity_referral_store.py.

An event handler runs inside the consumer's transaction, which also records the event in the inbox: it takes
a session `joining` that transaction (`ReferralUnitOfWork.joining`), so its effect commits with the event's
receipt, and reaches the suggestions and activity referrals through that session.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from uuid import UUID

from linkwork_contracts.events import Event, FollowUpDueV1, MatchesSuggestedV1
from linkwork_runtime.messaging.handlers import ConsumerTransaction as ConsumerTransaction
from linkwork_runtime.principal import Principal

from linkwork_referral.domain.access import CaseloadScope
from linkwork_referral.domain.activity_referral import ProviderService
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.caseload import CaseloadQuery, Page, Workload
from linkwork_referral.domain.events import DomainEvent
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.timeline import Entry


@dataclass(frozen=True)
class IdempotencyKey:
    key: str
    request_hash: str


@dataclass(frozen=True)
class EarlierRequest:
    """The request that first used an Idempotency-Key: its body's hash and the referral it made."""

    request_hash: str
    referral_id: UUID


class EventMapping(Protocol):
    """Which contract events a domain event of a referral causes (adapters/outgoing.py's `EventMapper`): what
    leaves the service is the adapters' decision."""

    def outgoing(self, referral: Referral, event: DomainEvent) -> list[Event]: ...


class ReferralSession(Protocol):
    """What one transaction of a referral use case may do; nothing of it is kept unless all of it is. A change
    reads the referral `for_update`, so concurrent changes of one referral are made one after the other."""

    async def add(self, referral: Referral) -> None:
        """Store a new referral (its events are recorded by the caller: `append_timeline`, `emit`)."""
        ...

    async def request_known(self, request_source: str, request_id: str) -> bool:
        """Whether this sending system's request (referral-requested) already made a referral."""
        ...

    async def add_requested(self, referral: Referral, request_source: str) -> bool:
        """Store a new referral a sending system requested; False (nothing stored) when that system's request
        id is already known."""
        ...

    async def get(self, referral_id: UUID, *, for_update: bool = False) -> Referral | None: ...

    async def save(self, referral: Referral) -> None: ...

    async def pcn_of(self, referral_id: UUID) -> str | None: ...

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        """Claim the key for this referral; False when another request with it committed first."""
        ...

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None: ...

    async def caseload(self, scope: CaseloadScope, query: CaseloadQuery) -> Page: ...

    async def possible_duplicates(
        self, scope: CaseloadScope, nhs_number: str, family_name: str, date_of_birth: date, postcode: str | None
    ) -> list[tuple[Referral, str]]:
        """Open referrals in `scope` that may be for the same person, each with how it matched."""
        ...

    async def workload(self, pcn: str) -> list[Workload]: ...

    async def open_referrals_of(self, pcn: str, link_worker: str) -> list[UUID]: ...

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None: ...

    async def timeline(self, referral_id: UUID) -> list[dict[str, Any]]:
        """The referral's timeline rows, oldest first (id, at, kind, actor, actor_role, summary, detail)."""
        ...

    async def emit(self, event: Event, source: str, event_id: str | None = None) -> None:
        """Add the event to the outbox (with a fixed CloudEvent id when given), published after commit."""
        ...

    async def suggestions(self) -> SuggestionStore:
        """The suggestions matching sent, within this transaction."""
        ...

    async def latest_suggestions(self, referral_id: UUID) -> dict[str, Any] | None:
        """The stored matches-suggested as JSON, as the API returns it."""
        ...

    async def activity_referrals(self) -> ActivityReferralSession:
        """The referral's activity referrals, within this transaction."""
        ...

    async def audit(self, principal: Principal, entry: AuditRecord) -> None: ...

    async def audit_as(self, subject: str, role: str, pcn: str, entry: AuditRecord) -> None:
        """An audit record for an actor that is not a signed-in person, e.g. a sending system."""
        ...

    async def audit_listing(
        self, pcn: str, *, referral_id: UUID | None, subject: str | None, before_id: int | None, limit: int
    ) -> list[dict[str, Any]]:
        """The PCN's audit log, newest first (before `before_id` when given)."""
        ...


class ReferralUnitOfWork(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[ReferralSession]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        ...

    def joining(self, transaction: ConsumerTransaction) -> ReferralSession:
        """A session inside a transaction its caller owns and ends (a consumer's inbox transaction): what it
        writes commits or rolls back with that transaction, never on its own."""
        ...

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        """An audit record in its own transaction, e.g. a refusal, kept although nothing else is."""
        ...


class SuggestionStore(Protocol):
    """The suggestions matching sent, one set per referral; works within the caller's transaction (the
    consumer's inbox transaction), so a replayed event finds what its first delivery kept."""

    async def save(self, event: MatchesSuggestedV1, event_id: str) -> bool:
        """Keep these suggestions unless ones for a higher referral version (or later within it) are stored;
        True when they were kept."""
        ...

    async def referral_exists(self, referral_id: UUID) -> bool: ...

    async def latest(self, referral_id: UUID) -> MatchesSuggestedV1 | None: ...

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None: ...


class FollowUpSession(Protocol):
    """One transaction of the follow-up scheduler: what it claims stays claimed (and locked against other
    replicas) until the transaction ends; nothing of it is kept unless all of it is."""

    async def claim_due(self, limit: int) -> tuple[list[dict[str, Any]], datetime]:
        """Up to `limit` pending follow-ups that are due (not of a referral on hold), oldest first, with the
        store's time; each row has what a follow-up-due event needs."""
        ...

    def event_for(self, row: dict[str, Any]) -> FollowUpDueV1:
        """The follow-up-due event of a claimed row (mapping to a contract event is the adapters' job);
        raises ValueError, pydantic's ValidationError included, when the row breaks the event's contract."""
        ...

    async def quarantine(self, follow_up_id: UUID, reason: str) -> None: ...

    async def emit(self, event: FollowUpDueV1, source: str) -> None:
        """Add the event to the outbox, published after commit by the relay."""
        ...

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None: ...

    async def mark_due(self, follow_up_ids: list[UUID]) -> None: ...


class FollowUpUnitOfWork(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[FollowUpSession]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        ...


class Row(Protocol):
    """A stored row read by column name: an activity_referrals (or provider_services, activity_sessions) row
    as the adapter returns it (an asyncpg record; a dict in the fake)."""

    def __getitem__(self, column: str, /) -> Any: ...


class ActivityReferralSession(Protocol):
    """One transaction over activity referrals: a row read `lock=True` or claimed stays locked until it ends
    (claims skip rows another transaction holds); nothing of it is kept unless all of it is. A changed row is
    returned as it now stands, its revision raised where a provider's answer changed."""

    async def upsert_provider_service(self, service: ProviderService) -> None:
        """A higher revision replaces a lower one; a replayed or older snapshot changes nothing."""
        ...

    async def referral_taking_service(self, service_id: UUID) -> ProviderService | None: ...

    async def add_activity_referral(self, **values: Any) -> Row | None:
        """The new row, or None when this referral already has one for this service."""
        ...

    async def add_email(self, row: Row, kind: str, at: datetime) -> None:
        """An email intent to the row's provider, once per activity referral and kind."""
        ...

    async def of_organisation(self, organisation: UUID, state: str | None) -> list[Row]: ...

    async def one_of_organisation(
        self, organisation: UUID, activity_referral_id: UUID, *, lock: bool
    ) -> Row | None: ...

    async def sessions(self, activity_referral_id: UUID) -> list[Row]: ...

    async def accept(self, row_id: UUID, at: datetime, starts_on: date | None) -> Row: ...

    async def decline(self, row_id: UUID, at: datetime, reason: str) -> Row: ...

    async def set_start(self, row_id: UUID, starts_on: date) -> Row: ...

    async def record_session(self, row_id: UUID, session_on: date, attendance: str, at: datetime) -> Row:
        """Record (or correct) one session; the row with its attended count brought up to date."""
        ...

    async def complete(self, row_id: UUID, at: datetime) -> Row: ...

    async def claim_reminders(self, now: datetime, limit: int) -> list[Row]:
        """Awaiting an answer, reminder due and not sent, deadline not yet passed."""
        ...

    async def mark_reminded(self, row_id: UUID, at: datetime) -> None: ...

    async def claim_expired(self, now: datetime, limit: int) -> list[Row]:
        """Awaiting an answer past the deadline."""
        ...

    async def withdraw_unanswered(self, referral_id: UUID) -> list[Row]:
        """The referral's activity referrals still awaiting an answer, now withdrawn."""
        ...

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None: ...

    async def emit(self, event: Event, source: str) -> None:
        """Add the event to the outbox, published after commit by the relay."""
        ...

    async def audit(self, principal: Principal, entry: AuditRecord) -> None: ...


class ActivityReferralUnitOfWork(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[ActivityReferralSession]:
        """One transaction: committed when the block ends, rolled back when it raises."""
        ...
