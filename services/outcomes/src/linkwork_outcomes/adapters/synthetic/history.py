"""Synthetic event histories with known ground truth, for tests, benchmarks and demonstrations.

`generate(seed, referrals=...)` tells a story per referral (created, perhaps re-versioned,
suggestions, contacts, a plan and its revision, follow-ups due and recorded with attendance and
repeat measures, closure) and returns the contract events it would produce, each in its
CloudEvents envelope, together with the ground truth of what happened. Every event goes through
the contracts' own models, so an invalid story fails here rather than in the service.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from uuid import UUID

from linkwork_contracts.codes import (
    AgeBand,
    AttendanceStatus,
    ClosureReason,
    ConfirmedBy,
    ContactKind,
    ContactOutcome,
    DeliveryMode,
    EthnicCategory,
    NeedCategory,
    ReferralSource,
    ReferralStatus,
    Sex,
    Urgency,
    closure_status,
)
from linkwork_contracts.envelope import CloudEvent, wrap
from linkwork_contracts.events import (
    ActivityAttendance,
    Cost,
    Event,
    FollowUpDueV1,
    FollowUpRecordedV1,
    MatchesSuggestedV1,
    NeedSuggestions,
    Organisation,
    PersonProfile,
    PlanAgreedV1,
    PlannedActivity,
    ProvisionGapV1,
    ReferralClosedV1,
    ReferralCreatedV1,
    ServiceChangedV1,
    SuggestedOption,
)
from linkwork_contracts.measures import AnyMeasureResult, Ons4Result, SwemwbsResult, Timepoint, Ucla3Result
from linkwork_contracts.measures import outcome_scores as scores_of

from linkwork_outcomes.adapters.synthetic.world import (
    Place,
    Service,
    TrueGap,
    TrueMeasure,
    TrueReferral,
    places,
    services,
)

SOURCE = "urn:linkwork:synthetic"
_SOURCES = [s for s in ReferralSource]
_SOURCE_WEIGHTS = [60, 8, 8, 6, 4, 2, 2, 9, 1]
_SEXES = [Sex.FEMALE, Sex.MALE, Sex.OTHER, Sex.UNKNOWN]
_ETHNIC = list(EthnicCategory)
_ETHNIC_WEIGHTS = [70, 2, 5, 1, 1, 1, 1, 3, 3, 2, 1, 2, 2, 1, 1, 1, 1, 2]


@dataclass
class History:
    referrals: list[TrueReferral] = field(default_factory=list)
    services: list[Service] = field(default_factory=list)
    gaps: list[TrueGap] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    events: list[tuple[Event, CloudEvent]] = field(default_factory=list)

    def add(self, event: Event, at: datetime) -> None:
        self.events.append((event, wrap(event, source=SOURCE, event_id=_uuid(self._rng).hex, time=at)))

    _rng: random.Random = field(default_factory=random.Random, repr=False)


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


class _Story:
    """Tells one referral's story into the history."""

    def __init__(self, history: History, rng: random.Random, start: datetime, days: int) -> None:
        self.history, self.rng, self.start, self.days = history, rng, start, days
        self.by_need: dict[NeedCategory, list[Service]] = {}
        for service in history.services:
            for need in service.needs:
                self.by_need.setdefault(need, []).append(service)

    def moment(self, base: datetime, days: float) -> datetime:
        return base + timedelta(days=days, minutes=self.rng.randrange(0, 600))

    def tell(self) -> None:
        rng, history = self.rng, self.history
        place = rng.choice(history.places)
        created = self.start + timedelta(
            days=rng.randrange(self.days), hours=rng.choice((8, 10, 13, 16, 23)), minutes=rng.choice((0, 15, 30, 45))
        )
        needs = tuple(rng.sample(list(NeedCategory), k=rng.choice((1, 1, 2, 3))))
        truth = TrueReferral(
            referral_id=str(_uuid(rng)),
            person_ref=f"{rng.getrandbits(256):064x}",
            created_at=created,
            pcn=place.pcn,
            practice=None if rng.random() < 0.05 else rng.choice(place.practices),
            source=rng.choices(_SOURCES, _SOURCE_WEIGHTS)[0].value,
            needs=tuple(n.value for n in needs),
            age_band=rng.choice(list(AgeBand)).value,
            sex=rng.choices(_SEXES, (48, 46, 3, 3))[0].value,
            ethnic_category=rng.choices(_ETHNIC, _ETHNIC_WEIGHTS)[0].value,
            imd_decile=None if rng.random() < 0.08 else rng.randint(1, 10),
            district=rng.choice(place.districts),
        )
        history.referrals.append(truth)
        self.created(truth, 1, needs, created, created)
        if rng.random() < 0.2:
            changed = tuple(dict.fromkeys((*needs[:1], rng.choice(list(NeedCategory)))))
            truth.needs = tuple(n.value for n in changed)
            needs = changed
            self.created(truth, 2, needs, created, self.moment(created, rng.randrange(1, 8)))
        if rng.random() < 0.12:
            self.close(truth, created + timedelta(days=rng.randrange(3, 40)), rejected_or_declined=True)
            return
        first = self.moment(created, min(rng.expovariate(1 / 8), 60))
        truth.first_contact_at = first
        no_plan = rng.random() < 0.22
        # Contacts made but never recorded as events: only the plan and closure tell of the contact.
        silent = not no_plan and rng.random() < 0.05
        if rng.random() < 0.15 and not silent:
            self.contact(truth, first - timedelta(hours=20), ContactKind.FIRST_CONTACT, ContactOutcome.NO_ANSWER)
        if not silent:
            self.contact(truth, first, ContactKind.FIRST_CONTACT, ContactOutcome.CONTACT_MADE)
        if no_plan:
            if rng.random() < 0.5:
                self.close(truth, first + timedelta(days=rng.randrange(5, 30)))
            return
        self.plan_and_follow_up(truth, needs, first, silent)

    def created(
        self, truth: TrueReferral, version: int, needs: tuple[NeedCategory, ...], created: datetime, updated: datetime
    ) -> None:
        person = PersonProfile(
            person_ref=truth.person_ref,
            age_band=AgeBand(truth.age_band),
            sex=Sex(truth.sex),
            ethnic_category=EthnicCategory(truth.ethnic_category),
            postcode_district=truth.district,
            imd_decile=truth.imd_decile,
        )
        event = ReferralCreatedV1(
            referral_id=UUID(truth.referral_id),
            version=version,
            request_id=None,
            created_at=created,
            updated_at=updated,
            source=ReferralSource(truth.source),
            urgency=Urgency.ROUTINE,
            pcn_code=truth.pcn,
            practice_ods_code=truth.practice,
            person=person,
            needs=needs,
        )
        self.history.add(event, updated)
        suggestions = []
        for need in needs:
            offered = self.by_need.get(need, [])
            chosen = self.rng.sample(offered, k=min(len(offered), self.rng.choice((0, 1, 2, 3))))
            suggestions.append(
                NeedSuggestions(
                    need=need,
                    options=tuple(
                        SuggestedOption(
                            service_id=s.service_id,
                            service_name=s.name,
                            rank=rank,
                            score=0.5,
                            distance_km=None,
                            delivery_mode=DeliveryMode.ONLINE,
                            reasons=("synthetic",),
                        )
                        for rank, s in enumerate(chosen, start=1)
                    ),
                )
            )
        at = updated + timedelta(minutes=5)
        self.history.add(
            MatchesSuggestedV1(
                referral_id=UUID(truth.referral_id),
                referral_version=version,
                person_ref=truth.person_ref,
                suggested_at=at,
                ranker_version="synthetic",
                needs=tuple(suggestions),
            ),
            at,
        )

    def contact(
        self,
        truth: TrueReferral,
        at: datetime,
        kind: ContactKind,
        outcome: ContactOutcome,
        attendance: tuple[ActivityAttendance, ...] = (),
        measures: tuple[AnyMeasureResult, ...] = (),
        follow_up_id: UUID | None = None,
    ) -> None:
        made = outcome is ContactOutcome.CONTACT_MADE
        truth.contacts_made += int(made)
        self.history.add(
            FollowUpRecordedV1(
                referral_id=UUID(truth.referral_id),
                person_ref=truth.person_ref,
                contact_id=_uuid(self.rng),
                follow_up_id=follow_up_id,
                contact_at=at,
                kind=kind,
                mode=DeliveryMode.TELEPHONE,
                outcome=outcome,
                contacts_to_date=truth.contacts_made,
                attendance=attendance,
                measures=measures if made else (),
            ),
            at,
        )
        if made:
            truth.measures.extend(_true(measures))

    def measures(self, at: datetime, timepoint: Timepoint, chance: float) -> tuple[AnyMeasureResult, ...]:
        rng = self.rng
        taken: list[AnyMeasureResult] = []
        if rng.random() < chance:
            taken.append(
                Ons4Result.from_items([rng.randint(0, 10) for _ in range(4)], recorded_at=at, timepoint=timepoint)
            )
        if rng.random() < chance:
            taken.append(
                SwemwbsResult.from_items([rng.randint(1, 5) for _ in range(7)], recorded_at=at, timepoint=timepoint)
            )
        if rng.random() < chance:
            taken.append(
                Ucla3Result.from_items([rng.randint(1, 3) for _ in range(3)], recorded_at=at, timepoint=timepoint)
            )
        return tuple(taken)

    def choose_activities(self, needs: tuple[NeedCategory, ...]) -> tuple[PlannedActivity, ...]:
        chosen: dict[UUID, PlannedActivity] = {}
        for need in needs:
            offered = self.by_need.get(need, [])
            for service in self.rng.sample(offered, k=min(len(offered), self.rng.randint(0, 2))):
                chosen.setdefault(service.service_id, PlannedActivity(service_id=service.service_id, need=need))
        return tuple(chosen.values())

    def plan_and_follow_up(
        self, truth: TrueReferral, needs: tuple[NeedCategory, ...], first: datetime, silent: bool
    ) -> None:
        rng, referral_id = self.rng, UUID(truth.referral_id)
        agreed = self.moment(first, rng.randrange(1, 10))
        baseline = self.measures(agreed - timedelta(hours=1), Timepoint.BASELINE, 0.85)
        if not silent:
            self.contact(truth, agreed - timedelta(hours=1), ContactKind.WHAT_MATTERS, ContactOutcome.CONTACT_MADE)
        truth.measures.extend(_true(baseline))
        plans = [self.choose_activities(needs)]
        if rng.random() < 0.15:
            plans.append(self.choose_activities(needs))
        for version, activities in enumerate(plans, start=1):
            at = agreed + timedelta(days=20 * (version - 1))
            self.history.add(
                PlanAgreedV1(
                    referral_id=referral_id,
                    person_ref=truth.person_ref,
                    plan_version=version,
                    referral_version=1,
                    agreed_at=at,
                    first_contact_at=first,
                    needs_addressed=needs,
                    activities=activities,
                    baseline_measures=baseline,
                ),
                at,
            )
        truth.plan = tuple(sorted(str(a.service_id) for a in plans[-1]))
        last = agreed
        for sequence in range(1, rng.randint(0, 4) + 1):
            due_id, due_on = _uuid(rng), (agreed + timedelta(days=14 * sequence)).date()
            kind = ContactKind.REVIEW if sequence == 3 else ContactKind.FOLLOW_UP
            at = datetime(due_on.year, due_on.month, due_on.day, 11, tzinfo=UTC) + timedelta(days=rng.randint(-2, 2))
            self.history.add(
                FollowUpDueV1(
                    referral_id=referral_id,
                    person_ref=truth.person_ref,
                    follow_up_id=due_id,
                    sequence=sequence,
                    kind=kind,
                    due_on=due_on,
                    pcn_code=truth.pcn,
                ),
                datetime(due_on.year, due_on.month, due_on.day, 6, tzinfo=UTC),
            )
            if silent or rng.random() < 0.2:
                continue
            outcome = ContactOutcome.CONTACT_MADE if rng.random() < 0.9 else ContactOutcome.NO_ANSWER
            current = plans[-1] if len(plans) > 1 and at >= agreed + timedelta(days=20) else plans[0]
            attendance = tuple(
                ActivityAttendance(
                    service_id=a.service_id,
                    need=a.need,
                    status=rng.choice(list(AttendanceStatus)),
                    confirmed_by=ConfirmedBy.LINK_WORKER,
                )
                for a in current
                if outcome is ContactOutcome.CONTACT_MADE
            )
            self.contact(truth, at, kind, outcome, attendance, self.measures(at, Timepoint.FOLLOW_UP, 0.5), due_id)
            if outcome is ContactOutcome.CONTACT_MADE:
                truth.followed_up = True
                truth.attended |= {
                    str(a.service_id)
                    for a in attendance
                    if a.status in (AttendanceStatus.ATTENDING, AttendanceStatus.COMPLETED)
                }
            last = max(last, at)
        truth.attended &= set(truth.plan)
        if rng.random() < 0.55:
            self.close(truth, last + timedelta(days=rng.randrange(2, 20)))

    def close(self, truth: TrueReferral, at: datetime, rejected_or_declined: bool = False) -> None:
        rng = self.rng
        if rejected_or_declined:
            reason = rng.choice((ClosureReason.DECLINED, ClosureReason.OTHER))
            status = ReferralStatus.REJECTED if reason is ClosureReason.OTHER else closure_status(reason)
        elif rng.random() < 0.02:
            reason, status = ClosureReason.OTHER, ReferralStatus.ENTERED_IN_ERROR
        else:
            reason = rng.choice(list(ClosureReason))
            status = closure_status(reason)
        final = self.measures(at, Timepoint.CLOSURE, 0.3) if truth.contacts_made else ()
        truth.closure_status, truth.closure_reason = status.value, reason.value
        truth.measures.extend(_true(final))
        self.history.add(
            ReferralClosedV1(
                referral_id=UUID(truth.referral_id),
                person_ref=truth.person_ref,
                request_id=None,
                pcn_code=truth.pcn,
                practice_ods_code=truth.practice,
                referred_at=truth.created_at,
                first_contact_at=truth.first_contact_at,
                closed_at=at,
                status=status,
                closure_reason=reason,
                contacts_count=truth.contacts_made,
                final_measures=final,
            ),
            at,
        )


