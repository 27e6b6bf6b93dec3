"""Issue 18, the directory curator in real Chromium through the Keycloak sign-in: find a service, edit it,
and a second edit made on a page opened before the first was saved (a stale ETag) is refused and shown as an
error with nothing overwritten; every part of the editor, the review queue with verify, the history, an
import with its report and the duplicates it makes, merged. axe-core checks every page; the main path is
driven by keyboard only."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from .conftest import ConsoleSystem
from .pages import check_page, follow, sign_in, submit, tab_to

pytestmark = pytest.mark.e2e
SECTIONS = ("details", "organisation", "location", "schedule", "costs", "eligibility", "accessibility", "categories")


async def _a_service(stack: ConsoleSystem) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.service("directory"), timeout=30) as client:
        listed = (await client.get("/services", params={"per_page": 50})).json()["contents"]
        chosen = next(s for s in listed if s.get("organization") and s["status"] == "active")
        return dict((await client.get(f"/services/{chosen['id']}")).json())


async def _stored(stack: ConsoleSystem, service_id: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.service("directory"), timeout=30) as client:
        return dict((await client.get(f"/services/{service_id}")).json())


def _copy_listed_elsewhere(service: dict[str, Any]) -> dict[str, Any]:
    """The same service as another directory lists it: its own ids, the name written another way."""
    copy: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "name": f"{service['organization']['name']}: {service['name'].upper()}",
        "description": "As listed by the council.",
        "status": "active",
        "organization": {
            "id": str(uuid.uuid4()),
            "name": service["organization"]["name"],
            "description": "As listed by the council.",
        },
    }
    for sal in service.get("service_at_locations") or []:
        for address in (sal.get("location") or {}).get("addresses") or []:
            copy["service_at_locations"] = [
                {
                    "id": str(uuid.uuid4()),
                    "location": {
                        "id": str(uuid.uuid4()),
                        "location_type": "physical",
                        "addresses": [{**address, "id": str(uuid.uuid4())}],
                    },
                }
            ]
    return copy


async def test_a_curator_edits_a_service_and_a_stale_edit_is_refused(
    stack: ConsoleSystem, chromium: Browser, artefacts: Path, tmp_path: Path
) -> None:
    service = await _a_service(stack)
    sid, original_description = service["id"], service.get("description", "")
    context = await chromium.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    other_tab: Page | None = None
    try:
        await sign_in(page, stack.url, "curator")
        await check_page(page, artefacts, "curator-01-home")
        await follow(page, "Directory", "**/directory")
        await check_page(page, artefacts, "curator-02-directory")
        await tab_to(page, "Name, organisation or what it offers")
        await page.keyboard.type(service["name"])
        await page.keyboard.press("Enter")
        await page.wait_for_url("**/directory?q=*")
        await check_page(page, artefacts, "curator-03-search")
        # (Tab would stop first at the search box, whose value is the name too.)
        await page.locator(f'a[href="/directory/services/{sid}"]').click()
        await page.wait_for_url(f"**/directory/services/{sid}")
        await check_page(page, artefacts, "curator-04-service")

        # A second tab opens the same part before the first one saves: it holds the version from now.
        other_tab = await context.new_page()
        await other_tab.goto(f"{stack.url}/directory/services/{sid}/edit/details")

        # "Change" links name their part in visually hidden text, which innerText puts on a line of its own.
        await follow(page, "service details", f"**/directory/services/{sid}/edit/details")
        await check_page(page, artefacts, "curator-05-edit-details")
        await tab_to(page, "Name")
        await page.keyboard.press("Control+A")
        await page.keyboard.type(f"{service['name']} (checked)")
        await submit(page, "Save service details", "Service details saved")
        assert (await _stored(stack, sid))["name"] == f"{service['name']} (checked)"

        await other_tab.fill("#description", "Overwritten by a stale page")
        await other_tab.get_by_role("button", name="Save service details").click()
        summary = other_tab.locator(".nhsuk-error-summary", has_text="Someone else changed this service")
        await summary.wait_for()
        assert (await other_tab.title()).startswith("Error: ")
        await check_page(other_tab, artefacts, "curator-06-stale-edit-refused")
        stored = await _stored(stack, sid)
        assert stored["name"] == f"{service['name']} (checked)"
        assert stored.get("description", "") == original_description
        # The way on: the latest version, with the first curator's change in it.
        await other_tab.locator("#reload").click()
        await other_tab.wait_for_url(f"**/directory/services/{sid}/edit/details")
        assert await other_tab.locator("#name").input_value() == f"{service['name']} (checked)"

        for slug in SECTIONS[1:]:
            await page.goto(f"{stack.url}/directory/services/{sid}/edit/{slug}")
            await check_page(page, artefacts, f"curator-07-edit-{slug}")
        await page.goto(f"{stack.url}/directory/services/{sid}/edit/schedule")
        for day in await page.locator('input[name="days"]').all():
            await day.uncheck()
        await page.get_by_role("button", name="Save when it runs").click()
        await page.locator(".nhsuk-error-summary", has_text="Select the days it runs").wait_for()
        await check_page(page, artefacts, "curator-08-edit-schedule-error")

        await page.goto(f"{stack.url}/directory/services/{sid}/history")
        await page.locator("td li", has_text=f"{service['name']} (checked)").first.wait_for()
        await check_page(page, artefacts, "curator-09-history")
        await page.goto(f"{stack.url}/directory/services/{sid}/withdraw")
        await check_page(page, artefacts, "curator-10-withdraw")
        await page.get_by_role("button", name="Withdraw service").click()
        await page.locator(".nhsuk-error-summary", has_text="Enter why the service is no longer offered").wait_for()
        await check_page(page, artefacts, "curator-11-withdraw-error")

        await page.goto(f"{stack.url}/directory/review")
        await check_page(page, artefacts, "curator-12-review-queue")
        first_due = await page.locator("tbody a").first.inner_text()
        await page.get_by_role("button", name=f"Verify {first_due}").press("Enter")
        await page.locator("#flash", has_text="Service verified").wait_for()

        # An import from another directory that lists the same service: progress, report, then the duplicate.
        upload = tmp_path / "council.json"
        upload.write_text(json.dumps({"total_items": 1, "contents": [_copy_listed_elsewhere(service)]}))
        await page.goto(f"{stack.url}/directory/imports")
        await check_page(page, artefacts, "curator-13-imports")
        await page.get_by_role("button", name="Import").click()  # neither directory nor file
        await page.locator(".nhsuk-error-summary", has_text="Select a file to import").wait_for()
        await check_page(page, artefacts, "curator-13-imports-error")
        await page.fill("#directory", "Leeds City Council")
        await page.set_input_files("#file", str(upload))
        await page.get_by_role("button", name="Import").click()
        await page.wait_for_url("**/directory/imports/*")
        for _ in range(30):
            if await page.get_by_text("Record by record").count():
                break
            await page.get_by_role("link", name="Check progress again").click()
        await check_page(page, artefacts, "curator-14-import-report")
        await follow(page, "Every record", "**/directory/imports/*?show=all")
        await check_page(page, artefacts, "curator-15-import-records")

        await page.goto(f"{stack.url}/directory/duplicates")
        await check_page(page, artefacts, "curator-16-duplicates")
        card = page.locator(".nhsuk-card", has_text="Leeds City Council").filter(
            has_text=service["organization"]["name"]
        )
        # The listing already here stays (other tests use it); the imported copy is merged into it.
        await card.first.locator(f'input[name="keep"][value="{sid}"]').check()
        await card.first.get_by_role("button", name="Merge").click()
        await page.locator("#flash", has_text="Merged").wait_for()
        await page.goto(f"{stack.url}/directory/services/{sid}/history")
        await page.get_by_text("the listing merged into this one").first.wait_for()
    finally:
        if other_tab is not None:
            await other_tab.close()
        await context.close()
