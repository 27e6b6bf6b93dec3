"""Response models of the ORUK read API, built from the ORUK v3 schemas the directory ships (`data/oruk-v3`).

The bodies are made by `adapters.oruk_render` from records already checked on the way in; what these models
add is an honest OpenAPI document. Each ORUK object is the standard's own JSON Schema (datapackage
bookkeeping left out), plus the fields linkwork adds (`distance`, `social_prescribing`), so a client
generated from our document reads exactly what ORUK's own document describes. Mirroring ORUK's nested
objects as pydantic classes would validate a page of rendered services item by item on every request (a page
model with one model per item already cost +0.4 ms CPU per 50-service page in-process, +0.6 ms per 200);
these keep FastAPI's cost (within 0.1 ms) and its bytes as they were.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any

from linkwork_contracts.codes import CapacityStatus
from pydantic import BaseModel, Field, RootModel, WithJsonSchema

from linkwork_directory.adapters.oruk_schemas import BUNDLED, SERVICE, TAXONOMY, TAXONOMY_TERM
from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.waiting_list import WaitBasis

SERVICE_LIST = "schema/compiled/service_list.json"
SERVICE_AT_LOCATION = "schema/compiled/service_at_location.json"
SERVICE_AT_LOCATION_LIST = "schema/compiled/service_at_location_list.json"
# Table Schema (datapackage) annotations in ORUK's files: they describe the CSV form, not the JSON.
_DATAPACKAGE_KEYS = {"name", "path", "datapackage_metadata", "constraints", "core", "tabular_required"}
_DISTANCE = {
    "type": "integer",
    "minimum": 0,
    "description": "linkwork extension: metres from the `postcode` searched by, when one was given (the nearest "
    "come first); absent for services with no place (online, by phone)",
}


def _clean(node: Any, *, in_properties: bool = False) -> Any:
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"] == "taxonomy_term.json":
            return oruk_schema(TAXONOMY_TERM)  # taxonomy.json's one reference, to its sibling file
        return {
            key: _clean(value, in_properties=key == "properties" and not in_properties)
            for key, value in node.items()
            # Inside `properties` the keys are field names (one is called "name"): keep them all.
            if in_properties or key not in _DATAPACKAGE_KEYS
        }
    if isinstance(node, list):
        return [_clean(item) for item in node]
    return node


@cache
def oruk_schema(relative: str) -> dict[str, Any]:
    """The ORUK JSON Schema at `relative` (e.g. `schema/compiled/service.json`) as an OpenAPI schema."""
    schema: dict[str, Any] = _clean(json.loads((BUNDLED / relative).read_text(encoding="utf-8")))
    return schema


class SocialPrescribingView(SocialPrescribing):
    """The `social_prescribing` extension as the directory answers it: what a curator set, and what it derives.
    Fields with no value are left out, as ORUK leaves out empty fields."""

    places_remaining: int | None = Field(default=None, description="Places left this week; absent when unlimited")
    week_starting: date | None = Field(default=None, description="The Monday the week's figures count from")
    taken_this_week: int | None = None
    uptake_total: int | None = None
    capacity_status: CapacityStatus | None = None
    waiting: int | None = Field(default=None, description="People on the waiting list now")
    estimated_wait_weeks: int | None = None
    wait_basis: WaitBasis | None = None
    starts_per_week: float | None = None
    last_verified: datetime | None = None
    withdrawn_at: datetime | None = None
    withdrawal_reason: str | None = None
    revision: int | None = None
    needs_review: bool | None = Field(default=None, description="Due for a curator's review (issue 18)")


def _with(relative: str, title: str, **extra: Any) -> dict[str, Any]:
    schema = dict(oruk_schema(relative), title=title)
    if extra:
        schema["properties"] = {**schema["properties"], **extra}
    return schema


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    # Nested inside an ORUK schema, `#/$defs/...` would point at the OpenAPI document's root: inline them.
    if isinstance(node, dict):
        if set(node) == {"$ref"}:
            return _inline(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
        return {key: _inline(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, defs) for item in node]
    return node


def _social_prescribing() -> dict[str, Any]:
    schema = SocialPrescribingView.model_json_schema(mode="serialization")
    defs = schema.pop("$defs", {})
    inlined: dict[str, Any] = _inline(schema, defs)
    inlined["description"] = "linkwork extension: " + str(schema.get("description", ""))
    return inlined


def _service_full() -> dict[str, Any]:
    return _with(SERVICE, "OrukService", social_prescribing=_social_prescribing())


def _service_at_location_full() -> dict[str, Any]:
    schema = _with(SERVICE_AT_LOCATION, "OrukServiceAtLocation")
    schema["properties"]["service"] = _service_full()
    return schema


class Page(BaseModel):
    """ORUK's `Page`: one page of a list, read with `page` (from 1) and `per_page`. Here for its schema."""

    total_items: int = Field(description="The total number of entities (e.g. services, organizations) returned")
    total_pages: int = Field(description="Count of total pages.")
    page_number: int = Field(description="The number of the current page")
    size: int = Field(description="The number of entities in the current page.")
    first_page: bool = Field(description="A Boolean value indicating if this is the first page")
    last_page: bool = Field(description="A Boolean value indicating if this is the last page")
    empty: bool = Field(description="A Boolean value indicating if there is an empty result set")