def _true(results: tuple[AnyMeasureResult, ...]) -> list[TrueMeasure]:
    return [
        TrueMeasure(score, r.timepoint.value, r.recorded_at, value)
        for r in results
        for score, value in scores_of(r).items()
    ]


def _service_events(history: History, start: datetime) -> None:
    for service in history.services:
        for revision in range(1, service.revision + 1):
            at = start - timedelta(days=30 * (service.revision - revision + 1))
            history.add(
                ServiceChangedV1(
                    service_id=service.service_id,
                    revision=revision,
                    changed_at=at,
                    name=service.name if revision == service.revision else f"{service.name} (old name)",
                    organisation=Organisation(id=service.provider_id, name=service.provider_name),
                    status="active" if service.active or revision < service.revision else "withdrawn",
                    need_categories=service.needs,
                    delivery_modes=(DeliveryMode.ONLINE,),
                    cost=Cost(free=True),
                    referral_routes=("link-worker",),
                    last_verified_on=service.last_verified_on,
                ),
                at,
            )


def _gaps(history: History, rng: random.Random, start: datetime, days: int) -> None:
    # Matching reports one window per district and need, however many PCNs the district touches.
    for district in sorted({d for place in history.places for d in place.districts}):
        for need in rng.sample(list(NeedCategory), k=3):
            for week in range(0, days // 7, 2):
                if rng.random() < 0.5:
                    continue
                window_start = start + timedelta(days=7 * week)
                with_need = rng.randint(1, 12)
                gap = TrueGap(
                    need.value,
                    district,
                    window_start,
                    window_start + timedelta(days=7),
                    with_need,
                    rng.randint(1, with_need),
                )
                history.gaps.append(gap)
                history.add(
                    ProvisionGapV1(
                        need=need,
                        postcode_district=district,
                        window_start=gap.window_start,
                        window_end=gap.window_end,
                        referrals_with_need=gap.with_need,
                        referrals_unmet=gap.unmet,
                        detected_at=gap.window_end,
                    ),
                    gap.window_end,
                )


def generate(
    seed: int,
    *,
    referrals: int = 300,
    start: datetime = datetime(2025, 1, 1, tzinfo=UTC),
    days: int = 120,
    pcns: int = 2,
    practices_per_pcn: int = 3,
    service_count: int = 40,
) -> History:
    """A reproducible history: the same seed always gives the same events and truth."""
    rng = random.Random(seed)
    history = History(_rng=rng)
    history.places = places(pcns, practices_per_pcn, rng)
    history.services = services(service_count, rng)
    _service_events(history, start)
    story = _Story(history, rng, start, days)
    for _ in range(referrals):
        story.tell()
    _gaps(history, rng, start, days)
    history.events.sort(key=lambda pair: pair[1].time)
    return history
