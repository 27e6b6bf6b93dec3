"""Turns contract events into facts: the only place that knows both shapes.

The live consumer and the rebuild both go through `facts_of`, so the two cannot disagree about
what an event means. Only the fields reports need are taken; everything else in an event (for
example a person's location, languages or interests) is dropped here and never stored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from linkwork_contracts.codes import ServiceStatus
from linkwork_contracts.events import (
    Event,
    FollowUpDueV1,
    FollowUpRecordedV1,
    MatchesSuggestedV1,
    PlanAgreedV1,
    ProvisionGapV1,
    ReferralClosedV1,
    ReferralCreatedV1,
    ServiceChangedV1,
    ServiceChangedV2,
    ServiceChangedV3,
)
from linkwork_contracts.measures import AnyMeasureResult, outcome_scores

from linkwork_outcomes.domain.facts import (
    Attendance,
    Closure,
    Contact,
    FactBatch,
    FollowUpDue,
    Measurement,
    PlannedActivity,
    PlanVersion,
    ProvisionGap,
    ReferralVersion,
    ServiceLabel,
    SuggestionSet,
)
from linkwork_outcomes.domain.statistics import to_hundredths

# The event types this service consumes (two versions of service-changed share its topic).
CONSUMED: tuple[type[Event], ...] = (
    ReferralCreatedV1,
    MatchesSuggestedV1,
    PlanAgreedV1,
    FollowUpDueV1,
    FollowUpRecordedV1,
    ReferralClosedV1,
    ServiceChangedV1,
    ServiceChangedV2,  # a v1 with areas and eligibility (issue 21): the same facts
    ServiceChangedV3,  # a v2 with the waiting list (issue 17): the same facts
    ProvisionGapV1,
)


def _measurements(referral_id: str, results: tuple[AnyMeasureResult, ...]) -> list[Measurement]:
    return [
        Measurement(referral_id, score, result.timepoint.value, result.recorded_at, to_hundredths(value))
        for result in results
        for score, value in outcome_scores(result).items()
    ]


def _referral_created(event: ReferralCreatedV1, at: datetime, batch: FactBatch) -> None:
    person = event.person
    batch.versions.append(
        (
            ReferralVersion(
                referral_id=str(event.referral_id),
                version=event.version,
                person_ref=person.person_ref,
                created_at=event.created_at,
                source=event.source.value,
                pcn=event.pcn_code,
                practice=event.practice_ods_code,
                age_band=person.age_band.value,
                sex=person.sex.value,
                ethnic_category=person.ethnic_category.value,
                postcode_district=person.postcode_district,
                imd_decile=person.imd_decile,
                needs=tuple(need.value for need in event.needs),
            ),
            at,
        )
    )


def _plan_agreed(event: PlanAgreedV1, at: datetime, batch: FactBatch) -> None:
    referral_id = str(event.referral_id)
    activities = tuple(PlannedActivity(str(a.service_id), a.need.value) for a in event.activities)
    batch.plans.append(
        (PlanVersion(referral_id, event.plan_version, event.agreed_at, event.first_contact_at, activities), at)
    )
    batch.measurements.extend(_measurements(referral_id, event.baseline_measures))


def _follow_up_recorded(event: FollowUpRecordedV1, at: datetime, batch: FactBatch) -> None:
    referral_id = str(event.referral_id)
    attendance = tuple(Attendance(str(a.service_id), a.status.value) for a in event.attendance)
    contact = Contact(
        str(event.contact_id),
        referral_id,
        event.contact_at,
        event.kind.value,
        event.outcome.value,
        event.contacts_to_date,
        attendance,
        str(event.follow_up_id) if event.follow_up_id else None,
    )
    batch.contacts.append((contact, at))
    batch.measurements.extend(_measurements(referral_id, event.measures))


def _follow_up_due(event: FollowUpDueV1, at: datetime, batch: FactBatch) -> None:
    due = FollowUpDue(str(event.follow_up_id), str(event.referral_id), event.due_on, event.pcn_code)
    batch.follow_ups_due.append((due, at))


def _referral_closed(event: ReferralClosedV1, at: datetime, batch: FactBatch) -> None:
    referral_id = str(event.referral_id)
    closure = Closure(
        referral_id,
        event.closed_at,
        event.status.value,
        event.closure_reason.value,
        event.first_contact_at,
        event.contacts_count,
    )
    batch.closures.append((closure, at))
    batch.measurements.extend(_measurements(referral_id, event.final_measures))


def _service_changed(event: ServiceChangedV1, at: datetime, batch: FactBatch) -> None:
    label = ServiceLabel(
        service_id=str(event.service_id),
        revision=event.revision,
        name=event.name,
        provider_id=str(event.organisation.id),
        provider_name=event.organisation.name,
        active=event.status is ServiceStatus.ACTIVE,
        changed_at=event.changed_at,
        last_verified_on=event.last_verified_on,
    )
    batch.services.append((label, at))


def _provision_gap(event: ProvisionGapV1, at: datetime, batch: FactBatch) -> None:
    gap = ProvisionGap(
        event.need.value,
        event.postcode_district,
        event.window_start,
        event.window_end,
        event.referrals_with_need,
        event.referrals_unmet,
        event.detected_at,
    )
    batch.gaps.append((gap, at))


def _matches_suggested(event: MatchesSuggestedV1, at: datetime, batch: FactBatch) -> None:
    options = tuple((n.need.value, len(n.options)) for n in event.needs)
    batch.suggestions.append(
        (SuggestionSet(str(event.referral_id), event.referral_version, event.suggested_at, options), at)
    )


# The facts each consumed event type adds; a later version subclassing an earlier one (service-changed v2
# and v3) adds the earlier one's facts.
_ADDERS: tuple[tuple[type[Event], Callable[[Any, datetime, FactBatch], None]], ...] = (
    (ReferralCreatedV1, _referral_created),
    (PlanAgreedV1, _plan_agreed),
    (FollowUpRecordedV1, _follow_up_recorded),
    (FollowUpDueV1, _follow_up_due),
    (ReferralClosedV1, _referral_closed),
    (ServiceChangedV1, _service_changed),
    (ProvisionGapV1, _provision_gap),
    (MatchesSuggestedV1, _matches_suggested),
)


def facts_of(event: Event, at: datetime, batch: FactBatch | None = None) -> FactBatch:
    """Add the facts `event` carries to `batch` (a new one by default) and return it."""
    batch = batch if batch is not None else FactBatch()
    for event_type, add in _ADDERS:
        if isinstance(event, event_type):
            add(event, at, batch)
            return batch
    raise TypeError(f"the outcomes service does not consume {type(event).__name__}")