def _page(title: str, item: dict[str, Any]) -> dict[str, Any]:
    schema = Page.model_json_schema()
    schema["properties"]["contents"] = {"type": "array", "items": item}
    schema["required"] = [*schema["required"], "contents"]
    return dict(schema, title=title, description=f"ORUK's Page of {item['title']}")


def _summary(relative: str, title: str) -> dict[str, Any]:
    return _with(relative, title, distance=_DISTANCE)


# Each model is the body as it is (a dict[str, Any], which FastAPI checks and encodes in pydantic's Rust core as
# it did before there were models) under the ORUK schema it meets. The integration tests check every answer
# against these schemas (`test_api_conformance.py`).
class OrukService(RootModel[Annotated[dict[str, Any], WithJsonSchema(_service_full())]]):
    """A fully nested service: ORUK `compiled/service.json`, with the `social_prescribing` extension."""


class OrukServiceAtLocation(RootModel[Annotated[dict[str, Any], WithJsonSchema(_service_at_location_full())]]):
    """A service at a location, both fully nested: ORUK `compiled/service_at_location.json`."""


class OrukTaxonomy(RootModel[Annotated[dict[str, Any], WithJsonSchema(_with(TAXONOMY, "OrukTaxonomy"))]]):
    """A taxonomy: ORUK `taxonomy.json`."""


class OrukTaxonomyTerm(RootModel[Annotated[dict[str, Any], WithJsonSchema(_with(TAXONOMY_TERM, "OrukTaxonomyTerm"))]]):
    """A taxonomy term: ORUK `taxonomy_term.json`."""


class ServicePage(
    RootModel[
        Annotated[
            dict[str, Any],
            WithJsonSchema(_page("ServicePage", _summary(SERVICE_LIST, "OrukServiceSummary"))),
        ]
    ]
):
    """Services with their one-to-one fields and organization: ORUK `compiled/service_list.json` items."""


class ServiceAtLocationPage(
    RootModel[
        Annotated[
            dict[str, Any],
            WithJsonSchema(
                _page("ServiceAtLocationPage", _summary(SERVICE_AT_LOCATION_LIST, "OrukServiceAtLocationSummary"))
            ),
        ]
    ]
):
    """Services at locations with one-to-one fields: ORUK `compiled/service_at_location_list.json` items."""


class TaxonomyPage(
    RootModel[Annotated[dict[str, Any], WithJsonSchema(_page("TaxonomyPage", _with(TAXONOMY, "OrukTaxonomy")))]]
):
    """Taxonomies: ORUK `taxonomy.json` items."""


class TaxonomyTermPage(
    RootModel[
        Annotated[dict[str, Any], WithJsonSchema(_page("TaxonomyTermPage", _with(TAXONOMY_TERM, "OrukTaxonomyTerm")))]
    ]
):
    """Taxonomy terms: ORUK `taxonomy_term.json` items."""


class About(BaseModel):
    """ORUK's answer to `GET /`."""

    version: str = Field(description="HSDS version of this API.")
    profile: str = Field(
        description="URL of the information on the HSDS profile of this API.", json_schema_extra={"format": "uri"}
    )
    openapi_url: str = Field(
        description="URL of the openapi JSON file which defines this API.", json_schema_extra={"format": "uri"}
    )
