"""Applying an incoming ORUK record to what the directory already holds (upsert by id).

The rules, chosen so that every ORUK shape can be imported repeatedly with the same result:
- one-to-one fields are replaced by the record's values (a field left out becomes empty);
- a nested collection (schedules, contacts, addresses...) is replaced only when the record has the
  key at all: the `*_list.json` shapes carry one-to-one fields only and must not wipe the rest;
- organizations, locations and taxonomy terms are shared between services: a record may give them
  whole (they are upserted too) or by id (they must already exist);
- `last_modified` keeps the stored value unless the record gives one (a real change without one is
  stamped by the caller).
The result is the fully nested service exactly as the directory would return it, so comparing it
with the stored one tells whether anything changed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar, cast
from uuid import UUID

from linkwork_contracts.codes import DeliveryMode, ReferralRoute
from pydantic import BaseModel

from linkwork_directory.domain.errors import RecordRejected
from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.needs import is_need_attribute, need_attribute, needs_of
from linkwork_directory.domain.oruk import (
    Attribute,
    Contact,
    Location,
    Organization,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@dataclass
class Known:
    """Stored organizations, locations and terms an incoming record refers to, by id."""

    organizations: dict[UUID, Organization] = field(default_factory=dict)
    locations: dict[UUID, Location] = field(default_factory=dict)
    terms: dict[UUID, TaxonomyTerm] = field(default_factory=dict)


@dataclass
class Resolved:
    """The merged service, and which shared records must be written (new or different)."""

    service: Service
    organizations: list[Organization]
    locations: list[Location]
    terms: list[TaxonomyTerm]
    changed_organizations: list[UUID]
    changed_locations: list[UUID]
    changed_terms: list[UUID]


def _pick(incoming: BaseModel, stored: BaseModel | None, name: str, default: list[T]) -> list[T]:
    """A collection from the record when it has the key, else the stored one."""
    if name in incoming.model_fields_set:
        return cast(list[T], getattr(incoming, name))
    return cast(list[T], getattr(stored, name)) if stored is not None else default


class _Resolver:
    def __init__(self, known: Known) -> None:
        self.known = known
        self.terms: dict[UUID, TaxonomyTerm] = {}
        self.organizations: dict[UUID, Organization] = {}
        self.locations: dict[UUID, Location] = {}
        self.problems: list[str] = []

    def attributes(self, attributes: list[Attribute], owner: UUID) -> list[Attribute]:
        resolved = []
        for attribute in attributes:
            term_id = attribute.term_id
            term = attribute.taxonomy_term or self.terms.get(term_id) or self.known.terms.get(term_id)
            if term is None:
                self.problems.append(f"attribute {attribute.id}: taxonomy_term_id {term_id} is not a known term")
                continue
            self.terms[term.id] = term
            resolved.append(
                Attribute(
                    id=attribute.id,
                    link_id=owner,
                    link_type=attribute.link_type,
                    taxonomy_term_id=term.id,
                    taxonomy_term=term,
                )
            )
        return resolved

    def organization(self, incoming: Organization) -> Organization:
        stored = self.known.organizations.get(incoming.id)
        merged = Organization(
            **incoming.model_dump(exclude={"organization_identifiers", "attributes"}),
            organization_identifiers=_pick(incoming, stored, "organization_identifiers", []),
            attributes=self.attributes(_pick(incoming, stored, "attributes", list[Attribute]()), incoming.id),
        )
        self.organizations[merged.id] = merged
        return merged

    def location(self, incoming: Location) -> Location:
        stored = self.known.locations.get(incoming.id)
        merged = Location(
            **incoming.model_dump(exclude={"addresses", "accessibility", "attributes"}),
            addresses=_pick(incoming, stored, "addresses", []),
            accessibility=_pick(incoming, stored, "accessibility", []),
            attributes=self.attributes(_pick(incoming, stored, "attributes", list[Attribute]()), incoming.id),
        )
        self.locations[merged.id] = merged
        return merged

    def service_at_location(self, sal: ServiceAtLocation) -> ServiceAtLocation | None:
        if sal.location is not None:
            location = self.location(sal.location)
        else:
            found = self.locations.get(sal.the_location_id) or self.known.locations.get(sal.the_location_id)
            if found is None:
                self.problems.append(
                    f"service_at_location {sal.id}: location_id {sal.location_id} is not a known location"
                )
                return None
            location = found
        return ServiceAtLocation(id=sal.id, location_id=location.id, location=location)

    def contact(self, contact: Contact) -> Contact:
        return Contact(
            **contact.model_dump(exclude={"attributes", "phones"}),
            phones=contact.phones,
            attributes=self.attributes(contact.attributes, contact.id),
        )


def resolve_service(incoming: Service, stored: Service | None, known: Known) -> Resolved:
    """The service as it will be stored once `incoming` is applied; raises RecordRejected."""
    resolver = _Resolver(known)
    organization: Organization | None = None
    if incoming.organization is not None:
        organization = resolver.organization(incoming.organization)
    elif incoming.organization_id is not None:
        organization = known.organizations.get(incoming.organization_id)
        if organization is None:
            resolver.problems.append(f"organization_id {incoming.organization_id} is not a known organization")
    elif stored is not None:
        organization = stored.organization

    sals_in = _pick(incoming, stored, "service_at_locations", list[ServiceAtLocation]())
    sals = [s for s in (resolver.service_at_location(sal) for sal in sals_in) if s is not None]
    contacts = [resolver.contact(c) for c in _pick(incoming, stored, "contacts", list[Contact]())]
    attributes = resolver.attributes(_pick(incoming, stored, "attributes", list[Attribute]()), incoming.id)

    settings = incoming.social_prescribing if "social_prescribing" in incoming.model_fields_set else None
    if settings is None:
        settings = stored.social_prescribing if stored is not None else None
    if settings is None:
        # Without our extension: how it is delivered follows from its locations, and a link worker can
        # always make the introduction.
        settings = SocialPrescribing(
            delivery_modes=_delivery_modes([s.location for s in sals if s.location]),
            referral_routes=[ReferralRoute.LINK_WORKER],
        )
    if incoming.social_prescribing is not None and "need_categories" in incoming.social_prescribing.model_fields_set:
        attributes = [a for a in attributes if not is_need_attribute(a)]
        attributes += [need_attribute(incoming.id, need) for need in incoming.social_prescribing.need_categories]
    settings = settings.model_copy(update={"need_categories": needs_of(attributes)})

    if resolver.problems:
        raise RecordRejected(*resolver.problems)
    service = Service(
        **incoming.model_dump(exclude=_NESTED | {"organization_id", "last_modified"}),
        organization_id=organization.id if organization else None,
        organization=organization,
        last_modified=incoming.last_modified or (stored.last_modified if stored else None),
        schedules=_pick(incoming, stored, "schedules", []),
        service_areas=_pick(incoming, stored, "service_areas", []),
        service_at_locations=sals,
        languages=_pick(incoming, stored, "languages", []),
        funding=_pick(incoming, stored, "funding", []),
        cost_options=_pick(incoming, stored, "cost_options", []),
        contacts=contacts,
        attributes=attributes,
        social_prescribing=settings,
    )
    return Resolved(
        service=service,
        organizations=_to_write(resolver.organizations, known.organizations),
        locations=_to_write(resolver.locations, known.locations),
        terms=_to_write(resolver.terms, known.terms),
        changed_organizations=_changed(resolver.organizations, known.organizations),
        changed_locations=_changed(resolver.locations, known.locations),
        changed_terms=_changed(resolver.terms, known.terms),
    )


_NESTED = {
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "organization",
    "funding",
    "cost_options",
    "contacts",
    "attributes",
    "social_prescribing",
}


def _changed(merged: Mapping[UUID, BaseModel], stored: Mapping[UUID, BaseModel]) -> list[UUID]:
    """Shared records that existed and are now different (new ones affect no other service)."""
    return [key for key, value in merged.items() if key in stored and stored[key].model_dump() != value.model_dump()]


@dataclass
class ResolvedShared(Generic[M]):
    """A merged organization or location, and the terms its attributes bring that must be written."""

    record: M
    terms: list[TaxonomyTerm]
    changed_terms: list[UUID]


def _resolve_shared(incoming: M, known: Known, merge: Callable[[_Resolver, M], M]) -> ResolvedShared[M]:
    resolver = _Resolver(known)
    merged = merge(resolver, incoming)
    if resolver.problems:
        raise RecordRejected(*resolver.problems)
    return ResolvedShared(merged, _to_write(resolver.terms, known.terms), _changed(resolver.terms, known.terms))


def resolve_organization(incoming: Organization, known: Known) -> ResolvedShared[Organization]:
    return _resolve_shared(incoming, known, _Resolver.organization)


def resolve_location(incoming: Location, known: Known) -> ResolvedShared[Location]:
    return _resolve_shared(incoming, known, _Resolver.location)


def _to_write(merged: Mapping[UUID, M], stored: Mapping[UUID, BaseModel]) -> list[M]:
    return [
        value for key, value in merged.items() if key not in stored or stored[key].model_dump() != value.model_dump()
    ]


def _delivery_modes(locations: list[Location]) -> list[DeliveryMode]:
    """A record without our extension: in person where it has a place, online where it is virtual."""
    modes = []
    if any(location.location_type == "physical" for location in locations):
        modes.append(DeliveryMode.IN_PERSON)
    if any(location.location_type == "virtual" for location in locations):
        modes.append(DeliveryMode.ONLINE)
    return modes


def same_service(a: Service | None, b: Service) -> bool:
    return a is not None and a.model_dump() == b.model_dump()
