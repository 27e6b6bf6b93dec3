"""The referral aggregate: one person's episode with a link worker, from referral to closure.

Every action checks the current state (409 when it does not allow the action), checks its input
against what the referral already holds (422), changes the referral and records a domain event.
Times come in as arguments so that the rules can be tested without a clock.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from uuid import UUID

from linkwork_contracts.codes import (
    ClosureReason,
    LinkWorkerStage,
    NeedCategory,
    ReferralSource,
    ReferralStatus,
    SharedContactRoute,
    Urgency,
    closure_status,
    stage_status,
)
from linkwork_contracts.events import Preferences
from linkwork_contracts.measures import AnyMeasureResult, Timepoint

from linkwork_referral.domain import events
from linkwork_referral.domain.actions import Action, check_allowed
from linkwork_referral.domain.errors import DomainError
from linkwork_referral.domain.person import MATCHING_FIELDS, Person, changed_fields
from linkwork_referral.domain.records import (
    Assessment,
    Closure,
    Contact,
    Hold,
    Plan,
    PlanActivity,
    ScheduledFollowUp,
)
from linkwork_referral.domain.rules import check_measures, in_date_order, unique
from linkwork_referral.domain.states import WorkflowState, state_of

# A contact a few minutes "in the future" is a clock difference between devices, not an error.
CLOCK_SKEW = timedelta(minutes=5)
MAX_FOLLOW_UP_HORIZON = timedelta(days=2 * 366)


@dataclass(frozen=True)
class Referrer:
    """Who made the referral: a linkwork user (subject) or an existing system's referrer."""

    organisation: str | None
    subject: str | None = None
    name: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class NewReferral:
    """Everything a referrer (or an existing system) gives to make a referral."""

    id: UUID
    pcn: str
    person: Person
    needs: Sequence[NeedCategory]
    source: ReferralSource
    referrer: Referrer
    urgency: Urgency
    created_at: datetime
    consent_to_refer: bool
    consent_recorded_at: datetime
    reason: str | None = None
    practice_ods_code: str | None = None
    safeguarding_concern: bool = False
    request_id: str | None = None


