"""Issue 18, the curator's pages against the real directory service (in process, on PostgreSQL and Kafka): each
part of a service edited through its own page, a stale edit refused and shown as an error with nothing
overwritten, verify and withdraw, the history, an import with its report, and a merge of duplicates."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from linkwork_directory.app import build_app as build_directory
from linkwork_directory.settings import Settings as DirectorySettings
from linkwork_runtime.auth import Role, issue_token
from linkwork_runtime.testing import running_app
from linkwork_stack.databases import scratch_database
from linkwork_stack.testing import eventually

from ..conftest import SignIn

pytestmark = pytest.mark.integration
SECRET = "console-curator-tests-secret-at-least-32-bytes"


@dataclass
class Directory:
    client: httpx.AsyncClient
    headers: dict[str, str]

    async def service(self, service_id: str) -> dict[str, Any]:
        return dict((await self.client.get(f"/services/{service_id}")).json())


@pytest.fixture
async def directory(console: FastAPI, postgres_url: str, kafka_bootstrap: str) -> AsyncIterator[Directory]:
    """The real directory, reached by the console's own upstream client."""
    async with scratch_database(postgres_url, "test_directory") as url:
        settings = DirectorySettings(
            database_url=url,
            kafka_bootstrap_servers=kafka_bootstrap,
            jwt_secret=SECRET,
            consumer_group=f"console-curator-{uuid.uuid4().hex[:8]}",
            event_source=f"urn:test:{uuid.uuid4().hex[:8]}",
        )
        app = build_directory(settings)
        async with running_app(app) as client:
            services = console.state.services
            original = services.client
            services.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
            services.urls["directory"] = "http://directory.test"
            token = issue_token(SECRET, subject="curator-1", role=Role.CURATOR, pcn="U00001")
            try:
                yield Directory(client, {"Authorization": f"Bearer {token}"})
            finally:
                await services.client.aclose()
                services.client = original


def _service() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "name": "Headingley Walking Group",
        "description": "A gentle weekly walk.",
        "status": "active",
        "organization": {"id": str(uuid.uuid4()), "name": "Feel Good Factor", "description": "A local charity."},
        "social_prescribing": {"need_categories": ["physical-activity"], "delivery_modes": ["telephone"]},
        # A classification in an imported directory's own taxonomy.
        "attributes": [
            {
                "id": str(uuid.uuid4()),
                "taxonomy_term": {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, "council-taxonomy/walking")),
                    "name": "Walking",
                    "description": "Walking groups",
                    "taxonomy": "Leeds council categories",
                },
            }
        ],
    }


def _etag(html: str) -> str:
    found = re.search(r'name="etag" value="([^"]*)"', html)
    assert found, "the page carries the version it shows"
    return found.group(1).replace("&#34;", '"')


async def test_a_curator_edits_each_part_and_a_stale_edit_is_refused(
    directory: Directory, browser: httpx.AsyncClient, sign_in: SignIn
) -> None:
    body = _service()
    assert (await directory.client.post("/services", json=body, headers=directory.headers)).status_code == 201
    token = directory.headers["Authorization"].removeprefix("Bearer ")
    session = await sign_in(token=token, role="curator", subject="curator-1")
    csrf = session.csrf_token
    sid = body["id"]

    page = await browser.get(f"/directory/services/{sid}")
    assert page.status_code == 200 and "Headingley Walking Group" in page.text
    forms = {}
    for slug in ("details", "organisation", "location", "schedule", "costs", "eligibility", "accessibility"):
        edit = await browser.get(f"/directory/services/{sid}/edit/{slug}")
        assert edit.status_code == 200, slug
        forms[slug] = _etag(edit.text)
    opened = forms["details"]

    # Bad input: an error summary linked to the field, nothing sent.
    bad = await browser.post(
        f"/directory/services/{sid}/edit/details",
        data={"csrf_token": csrf, "etag": opened, "name": "", "status": "active"},
    )
    assert bad.status_code == 400 and 'href="#name"' in bad.text and "Enter the service" in bad.text

    saved = await browser.post(
        f"/directory/services/{sid}/edit/details",
        data={"csrf_token": csrf, "etag": opened, "name": "Headingley Health Walks", "status": "active"},
    )
    assert saved.status_code == 303, saved.text
    assert (await directory.service(sid))["name"] == "Headingley Health Walks"

    # A second edit made on the page opened before that save: refused, shown, nothing overwritten.
    stale = await browser.post(
        f"/directory/services/{sid}/edit/details",
        data={"csrf_token": csrf, "etag": opened, "name": "Walkers of Headingley", "status": "active"},
    )
    assert stale.status_code == 409
    assert "Someone else changed this service" in stale.text and 'href="#reload"' in stale.text
    assert 'value="Walkers of Headingley"' in stale.text  # what they typed is kept for them
    assert (await directory.service(sid))["name"] == "Headingley Health Walks"

    async def edit(slug: str, fields: dict[str, Any]) -> None:
        form = await browser.get(f"/directory/services/{sid}/edit/{slug}")
        answer = await browser.post(
            f"/directory/services/{sid}/edit/{slug}", data={"csrf_token": csrf, "etag": _etag(form.text), **fields}
        )
        assert answer.status_code == 303, f"{slug}: {answer.text}"

    await edit("organisation", {"org_name": "Feel Good Factor Leeds", "org_website": "https://fgf.example.org"})
    await edit(
        "location",
        {"location_name": "Community Hall", "address_1": "1 North Lane", "city": "Leeds", "postal_code": "ls6 3hu"},
    )
    await edit("schedule", {"days": ["TU", "TH"], "opens_at": "10:30", "closes_at": "12:00"})
    await edit("costs", {"charge": "paid", "amount": "2.50", "unit": "session"})
    await edit("eligibility", {"minimum_age": "50", "maximum_age": "", "eligibility": ["carers"]})
    await edit("accessibility", {"accessibility": ["step-free-access"], "accessibility_note": "Level entrance."})
    terms = await browser.get(f"/directory/services/{sid}/edit/categories")
    assert "Walking (Leeds council categories)" in terms.text  # shown, ticked, so it is kept unless unticked
    await edit(
        "categories",
        {"need_categories": ["physical-activity", "loneliness-isolation"], "delivery_modes": ["in-person"]},
    )
    stored = await directory.service(sid)
    assert stored["organization"]["name"] == "Feel Good Factor Leeds"
    location = stored["service_at_locations"][0]["location"]
    assert location["addresses"][0]["postal_code"] == "LS6 3HU"
    assert location["accessibility"][0]["description"] == "Level entrance."
    assert stored["schedules"][0]["byday"] == "TU,TH" and stored["schedules"][0]["opens_at"] == "10:30:00"
    assert stored["cost_options"][0]["amount"] == 2.5 and stored["minimum_age"] == 50
    sp = stored["social_prescribing"]
    assert sp["eligibility"] == ["carers"] and sp["accessibility"] == ["step-free-access"]
    assert sp["need_categories"] == ["physical-activity", "loneliness-isolation"]
    names = [a["taxonomy_term"]["name"] for a in stored.get("attributes", [])]
    assert "Walking" not in names  # unticked, so removed; the needs stay as terms of linkwork-needs
    assert len(names) == 2

    # The review queue, verify from it, and the history.
    queue = await browser.get("/directory/review")
    assert queue.status_code == 200 and "Headingley Health Walks" in queue.text
    verified = await browser.post(
        f"/directory/services/{sid}/verify", data={"csrf_token": csrf, "back": "/directory/review"}
    )
    assert verified.status_code == 303 and verified.headers["location"] == "/directory/review"
    history = await browser.get(f"/directory/services/{sid}/history")
    assert history.status_code == 200
    assert "Verified" in history.text and "Changed" in history.text and "Created" in history.text
    assert "Headingley Walking Group" in history.text  # the name before, in the change list

    withdrawn = await browser.post(f"/directory/services/{sid}/withdraw", data={"csrf_token": csrf, "reason": ""})
    assert withdrawn.status_code == 400 and 'href="#reason"' in withdrawn.text
    withdrawn = await browser.post(f"/directory/services/{sid}/withdraw", data={"csrf_token": csrf, "reason": "Closed"})
    assert withdrawn.status_code == 303
    assert (await directory.service(sid))["social_prescribing"]["withdrawal_reason"] == "Closed"


