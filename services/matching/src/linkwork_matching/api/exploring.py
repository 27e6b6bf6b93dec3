"""Turns a link worker's request into a person to match and filters, and results into the answer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from uuid import UUID

from linkwork_contracts.codes import DayOfWeek

from linkwork_matching.adapters.districts import bundled_districts
from linkwork_matching.adapters.outbound import delivery_mode
from linkwork_matching.api.schemas import (
    MatchOption,
    MatchRequest,
    MatchResponse,
    NeedMatches,
    ReasonOut,
    ToCheckOut,
)
from linkwork_matching.domain.criteria import Filters
from linkwork_matching.domain.person import Location, Person
from linkwork_matching.domain.ranker import Option, Suggestions


def person_for(request: MatchRequest, start: Person | None) -> Person:
    """The starting person (a referral's, or nobody in particular) with the request's fields."""
    given = request.model_fields_set
    person = start or Person(needs=())
    changes: dict[str, Any] = {}
    for name in (
        "needs",
        "age_band",
        "travel_mode",
        "max_travel_minutes",
        "interpreter_needed",
        "interests",
        "max_cost_pence",
        "accepts_waiting_list",
        "postcode_district",
        "lsoa",
        "local_authority",
        "sex",
        "carer",
        "veteran",
    ):
        if name in given:
            changes[name] = getattr(request, name)
    for name in ("delivery_modes", "accessibility_needs", "languages"):
        if name in given:
            changes[name] = frozenset(getattr(request, name) or ())
    if "condition_groups" in given:
        groups = request.condition_groups
        changes["condition_groups"] = None if groups is None else frozenset(groups)
    if "location" in given:
        location = request.location
        changes["location"] = None if location is None else Location(location.latitude, location.longitude)
    if "availability" in given:
        changes["availability"] = frozenset(
            (DayOfWeek(slot.day), slot.part_of_day) for slot in request.availability or ()
        )
    person = replace(person, **changes)
    return with_district(person)


def with_district(person: Person) -> Person:
    """With only a location, the nearest postcode district (when near enough) for service areas."""
    if person.postcode_district is None and person.location is not None:
        return replace(person, postcode_district=bundled_districts().nearest(person.location))
    return person


def filters_for(request: MatchRequest) -> Filters:
    return Filters(
        required_slots=frozenset((DayOfWeek(s.day), s.part_of_day) for s in request.sessions_in),
        max_distance_km=request.max_distance_km,
    )


def option_out(person: Person, option: Option, rank: int) -> MatchOption:
    return MatchOption(
        service_id=UUID(option.service.service_id),
        service_name=option.service.name,
        organisation=option.service.organisation,
        need=option.need,
        also_meets=list(option.also_meets),
        rank=rank,
        score=option.score,
        distance_km=option.distance_km,
        delivery_mode=delivery_mode(person, option),
        venue_name=None if option.venue is None else option.venue.name,
        reasons=[ReasonOut(kind=r.kind, text=r.text) for r in option.reasons],
        summary=option.summary,
    )


def response_for(person: Person, suggestions: Suggestions, ranker_version: str) -> MatchResponse:
    return MatchResponse(
        ranker_version=ranker_version,
        needs=[
            NeedMatches(
                need=n.need,
                eligible_services=n.eligible_services,
                nearest_beyond_reach_km=n.nearest_beyond_reach_km,
                options=[option_out(person, o, rank) for rank, o in enumerate(n.options, 1)],
                barred_services=n.barred_services,
                check_eligibility=[
                    ToCheckOut(service_id=UUID(c.service.service_id), service_name=c.service.name, reason=c.reason)
                    for c in n.check_eligibility
                ],
                gap_reason=n.gap_reason,
            )
            for n in suggestions.needs
        ],
        ranked=[option_out(person, o, rank) for rank, o in enumerate(suggestions.ranked, 1)],
        gaps=list(suggestions.gaps),
    )
