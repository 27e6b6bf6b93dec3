"""In-memory stand-ins for the referral service's ports (service_layer/ports.py), for use-case tests in
milliseconds. The asyncpg adapter (adapters/unit_of_work.py) keeps its integration tests against PostgreSQL;
this fake only has to keep the port's promises, above all: nothing of a transaction is kept unless all is, and
two overlapping transactions never silently lose one's writes (FakeTransaction)."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar
from uuid import UUID, uuid4

from linkwork_contracts.events import Event, FollowUpDueV1, MatchesSuggestedV1
from linkwork_referral.adapters.outgoing import follow_up_due
from linkwork_referral.domain.activity_referral import ProviderService
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.events import DomainEvent
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.ports import EarlierRequest, IdempotencyKey
from linkwork_runtime.principal import Principal
from linkwork_runtime.testing import FakeTransaction


@dataclass(frozen=True)
class TimelineRow:
    referral_id: UUID
    at: datetime
    entry: Entry
    actor: str | None
    actor_role: str | None


@dataclass
class Stored:
    """What the fake database holds; a transaction works on a copy (FakeTransaction)."""

    referrals: dict[UUID, Referral] = field(default_factory=dict)
    keys: dict[tuple[str, str], EarlierRequest] = field(default_factory=dict)
    outbox: list[tuple[UUID, DomainEvent, str]] = field(default_factory=list)  # (referral, event, actor)
    audit: list[tuple[str, AuditRecord]] = field(default_factory=list)  # (subject, entry)
    timeline: list[TimelineRow] = field(default_factory=list)
    emitted: list[tuple[Event, str, str | None]] = field(default_factory=list)  # (event, source, event id)
    requests: dict[tuple[str, str], UUID] = field(default_factory=dict)  # (sending system, request id) -> referral


class FakeReferralSession(FakeTransaction):
    """The `ReferralSession` port, as far as the unit tests use it (making, reading and changing referrals)."""

    stored: Stored

    def __init__(self, unit_of_work: FakeReferralUnitOfWork) -> None:
        super().__init__(unit_of_work.stored)
        self._unit_of_work = unit_of_work
        self.activities: FakeActivityReferralSession | None = None

    async def add(self, referral: Referral) -> None:
        self.stored.referrals[referral.id] = referral

    async def request_known(self, request_source: str, request_id: str) -> bool:
        # A statement sees what other transactions committed before it (READ COMMITTED), as claim_key's does.
        request = (request_source, request_id)
        return request in self.stored.requests or request in self._unit_of_work.stored.requests

    async def add_requested(self, referral: Referral, request_source: str) -> bool:
        assert referral.request_id is not None
        # The adapter's insert is ON CONFLICT DO NOTHING: a request another transaction committed meanwhile
        # makes it store nothing and say so, not fail the commit as a changed row would.
        if await self.request_known(request_source, referral.request_id):
            return False
        self.stored.requests[request_source, referral.request_id] = referral.id
        await self.add(referral)
        return True

    async def get(self, referral_id: UUID, *, for_update: bool = False) -> Referral | None:
        # A copy, as a database hands out: changing it changes nothing stored until it is saved and committed.
        return copy.deepcopy(self.stored.referrals.get(referral_id))

    async def save(self, referral: Referral) -> None:
        self.stored.referrals[referral.id] = referral

    async def pcn_of(self, referral_id: UUID) -> str | None:
        referral = self.stored.referrals.get(referral_id)
        return None if referral is None else referral.pcn

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None:
        self.stored.timeline.append(TimelineRow(referral_id, at, entry, actor, actor_role))

    async def emit(self, event: Event, source: str, event_id: str | None = None) -> None:
        self.stored.emitted.append((event, source, event_id))

    async def activity_referrals(self) -> FakeActivityReferralSession:
        if self.activities is None:
            self.activities = self._unit_of_work.activities.session()
        return self.activities

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

    async def audit_as(self, subject: str, role: str, pcn: str, entry: AuditRecord) -> None:
        self.stored.audit.append((subject, entry))


class FakeReferralUnitOfWork:
    def __init__(self) -> None:
        self.stored = Stored()
        self.activities = FakeActivityReferrals()  # the activity referrals, in the same transactions
        # A concurrent request with the same key, committed while ours is inside its transaction.
        self.rival: tuple[str, IdempotencyKey, Referral] | None = None

    def rival_commits(self) -> None:
        if self.rival is not None:
            subject, key, referral = self.rival
            self.stored.referrals[referral.id] = referral
            self.stored.keys[subject, key.key] = EarlierRequest(key.request_hash, referral.id)
            self.rival = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[FakeReferralSession]:
        session = FakeReferralSession(self)
        yield session
        # Reached only when the block did not raise: the commit, of the activity referrals too. Both are
        # checked before either is written, so that a conflict in one keeps nothing of the other.
        session.refuse_conflicts(self.stored)
        if session.activities is not None:
            session.activities.commit(self.activities.stored)
        session.commit(self.stored)

    def joining(self, transaction: FakeReferralSession) -> FakeReferralSession:
        """The consumer's transaction in the unit tests is a session of this unit of work that the test opened
        with `transaction()`, standing for the inbox transaction: joining it writes into that session."""
        return transaction

    async def audit_alone(self, principal: Principal, entry: AuditRecord) -> None:
        self.stored.audit.append((principal.subject, entry))

    def actions(self) -> list[tuple[str, str]]:
        return [(entry.action, entry.outcome) for _, entry in self.stored.audit]


async def record_events(session: FakeReferralSession, referral: Referral, actor: str | None, role: str | None) -> None:
    """Stands in for the service's `record_changes`: the referral's domain events, as they are, in its outbox."""
    session.stored.outbox.extend((referral.id, event, actor) for event in referral.take_events())


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


class ClaimingSession(FakeTransaction):
    """A transaction that claims rows as `FOR UPDATE SKIP LOCKED` does: the other transactions of its unit of
    work skip them until it ends."""

    _unit_of_work: ClaimingUnitOfWork[Any]

    def __init__(self, unit_of_work: ClaimingUnitOfWork[Any]) -> None:
        super().__init__(unit_of_work.stored)
        self._unit_of_work = unit_of_work
        self.claimed: set[UUID] = set()

    def _lock(self, row_ids: Iterable[UUID]) -> None:
        self.claimed.update(row_ids)
        self._unit_of_work.locked |= self.claimed

    def _locked(self, row_id: UUID) -> bool:
        return row_id in self._unit_of_work.locked


Session = TypeVar("Session", bound=ClaimingSession)


class ClaimingUnitOfWork(Generic[Session]):
    """A unit of work whose transaction (a ClaimingSession) works on a copy written only on commit, and holds the
    rows it claimed locked until it ends."""

    stored: Any

    def __init__(self) -> None:
        self.locked: set[UUID] = set()

    def session(self) -> Session:
        raise NotImplementedError

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        session = self.session()
        try:
            yield session
            session.commit(self.stored)  # reached only when the block did not raise
        finally:
            self.locked -= session.claimed


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


class FakeFollowUpSession(ClaimingSession):
    stored: FollowUpsStored
    _unit_of_work: FakeFollowUps

    async def claim_due(self, limit: int) -> tuple[list[dict[str, Any]], datetime]:
        now = self._unit_of_work.now
        # Rows another open transaction claimed are locked: skipped, as FOR UPDATE SKIP LOCKED does.
        due = sorted(
            (
                row
                for row in self.stored.rows.values()
                if row.state == "pending" and row.due_at <= now and not row.on_hold and not self._locked(row.id)
            ),
            key=lambda row: (row.due_at, row.id),
        )[:limit]
        self._lock(row.id for row in due)
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


class FakeFollowUps(ClaimingUnitOfWork["FakeFollowUpSession"]):
    """The `FollowUpUnitOfWork` port."""

    def __init__(self, now: datetime) -> None:
        super().__init__()
        self.now = now
        self.stored = FollowUpsStored()
        self.fail_on_emit = False

    def add(self, row: FollowUpRow) -> None:
        self.stored.rows[row.id] = row

    def states(self) -> dict[UUID, tuple[str, str | None]]:
        return {row.id: (row.state, row.quarantine_reason) for row in self.stored.rows.values()}

    def session(self) -> FakeFollowUpSession:
        return FakeFollowUpSession(self)


@dataclass
class ActivityReferralsStored:
    """The fake's provider_services, activity_referrals (as dicts, the columns the table has), sessions, email
    intents, timeline, outbox and audit log."""

    services: dict[UUID, ProviderService] = field(default_factory=dict)
    rows: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    sessions: dict[tuple[UUID, date], dict[str, Any]] = field(default_factory=dict)
    emails: list[tuple[UUID, str]] = field(default_factory=list)  # (activity referral, kind)
    timeline: list[TimelineRow] = field(default_factory=list)
    outbox: list[tuple[Event, str]] = field(default_factory=list)  # (event, source)
    audit: list[tuple[str, AuditRecord]] = field(default_factory=list)  # (subject, entry)


class FakeActivityReferralSession(ClaimingSession):
    stored: ActivityReferralsStored

    async def upsert_provider_service(self, service: ProviderService) -> None:
        kept = self.stored.services.get(service.service_id)
        if kept is None or kept.revision < service.revision:
            self.stored.services[service.service_id] = service

    async def referral_taking_service(self, service_id: UUID) -> ProviderService | None:
        service = self.stored.services.get(service_id)
        return service if service is not None and service.takes_referrals else None

    async def add_activity_referral(self, **values: Any) -> dict[str, Any] | None:
        if any(
            (r["referral_id"], r["service_id"]) == (values["referral_id"], values["service_id"]) for r in self._all()
        ):
            return None
        row = {
            "id": uuid4(),
            **values,
            "state": "awaiting-response",
            "reminded_at": None,
            "responded_at": None,
            "decline_reason": None,
            "starts_on": None,
            "revision": 0,
            "sessions_attended": 0,
            "completed_at": None,
        }
        self.stored.rows[row["id"]] = row
        return dict(row)

    async def add_email(self, row: Any, kind: str, at: datetime) -> None:
        if (row["id"], kind) not in self.stored.emails:
            self.stored.emails.append((row["id"], kind))

    async def of_organisation(self, organisation: UUID, state: str | None) -> list[dict[str, Any]]:
        rows = [r for r in self._all() if r["organization_id"] == organisation and state in (None, r["state"])]
        return sorted(rows, key=lambda r: r["referred_at"], reverse=True)

    async def one_of_organisation(
        self, organisation: UUID, activity_referral_id: UUID, *, lock: bool
    ) -> dict[str, Any] | None:
        row = self.stored.rows.get(activity_referral_id)
        if row is None or row["organization_id"] != organisation:
            return None
        if lock:
            self._lock([row["id"]])
        return dict(row)

    async def sessions(self, activity_referral_id: UUID) -> list[dict[str, Any]]:
        found = [s for (owner, _), s in self.stored.sessions.items() if owner == activity_referral_id]
        return sorted(found, key=lambda s: s["session_on"])

    async def accept(self, row_id: UUID, at: datetime, starts_on: date | None) -> dict[str, Any]:
        return self._change(row_id, True, state="accepted", responded_at=at, starts_on=starts_on)

    async def decline(self, row_id: UUID, at: datetime, reason: str) -> dict[str, Any]:
        return self._change(row_id, True, state="declined", responded_at=at, decline_reason=reason, starts_on=None)

    async def set_start(self, row_id: UUID, starts_on: date) -> dict[str, Any]:
        return self._change(row_id, True, starts_on=starts_on)

    async def record_session(self, row_id: UUID, session_on: date, attendance: str, at: datetime) -> dict[str, Any]:
        self.stored.sessions[row_id, session_on] = {
            "session_on": session_on,
            "attendance": attendance,
            "recorded_at": at,
        }
        attended = sum(
            1 for (owner, _), s in self.stored.sessions.items() if owner == row_id and s["attendance"] == "attended"
        )
        return self._change(row_id, False, sessions_attended=attended)

    async def complete(self, row_id: UUID, at: datetime) -> dict[str, Any]:
        return self._change(row_id, False, state="completed", completed_at=at)

    async def claim_reminders(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        due = [
            r
            for r in self._unlocked()
            if r["state"] == "awaiting-response"
            and r["reminded_at"] is None
            and r["remind_at"] <= now < r["respond_by"]
        ]
        return self._claim(sorted(due, key=lambda r: (r["remind_at"], r["id"]))[:limit])

    async def mark_reminded(self, row_id: UUID, at: datetime) -> None:
        self._change(row_id, False, reminded_at=at)

    async def claim_expired(self, now: datetime, limit: int) -> list[dict[str, Any]]:
        due = [r for r in self._unlocked() if r["state"] == "awaiting-response" and r["respond_by"] <= now]
        return self._claim(sorted(due, key=lambda r: (r["respond_by"], r["id"]))[:limit])

    async def withdraw_unanswered(self, referral_id: UUID) -> list[dict[str, Any]]:
        ids = [r["id"] for r in self._all() if r["referral_id"] == referral_id and r["state"] == "awaiting-response"]
        return [self._change(row_id, False, state="withdrawn") for row_id in ids]

    async def append_timeline(
        self, referral_id: UUID, at: datetime, entry: Entry, actor: str | None, actor_role: str | None
    ) -> None:
        self.stored.timeline.append(TimelineRow(referral_id, at, entry, actor, actor_role))

    async def emit(self, event: Event, source: str) -> None:
        self.stored.outbox.append((event, source))

    async def audit(self, principal: Principal, entry: AuditRecord) -> None:
        self.stored.audit.append((principal.subject, entry))

    def _all(self) -> list[dict[str, Any]]:
        return list(self.stored.rows.values())

    def _unlocked(self) -> list[dict[str, Any]]:
        # Rows another open transaction holds are skipped, as FOR UPDATE SKIP LOCKED does.
        return [r for r in self._all() if not self._locked(r["id"])]

    def _claim(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self._lock(r["id"] for r in rows)
        return [dict(r) for r in rows]

    def _change(self, row_id: UUID, answered: bool, **columns: Any) -> dict[str, Any]:
        """UPDATE ... RETURNING *: a provider's answer (`answered`) raises the row's revision."""
        row = self.stored.rows[row_id]
        row.update(columns, revision=row["revision"] + answered)
        return dict(row)


class FakeActivityReferrals(ClaimingUnitOfWork["FakeActivityReferralSession"]):
    """The `ActivityReferralUnitOfWork` port."""

    def __init__(self) -> None:
        super().__init__()
        self.stored = ActivityReferralsStored()

    def session(self) -> FakeActivityReferralSession:
        return FakeActivityReferralSession(self)

    def kinds(self) -> list[str]:
        return [row.entry.kind for row in self.stored.timeline]

    def actions(self) -> list[tuple[str, str]]:
        return [(entry.action, entry.outcome) for _, entry in self.stored.audit]
