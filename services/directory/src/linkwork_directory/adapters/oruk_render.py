"""Domain records to the ORUK v3 JSON the API returns (`schema/compiled/*.json` shapes).

ORUK's schemas type every field without null, so empty fields are left out rather than sent as
null; numbers stay numbers (ages and amounts are decimals in the store); times of the day are
HH:MM:SS and instants are UTC with milliseconds, as the ORUK examples write them.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any
from uuid import UUID

from linkwork_directory.domain.oruk import Location, Organization, Service, Taxonomy, TaxonomyTerm
from linkwork_directory.domain.state import ServiceState

_ONE_TO_ONE_SERVICE = {
    "schedules",
    "service_areas",
    "service_at_locations",
    "languages",
    "funding",
    "cost_options",
    "contacts",
    "attributes",
    "social_prescribing",
    "organization",
}
_ONE_TO_ONE_ORGANIZATION = {"organization_identifiers", "attributes"}
_ONE_TO_ONE_LOCATION = {"addresses", "accessibility", "attributes"}


def instant(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def jsonable(value: Any) -> Any:
    """Python values from a model dump to JSON values, dropping empty (None) fields."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items() if item is not None}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return instant(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.strftime("%H:%M:%S")
    return value


def extension(state: ServiceState, *, needs_review: bool | None = None) -> dict[str, Any]:
    """The social prescribing extension, with what the directory derives (places left, verification)."""
    body: dict[str, Any] = state.settings.model_dump(mode="json")
    wait = state.wait
    body.update(
        {
            "places_remaining": state.places_remaining,
            "week_starting": state.week_starting,
            "taken_this_week": state.taken_this_week,
            "uptake_total": state.uptake_total,
            "capacity_status": state.capacity_status.value,
            "waiting": state.waiting,
            "estimated_wait_weeks": wait.weeks,
            "wait_basis": wait.basis.value if wait.basis else None,
            "starts_per_week": wait.starts_per_week,
            "last_verified": state.last_verified_at,
            "withdrawn_at": state.withdrawn_at,
            "withdrawal_reason": state.withdrawal_reason,
            "revision": state.revision,
        }
    )
    if needs_review is not None:
        body["needs_review"] = needs_review
    return dict(jsonable(body))


def service_full(
    service: Service, state: ServiceState | None = None, *, needs_review: bool | None = None
) -> dict[str, Any]:
    """The fully nested service (`/services/{id}`, compiled/service.json)."""
    body: dict[str, Any] = jsonable(service.model_dump(exclude={"social_prescribing"}))
    if state is not None:
        body["social_prescribing"] = extension(state, needs_review=needs_review)
    return body


def organization_summary(organization: Organization) -> dict[str, Any]:
    return dict(jsonable(organization.model_dump(exclude=_ONE_TO_ONE_ORGANIZATION)))


def service_summary(service: Service) -> dict[str, Any]:
    """One-to-one fields and the organization (`/services` items, compiled/service_list.json)."""
    body: dict[str, Any] = jsonable(service.model_dump(exclude=_ONE_TO_ONE_SERVICE))
    if service.organization is not None:
        body["organization"] = organization_summary(service.organization)
    return body


def location_summary(location: Location) -> dict[str, Any]:
    return dict(jsonable(location.model_dump(exclude=_ONE_TO_ONE_LOCATION)))


def service_at_location_summary(sal_id: UUID, service: Service, location: Location) -> dict[str, Any]:
    """A `/service_at_locations` item (compiled/service_at_location_list.json)."""
    return {
        "id": str(sal_id),
        "service_id": str(service.id),
        "location_id": str(location.id),
        "location": location_summary(location),
        "service": service_summary(service),
    }


def service_at_location_full(
    sal_id: UUID, service: Service, location: Location, state: ServiceState | None
) -> dict[str, Any]:
    """`/service_at_locations/{id}`: the location and the service, both fully nested."""
    return {
        "id": str(sal_id),
        "service_id": str(service.id),
        "location_id": str(location.id),
        "location": jsonable(location.model_dump()),
        "service": service_full(service, state),
    }


def taxonomy_document(taxonomy: Taxonomy, *, with_terms: bool) -> dict[str, Any]:
    return dict(jsonable(taxonomy.model_dump(exclude=None if with_terms else {"taxonomy_terms"})))


def term_document(term: TaxonomyTerm) -> dict[str, Any]:
    return dict(jsonable(term.model_dump()))
