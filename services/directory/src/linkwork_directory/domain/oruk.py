"""ORUK v3 records as the directory holds them: typed, checked, and nested the way the API returns them.

Field names and nesting follow `schema/compiled/service.json`. Reading an ORUK document goes through
`Service.model_validate` (after the JSON Schema check in the adapters), so every rule a record must
meet to be stored is here: well-formed ids, dates and times, iCalendar day codes, consistent ages,
no id used twice inside one record. Unknown fields are ignored: HSDS allows extensions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Literal, Protocol, Self
from uuid import UUID

from linkwork_contracts.codes import TaxonomyTerm as PublishedTerm
from linkwork_contracts.events.directory import MAX_LIST, MAX_LOCATIONS, MAX_SCHEDULES
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.timeofday import parse_time_of_day

ServiceStatusCode = Literal["active", "inactive", "defunct", "temporarily closed"]
LocationType = Literal["physical", "postal", "virtual"]

_BYDAY_PART = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")


def _check_byday(value: str | None) -> str | None:
    if value is None:
        return None
    parts = [part.strip().upper() for part in value.split(",") if part.strip()]
    for part in parts:
        if not _BYDAY_PART.match(part):
            raise ValueError(f"{part!r} is not an iCalendar BYDAY day (MO..SU, with an optional ordinal: 2MO, -1FR)")
    return ",".join(parts)


def _time_of_day(value: object) -> object:
    return parse_time_of_day(value) if isinstance(value, str) else value


TimeOfDay = Annotated[time, BeforeValidator(_time_of_day)]
Age = Annotated[Decimal, Field(ge=0, le=130)]


class Record(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class _HasId(Protocol):
    @property
    def id(self) -> UUID: ...


def _linked_id(linked_id: UUID | None, linked: _HasId | None, field: str) -> UUID | None:
    """The id of a record linked by id (`<field>_id`), given whole (`<field>`), or both, when they must agree."""
    if linked is None:
        return linked_id
    if linked_id not in (None, linked.id):
        raise ValueError(f"{field}_id differs from {field}.id")
    return linked.id


class TaxonomyTerm(Record):
    id: UUID
    name: str = Field(min_length=1)
    description: str
    parent_id: UUID | None = None
    taxonomy: str | None = None
    taxonomy_id: UUID | None = None
    term_uri: str | None = None
    term: str | None = None

    @classmethod
    def published(cls, term: PublishedTerm, taxonomy_id: UUID) -> TaxonomyTerm:
        """A term of a taxonomy linkwork publishes (`linkwork_contracts.codes`: already ORUK's fields)."""
        return cls(**asdict(term), taxonomy_id=taxonomy_id)


class Taxonomy(Record):
    id: UUID
    name: str = Field(min_length=1)
    description: str
    uri: str | None = None
    version: str | None = None
    taxonomy_terms: list[TaxonomyTerm] = []

    @classmethod
    def published(
        cls, taxonomy_id: UUID, name: str, uri: str, description: str, terms: Iterable[PublishedTerm]
    ) -> Taxonomy:
        """A taxonomy linkwork publishes (version 1), with its terms, as the ORUK record `/taxonomies` serves."""
        return cls(
            id=taxonomy_id,
            name=name,
            uri=uri,
            version="1",
            description=description,
            taxonomy_terms=[TaxonomyTerm.published(term, taxonomy_id) for term in terms],
        )


class Attribute(Record):
    """Classifies its owner with a taxonomy term, given whole or by id."""

    id: UUID
    link_id: UUID | None = None
    link_type: str | None = None
    taxonomy_term_id: UUID | None = None
    taxonomy_term: TaxonomyTerm | None = None

    @model_validator(mode="after")
    def _names_a_term(self) -> Self:
        self.taxonomy_term_id = _linked_id(self.taxonomy_term_id, self.taxonomy_term, "taxonomy_term")
        if self.taxonomy_term_id is None:
            raise ValueError("an attribute needs taxonomy_term or taxonomy_term_id")
        return self

    @property
    def term_id(self) -> UUID:
        assert self.taxonomy_term_id is not None  # guaranteed by the validator
        return self.taxonomy_term_id


class OrganizationIdentifier(Record):
    id: UUID
    identifier_scheme: str | None = None
    identifier_type: str = Field(min_length=1)
    identifier: str = Field(min_length=1)


class Organization(Record):
    id: UUID
    name: str = Field(min_length=1)
    description: str
    email: str | None = None
    website: str | None = None
    logo: str | None = None
    uri: str | None = None
    parent_organization_id: UUID | None = None
    organization_identifiers: list[OrganizationIdentifier] = []
    attributes: list[Attribute] = []


class Address(Record):
    id: UUID
    attention: str | None = None
    address_1: str = Field(min_length=1)
    address_2: str | None = None
    city: str = Field(min_length=1)
    region: str | None = None
    state_province: str
    postal_code: str = Field(min_length=1)
    country: str = Field(min_length=1)
    address_type: str = Field(min_length=1)


class AccessibilityNote(Record):
    """ORUK `accessibility`: a free-text note on how accessible a location is."""

    id: UUID
    description: str | None = None
    details: str | None = None
    url: str | None = None
    accessibility: str | None = None


class Location(Record):
    id: UUID
    location_type: LocationType
    name: str | None = None
    description: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    addresses: list[Address] = []
    accessibility: list[AccessibilityNote] = []
    attributes: list[Attribute] = []

    @property
    def on_the_globe(self) -> bool:
        """Whether the coordinates can be used for distances (ORUK's own example has latitude 100)."""
        return (
            self.latitude is not None
            and self.longitude is not None
            and -90 <= self.latitude <= 90
            and -180 <= self.longitude <= 180
        )


class ServiceAtLocation(Record):
    id: UUID
    location_id: UUID | None = None
    location: Location | None = None

    @model_validator(mode="after")
    def _names_a_location(self) -> Self:
        self.location_id = _linked_id(self.location_id, self.location, "location")
        if self.location_id is None:
            raise ValueError("a service_at_location needs location or location_id")
        return self

    @property
    def the_location_id(self) -> UUID:
        assert self.location_id is not None  # guaranteed by the validator
        return self.location_id


class Schedule(Record):
    id: UUID
    service_at_location_id: UUID | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    interval: Decimal | None = Field(default=None, gt=0)
    byday: str | None = None
    bymonthday: str | None = None
    description: str | None = None
    opens_at: TimeOfDay | None = None
    closes_at: TimeOfDay | None = None
    schedule_link: str | None = None
    attending_type: str | None = None
    notes: str | None = None

    @field_validator("byday")
    @classmethod
    def _byday(cls, value: str | None) -> str | None:
        return _check_byday(value)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self

    @property
    def days(self) -> list[str]:
        """The weekday codes this schedule runs on, ordinals dropped ("2MO,-1FR" -> MO, FR)."""
        if not self.byday:
            return []
        return sorted({part[-2:] for part in self.byday.split(",")}, key=_WEEKDAYS.index)


_WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


class ServiceArea(Record):
    id: UUID
    name: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: str | None = None
    service_area: str | None = None


class Language(Record):
    id: UUID
    phone_id: UUID | None = None
    name: str | None = None
    code: str | None = None
    note: str | None = None


class Funding(Record):
    id: UUID
    source: str | None = None


class CostOption(Record):
    id: UUID
    valid_from: date | None = None
    valid_to: date | None = None
    option: str | None = None
    amount: Decimal | None = Field(default=None, ge=0)
    amount_description: str | None = None
    unit: str | None = None


class Phone(Record):
    id: UUID
    number: str = Field(min_length=1)
    description: str | None = None


class Contact(Record):
    id: UUID
    name: str | None = None
    title: str | None = None
    phones: list[Phone] = []
    attributes: list[Attribute] = []


# Every service becomes one service-changed event with its locations and schedules inside; unbounded, one
# record could exceed what Kafka accepts (1 MB by default) and block the directory's outbox. At these bounds
# a service's event stays well under that (tests/security/test_service_size.py). The bounds are the event's
# own (the contract), so a service the directory accepts always makes a valid event.
MAX_CHILDREN = MAX_LIST  # any other list of a service: areas, languages, funding, costs, contacts, attributes


class Service(Record):
    id: UUID
    organization_id: UUID | None = None
    name: str = Field(min_length=1)
    description: str | None = None
    url: str | None = None
    email: str | None = None
    status: ServiceStatusCode
    fees: str | None = None
    accreditations: str | None = None
    minimum_age: Age | None = None
    maximum_age: Age | None = None
    assured_date: date | None = None
    assurer_email: str | None = None
    alert: str | None = None
    last_modified: datetime | None = None
    schedules: list[Schedule] = Field(default=[], max_length=MAX_SCHEDULES)
    service_areas: list[ServiceArea] = Field(default=[], max_length=MAX_CHILDREN)
    service_at_locations: list[ServiceAtLocation] = Field(default=[], max_length=MAX_LOCATIONS)
    languages: list[Language] = Field(default=[], max_length=MAX_CHILDREN)
    organization: Organization | None = None
    funding: list[Funding] = Field(default=[], max_length=MAX_CHILDREN)
    cost_options: list[CostOption] = Field(default=[], max_length=MAX_CHILDREN)
    contacts: list[Contact] = Field(default=[], max_length=MAX_CHILDREN)
    attributes: list[Attribute] = Field(default=[], max_length=MAX_CHILDREN)
    social_prescribing: SocialPrescribing | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.minimum_age is not None and self.maximum_age is not None and self.minimum_age > self.maximum_age:
            raise ValueError(f"minimum_age {self.minimum_age} is above maximum_age {self.maximum_age}")
        self.organization_id = _linked_id(self.organization_id, self.organization, "organization")
        if self.last_modified is not None and self.last_modified.tzinfo is None:
            raise ValueError("last_modified needs a time zone (e.g. a trailing Z)")
        _check_unique_ids(self)
        return self

    def locations(self) -> list[Location]:
        return [sal.location for sal in self.service_at_locations if sal.location is not None]


def _check_unique_ids(service: Service) -> None:
    """Within one record, each child id may appear once (ids are primary keys when stored)."""
    groups: dict[str, list[UUID]] = {
        "schedule": [s.id for s in service.schedules],
        "service_area": [a.id for a in service.service_areas],
        "service_at_location": [s.id for s in service.service_at_locations],
        "language": [lang.id for lang in service.languages],
        "funding": [f.id for f in service.funding],
        "cost_option": [c.id for c in service.cost_options],
        "contact": [c.id for c in service.contacts],
        "phone": [p.id for c in service.contacts for p in c.phones],
        "attribute": [a.id for a in all_attributes(service)],
    }
    for kind, ids in groups.items():
        seen: set[UUID] = set()
        for record_id in ids:
            if record_id in seen:
                raise ValueError(f"{kind} id {record_id} appears more than once")
            seen.add(record_id)


def all_attributes(service: Service) -> list[Attribute]:
    """Every attribute the record carries, at any depth."""
    found = list(service.attributes)
    for contact in service.contacts:
        found.extend(contact.attributes)
    if service.organization is not None:
        found.extend(service.organization.attributes)
    for location in {location.id: location for location in service.locations()}.values():
        found.extend(location.attributes)
    return found
