"""The referral service's use cases, each one database transaction.

A change loads the referral `FOR UPDATE`, checks access, applies the domain action, saves it, and
in the same transaction appends the timeline, writes the audit record and adds the contract events
it causes to the outbox. A refusal (403) is audited in its own transaction after the rollback, so
that the attempt is on record although nothing changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

import asyncpg
from linkwork_contracts.events import Event, GpRecordUpdateV1
from linkwork_runtime import messaging
from linkwork_runtime.messaging import outbox
from linkwork_runtime.principal import Principal

from linkwork_referral.adapters import audit, suggestion_store, timeline
from linkwork_referral.adapters.activity_referral_store import PostgresActivityReferralSession
from linkwork_referral.adapters.outgoing import EventMapper
from linkwork_referral.adapters.repository import (
    CaseloadFilter,
    CaseloadSort,
    Cursor,
    Page,
    ReferralRepository,
    Workload,
)
from linkwork_referral.adapters.unit_of_work import ChangeRows, PostgresReferralUnitOfWork
from linkwork_referral.domain import access, events
from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.errors import DomainError, IllegalTransition
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_referral.service_layer.activity_referrals import ResponsePolicy, refer_plan, withdraw_unanswered
from linkwork_referral.service_layer.create import CreateReferral
from linkwork_referral.service_layer.errors import NotFound
from linkwork_referral.service_layer.ports import IdempotencyKey

T = TypeVar("T")
# Events whose recording does more than add timeline and outbox rows (see record_changes).
_MORE_THAN_ROWS = (events.PlanAgreed, events.ReferralClosed, events.ReferralRejected, events.ReferralEnteredInError)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReferralService:
    pool: asyncpg.Pool
    mapper: EventMapper
    time_zone: ZoneInfo
    source: str
    clock: Callable[[], datetime] = field(default=utc_now)
    response_policy: ResponsePolicy = field(default_factory=ResponsePolicy)

    def repository(self, connection: asyncpg.Connection) -> ReferralRepository:
        return ReferralRepository(connection, self.time_zone)

    def _outgoing(self, referral: Referral, event: events.DomainEvent) -> list[tuple[Event, str | None]]:
        """The contract events `event` causes, each with its CloudEvent id when it must have a fixed one."""
        # A GP record update's CloudEvent id is its update_id, the same for a change however often it is
        # produced, so the integration engine de-duplicates on either.
        return [
            (outgoing, str(outgoing.update_id) if isinstance(outgoing, GpRecordUpdateV1) else None)
            for outgoing in self.mapper.outgoing(referral, event)
        ]

    def change_rows(self, referral: Referral) -> ChangeRows | None:
        """What `record_changes` would write, as rows (timeline entries, outbox rows) for a statement of the
        caller's; None, with the events left in place, when an event also refers or withdraws activities."""
        if any(isinstance(event, _MORE_THAN_ROWS) for event in referral.pending_events):
            return None
        rows = ChangeRows([], [])
        for event in referral.take_events():
            rows.timeline.append((event.at, timeline.entry_for(event)))
            for outgoing, event_id in self._outgoing(referral, event):
                rows.outbox.append(outbox.row(outgoing, source=self.source, event_id=event_id))
        return rows

    async def record_changes(
        self, connection: asyncpg.Connection, referral: Referral, actor: str | None, role: str | None
    ) -> None:
        """Timeline entries and outbox events for everything the aggregate did."""
        activities = PostgresActivityReferralSession(connection)
        for event in referral.take_events():
            await timeline.append(connection, referral.id, event.at, timeline.entry_for(event), actor, role)
            for outgoing, event_id in self._outgoing(referral, event):
                await messaging.add(connection, outgoing, source=self.source, event_id=event_id)
            if isinstance(event, events.PlanAgreed):
                # Activities whose provider takes referrals are referred to it, in this same transaction.
                await refer_plan(activities, referral, event.plan, event.at, self.response_policy, self.source, actor)
            if isinstance(event, events.ReferralClosed | events.ReferralRejected | events.ReferralEnteredInError):
                await withdraw_unanswered(activities, referral.id, event.at, actor, role)

    async def create(
        self, principal: Principal, build: Callable[[datetime], NewReferral], idempotency: IdempotencyKey | None
    ) -> tuple[Referral, bool]:
        """Make a referral; returns it and whether it is the replay of an earlier request."""
        unit_of_work = PostgresReferralUnitOfWork(
            self.pool, self.time_zone, self.mapper.person_ref, self.record_changes, self.change_rows
        )
        return await CreateReferral(unit_of_work, self.clock)(principal, build, idempotency)

    async def read(self, principal: Principal, referral_id: UUID, what: str = "read") -> Referral:
        async def body(connection: asyncpg.Connection) -> Referral:
            referral = await self._load(connection, referral_id)
            access.check_read(principal, referral)
            await audit.record(
                connection, principal, AuditRecord(what, referral_id=referral.id, referral_pcn=referral.pcn)
            )
            return referral

        return await self._guarded(principal, what, referral_id, body)

    async def act(
        self,
        principal: Principal,
        referral_id: UUID,
        action: Action,
        change: Callable[[Referral, datetime, asyncpg.Connection], Awaitable[None]],
        check: Callable[[Referral], None] | None = None,
    ) -> Referral:
        """Apply one workflow action; `check` adds access rules specific to it. `change` gets the
        connection to read what the action needs (e.g. stored suggestions), never to write."""

        async def body(connection: asyncpg.Connection) -> Referral:
            repository = self.repository(connection)
            referral = await self._load(connection, referral_id, for_update=True)
            access.check_act(principal, referral, action)
            if check is not None:
                check(referral)
            await change(referral, self.clock(), connection)
            await repository.save(referral)
            await self.record_changes(connection, referral, principal.subject, principal.role.value)
            await audit.record(
                connection,
                principal,
                AuditRecord(action.name.lower().replace("_", "-"), referral_id=referral.id, referral_pcn=referral.pcn),
            )
            return referral

        return await self._guarded(principal, action.name.lower().replace("_", "-"), referral_id, body)

    async def caseload(
        self,
        principal: Principal,
        requested_pcn: str | None,
        where: CaseloadFilter,
        *,
        limit: int,
        cursor: Cursor | None,
        sort: CaseloadSort = CaseloadSort.NEWEST,
    ) -> Page:
        async def body(connection: asyncpg.Connection) -> Page:
            scope = access.caseload_scope(principal, requested_pcn)
            page = await self.repository(connection).caseload(scope, where, limit=limit, cursor=cursor, sort=sort)
            await audit.record(
                connection,
                principal,
                AuditRecord("list", referral_ids=[r.id for r in page.referrals], detail=_describe(where)),
            )
            return page

        return await self._guarded(principal, "list", None, body)

    async def possible_duplicates(
        self, principal: Principal, nhs_number: str, family_name: str, date_of_birth: date, postcode: str | None
    ) -> list[tuple[Referral, str]]:
        """The duplicate-person check a new referral form makes, in the caller's own caseload scope."""

        async def body(connection: asyncpg.Connection) -> list[tuple[Referral, str]]:
            scope = access.caseload_scope(principal, None)
            found = await self.repository(connection).possible_duplicates(
                scope, nhs_number, family_name, date_of_birth, postcode
            )
            await audit.record(
                connection,
                principal,
                AuditRecord("duplicate-check", referral_ids=[r.id for r, _ in found], detail=f"matches={len(found)}"),
            )
            return found

        return await self._guarded(principal, "duplicate-check", None, body)

    async def timeline(self, principal: Principal, referral_id: UUID) -> list[asyncpg.Record]:
        async def body(connection: asyncpg.Connection) -> list[asyncpg.Record]:
            referral = await self._load(connection, referral_id)
            access.check_read(principal, referral)
            await audit.record(
                connection, principal, AuditRecord("read-timeline", referral_id=referral.id, referral_pcn=referral.pcn)
            )
            return await timeline.read(connection, referral_id)

        return await self._guarded(principal, "read-timeline", referral_id, body)

    async def suggestions(self, principal: Principal, referral_id: UUID) -> dict[str, Any] | None:
        async def body(connection: asyncpg.Connection) -> dict[str, Any] | None:
            referral = await self._load(connection, referral_id)
            access.check_read(principal, referral)
            await audit.record(
                connection,
                principal,
                AuditRecord("read-suggestions", referral_id=referral.id, referral_pcn=referral.pcn),
            )
            return await suggestion_store.latest_body(connection, referral_id)

        return await self._guarded(principal, "read-suggestions", referral_id, body)

    async def workload(self, principal: Principal) -> list[Workload]:
        """The PCN manager's team view: per link worker, counts only (no person data), audited as read."""
        await self._refusal_audited(principal, "read-workload", access.check_team_manager)
        async with self.pool.acquire() as connection, connection.transaction():
            rows = await self.repository(connection).workload(principal.pcn)
            await audit.record(connection, principal, AuditRecord("read-workload", detail=f"link_workers={len(rows)}"))
            return rows

    async def reassign_caseload(
        self, principal: Principal, from_link_worker: str, to_link_worker: str
    ) -> tuple[list[UUID], list[tuple[UUID, str]]]:
        """Move every open referral of one link worker (who is leaving) to another.

        Each referral moves in its own transaction through `act`, exactly as a single reassignment does:
        its own audit entry, timeline entry and events. One that cannot move (on hold, changed meanwhile) is
        reported with the reason, and the rest still move. Returns (moved, [(not moved, why)]).
        """
        await self._refusal_audited(principal, "reassign-caseload", access.check_team_manager)
        if from_link_worker == to_link_worker:
            raise DomainError("the caseload is already that link worker's")
        async with self.pool.acquire() as connection:
            referral_ids = await self.repository(connection).open_referrals_of(principal.pcn, from_link_worker)

        async def change(referral: Referral, now: datetime, _: asyncpg.Connection) -> None:
            if referral.link_worker != from_link_worker:  # moved by someone else since it was listed
                raise DomainError("the referral is no longer allocated to that link worker")
            referral.reassign(to_link_worker, now)

        moved: list[UUID] = []
        kept: list[tuple[UUID, str]] = []
        for referral_id in referral_ids:
            try:
                await self.act(principal, referral_id, Action.REASSIGN, change)
                moved.append(referral_id)
            except (DomainError, IllegalTransition) as error:
                kept.append((referral_id, str(error)))
        return moved, kept

    async def audit_log(
        self,
        principal: Principal,
        *,
        referral_id: UUID | None,
        subject: str | None,
        before_id: int | None,
        limit: int,
    ) -> list[asyncpg.Record]:
        await self._refusal_audited(principal, "read-audit", access.check_audit_read)
        async with self.pool.acquire() as connection, connection.transaction():
            rows = await audit.listing(
                connection, principal.pcn, referral_id=referral_id, subject=subject, before_id=before_id, limit=limit
            )
            await audit.record(connection, principal, AuditRecord("read-audit", referral_id=referral_id))
            return rows

    async def _load(self, connection: asyncpg.Connection, referral_id: UUID, *, for_update: bool = False) -> Referral:
        referral = await self.repository(connection).get(referral_id, for_update=for_update)
        if referral is None:
            raise NotFound(f"no referral {referral_id}")
        return referral

    async def _refusal_audited(self, principal: Principal, action: str, check: Callable[[Principal], None]) -> None:
        """Run a check that needs no referral; a refusal is on record before it is answered."""
        try:
            check(principal)
        except access.Denied as denied:
            async with self.pool.acquire() as connection:
                await audit.record(connection, principal, AuditRecord(action, outcome="denied", detail=str(denied)))
            raise

    async def _guarded(
        self,
        principal: Principal,
        action: str,
        referral_id: UUID | None,
        body: Callable[[asyncpg.Connection], Awaitable[T]],
    ) -> T:
        try:
            async with self.pool.acquire() as connection, connection.transaction():
                return await body(connection)
        except access.Denied as denied:
            async with self.pool.acquire() as connection:
                pcn = await self.repository(connection).pcn_of(referral_id) if referral_id else None
                await audit.record(
                    connection,
                    principal,
                    AuditRecord(
                        action, outcome="denied", referral_id=referral_id, referral_pcn=pcn, detail=str(denied)
                    ),
                )
            if isinstance(denied, access.OutOfScope):
                # The same answer as for an id that does not exist: no existence oracle.
                raise NotFound(f"no referral {referral_id}") from None
            raise
        except NotFound:
            # Someone asked for an id that does not exist: guessing ids is worth knowing about.
            async with self.pool.acquire() as connection:
                await audit.record(
                    connection, principal, AuditRecord(action, outcome="not-found", referral_id=referral_id)
                )
            raise


def _describe(where: CaseloadFilter) -> str:
    parts = [
        f"states={','.join(s.value for s in where.states)}" if where.states else "",
        f"link_worker={where.link_worker}" if where.link_worker else "",
        f"overdue={where.overdue}" if where.overdue is not None else "",
        f"urgency={where.urgency}" if where.urgency else "",
        f"safeguarding={where.safeguarding}" if where.safeguarding is not None else "",
        # Which kinds of search, never the searched-for values: the audit log says who looked, not for whom.
        "search=nhs_number" if where.nhs_number else "",
        "search=date_of_birth" if where.date_of_birth else "",
        "search=name" if where.name else "",
    ]
    return " ".join(p for p in parts if p) or "all"
