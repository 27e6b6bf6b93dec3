"""Activity referrals (issue 17): referring a plan's activities to their providers, the provider's steps,
the response deadline, and the emails that tell providers.

Every step is one transaction that changes the activity_referrals row (locked `FOR UPDATE`), appends the
referral's timeline (so the link worker sees it), adds its contract event to the outbox and, where the
provider should hear of it, an email intent (provider_emails, unique per activity referral and kind).

The deadline scheduler claims due rows `FOR UPDATE SKIP LOCKED` and re-checks their state in the same
statement, so with any number of replicas each reminder and each automatic decline happens exactly once.
Its clock is passed in, so tests move time instead of waiting.

The use cases work through the `ActivityReferralUnitOfWork` port (service_layer/ports.py): the asyncpg adapter
(adapters/activity_referral_store.py) in production, the in-memory fake in the unit tests.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from linkwork_contracts.codes import (
    ActivityReferralDecision,
    ConfirmedBy,
    DeclineReason,
    NeedCategory,
    ReferralRoute,
    ServiceStatus,
    SessionAttendance,
)
from linkwork_contracts.events import (
    ActivityReferralRespondedV1,
    ActivityReferredV1,
    AttendanceConfirmedV1,
    ServiceChangedV1,
    ServiceChangedV2,
    SharedDetails,
)
from linkwork_runtime.principal import Principal, Role

from linkwork_referral.domain import access
from linkwork_referral.domain.activity_referral import (
    ActivityReferralState,
    ProviderService,
    ProviderStep,
    check_date,
    check_decline_reason,
    check_session,
    check_step,
    deadlines,
    shared_details,
)
from linkwork_referral.domain.audit import AuditRecord
from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.records import Plan
from linkwork_referral.domain.referral import Referral
from linkwork_referral.domain.timeline import Entry
from linkwork_referral.service_layer.errors import NotFound
from linkwork_referral.service_layer.ports import ActivityReferralSession, ActivityReferralUnitOfWork, Row

log = logging.getLogger(__name__)

# Routes by which a provider takes referrals from a link worker (ORUK referral routes, service-changed).
REFERRAL_ROUTES = frozenset({ReferralRoute.LINK_WORKER, ReferralRoute.PROFESSIONAL_REFERRAL})
DECLINE_WORDS = {
    DeclineReason.NO_CAPACITY: "no capacity",
    DeclineReason.NOT_ELIGIBLE: "not eligible",
    DeclineReason.COULD_NOT_CONTACT: "could not contact the person",
    DeclineReason.PERSON_DECLINED: "the person declined",
    DeclineReason.OTHER: "other reason",
    DeclineReason.NO_RESPONSE: "no response by the deadline",
}


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ResponsePolicy:
    """How long a provider has to answer, and when it is reminded (settings: provider_response_days...)."""

    respond_within: timedelta = timedelta(days=14)
    remind_after: timedelta = timedelta(days=7)


# --- the directory's services, as referral needs them -------------------------------------------------------


async def keep_provider_service(
    event: ServiceChangedV1 | ServiceChangedV2, activity_referrals: ActivityReferralSession
) -> None:
    """Keep who runs each service and whether it takes referrals (a higher revision replaces a lower)."""
    takes = event.status is ServiceStatus.ACTIVE and bool(REFERRAL_ROUTES & set(event.referral_routes))
    await activity_referrals.upsert_provider_service(
        ProviderService(
            event.service_id, event.organisation.id, event.organisation.name, event.name, takes, event.revision
        )
    )


# --- contract events from rows -------------------------------------------------------------------------------


def _common(row: Row) -> dict[str, Any]:
    return {
        "activity_referral_id": row["id"],
        "referral_id": row["referral_id"],
        "service_id": row["service_id"],
        "organization_id": row["organization_id"],
        "need": NeedCategory(row["need"]),
        "pcn_code": row["pcn"],
    }


def responded_event(row: Row) -> ActivityReferralRespondedV1:
    accepted = row["state"] in (ActivityReferralState.ACCEPTED, ActivityReferralState.COMPLETED)
    return ActivityReferralRespondedV1(
        **_common(row),
        revision=row["revision"],
        referred_at=row["referred_at"],
        responded_at=row["responded_at"],
        decision=ActivityReferralDecision.ACCEPTED if accepted else ActivityReferralDecision.DECLINED,
        decline_reason=None if accepted else DeclineReason(row["decline_reason"]),
        starts_on=row["starts_on"] if accepted else None,
    )


# --- referring a plan's activities --------------------------------------------------------------------------


async def refer_plan(
    session: ActivityReferralSession,
    referral: Referral,
    plan: Plan,
    now: datetime,
    policy: ResponsePolicy,
    source: str,
    actor: str | None,
) -> list[UUID]:
    """Each activity of the plan whose provider takes referrals becomes an activity referral, once (a revised
    plan refers only activities new to it). Returns the ids made."""
    made = []
    for activity in plan.activities:
        service = await session.referral_taking_service(activity.service_id)
        if service is None:
            continue  # not in the directory (yet), or the provider takes no referrals: signposted only
        remind_at, respond_by = deadlines(now, policy.respond_within, policy.remind_after)
        shared = shared_details(referral.person, activity)
        row = await session.add_activity_referral(
            referral_id=referral.id,
            service_id=activity.service_id,
            service_name=service.service_name,
            organization_id=service.organization_id,
            organization_name=service.organization_name,
            need=activity.need.value,
            pcn=referral.pcn,
            shared=shared.model_dump(mode="json"),
            referred_at=now,
            respond_by=respond_by,
            remind_at=remind_at,
        )
        if row is None:
            continue
        event = ActivityReferredV1(**_common(row), referred_at=now, respond_by=respond_by, shared=shared)
        await session.emit(event, source)
        await session.add_email(row, "new-referral", now)
        await _note(
            session,
            row,
            now,
            "activity-referred",
            f"Referred to {service.service_name} ({service.organization_name}); "
            f"answer due by {respond_by.date().isoformat()}",
            (actor, "link_worker"),
            shared=_what_shared(shared),
            respond_by=respond_by.isoformat(),
        )
        made.append(row["id"])
    return made


async def withdraw_unanswered(
    session: ActivityReferralSession, referral_id: UUID, now: datetime, actor: str | None, role: str | None
) -> None:
    """The referral ended (closed, rejected, entered in error): activity referrals the provider has not answered
    are withdrawn, so no reminder or automatic decline follows. Accepted ones stay: the person may carry on."""
    for row in await session.withdraw_unanswered(referral_id):
        await _note(
            session,
            row,
            now,
            "activity-referral-withdrawn",
            f"Referral to {row['service_name']} withdrawn before it was answered",
            (actor, role),
        )


_SCHEDULER = (None, "scheduler")  # who a timeline entry of the deadline checks is by: no person, the scheduler


async def _note(
    session: ActivityReferralSession,
    row: Row,
    at: datetime,
    kind: str,
    summary: str,
    by: tuple[str | None, str | None],
    /,
    **detail: Any,
) -> None:
    """A timeline entry about one activity referral (`row`): its detail names the activity referral and its
    service, then `detail`. `by` is the actor and their role."""
    about = {"activity_referral_id": str(row["id"]), "service_id": str(row["service_id"]), **detail}
    await session.append_timeline(row["referral_id"], at, Entry(kind, summary, about), *by)


def _what_shared(shared: SharedDetails) -> list[str]:
    """Which kinds of detail went to the provider (never the values: the timeline is read widely)."""
    kinds = ["first name"] if shared.first_name else []
    if shared.contact is not None:
        kinds.append(f"contact ({shared.contact.route.value})")
    kinds += ["needs"] if shared.needs else []
    kinds += ["accessibility needs"] if shared.accessibility_needs else []
    return kinds


# --- the provider's steps -----------------------------------------------------------------------------------


def provider_organisation(principal: Principal) -> UUID:
    """The ORUK organization id a provider acts for (token claim `org`); anyone else is refused."""
    if principal.role is not Role.PROVIDER:
        raise access.Denied(f"a {principal.role.value} cannot use the provider API")
    try:
        return UUID(principal.organisation or "")
    except ValueError:
        raise access.Denied("the provider's token carries no directory organisation id (claim 'org')") from None


@dataclass
class ProviderDesk:
    """The provider API's use cases: only the caller's organisation's activity referrals, each step audited."""

    activity_referrals: ActivityReferralUnitOfWork
    source: str
    clock: Callable[[], datetime] = utc_now

    async def incoming(self, principal: Principal, state: ActivityReferralState | None) -> list[Row]:
        organisation = provider_organisation(principal)
        async with self.activity_referrals.transaction() as session:
            rows = await session.of_organisation(organisation, state.value if state else None)
            await session.audit(principal, AuditRecord("provider-list", referral_ids=[r["referral_id"] for r in rows]))
            return rows

    async def one(self, principal: Principal, activity_referral_id: UUID) -> tuple[Row, list[Row]]:
        organisation = provider_organisation(principal)
        async with self.activity_referrals.transaction() as session:
            row = await _load(session, organisation, activity_referral_id, lock=False)
            sessions = await session.sessions(activity_referral_id)
            await session.audit(
                principal, AuditRecord("provider-read", referral_id=row["referral_id"], referral_pcn=row["pcn"])
            )
            return row, sessions

    async def respond(
        self,
        principal: Principal,
        activity_referral_id: UUID,
        decision: ActivityReferralDecision,
        reason: DeclineReason | None,
        starts_on: date | None,
    ) -> Row:
        now = self.clock()
        if decision is ActivityReferralDecision.DECLINED:
            if reason is None:
                raise DomainError("reason: required to decline")
            check_decline_reason(reason)
        if starts_on is not None:
            check_date("starts_on", starts_on, now.date())
        step = ProviderStep.ACCEPT if decision is ActivityReferralDecision.ACCEPTED else ProviderStep.DECLINE

        async def change(session: ActivityReferralSession, row: Row) -> tuple[Row, Entry]:
            if decision is ActivityReferralDecision.ACCEPTED:
                updated = await session.accept(row["id"], now, starts_on)
                start = f", starting {starts_on.isoformat()}" if starts_on else ""
                entry = Entry("provider-accepted", f"{row['service_name']} accepted the referral{start}", {})
            else:
                assert reason is not None
                updated = await session.decline(row["id"], now, reason.value)
                entry = Entry(
                    "provider-declined",
                    f"{row['service_name']} declined the referral: {DECLINE_WORDS[reason]}",
                    {"reason": reason.value},
                )
            await session.emit(responded_event(updated), self.source)
            return updated, entry

        return await self._step(principal, activity_referral_id, step, change)

    async def set_start_date(self, principal: Principal, activity_referral_id: UUID, starts_on: date) -> Row:
        check_date("starts_on", starts_on, self.clock().date())

        async def change(session: ActivityReferralSession, row: Row) -> tuple[Row, Entry]:
            updated = await session.set_start(row["id"], starts_on)
            await session.emit(responded_event(updated), self.source)
            entry = Entry(
                "provider-start-date", f"{row['service_name']} set the start date: {starts_on.isoformat()}", {}
            )
            return updated, entry

        return await self._step(principal, activity_referral_id, ProviderStep.SET_START_DATE, change)

    async def confirm_attendance(
        self, principal: Principal, activity_referral_id: UUID, session_on: date, attendance: SessionAttendance
    ) -> Row:
        now = self.clock()

        async def change(session: ActivityReferralSession, row: Row) -> tuple[Row, Entry]:
            check_session(session_on, now.date(), row["starts_on"])
            updated = await session.record_session(row["id"], session_on, attendance.value, now)
            await session.emit(
                _attendance_event(updated, now, session_on=session_on, attendance=attendance), self.source
            )
            words = attendance.value.replace("-", " ")
            entry = Entry(
                "attendance-confirmed",
                f"{row['service_name']} confirmed the session on {session_on.isoformat()}: {words}",
                {"session_on": session_on.isoformat(), "attendance": attendance.value},
            )
            return updated, entry

        return await self._step(principal, activity_referral_id, ProviderStep.CONFIRM_ATTENDANCE, change)

    async def complete(self, principal: Principal, activity_referral_id: UUID) -> Row:
        now = self.clock()

        async def change(session: ActivityReferralSession, row: Row) -> tuple[Row, Entry]:
            updated = await session.complete(row["id"], now)
            await session.emit(_attendance_event(updated, now, completed=True), self.source)
            entry = Entry(
                "activity-completed",
                f"{row['service_name']} marked the activity completed "
                f"({updated['sessions_attended']} sessions attended)",
                {"sessions_attended": updated["sessions_attended"]},
            )
            return updated, entry

        return await self._step(principal, activity_referral_id, ProviderStep.COMPLETE, change)

    async def _step(
        self,
        principal: Principal,
        activity_referral_id: UUID,
        step: ProviderStep,
        change: Callable[[ActivityReferralSession, Row], Awaitable[tuple[Row, Entry]]],
    ) -> Row:
        """One provider step on the row, locked: refused unless the row's state allows `step`; then `change`
        makes it and says what the timeline shows, and the step is audited."""
        organisation = provider_organisation(principal)
        async with self.activity_referrals.transaction() as session:
            row = await _load(session, organisation, activity_referral_id, lock=True)
            check_step(step, ActivityReferralState(row["state"]))
            updated, entry = await change(session, row)
            by = (principal.subject, principal.role.value)
            await _note(session, row, self.clock(), entry.kind, entry.summary, by, **entry.detail)
            await session.audit(
                principal,
                AuditRecord(
                    f"provider-{step.name.lower().replace('_', '-')}",
                    referral_id=row["referral_id"],
                    referral_pcn=row["pcn"],
                ),
            )
            return updated


