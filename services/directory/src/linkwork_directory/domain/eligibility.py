"""Who a service is for, for `service-changed` v2 (issue 21): ORUK service areas and eligibility.

Service areas: ORUK `service_area.extent` is free text or a shape. What the directory can read:
- `text` extents listing postcode areas or districts ("LS", "LS6, BD1"), local authority GSS codes
  ("E08000035") or LSOA codes ("E01011229 E01011230");
- `geojson` extents holding a Polygon, a MultiPolygon, or a Feature/FeatureCollection of them;
- a `uri` ending in a GSS code (the ONS statistical geography URIs do).
Anything else (KML, TopoJSON, prose) is left out: `unread_areas` names it so the curator can fix it.

Eligibility: the `social_prescribing` extension's codes, plus any ORUK attribute whose term is in the
linkwork eligibility taxonomy (published in `/taxonomies`), so a plain ORUK feed can carry them too.
"""

from __future__ import annotations

import json
import re
from typing import Any
from uuid import UUID

from linkwork_contracts.codes import (
    ELIGIBILITY_TAXONOMY_ID,
    ELIGIBILITY_TAXONOMY_NAME,
    ELIGIBILITY_TAXONOMY_TERMS,
    ELIGIBILITY_TAXONOMY_URI,
    ROUTE_TAXONOMY_TERMS,
    EligibilityCode,
    ReferralRoute,
)
from linkwork_contracts.events.directory import LOCAL_AUTHORITY_PATTERN

from linkwork_directory.domain.coverage import postcode_list
from linkwork_directory.domain.extension import SocialPrescribing
from linkwork_directory.domain.oruk import Attribute, Service, ServiceArea, Taxonomy

_SPLIT = re.compile(r"[\s,;]+")
_GSS = re.compile(LOCAL_AUTHORITY_PATTERN)
_LSOA = re.compile(r"^[EW]01[0-9]{6}$")
_CODE_OF_TERM: dict[UUID, EligibilityCode] = {term.id: code for code, term in ELIGIBILITY_TAXONOMY_TERMS.items()}
_ROUTE_OF_TERM: dict[UUID, ReferralRoute] = {term.id: route for route, term in ROUTE_TAXONOMY_TERMS.items()}


def eligibility_taxonomy() -> Taxonomy:
    return Taxonomy.published(
        ELIGIBILITY_TAXONOMY_ID,
        ELIGIBILITY_TAXONOMY_NAME,
        ELIGIBILITY_TAXONOMY_URI,
        "Who a service is for (carers, women, men, veterans, residents, a condition group, people "
        "already known) and how people get in (route: self-referral, professional referral, drop-in, ...).",
        [*ELIGIBILITY_TAXONOMY_TERMS.values(), *ROUTE_TAXONOMY_TERMS.values()],
    )


def _tokens(extent: str) -> list[str]:
    return [token for token in _SPLIT.split(extent.strip().upper()) if token]


def _polygons(geometry: Any) -> list[list[Any]]:
    """Polygon coordinate arrays in a GeoJSON object (geometry, Feature or FeatureCollection)."""
    if not isinstance(geometry, dict):
        return []
    kind = geometry.get("type")
    if kind == "Polygon":
        return [geometry.get("coordinates") or []]
    if kind == "MultiPolygon":
        return list(geometry.get("coordinates") or [])
    if kind == "Feature":
        return _polygons(geometry.get("geometry"))
    if kind == "FeatureCollection":
        return [p for feature in geometry.get("features") or [] for p in _polygons(feature)]
    return []


def _positions(ring: Any) -> list[list[float]]:
    # Only longitude and latitude: a third number (altitude) means nothing for who is served.
    return [[float(position[0]), float(position[1])] for position in ring]


def contract_areas(area: ServiceArea) -> list[dict[str, Any]]:
    """The contract's service areas for one ORUK service area; empty when it cannot be read."""
    name = area.name[:200] if area.name else None
    kind = (area.extent_type or "text").strip().lower()
    extent = area.extent or ""
    if kind == "geojson" and extent:
        try:
            shapes = _polygons(json.loads(extent))
            return [
                {
                    "kind": "polygon",
                    "name": name,
                    "polygon": {"type": "Polygon", "coordinates": [_positions(r) for r in s]},
                }
                for s in shapes
            ]
        except (ValueError, TypeError, IndexError):
            return []
    if kind == "text" and extent:
        postcodes = postcode_list(extent)
        if postcodes:
            return [{"kind": "postcode", "prefix": prefix, "name": name} for prefix in postcodes]
        tokens = _tokens(extent)
        if tokens and all(_GSS.match(token) for token in tokens):
            return [{"kind": "local-authority", "code": code, "name": name} for code in tokens]
        if tokens and all(_LSOA.match(token) for token in tokens):
            return [{"kind": "lsoa", "lsoas": list(dict.fromkeys(tokens)), "name": name}]
    last = (area.uri or "").rstrip("/").rsplit("/", 1)[-1].upper()
    if _GSS.match(last):
        return [{"kind": "local-authority", "code": last, "name": name}]
    return []


def service_areas(service: Service) -> list[dict[str, Any]]:
    return [found for area in service.service_areas for found in contract_areas(area)]


def unread_areas(service: Service) -> list[str]:
    """Service areas the directory could not read, for the curator: they restrict nobody."""
    return [area.name or str(area.id) for area in service.service_areas if not contract_areas(area)]


def _term_ids(attributes: list[Attribute]) -> list[UUID]:
    return [a.term_id for a in attributes]


def eligibility_codes(service: Service, settings: SocialPrescribing) -> list[EligibilityCode]:
    stated = list(settings.eligibility)
    coded = [_CODE_OF_TERM[t] for t in _term_ids(service.attributes) if t in _CODE_OF_TERM]
    return list(dict.fromkeys([*stated, *coded]))


def attribute_routes(service: Service) -> list[ReferralRoute]:
    return [_ROUTE_OF_TERM[t] for t in _term_ids(service.attributes) if t in _ROUTE_OF_TERM]
