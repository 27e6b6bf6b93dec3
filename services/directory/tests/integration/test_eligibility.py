"""Who a service is for (issue 21): ORUK service areas and eligibility codes into service-changed v2,
and the linkwork eligibility taxonomy in /taxonomies."""

from __future__ import annotations

import json
import uuid

import pytest
from linkwork_contracts.codes import ELIGIBILITY_TAXONOMY_ID, ROUTE_TAXONOMY_TERMS, NeedCategory, ReferralRoute
from linkwork_contracts.events import LocalAuthorityArea, LsoaArea, PolygonArea, PostcodeArea

from .api_support import eventually, headers, service
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration
HOLBECK = {
    "type": "Feature",
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[-1.58, 53.77], [-1.54, 53.77], [-1.54, 53.80], [-1.58, 53.80], [-1.58, 53.77]]],
    },
}


def _area(extent: str, extent_type: str = "text", **more: str) -> dict[str, str]:
    return {"id": str(uuid.uuid4()), "name": "Leeds", "extent": extent, "extent_type": extent_type, **more}


async def test_service_areas_and_eligibility_reach_the_event(directory: RunningDirectory) -> None:
    body = service(
        "Housing advice (Holbeck Methodist)",
        need=NeedCategory.HOUSING,
        delivery=["online", "telephone"],
        eligibility=["residents", "carers", "condition-group"],
        condition_groups=["dementia"],
        eligibility_description="Carers of people living with dementia, Leeds residents.",
    )
    body["service_areas"] = [
        _area("LS, BD1"),
        _area("E08000035"),
        _area("E01011229 E01011230"),
        _area(json.dumps(HOLBECK), "geojson"),
        _area("", "text", uri="http://statistics.data.gov.uk/id/statistical-geography/E08000032"),
        _area("<kml/>", "kml"),  # not read: restricts nobody
    ]
    # An ORUK attribute from the linkwork eligibility taxonomy works as well as the extension.
    body["attributes"] = [
        {
            "id": str(uuid.uuid4()),
            "taxonomy_term_id": str(ROUTE_TAXONOMY_TERMS[ReferralRoute.PROFESSIONAL_REFERRAL].id),
        }
    ]
    answer = await directory.client.post("/services", json=body, headers=headers())
    assert answer.status_code == 201, answer.text

    async def published() -> bool:
        return body["id"] in await directory.published_services()

    await eventually(published, what="the v2 snapshot on service-changed")
    event = (await directory.published_services())[body["id"]]
    assert event.service_areas == (
        PostcodeArea(prefix="LS", name="Leeds"),
        PostcodeArea(prefix="BD1", name="Leeds"),
        LocalAuthorityArea(code="E08000035", name="Leeds"),
        LsoaArea(lsoas=("E01011229", "E01011230"), name="Leeds"),
        PolygonArea.model_validate(
            {"name": "Leeds", "polygon": {"type": "Polygon", "coordinates": HOLBECK["geometry"]["coordinates"]}}  # type: ignore[index]
        ),
        LocalAuthorityArea(code="E08000032", name="Leeds"),
    )
    assert [code.value for code in event.eligibility] == ["residents", "carers", "condition-group"]
    assert [group.value for group in event.condition_groups] == ["dementia"]
    assert event.eligibility_description == "Carers of people living with dementia, Leeds residents."
    assert ReferralRoute.PROFESSIONAL_REFERRAL in event.referral_routes


async def test_the_eligibility_taxonomy_is_published(directory: RunningDirectory) -> None:
    taxonomy = (await directory.client.get(f"/taxonomies/{ELIGIBILITY_TAXONOMY_ID}")).json()
    assert taxonomy["name"] == "linkwork-eligibility"
    terms = (await directory.client.get("/taxonomy_terms", params={"per_page": 100})).json()["contents"]
    names = {t["term"] for t in terms if t["taxonomy"] == "linkwork-eligibility"}
    assert {"carers", "women", "men", "veterans", "residents", "condition-group", "known-to-service"} <= names
    assert {"route:self-referral", "route:professional-referral", "route:drop-in"} <= names