async def _load(session: ActivityReferralSession, organisation: UUID, activity_referral_id: UUID, *, lock: bool) -> Row:
    # Another organisation's referral is answered exactly like one that does not exist.
    row = await session.one_of_organisation(organisation, activity_referral_id, lock=lock)
    if row is None:
        raise NotFound(f"no activity referral {activity_referral_id}")
    return row


def _attendance_event(
    row: Row,
    now: datetime,
    *,
    session_on: date | None = None,
    attendance: SessionAttendance | None = None,
    completed: bool = False,
) -> AttendanceConfirmedV1:
    return AttendanceConfirmedV1(
        **_common(row),
        attendance_id=uuid4(),
        recorded_at=now,
        confirmed_by=ConfirmedBy.PROVIDER,
        session_on=session_on,
        attendance=attendance,
        completed=completed,
        sessions_attended=row["sessions_attended"],
    )


# --- the response deadline ----------------------------------------------------------------------------------


class ResponseDeadlines:
    """Reminds providers at day 7 and declines with reason no-response at day 14, exactly once each.

    A row is claimed `FOR UPDATE SKIP LOCKED`; a replica that skipped it reads it again only after the claimer
    committed, and then its state no longer matches. Nothing is done outside the claiming transaction."""

    def __init__(
        self,
        activity_referrals: ActivityReferralUnitOfWork,
        *,
        source: str,
        batch_size: int = 100,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._activity_referrals, self._source, self._batch, self.clock = activity_referrals, source, batch_size, clock

    async def next_round(self) -> float | None:
        """One round as workers/provider_deadlines.py runs it; the next one after the interval."""
        await self.run_once()
        return None

    async def run_once(self) -> tuple[int, int]:
        """One round: (reminders, automatic declines) done by this replica."""
        now = self.clock()
        async with self._activity_referrals.transaction() as session:
            reminded = 0
            for row in await session.claim_reminders(now, self._batch):
                await session.mark_reminded(row["id"], now)
                await session.add_email(row, "reminder", now)
                await _note(
                    session,
                    row,
                    now,
                    "provider-reminded",
                    f"{row['service_name']} reminded to answer by {row['respond_by'].date().isoformat()}",
                    _SCHEDULER,
                )
                reminded += 1
            declined = 0
            for row in await session.claim_expired(now, self._batch):
                updated = await session.decline(row["id"], now, DeclineReason.NO_RESPONSE.value)
                # The link worker's task comes from this event (notifications raises it).
                await session.emit(responded_event(updated), self._source)
                await session.add_email(row, "declined-no-response", now)
                await _note(
                    session,
                    row,
                    now,
                    "provider-declined",
                    f"{row['service_name']} did not answer in time: declined automatically (no response)",
                    _SCHEDULER,
                    reason=DeclineReason.NO_RESPONSE.value,
                )
                declined += 1
        return reminded, declined
