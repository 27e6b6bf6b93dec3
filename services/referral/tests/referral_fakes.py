"""In-memory stand-ins for the referral service's ports (service_layer/ports.py), for use-case tests in
milliseconds. The asyncpg adapter (adapters/unit_of_work.py) keeps its integration tests against PostgreSQL;
this fake only has to keep the port's promises, above all: nothing of a transaction is kept unless all is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from linkwork_contracts.events import FollowUpDueV1, MatchesSuggestedV1
from linkwork_referral.adapters.outgoing import follow_up_due
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.events import DomainEvent
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import EarlierRequest, IdempotencyKey
from linkwork_runtime.principal import Principal


@dataclass
class Stored:
    """What the fake database holds; a transaction works on a copy that replaces it only on commit."""

    referrals: dict[UUID, Referral] = field(default_factory=dict)
    keys: dict[tuple[str, str], EarlierRequest] = field(default_factory=dict)
    outbox: list[tuple[UUID, DomainEvent, str]] = field(default_factory=list)  # (referral, event, actor)
    audit: list[tuple[str, AuditRecord]] = field(default_factory=list)  # (subject, entry)

    def copy(self) -> Stored:
        return Stored(dict(self.referrals), dict(self.keys), list(self.outbox), list(self.audit))


class FakeCreateSession:
    def __init__(self, unit_of_work: FakeReferralUnitOfWork) -> None:
        self._unit_of_work = unit_of_work
        self.stored = unit_of_work.stored.copy()

    async def add(self, referral: Referral, actor: str, role: str) -> None:
        self.stored.referrals[referral.id] = referral
        self.stored.outbox.extend((referral.id, event, actor) for event in referral.take_events())

    async def get(self, referral_id: UUID) -> Referral | None:
        return self.stored.referrals.get(referral_id)

    async def claim_key(self, subject: str, key: IdempotencyKey, referral_id: UUID) -> bool:
        self._unit_of_work.rival_commits()
        # A unique key: one committed meanwhile by another transaction counts too.
        if (subject, key.key) in self.stored.keys | self._unit_of_work.stored.keys:
            return False
        self.stored.keys[subject, key.key] = EarlierRequest(key.request_hash, referral_id)
        return True

    async def earlier_request(self, subject: str, key: str) -> EarlierRequest | None:
        return self.stored.keys.get((subject, key))

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        self.stored.audit.append((principal.subject, entry))


class FakeReferralUnitOfWork:
    def __init__(self) -> None:
        self.stored = Stored()
        # A concurrent request with the same key, committed while ours is inside its transaction.
        self.rival: tuple[str, IdempotencyKey, Referral] | None = None

    def rival_commits(self) -> None:
        if self.rival is not None:
            subject, key, referral = self.rival
            self.stored.referrals[referral.id] = referral
            self.stored.keys[subject, key.key] = EarlierRequest(key.request_hash, referral.id)
            self.rival = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeCreateSession]:
        session = FakeCreateSession(self)
        yield session
        # Reached only when the block did not raise: the commit. Keys the rival committed stay.
        session.stored.keys |= self.stored.keys
        session.stored.referrals = self.stored.referrals | session.stored.referrals
        self.stored = session.stored

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        self.stored.audit.append((principal.subject, entry))

    def actions(self) -> list[tuple[str, str]]:
        return [(entry.action, entry.outcome) for _, entry in self.stored.audit]


@dataclass(frozen=True)
class TimelineRow:
    referral_id: UUID
    at: datetime
    entry: Entry
    actor: str | None
    actor_role: str | None


class FakeSuggestionStore:
    """The `SuggestionStore` port: one set per referral, replaced only by a higher (version, suggested_at)."""

    def __init__(self, referrals: set[UUID] | None = None) -> None:
        self.referrals = set() if referrals is None else referrals
        self.suggestions: dict[UUID, tuple[MatchesSuggestedV1, str]] = {}  # referral -> (event, event id)
        self.timeline: list[TimelineRow] = []

    async def save(self, event: MatchesSuggestedV1, event_id: str) -> bool:
        kept = self.suggestions.get(event.referral_id)
        if kept is not None and (event.referral_version, event.suggested_at) <= (
            kept[0].referral_version,
            kept[0].suggested_at,
        ):
            return False
        self.suggestions[event.referral_id] = (event, event_id)
        return True

    async def referral_exists(self, referral_id: UUID) -> bool:
        return referral_id in self.referrals

    async def latest(self, referral_id: UUID) -> MatchesSuggestedV1 | None:
        kept = self.suggestions.get(referral_id)
        return None if kept is None else kept[0]

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None:
        self.timeline.append(TimelineRow(referral_id, at, entry, actor, actor_role))


@dataclass
class FollowUpRow:
    """A follow_ups row joined with its referral's columns, as the fake stores it."""

    id: UUID
    referral_id: UUID
    sequence: int
    due_at: datetime
    link_worker: str | None = "lw-1"
    pcn: str = "U12345"
    person_ref: str = "0" * 64
    kind: str = "follow-up"
    on_hold: bool = False
    state: str = "pending"
    quarantine_reason: str | None = None

    def claimed(self) -> dict[str, Any]:
        """What the adapter's claim returns for this row."""
        return {
            "id": self.id,
            "referral_id": self.referral_id,
            "sequence": self.sequence,
            "kind": self.kind,
            "due_on": self.due_at.date(),
            "person_ref": self.person_ref,
            "pcn": self.pcn,
            "link_worker": self.link_worker,
        }


