"""Domain events to contract events: the only place the service decides what leaves it.

Only the pseudonymous profile (person_ref, age band, sex, ethnic category, postcode district,
approximate location, languages, accessibility needs) and workflow facts go out. Names, NHS
numbers, dates of birth, contact details, free-text notes and reasons never do.

The one exception is the message back to the GP (`gp-record-update`, a restricted topic only the GP
integration user reads): on acceptance, rejection and closure of every referral, however it arrived,
it carries the NHS number and practice so that the GP system can file SNOMED CT codes in the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import NAMESPACE_URL, uuid5
from zoneinfo import ZoneInfo

from linkwork_contracts.codes import ClosureReason, ContactKind, ReferralStatus, writeback_concepts
from linkwork_contracts.events import (
    ActivityAttendance,
    Event,
    FollowUpDueV1,
    FollowUpRecordedV1,
    GpRecordChange,
    GpRecordUpdateV1,
    PersonProfile,
    PlanAgreedV1,
    PlannedActivity,
    ReferralClosedV1,
    ReferralCreatedV1,
    gp_record_concepts,
)

from linkwork_referral.adapters.reference_tables import PostcodeDirectory
from linkwork_referral.domain import events
from linkwork_referral.domain.pseudonym import PersonRefKey
from linkwork_referral.domain.records import Closure, Contact
from linkwork_referral.domain.referral import Referral


@dataclass(frozen=True)
class EventMapper:
    person_refs: PersonRefKey
    postcodes: PostcodeDirectory
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))  # GP record entry dates

    def person_ref(self, referral: Referral) -> str:
        return self.person_refs.person_ref(referral.person.nhs_number, referral.id)

    def outgoing(self, referral: Referral, event: events.DomainEvent) -> list[Event]:
        """The contract events a domain event causes (none for steps only this service tracks)."""
        if isinstance(event, events.ReferralCreated | events.AssessmentRecorded):
            return [self.referral_created(referral, event.at)]
        if isinstance(event, events.PersonUpdated):
            # Only a change matching uses makes a new version; a new phone number stays here.
            return [self.referral_created(referral, event.at)] if event.republish else []
        if isinstance(event, events.PlanAgreed):
            return [self._plan_agreed(referral, event)]
        if isinstance(event, events.FollowUpRecorded):
            return [self._follow_up_recorded(referral, event.contact, event.contacts_to_date)]
        if isinstance(event, events.ReferralAccepted):
            return self._gp_record(referral, GpRecordChange.ACCEPTED, event.at)
        if isinstance(event, events.ReferralRejected):
            return [
                self._closed(referral, event.closure),
                *self._gp_record(referral, GpRecordChange.REJECTED, event.at),
            ]
        if isinstance(event, events.ReferralClosed):
            return [self._closed(referral, event.closure), *self._gp_record(referral, GpRecordChange.CLOSED, event.at)]
        if isinstance(event, events.ReferralEnteredInError):
            # Nothing goes to the GP record: an entry made in error carries no clinical meaning to write back.
            return [self._closed(referral, event.closure)]
        return []

    def _gp_record(self, referral: Referral, change: GpRecordChange, at: datetime) -> list[Event]:
        """The message back to the GP, or nothing when the record cannot be found (no NHS number or no
        practice: a self-referral that knew neither); the referral's timeline shows the change anyway."""
        nhs_number, practice = referral.person.nhs_number, referral.practice_ods_code
        if nhs_number is None or practice is None:
            return []
        closure = referral.closure if change is not GpRecordChange.ACCEPTED else None
        reason = closure.reason if closure is not None and change is GpRecordChange.CLOSED else None
        # The status the change led to (the events of one request are mapped after all of it happened).
        status = closure.status if closure is not None else ReferralStatus.ACCEPTED
        return [
            GpRecordUpdateV1(
                # One update per referral and change: a replayed or re-run change has the same id.
                update_id=uuid5(NAMESPACE_URL, f"urn:linkwork:gp-record-update:{referral.id}:{change.value}"),
                referral_id=referral.id,
                change=change,
                request_id=referral.request_id,
                nhs_number=nhs_number,
                practice_ods_code=practice,
                pcn_code=referral.pcn,
                referral_source=referral.source,
                status=status,
                closure_reason=reason,
                snomed_codes=gp_record_concepts(change, reason),
                effective_date=at.astimezone(self.zone).date(),
                recorded_at=at,
                summary=_gp_summary(referral, change, status, reason),
            )
        ]

    def profile(self, referral: Referral, on: datetime) -> PersonProfile:
        person = referral.person
        place = self.postcodes.place(person.postcode)
        return PersonProfile(
            person_ref=self.person_ref(referral),
            age_band=person.age_band_on(on.date()),
            sex=person.sex,
            ethnic_category=person.ethnic_category,
            postcode_district=place.district if place else None,
            # Never both (issue 15): matching needs the location for distances; the LSOA only when there is none.
            lsoa=place.lsoa if place and place.location is None else None,
            location=place.location if place else None,
            # Set when the referral is created (issue 18), from the LSOA of the person's own postcode.
            imd_decile=place.imd_decile if place else None,
            languages=person.languages,
            interpreter_needed=person.interpreter_needed,
            accessibility_needs=person.accessibility_needs,
        )

    def referral_created(self, referral: Referral, at: datetime) -> ReferralCreatedV1:
        return ReferralCreatedV1(
            referral_id=referral.id,
            version=referral.version,
            request_id=referral.request_id,
            created_at=referral.created_at,
            updated_at=referral.created_at if referral.version == 1 else at,
            source=referral.source,
            urgency=referral.urgency,
            pcn_code=referral.pcn,
            practice_ods_code=referral.practice_ods_code,
            person=self.profile(referral, at),
            needs=referral.needs,
            preferences=referral.preferences,
        )

    def _plan_agreed(self, referral: Referral, event: events.PlanAgreed) -> PlanAgreedV1:
        plan = event.plan
        return PlanAgreedV1(
            referral_id=referral.id,
            person_ref=self.person_ref(referral),
            plan_version=plan.version,
            referral_version=plan.referral_version,
            agreed_at=plan.agreed_at,
            first_contact_at=referral.first_contact_at,
            needs_addressed=plan.needs_addressed,
            activities=tuple(
                PlannedActivity(
                    service_id=a.service_id, need=a.need, suggested_rank=a.suggested_rank, starts_on=a.starts_on
                )
                for a in plan.activities
            ),
            baseline_measures=referral.assessment.baseline_measures if referral.assessment else (),
        )

    def _follow_up_recorded(self, referral: Referral, contact: Contact, contacts_to_date: int) -> FollowUpRecordedV1:
        assert referral.plan is not None
        attendance = []
        for item in contact.attendance:
            activity = referral.plan.activity(item.service_id)
            assert activity is not None  # the aggregate refuses attendance outside the plan
            attendance.append(
                ActivityAttendance(
                    service_id=item.service_id,
                    need=activity.need,
                    status=item.status,
                    sessions_attended=item.sessions_attended,
                    confirmed_by=item.confirmed_by,
                )
            )
        return FollowUpRecordedV1(
            referral_id=referral.id,
            person_ref=self.person_ref(referral),
            contact_id=contact.id,
            follow_up_id=contact.follow_up_id,
            contact_at=contact.occurred_at,
            kind=contact.kind,
            mode=contact.mode,
            outcome=contact.outcome,
            duration_minutes=contact.duration_minutes,
            contacts_to_date=contacts_to_date,
            attendance=tuple(attendance),
            measures=contact.measures,
        )

    def _closed(self, referral: Referral, closure: Closure) -> ReferralClosedV1:
        never_began = closure.status in (ReferralStatus.REJECTED, ReferralStatus.ENTERED_IN_ERROR)
        # ReferralClosedV1 requires a coded reason; a rejection's (or an entered-in-error's) reason is
        # free text that stays here, so it goes out as `other` with its status, and nothing for the GP
        # record because the episode never began (or should never have been recorded). Outcomes leaves
        # entered-in-error referrals out of every figure by that status.
        reason = closure.reason or ClosureReason.OTHER
        return ReferralClosedV1(
            referral_id=referral.id,
            person_ref=self.person_ref(referral),
            request_id=referral.request_id,
            pcn_code=referral.pcn,
            practice_ods_code=referral.practice_ods_code,
            referred_at=referral.created_at,
            first_contact_at=referral.first_contact_at,
            closed_at=closure.closed_at,
            status=closure.status,
            closure_reason=reason,
            contacts_count=referral.contacts_made,
            final_measures=closure.final_measures,
            gp_record_codes=() if never_began else writeback_concepts(reason),
        )


def _gp_summary(
    referral: Referral, change: GpRecordChange, status: ReferralStatus, reason: ClosureReason | None
) -> str:
    """One line for the GP record. Never the link worker's notes or a rejection's free-text reason."""
    service = f"social prescribing link worker service of PCN {referral.pcn}"
    if change is GpRecordChange.ACCEPTED:
        return f"Referral to social prescribing accepted by the {service}."
    if change is GpRecordChange.REJECTED:
        return f"Referral to social prescribing not accepted by the {service}."
    why = reason.value.replace("-", " ") if reason else "other"
    return (
        f"Social prescribing episode with the {service} closed ({why}); status {status.value}; "
        f"{referral.contacts_made} contact(s) made."
    )


def follow_up_due(row: dict[str, object]) -> FollowUpDueV1:
    """The event for one claimed follow_ups row joined with its referral's columns."""
    return FollowUpDueV1(
        referral_id=row["referral_id"],
        person_ref=row["person_ref"],
        follow_up_id=row["id"],
        sequence=row["sequence"],
        kind=ContactKind(str(row["kind"])),
        due_on=row["due_on"],
        pcn_code=row["pcn"],
        link_worker_id=row["link_worker"],
    )
