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

from linkwork_contracts.events import GpRecordUpdateV1
from linkwork_runtime.principal import Principal

from linkwork_referral.domain import access, events
from linkwork_referral.domain.actions import Action
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.caseload import CaseloadFilter, CaseloadSort, Page, Workload
from linkwork_referral.domain.errors import DomainError, IllegalTransition
from linkwork_referral.domain.referral import NewReferral, Referral
from linkwork_referral.domain.timeline import entry_for
from linkwork_referral.service_layer.activity_referrals import ResponsePolicy, refer_plan, withdraw_unanswered
from linkwork_referral.service_layer.create import CreateReferral
from linkwork_referral.service_layer.errors import NotFound
from linkwork_referral.service_layer.ports import (
    CaseloadCursor,
    EventMapping,
    IdempotencyKey,
    ReferralSession,
    ReferralUnitOfWork,
)

T = TypeVar("T")
# Events that end a referral: its activity referrals still unanswered are withdrawn.
_ENDING = (events.ReferralClosed, events.ReferralRejected, events.ReferralEnteredInError)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class ReferralService:
    """The referral's use cases, each one transaction of the `ReferralUnitOfWork` port
    (adapters/unit_of_work.py's `PostgresReferralUnitOfWork` in production)."""

    unit_of_work: ReferralUnitOfWork
    mapper: EventMapping
    source: str
    clock: Callable[[], datetime] = field(default=utc_now)
    response_policy: ResponsePolicy = field(default_factory=ResponsePolicy)

    async def record_changes(
        self, session: ReferralSession, referral: Referral, actor: str | None, role: str | None
    ) -> None:
        """Timeline entries and outbox events for everything the aggregate did."""
        for event in referral.take_events():
            await session.append_timeline(referral.id, event.at, entry_for(event), actor, role)
            for outgoing in self.mapper.outgoing(referral, event):
                # A GP record update's CloudEvent id is its update_id, the same for a change however often it
                # is produced, so the integration engine de-duplicates on either.
                event_id = str(outgoing.update_id) if isinstance(outgoing, GpRecordUpdateV1) else None
                await session.emit(outgoing, self.source, event_id)
            if isinstance(event, events.PlanAgreed):
                # Activities whose provider takes referrals are referred to it, in this same transaction.
                activities = await session.activity_referrals()
                await refer_plan(activities, referral, event.plan, event.at, self.response_policy, self.source, actor)
            if isinstance(event, _ENDING):
                await withdraw_unanswered(await session.activity_referrals(), referral.id, event.at, actor, role)

    async def create(
        self, principal: Principal, build: Callable[[datetime], NewReferral], idempotency: IdempotencyKey | None
    ) -> tuple[Referral, bool]:
        """Make a referral; returns it and whether it is the replay of an earlier request."""
        return await CreateReferral(self.unit_of_work, self.clock, self.record_changes)(principal, build, idempotency)

    async def read(self, principal: Principal, referral_id: UUID, what: str = "read") -> Referral:
        async def body(session: ReferralSession) -> Referral:
            return await _readable(session, principal, referral_id, what)

        return await self._guarded(principal, what, referral_id, body)

    async def act(
        self,
        principal: Principal,
        referral_id: UUID,
        action: Action,
        change: Callable[[Referral, datetime, ReferralSession], Awaitable[None]],
        check: Callable[[Referral], None] | None = None,
    ) -> Referral:
        """Apply one workflow action; `check` adds access rules specific to it. `change` gets the
        session to read what the action needs (e.g. stored suggestions), never to write."""
        what = action.name.lower().replace("_", "-")

        async def body(session: ReferralSession) -> Referral:
            referral = await _load(session, referral_id, for_update=True)
            access.check_act(principal, referral, action)
            if check is not None:
                check(referral)
            await change(referral, self.clock(), session)
            await session.save(referral)
            await self.record_changes(session, referral, principal.subject, principal.role.value)
            await session.audit(principal, AuditRecord(what, referral_id=referral.id, referral_pcn=referral.pcn))
            return referral

        return await self._guarded(principal, what, referral_id, body)

    async def caseload(
        self,
        principal: Principal,
        requested_pcn: str | None,
        where: CaseloadFilter,
        *,
        limit: int,
        cursor: CaseloadCursor | None,
        sort: CaseloadSort = CaseloadSort.NEWEST,
    ) -> Page:
        async def body(session: ReferralSession) -> Page:
            scope = access.caseload_scope(principal, requested_pcn)
            page = await session.caseload(scope, where, limit=limit, cursor=cursor, sort=sort)
            await session.audit(
                principal, AuditRecord("list", referral_ids=[r.id for r in page.referrals], detail=_describe(where))
            )
            return page

        return await self._guarded(principal, "list", None, body)

    async def possible_duplicates(
        self, principal: Principal, nhs_number: str, family_name: str, date_of_birth: date, postcode: str | None
    ) -> list[tuple[Referral, str]]:
        """The duplicate-person check a new referral form makes, in the caller's own caseload scope."""

        async def body(session: ReferralSession) -> list[tuple[Referral, str]]:
            scope = access.caseload_scope(principal, None)
            found = await session.possible_duplicates(scope, nhs_number, family_name, date_of_birth, postcode)
            await session.audit(
                principal,
                AuditRecord("duplicate-check", referral_ids=[r.id for r, _ in found], detail=f"matches={len(found)}"),
            )
            return found

        return await self._guarded(principal, "duplicate-check", None, body)

    async def timeline(self, principal: Principal, referral_id: UUID) -> list[dict[str, Any]]:
        async def body(session: ReferralSession) -> list[dict[str, Any]]:
            await _readable(session, principal, referral_id, "read-timeline")
            return await session.timeline(referral_id)

        return await self._guarded(principal, "read-timeline", referral_id, body)

    async def suggestions(self, principal: Principal, referral_id: UUID) -> dict[str, Any] | None:
        async def body(session: ReferralSession) -> dict[str, Any] | None:
            await _readable(session, principal, referral_id, "read-suggestions")
            return await session.latest_suggestions(referral_id)

        return await self._guarded(principal, "read-suggestions", referral_id, body)

    async def workload(self, principal: Principal) -> list[Workload]:
        """The PCN manager's team view: per link worker, counts only (no person data), audited as read."""
        await self._refusal_audited(principal, "read-workload", access.check_team_manager)
        async with self.unit_of_work.transaction() as session:
            rows = await session.workload(principal.pcn)
            await session.audit(principal, AuditRecord("read-workload", detail=f"link_workers={len(rows)}"))
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
        async with self.unit_of_work.transaction() as session:
            referral_ids = await session.open_referrals_of(principal.pcn, from_link_worker)

        async def change(referral: Referral, now: datetime, _: ReferralSession) -> None:
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
    ) -> list[dict[str, Any]]:
        await self._refusal_audited(principal, "read-audit", access.check_audit_read)
        async with self.unit_of_work.transaction() as session:
            rows = await session.audit_listing(
                principal.pcn, referral_id=referral_id, subject=subject, before_id=before_id, limit=limit
            )
            await session.audit(principal, AuditRecord("read-audit", referral_id=referral_id))
            return rows

    async def _refusal_audited(self, principal: Principal, action: str, check: Callable[[Principal], None]) -> None:
        """Run a check that needs no referral; a refusal is on record before it is answered."""
        try:
            check(principal)
        except access.Denied as denied:
            await self.unit_of_work.audit_alone(principal, AuditRecord(action, outcome="denied", detail=str(denied)))
            raise

    async def _guarded(
        self,
        principal: Principal,
        action: str,
        referral_id: UUID | None,
        body: Callable[[ReferralSession], Awaitable[T]],
    ) -> T:
        try:
            async with self.unit_of_work.transaction() as session:
                return await body(session)
        except access.Denied as denied:
            async with self.unit_of_work.transaction() as session:
                pcn = await session.pcn_of(referral_id) if referral_id else None
                await session.audit(
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
            await self.unit_of_work.audit_alone(
                principal, AuditRecord(action, outcome="not-found", referral_id=referral_id)
            )
            raise


async def _load(session: ReferralSession, referral_id: UUID, *, for_update: bool = False) -> Referral:
    referral = await session.get(referral_id, for_update=for_update)
    if referral is None:
        raise NotFound(f"no referral {referral_id}")
    return referral


async def _readable(session: ReferralSession, principal: Principal, referral_id: UUID, what: str) -> Referral:
    """The referral, if `principal` may read it; the reading (`what`) is audited."""
    referral = await _load(session, referral_id)
    access.check_read(principal, referral)
    await session.audit(principal, AuditRecord(what, referral_id=referral.id, referral_pcn=referral.pcn))
    return referral


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