@dataclass
class FollowUpsStored:
    rows: dict[UUID, FollowUpRow] = field(default_factory=dict)
    outbox: list[tuple[FollowUpDueV1, str]] = field(default_factory=list)  # (event, source)
    timeline: list[TimelineRow] = field(default_factory=list)

    def copy(self) -> FollowUpsStored:
        rows = {key: FollowUpRow(**row.__dict__) for key, row in self.rows.items()}
        return FollowUpsStored(rows, list(self.outbox), list(self.timeline))


class FakeFollowUpSession:
    def __init__(self, unit_of_work: FakeFollowUps) -> None:
        self._unit_of_work = unit_of_work
        self.stored = unit_of_work.stored.copy()
        self.claimed: set[UUID] = set()

    async def claim_due(self, limit: int) -> tuple[list[dict[str, Any]], datetime]:
        now = self._unit_of_work.now
        # Rows another open transaction claimed are locked: skipped, as FOR UPDATE SKIP LOCKED does.
        due = sorted(
            (
                row
                for row in self.stored.rows.values()
                if row.state == "pending"
                and row.due_at <= now
                and not row.on_hold
                and row.id not in self._unit_of_work.locked
            ),
            key=lambda row: (row.due_at, row.id),
        )[:limit]
        self.claimed.update(row.id for row in due)
        self._unit_of_work.locked |= self.claimed
        return [row.claimed() for row in due], now

    def event_for(self, row: dict[str, Any]) -> FollowUpDueV1:
        return follow_up_due(row)  # the real mapping: quarantine is tested on the contract's own rules

    async def quarantine(self, follow_up_id: UUID, reason: str) -> None:
        row = self.stored.rows[follow_up_id]
        row.state, row.quarantine_reason = "quarantined", reason

    async def emit(self, event: FollowUpDueV1, source: str) -> None:
        if self._unit_of_work.fail_on_emit:
            raise ConnectionError("the outbox insert failed")
        self.stored.outbox.append((event, source))

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None:
        self.stored.timeline.append(TimelineRow(referral_id, at, entry, actor, actor_role))

    async def mark_due(self, follow_up_ids: list[UUID]) -> None:
        for follow_up_id in follow_up_ids:
            self.stored.rows[follow_up_id].state = "due"


class FakeFollowUps:
    """The `FollowUpUnitOfWork` port: a transaction works on a copy that replaces what is stored only on commit."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.stored = FollowUpsStored()
        self.locked: set[UUID] = set()
        self.fail_on_emit = False

    def add(self, row: FollowUpRow) -> None:
        self.stored.rows[row.id] = row

    def states(self) -> dict[UUID, tuple[str, str | None]]:
        return {row.id: (row.state, row.quarantine_reason) for row in self.stored.rows.values()}

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeFollowUpSession]:
        session = FakeFollowUpSession(self)
        try:
            yield session
            self.stored = session.stored  # reached only when the block did not raise: the commit
        finally:
            self.locked -= session.claimed
