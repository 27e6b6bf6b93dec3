"""`/services` and `/service_at_locations` filters on a known data set built through the curation API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from linkwork_contracts.codes import NeedCategory
from linkwork_directory.adapters.clock import SettableClock

from .api_support import distance_m, headers, north_of, service, term_id
from .conftest import RunningDirectory, fresh_database, running_directory

pytestmark = pytest.mark.integration
N = NeedCategory


@dataclass
class KnownDirectory:
    directory: RunningDirectory
    ids: dict[str, str]
    origin: tuple[float, float]
    postcode: str

    async def names(self, **params: Any) -> list[str]:
        response = await self.directory.client.get("/services", params=params)
        assert response.status_code == 200, response.text
        by_id = {v: k for k, v in self.ids.items()}
        return [by_id[item["id"]] for item in response.json()["contents"]]


@pytest.fixture(scope="module")
async def known(postgres_url: str, kafka_bootstrap: str) -> AsyncIterator[KnownDirectory]:
    clock = SettableClock(datetime(2025, 6, 2, 9, 0, tzinfo=UTC))
    async with fresh_database(postgres_url) as url, running_directory(url, kafka_bootstrap, clock) as directory:
        # Any live LS6 postcode of the shipped sample will do as the origin.
        row = await directory.pool.fetchrow(
            "SELECT postcode, latitude, longitude FROM postcode WHERE postcode LIKE 'LS6 %'"
            " AND terminated IS NULL ORDER BY postcode LIMIT 1"
        )
        origin = (row["latitude"], row["longitude"])
        documents = {
            "walk": service(
                "Headingley Walking Group",
                need=N.PHYSICAL_ACTIVITY,
                venue=north_of(*origin, 300),
                days="TU",
                opens="10:00",
                closes="11:30",
                minimum_age=18,
                description="Gentle walking in the park with friendly volunteers.",
            ),
            "art": service(
                "Art for Wellbeing",
                need=N.ARTS_CREATIVITY_CULTURE,
                venue=north_of(*origin, 1500),
                days="WE",
                opens="14:00",
                closes="16:00",
                minimum_age=16,
                maximum_age=25,
                description="Painting and drawing for young adults.",
            ),
            "allotment": service(
                "Allotment Volunteers",
                need=N.NATURE_GREEN_SPACE,
                venue=north_of(*origin, 6000),
                days="SA",
                opens="09:00",
                closes="12:00",
                description="Grow vegetables together.",
            ),
            "phone": service(
                "Telephone Befriending",
                need=N.LONELINESS_ISOLATION,
                area="LS",
                description="A weekly friendly call from a volunteer.",
            ),
            "bradford": service(
                "Bradford Money Advice Online",
                need=N.DEBT_MONEY_BENEFITS,
                delivery=["online"],
                area="BD",
                description="Budgeting and benefits advice by video call.",
            ),
            "choir": service(
                "Community Choir",
                need=N.ARTS_CREATIVITY_CULTURE,
                venue=north_of(*origin, 500),
                days="TH",
                description="Singing for everyone.",
            ),
            "football": service(
                "Evening Walking Football",
                need=N.PHYSICAL_ACTIVITY,
                venue=north_of(*origin, 1900),
                days="TU",
                opens="18:00",
                closes="19:30",
                minimum_age=50,
                maximum_age=80,
                description="Football at walking pace for older players.",
            ),
        }
        for document in documents.values():
            created = await directory.client.post("/services", json=document, headers=headers())
            assert created.status_code == 201, created.text
        withdrawn = await directory.client.post(
            f"/services/{documents['choir']['id']}/withdraw",
            json={"reason": "The choir has disbanded"},
            headers=headers(),
        )
        assert withdrawn.status_code == 200, withdrawn.text
        yield KnownDirectory(directory, {k: d["id"] for k, d in documents.items()}, origin, row["postcode"])


async def test_text_search(known: KnownDirectory) -> None:
    assert await known.names(search="walking") == ["football", "walk"]
    assert sorted(await known.names(search="friendly volunteer")) == ["phone", "walk"]
    assert await known.names(search="benefits") == ["bradford"]


async def test_taxonomy_term(known: KnownDirectory) -> None:
    assert sorted(await known.names(taxonomy_term_id=term_id(N.PHYSICAL_ACTIVITY))) == ["football", "walk"]
    either = f"{term_id(N.NATURE_GREEN_SPACE)},{term_id(N.DEBT_MONEY_BENEFITS)}"
    assert sorted(await known.names(taxonomy_term_id=either)) == ["allotment", "bradford"]


async def test_ages_as_oruk_defines_them_and_our_age_extension(known: KnownDirectory) -> None:
    assert sorted(await known.names(minimum_age=16)) == ["art", "football", "walk"]
    assert sorted(await known.names(maximum_age=30)) == ["art"]
    assert sorted(await known.names(age=20)) == ["allotment", "art", "bradford", "phone", "walk"]
    assert sorted(await known.names(age=70)) == ["allotment", "bradford", "football", "phone", "walk"]


async def test_day_and_time(known: KnownDirectory) -> None:
    assert sorted(await known.names(day="TU")) == ["football", "walk"]
    assert await known.names(day="tuesday", start_time="17:00") == ["football"]
    assert await known.names(day="TU", end_time="12:00") == ["walk"]
    assert await known.names(start_time="09:00", end_time="12:00") == ["allotment", "walk"]


async def test_postcode_and_proximity_nearest_first_with_remote_services_after(known: KnownDirectory) -> None:
    assert await known.names(postcode=known.postcode, proximity=2000) == ["walk", "art", "football", "phone"]
    assert await known.names(postcode=known.postcode, proximity=1000) == ["walk", "phone"]
    assert await known.names(postcode=known.postcode, proximity=1000, include_remote="false") == ["walk"]
    # Without proximity everything is ordered by distance; the Bradford-only online service is not for LS6.
    assert await known.names(postcode=known.postcode) == ["walk", "art", "football", "allotment", "phone"]
    listed = (
        await known.directory.client.get("/services", params={"postcode": known.postcode, "proximity": 2000})
    ).json()["contents"]
    expected = distance_m(known.origin, (known.origin[0] + 1500 / 111_195.0, known.origin[1]))
    assert abs(listed[1]["distance"] - expected) < 5


async def test_a_postcode_district_or_lower_case_postcode_is_understood(known: KnownDirectory) -> None:
    assert "walk" in await known.names(postcode="LS6", proximity=5000)
    assert await known.names(postcode=known.postcode.lower().replace(" ", ""), proximity=1000) == ["walk", "phone"]


async def test_combined_filters(known: KnownDirectory) -> None:
    near = {"postcode": known.postcode, "proximity": 2500}
    assert await known.names(**near, search="walking", day="TU", age=60) == ["walk", "football"]
    assert await known.names(**near, search="walking", day="TU", age=60, start_time="17:00") == ["football"]
    assert await known.names(**near, search="walking", day="TU", age=40, start_time="17:00") == []


async def test_withdrawn_services_are_left_out_unless_asked_for(known: KnownDirectory) -> None:
    assert "choir" not in await known.names(per_page=50)
    assert "choir" in await known.names(include_withdrawn="true")


async def test_pages(known: KnownDirectory) -> None:
    first = (await known.directory.client.get("/services", params={"per_page": 4})).json()
    second = (await known.directory.client.get("/services", params={"per_page": 4, "page": 2})).json()
    beyond = (await known.directory.client.get("/services", params={"per_page": 4, "page": 3})).json()
    assert (first["total_items"], first["total_pages"], first["size"], first["first_page"], first["last_page"]) == (
        6,
        2,
        4,
        True,
        False,
    )
    assert (second["size"], second["last_page"], second["page_number"]) == (2, True, 2)
    assert {i["id"] for i in first["contents"]}.isdisjoint({i["id"] for i in second["contents"]})
    assert (beyond["size"], beyond["total_items"], beyond["empty"]) == (0, 6, False)


async def test_service_at_locations_filter_by_distance(known: KnownDirectory) -> None:
    response = await known.directory.client.get(
        "/service_at_locations", params={"postcode": known.postcode, "proximity": 1600}
    )
    body = response.json()
    assert [item["service"]["id"] for item in body["contents"]] == [known.ids["walk"], known.ids["art"]]
    assert body["contents"][0]["distance"] < body["contents"][1]["distance"]


async def test_bad_searches_are_refused_with_reasons(known: KnownDirectory) -> None:
    client = known.directory.client
    unknown = await client.get("/services", params={"postcode": "ZZ9 9ZZ", "proximity": 100})
    assert unknown.status_code == 400
    assert "not in the postcode table" in unknown.json()["detail"]
    # The one `errors` shape of every service, and never the postcode asked about.
    assert unknown.json()["errors"] == [
        {"field": "postcode", "rule": "known_postcode", "message": "is not in the postcode table"}
    ]
    assert "ZZ9" not in unknown.text
    assert (await client.get("/services", params={"proximity": 100})).status_code == 400
    assert (await client.get("/services", params={"day": "someday"})).status_code == 400
    assert (await client.get("/services", params={"per_page": 1000})).status_code == 422
