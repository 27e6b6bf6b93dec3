"""Every ORUK endpoint's responses validate against the ORUK v3 OpenAPI document and compiled schemas,
and against the response schema our own OpenAPI document declares for it (`api/oruk_models.py`).

The data: the ORUK example documents and CSV package imported through `POST /imports`, plus services
created through the curation API with our social prescribing extension. Schemas come from the
standard's own folder, resolved offline through a `referencing` registry.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from jsonschema import Draft202012Validator
from linkwork_contracts.codes import NeedCategory
from linkwork_directory.adapters import oruk_files
from linkwork_directory.adapters.oruk_schemas import OrukSchemas
from linkwork_directory.service_layer.imports import Importer

from .api_support import headers, north_of, service
from .conftest import RunningDirectory

pytestmark = pytest.mark.integration
JSON_EXAMPLES = [
    "taxonomy.json",
    "taxonomy_term_list.json",
    "organization_full.json",
    "service_full.json",
    "service_at_location_list.json",
]


def _response_schema(path: str) -> str:
    """The schema of a 200 answer to GET `path` in the ORUK OpenAPI document, as a JSON pointer."""
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"schema/openapi.json#/paths/{escaped}/get/responses/200/content/application~1json/schema"


def _declared(document: dict[str, Any], path: str) -> Draft202012Validator:
    """A validator for the 200 answer to GET `path` as our OpenAPI document declares it."""
    schema = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    return Draft202012Validator(
        {**schema, "components": document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


async def _import(directory: RunningDirectory, body: bytes, content_type: str, name: str) -> dict[str, Any]:
    started = await directory.client.post(
        "/imports", content=body, params={"name": name}, headers={**headers(), "content-type": content_type}
    )
    assert started.status_code == 202, started.text
    job_id = started.json()["id"]
    await directory.app.state.directory.jobs.wait(UUID(job_id))
    finished = await directory.client.get(f"/imports/{job_id}", headers=headers())
    assert finished.status_code == 200
    job: dict[str, Any] = finished.json()
    assert job["status"] == "finished", job
    assert job["done"] == job["total"] and job["percent"] == 100
    return job


async def test_every_endpoint_answers_in_the_oruk_shapes(
    directory: RunningDirectory, oruk_root: Path, reference_schemas: OrukSchemas
) -> None:
    client = directory.client
    for name in JSON_EXAMPLES:
        job = await _import(directory, (oruk_root / "examples" / name).read_bytes(), "application/json", name)
        assert job["report"]["summary"]["rejected"] == 0, job["report"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as package:
        for csv_file in sorted((oruk_root / "examples" / "csv").glob("*.csv")):
            package.write(csv_file, f"csv/{csv_file.name}")
    job = await _import(directory, archive.getvalue(), "application/zip", "package.zip")
    assert job["report"]["summary"]["rejected"] == 0, job["report"]
    origin = await directory.pool.fetchrow("SELECT postcode, latitude, longitude FROM postcode LIMIT 1")
    ours = [
        service(
            "Knit and Natter",
            need=NeedCategory.LONELINESS_ISOLATION,
            days="MO,TH",
            minimum_age=18,
            venue=north_of(origin["latitude"], origin["longitude"], 400),
            places_per_week=8,
            accessibility=["step-free-access"],
        ),
        service("Debt Advice Line", need=NeedCategory.DEBT_MONEY_BENEFITS, area="LS"),
    ]
    ours[0]["cost_options"] = [
        {
            "id": "6f1f0a52-3c1e-4d34-9d0e-2b8f0b5d7a10",
            "amount": 2.5,
            "amount_description": "per session",
            "option": "Everyone",
        }
    ]
    for body in ours:
        assert (await client.post("/services", json=body, headers=headers())).status_code == 201

    ours = directory.app.openapi()

    def check(path_template: str, body: Any, schema: str | None = None) -> None:
        errors = reference_schemas.errors(schema or _response_schema(path_template), body)
        assert errors == [], f"{path_template}: {errors}"
        declared = [f"{list(e.absolute_path)}: {e.message}" for e in _declared(ours, path_template).iter_errors(body)]
        assert declared == [], f"{path_template} against our OpenAPI document: {declared[:5]}"

    check("/", (await client.get("/")).json())
    services: list[dict[str, Any]] = []
    searches: list[dict[str, Any]] = [
        {},
        {"per_page": 2, "page": 2},
        {"postcode": origin["postcode"], "proximity": 5000},
        {"search": "counselling"},
        {"day": "TH", "minimum_age": 10},
    ]
    for params in searches:
        page = (await client.get("/services", params=params)).json()
        check("/services", page)
        services += page["contents"]
    assert {s["name"] for s in services} >= {"Community Counselling", "Knit and Natter", "Debt Advice Line"}
    for item in services:
        check("/services/{id}", (await client.get(f"/services/{item['id']}")).json())

    links: list[dict[str, Any]] = []
    for params in [{}, {"postcode": origin["postcode"], "proximity": 5000}]:
        page = (await client.get("/service_at_locations", params=params)).json()
        check("/service_at_locations", page)
        links += page["contents"]
    assert len(links) >= 2
    for item in links:
        # The OpenAPI document points this path at compiled/service.json, which requires a name and a
        # status that a service_at_location does not have: its own compiled schema is the one that fits.
        body = (await client.get(f"/service_at_locations/{item['id']}")).json()
        check("/service_at_locations/{id}", body, "schema/compiled/service_at_location.json")

    taxonomies = (await client.get("/taxonomies")).json()
    check("/taxonomies", taxonomies)
    assert taxonomies["total_items"] == 3  # the ORUK example's, linkwork-needs and linkwork-eligibility
    for item in taxonomies["contents"]:
        check("/taxonomies/{id}", (await client.get(f"/taxonomies/{item['id']}")).json())
    terms = (await client.get("/taxonomy_terms", params={"per_page": 100})).json()
    check("/taxonomy_terms", terms)
    for item in terms["contents"]:
        check("/taxonomy_terms/{id}", (await client.get(f"/taxonomy_terms/{item['id']}")).json())


async def test_missing_records_are_404_problems(directory: RunningDirectory) -> None:
    for path in (
        "/services/8d6f8e0e-0000-4000-8000-000000000000",
        "/services/not-a-uuid",
        "/service_at_locations/8d6f8e0e-0000-4000-8000-000000000000",
        "/taxonomies/8d6f8e0e-0000-4000-8000-000000000000",
        "/taxonomy_terms/8d6f8e0e-0000-4000-8000-000000000000",
    ):
        response = await directory.client.get(path)
        assert response.status_code == 404, path
        assert response.headers["content-type"].startswith("application/problem+json")


async def test_a_large_import_reports_progress_batch_by_batch(importer: Importer, oruk_root: Path) -> None:
    template = json.loads((oruk_root / "examples" / "service_list.json").read_text())["contents"][0]
    contents = [dict(template, id=f"00000000-0000-4000-8000-{n:012d}", name=f"Service {n}") for n in range(250)]
    importer.batch_size = 100
    recorded: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        recorded.append((done, total))

    report = await importer.run(
        oruk_files.items_from_document({"contents": contents}, name="big_list.json"), on_progress=progress
    )

    assert report.counts()["created"] == 250
    assert recorded == [(100, 250), (200, 250), (250, 250)]