@dataclass
class Referral:
    """One referral as it is worked, from the details it was made with (NewReferral's, but the consent that had
    to be given to make it) to its state and everything recorded since.

    Those details are declared again here, not shared: dataclasses let a mutable class neither inherit from a
    frozen one nor be inherited by one, and holding the NewReferral itself would nest it in the stored
    document and keep a second, stale copy of the person and needs that the referral goes on to change."""

    id: UUID
    pcn: str
    person: Person
    needs: tuple[NeedCategory, ...]
    source: ReferralSource
    referrer: Referrer
    urgency: Urgency
    created_at: datetime
    consent_recorded_at: datetime
    reason: str | None = None
    practice_ods_code: str | None = None
    safeguarding_concern: bool = False
    request_id: str | None = None
    status: ReferralStatus = ReferralStatus.REQUESTED
    stage: LinkWorkerStage | None = None
    version: int = 1
    updated_at: datetime | None = None
    link_worker: str | None = None
    accepted_at: datetime | None = None
    first_contact_at: datetime | None = None
    preferences: Preferences = field(default_factory=Preferences)
    contacts: list[Contact] = field(default_factory=list)
    assessment: Assessment | None = None
    plan: Plan | None = None
    closure: Closure | None = None
    hold: Hold | None = None
    pending_events: list[events.DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def create(cls, new: NewReferral) -> Referral:
        if new.consent_to_refer is not True:
            raise DomainError("consent to refer must be given before a referral can be made")
        referral = cls(
            id=new.id,
            pcn=new.pcn,
            person=new.person,
            needs=tuple(new.needs),
            source=new.source,
            referrer=new.referrer,
            urgency=new.urgency,
            created_at=new.created_at,
            consent_recorded_at=new.consent_recorded_at,
            reason=new.reason,
            practice_ods_code=new.practice_ods_code,
            safeguarding_concern=new.safeguarding_concern,
            request_id=new.request_id,
        )
        referral._check_new()
        referral.updated_at = referral.created_at
        referral.pending_events.append(events.ReferralCreated(referral.created_at))
        return referral

    def _check_new(self) -> None:
        unique("needs", self.needs, minimum=1)
        _check_person(self.person, self.created_at.date())
        if self.consent_recorded_at > self.created_at + CLOCK_SKEW:
            raise DomainError("consent_recorded_at is in the future")

    @property
    def state(self) -> WorkflowState:
        return state_of(self.status, self.stage)

    @property
    def contacts_made(self) -> int:
        return sum(1 for c in self.contacts if c.made)

    def accept(self, link_worker: str, now: datetime) -> None:
        check_allowed(Action.ACCEPT, self.state)
        self.status, self.stage = ReferralStatus.ACCEPTED, LinkWorkerStage.ALLOCATED
        self.link_worker, self.accepted_at = link_worker, now
        self._happened(events.ReferralAccepted(now, link_worker))

    def reassign(self, link_worker: str, now: datetime) -> None:
        check_allowed(Action.REASSIGN, self.state)
        if link_worker == self.link_worker:
            raise DomainError("the referral is already allocated to that link worker")
        previous, self.link_worker = self.link_worker, link_worker
        self._happened(events.ReferralReassigned(now, previous, link_worker))

    def reject(self, reason: str, by: str, now: datetime) -> None:
        check_allowed(Action.REJECT, self.state)
        if not reason.strip():
            raise DomainError("a rejection needs a reason")
        self.status, self.stage = ReferralStatus.REJECTED, None
        self.closure = Closure(ReferralStatus.REJECTED, None, now, by, notes=reason)
        self._happened(events.ReferralRejected(now, self.closure))

    def log_contact(self, contact: Contact, now: datetime) -> None:
        check_allowed(Action.LOG_CONTACT, self.state)
        if contact.attendance or contact.measures:
            raise DomainError("attendance and measures are recorded with a follow-up, not a contact")
        self._check_contact_time(contact, now)
        first = contact.made and self.first_contact_at is None
        self.contacts.append(contact)
        if first:
            self.first_contact_at = contact.occurred_at
            self.status, self.stage = ReferralStatus.IN_PROGRESS, LinkWorkerStage.CONTACTED
        self._happened(events.ContactLogged(now, contact, first))

    def record_assessment(self, assessment: Assessment, now: datetime) -> None:
        check_allowed(Action.RECORD_ASSESSMENT, self.state)
        unique("needs", assessment.needs, minimum=1)
        if not assessment.baseline_measures:
            raise DomainError("the assessment needs a baseline outcome measure")
        check_measures(assessment.baseline_measures, Timepoint.BASELINE)
        self.assessment = assessment
        self.needs, self.preferences = assessment.needs, assessment.preferences
        self.stage = LinkWorkerStage.ASSESSED
        # Needs or preferences changed: consumers see a new version of the referral.
        self.version += 1
        self.updated_at = now
        self._happened(events.AssessmentRecorded(now, assessment, self.version))

    def agree_plan(
        self,
        *,
        goals: Sequence[str],
        needs_addressed: Sequence[NeedCategory],
        activities: Sequence[PlanActivity],
        follow_ups: Sequence[ScheduledFollowUp],
        referral_version: int | None,
        by: str,
        now: datetime,
    ) -> Plan:
        check_allowed(Action.AGREE_PLAN, self.state)
        unique("needs_addressed", needs_addressed, minimum=1)
        if unknown := [n.value for n in needs_addressed if n not in self.needs]:
            raise DomainError(f"needs_addressed {', '.join(unknown)} are not among the referral's needs")
        unique("activity service_id", [a.service_id for a in activities], minimum=0)
        for activity in activities:
            if activity.need not in needs_addressed:
                raise DomainError(
                    f"activity {activity.service_id} is for need {activity.need.value}, "
                    "which needs_addressed does not list"
                )
            route = activity.share.contact
            if route is SharedContactRoute.PHONE and not self.person.phone:
                raise DomainError(f"activity {activity.service_id} share.contact: phone, but no phone number recorded")
            if route is SharedContactRoute.EMAIL and not self.person.email:
                raise DomainError(f"activity {activity.service_id} share.contact: email, but no email address recorded")
        today = now.date()
        for follow_up in follow_ups:
            if not today <= follow_up.due_on <= today + MAX_FOLLOW_UP_HORIZON:
                raise DomainError(f"follow-up due_on {follow_up.due_on} must be between today and two years ahead")
        unique("follow-up id", [f.id for f in follow_ups], minimum=0)
        version = self.plan.version + 1 if self.plan else 1
        self.plan = Plan(
            version,
            now,
            by,
            tuple(goals),
            tuple(needs_addressed),
            tuple(activities),
            in_date_order(follow_ups),
            referral_version,
        )
        self.stage = LinkWorkerStage.PLAN_AGREED
        self._happened(events.PlanAgreed(now, self.plan))
        return self.plan

    def record_follow_up(self, contact: Contact, now: datetime) -> None:
        check_allowed(Action.RECORD_FOLLOW_UP, self.state)
        assert self.plan is not None  # every state allowing a follow-up has a plan
        self._check_contact_time(contact, now)
        unique("attendance service_id", [a.service_id for a in contact.attendance], minimum=0)
        if missing := [str(a.service_id) for a in contact.attendance if self.plan.activity(a.service_id) is None]:
            raise DomainError(f"attendance for {', '.join(missing)}: not an activity in the agreed plan")
        if contact.measures and not contact.made:
            raise DomainError("a repeat measure needs a contact that was made (outcome contact-made)")
        self._check_repeat_measures(contact.measures, Timepoint.FOLLOW_UP)
        if contact.follow_up_id is not None:
            self._check_follow_up_id(contact.follow_up_id)
        self.contacts.append(contact)
        self.stage = LinkWorkerStage.FOLLOWING_UP
        self._happened(events.FollowUpRecorded(now, contact, self.contacts_made))

    def close(
        self,
        reason: ClosureReason,
        *,
        by: str,
        now: datetime,
        notes: str | None = None,
        final_measures: Sequence[AnyMeasureResult] = (),
    ) -> None:
        check_allowed(Action.CLOSE, self.state, reason)
        self._check_repeat_measures(final_measures, Timepoint.CLOSURE)
        status = closure_status(reason)
        self.closure = Closure(status, reason, now, by, notes, tuple(final_measures))
        self.status, self.stage, self.hold = status, None, None
        self._happened(events.ReferralClosed(now, self.closure))

    def update_person(self, person: Person, now: datetime) -> tuple[str, ...]:
        """Correct or update the person's details; returns the names of the fields that changed. A change to
        what matching uses makes a new version of the referral (re-published as referral-created)."""
        check_allowed(Action.UPDATE_PERSON, self.state)
        if person.nhs_number != self.person.nhs_number:
            # The NHS number keys the pseudonymous person_ref every consumer holds: a wrong one means the
            # referral was for the wrong person.
            raise DomainError("nhs_number cannot be changed: mark the referral as entered in error and make a new one")
        _check_person(person, now.date())
        changed = changed_fields(self.person, person)
        if not changed:
            return changed
        self.person = person
        republish = bool(MATCHING_FIELDS.intersection(changed))
        if republish:
            self.version += 1
            self.updated_at = now
        self._happened(events.PersonUpdated(now, changed, republish, self.version))
        return changed

    def put_on_hold(self, reason: str, by: str, now: datetime) -> None:
        """Pause the referral (the person is in hospital, asked to wait...): the stage is kept for
        resuming and the scheduler emits no follow-up-due while it is on hold."""
        check_allowed(Action.HOLD, self.state)
        if not reason.strip():
            raise DomainError("putting a referral on hold needs a reason")
        self.status = ReferralStatus.ON_HOLD
        self.hold = Hold(reason, now, by)
        self._happened(events.ReferralPutOnHold(now, reason))

    def resume(self, now: datetime) -> None:
        check_allowed(Action.RESUME, self.state)
        assert self.hold is not None and self.stage is not None  # put_on_hold keeps both
        held_since, self.hold = self.hold.since, None
        self.status = stage_status(self.stage)
        self._happened(events.ReferralResumed(now, held_since))

    def mark_entered_in_error(self, reason: str, by: str, now: datetime) -> None:
        """The referral should not exist (wrong person, duplicate, test): it closes and leaves the figures.
        Allowed from any state, closed ones included, because recording it at all was the mistake."""
        check_allowed(Action.ENTER_IN_ERROR, self.state)
        if not reason.strip():
            raise DomainError("marking a referral as entered in error needs a reason")
        self.status, self.stage, self.hold = ReferralStatus.ENTERED_IN_ERROR, None, None
        self.closure = Closure(ReferralStatus.ENTERED_IN_ERROR, None, now, by, notes=reason)
        self._happened(events.ReferralEnteredInError(now, self.closure))

    def pending_follow_ups(self) -> tuple[ScheduledFollowUp, ...]:
        """The current plan's follow-ups not yet fulfilled, while the referral is open."""
        if self.plan is None or self.closure is not None:
            return ()
        done = {c.follow_up_id for c in self.contacts if c.follow_up_id is not None}
        return tuple(f for f in self.plan.follow_ups if f.id not in done)

    def _check_contact_time(self, contact: Contact, now: datetime) -> None:
        if contact.occurred_at > now + CLOCK_SKEW:
            raise DomainError(f"the contact's occurred_at {contact.occurred_at.isoformat()} is in the future")
        if contact.occurred_at < self.created_at - CLOCK_SKEW:
            raise DomainError("the contact's occurred_at is before the referral was made")

    def _check_repeat_measures(self, measures: Sequence[AnyMeasureResult], timepoint: Timepoint) -> None:
        check_measures(measures, timepoint)
        baseline = {m.measure for m in self.assessment.baseline_measures} if self.assessment else set()
        if unmatched := [m.measure.value for m in measures if m.measure not in baseline]:
            raise DomainError(
                f"{', '.join(unmatched)} has no baseline to compare with: record the same measures as at the assessment"
            )

    def _check_follow_up_id(self, follow_up_id: UUID) -> None:
        assert self.plan is not None
        if all(f.id != follow_up_id for f in self.plan.follow_ups):
            raise DomainError(f"follow_up_id {follow_up_id} is not a follow-up in the current plan")
        if any(c.follow_up_id == follow_up_id for c in self.contacts):
            raise DomainError(f"follow-up {follow_up_id} has already been recorded")

    def _happened(self, event: events.DomainEvent) -> None:
        self.updated_at = max(self.updated_at or event.at, event.at)
        self.pending_events.append(event)

    def take_events(self) -> list[events.DomainEvent]:
        taken, self.pending_events = self.pending_events, []
        return taken


def _check_person(person: Person, today: date) -> None:
    if person.date_of_birth > today:
        raise DomainError("date_of_birth is in the future")  # never echo a person's data
    try:
        person.age_band_on(today)
    except ValueError as error:
        raise DomainError(f"date_of_birth {person.date_of_birth}: {error}") from error