async def test_an_import_shows_progress_and_its_report_and_duplicates_merge(
    directory: Directory, browser: httpx.AsyncClient, sign_in: SignIn
) -> None:
    token = directory.headers["Authorization"].removeprefix("Bearer ")
    session = await sign_in(token=token, role="curator", subject="curator-1")
    csrf = session.csrf_token
    first, second = _service(), _service()
    second["name"] = "Feel Good Factor: Headingley walking group"
    second["contacts"] = []
    broken = {"id": str(uuid.uuid4()), "name": "", "status": "active"}
    started_ids = []
    for name, services in (("Leeds City Council", [first]), ("Leeds Third Sector", [second, broken])):
        document = json.dumps({"total_items": len(services), "contents": services}).encode()
        answer = await browser.post(
            "/directory/imports",
            data={"csrf_token": csrf, "directory": name},
            files={"file": ("services.json", document, "application/json")},
        )
        assert answer.status_code == 303, answer.text
        started_ids.append(answer.headers["location"])

    async def finished() -> bool:
        page = await browser.get(started_ids[-1])
        return "Record by record" in page.text

    await eventually(finished, what="the import to finish")
    report = await browser.get(started_ids[-1])
    assert report.status_code == 200 and "Refused" in report.text and "Rejected" in report.text
    listing = await browser.get("/directory/imports")
    assert "Leeds Third Sector" in listing.text and "Leeds City Council" in listing.text
    refused = await browser.post(
        "/directory/imports",
        data={"csrf_token": csrf, "directory": ""},
        files={"file": ("notes.txt", b"hello", "text/plain")},
    )
    assert refused.status_code == 400 and 'href="#directory"' in refused.text and 'href="#file"' in refused.text

    duplicates = await browser.get("/directory/duplicates")
    assert duplicates.status_code == 200 and "Feel Good Factor: Headingley walking group" in duplicates.text
    merged = await browser.post(
        "/directory/duplicates/merge",
        data={"csrf_token": csrf, "first": first["id"], "second": second["id"], "keep": first["id"]},
    )
    assert merged.status_code == 303 and merged.headers["location"] == f"/directory/services/{first['id']}"
    history = await browser.get(f"/directory/services/{first['id']}/history")
    assert "the listing merged into this one" in history.text and "Imported" in history.text
    # The merged listing's page leads to the one that stayed.
    moved = await browser.get(f"/directory/services/{second['id']}")
    assert moved.status_code == 303 and moved.headers["location"] == f"/directory/services/{first['id']}"
    moved_history = await browser.get(f"/directory/services/{second['id']}/history")
    assert moved_history.status_code == 200 and "the listing merged into this one" in moved_history.text


async def test_other_roles_get_no_curation_pages(browser: httpx.AsyncClient, sign_in: SignIn) -> None:
    await sign_in(role="link_worker")
    assert (await browser.get("/directory/review")).status_code == 404
