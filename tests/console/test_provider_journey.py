"""A provider's side of the loop in real Chromium (issue 17): a link worker's plan refers an activity to the
demo provider's organisation; the provider signs in on the Keycloak page, sees the incoming referral with only
what the person agreed to share, accepts it with a start date, confirms attendance for three sessions and marks
it completed; the link worker then sees each step in the referral's timeline. axe-core checks every page, and
no identifier beyond the agreed minimum reaches the provider's pages or the activity-referred event."""

from __future__ import annotations

import dataclasses
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from linkwork_contracts import topics
from linkwork_directory.adapters.demo.generator import DemoDirectory, sample_places
from linkwork_directory.entrypoints.load_postcodes import SAMPLE
from linkwork_stack.journey import Journey
from linkwork_stack.keycloak import DEMO_USERS
from linkwork_stack.people import Person
from linkwork_stack.system import eventually, load_demo_directory
from linkwork_stack.topic_reader import read_topic
from playwright.async_api import Browser, Page

from .conftest import ConsoleSystem
from .pages import check_page, signed_in

pytestmark = pytest.mark.e2e
DEMO_SEED, DEMO_COUNT = 7, 25  # the demo provider's organisation is the first of seed 7's directory
PROVIDER_ORG = next(u.organisation for u in DEMO_USERS if u.username == "provider")


def provider_service() -> tuple[str, str]:
    """(service id, need) of a service of the demo provider's organisation that takes link worker referrals."""
    demo = DemoDirectory(count=DEMO_COUNT, seed=DEMO_SEED, today=date.today(), places=sample_places(SAMPLE))
    for service in demo.services():
        extension = service["social_prescribing"]
        if service["organization"]["id"] == PROVIDER_ORG and "link-worker" in extension["referral_routes"]:
            return service["id"], extension["need_categories"][0]
    raise AssertionError("the demo directory has no service of the demo provider taking referrals")


async def planned_with_provider(stack: ConsoleSystem, person: Person, service_id: str, need: str) -> str:
    """A referral taken to a plan over the API, the person agreeing to share first name, phone and needs."""
    async with httpx.AsyncClient(base_url=stack.service("referral"), timeout=30) as client:
        journey = Journey(client, stack.keycloak.headers, random.Random(17))
        rid: str = (await journey.refer(person))["id"]
        await journey.accept(rid)
        await journey.first_contact(rid)
        await journey.assess(rid, person, 2)
        share = {"first_name": True, "contact": "phone", "needs": True, "accessibility_needs": False}
        body = {
            "goals": ["meet people"],
            "needs_addressed": [need],
            "activities": [{"service_id": service_id, "need": need, "share": share}],
        }
        answer = await client.post(f"/referrals/{rid}/plan", json=body, headers=journey.worker)
        assert answer.status_code == 200, answer.text
        return rid


def forbidden(person: Person) -> list[str]:
    """What the provider must never see: the person agreed to first name, phone and needs only."""
    body = person.referral_body()
    return [
        person.nhs_number,
        f"{person.nhs_number[:3]} {person.nhs_number[3:6]} {person.nhs_number[6:]}",
        person.family_name,
        person.date_of_birth.isoformat(),
        person.postcode,
        body["person"]["email"],
        body["person"]["address_lines"][0],
        body["reason"],
    ]


async def no_leaks(page: Page, secrets: list[str]) -> None:
    html = await page.content()
    leaked = [s for s in secrets if s in html]
    assert leaked == [], f"{page.url} shows {len(leaked)} identifier(s) beyond the agreed minimum"


async def fill_date(page: Page, prefix: str, day: date) -> None:
    await page.fill(f"#{prefix}-day", str(day.day))
    await page.fill(f"#{prefix}-month", str(day.month))
    await page.fill(f"#{prefix}-year", str(day.year))


async def test_provider_journey_in_the_browser(stack: ConsoleSystem, chromium: Browser, artefacts: Path) -> None:
    load_demo_directory(stack.system, DEMO_COUNT, seed=DEMO_SEED)
    service_id, need = provider_service()
    referral_db = await asyncpg.connect(stack.system.infra.postgres.url("referral"))
    try:

        async def known() -> bool:
            found = await referral_db.fetchval(
                "SELECT takes_referrals FROM provider_services WHERE service_id = $1", service_id
            )
            return bool(found)

        await eventually(known, within=90, what="the demo provider's service reaching the referral service")
    finally:
        await referral_db.close()
    rng = random.Random(1717)
    person = dataclasses.replace(Person.random(rng), needs=(need,))
    rid = await planned_with_provider(stack, person, service_id, need)
    secrets = forbidden(person)
    phone = person.referral_body()["person"]["phone"]

    async with signed_in(chromium, stack.url, "provider") as page:
        await page.wait_for_url(f"{stack.url}/provider/referrals")
        await check_page(page, artefacts, "p01-incoming")
        await no_leaks(page, secrets)
        link = page.locator('a[href^="/provider/referrals/"]').first
        await link.click()
        await page.get_by_role("heading", name=f"Referral for {person.given_name}").wait_for()
        await check_page(page, artefacts, "p02-referral")
        await no_leaks(page, secrets)
        assert phone in await page.content()  # agreed: the provider may ring them

        await page.get_by_role("button", name="Send answer").click()
        await check_page(page, artefacts, "p03-answer-errors")
        assert await page.locator(".nhsuk-error-summary").count() == 1
        await page.get_by_label("No, decline it").check()
        await page.get_by_role("button", name="Send answer").click()
        assert "Select why you cannot take this referral" in await page.locator("#reason-error").inner_text()

        today = date.today()
        starts = today - timedelta(days=14)
        await page.get_by_label("Yes, accept it").check()
        await fill_date(page, "starts", starts)
        await page.get_by_role("button", name="Send answer").click()
        await page.locator("#flash", has_text="Referral accepted").wait_for()
        await check_page(page, artefacts, "p04-accepted")

        for offset, answer in ((0, "Attended"), (7, "Did not attend"), (14, "Attended")):
            await fill_date(page, "session", starts + timedelta(days=offset))
            await page.get_by_label(answer, exact=True).check()
            await page.get_by_role("button", name="Save attendance").click()
            await page.locator("#flash", has_text="Attendance saved").wait_for()
        assert "2 attended" in await page.locator("#sessions").inner_text()
        await fill_date(page, "session", today + timedelta(days=2))
        await page.get_by_label("Attended", exact=True).check()
        await page.get_by_role("button", name="Save attendance").click()
        await check_page(page, artefacts, "p05-attendance-errors")
        assert "today or in the past" in await page.locator("#session-day-error").inner_text()

        await page.get_by_label("Yes, they have completed it").check()
        await page.get_by_role("button", name="Mark as completed").click()
        await page.locator("#flash", has_text="Marked as completed").wait_for()
        await check_page(page, artefacts, "p06-completed")
        assert await page.locator("#status").inner_text() == "Completed"
        await no_leaks(page, secrets)
        # A provider has no case records (refused like a record that does not exist).
        response = await page.goto(f"{stack.url}/referrals/{rid}")
        assert response is not None and response.status in (403, 404)
        await no_leaks(page, secrets)

    # The link worker sees every step of the provider in the referral's timeline.
    async with signed_in(chromium, stack.url, "link-worker") as page:
        await page.goto(f"{stack.url}/referrals/{rid}")
        timeline = await page.locator("body").inner_text()
        for step in ("accepted the referral", "confirmed the session", "did not attend", "marked the activity"):
            assert step in timeline, step
        assert timeline.count("confirmed the session") == 3
        assert "Referred to" in timeline
        await check_page(page, artefacts, "p07-link-worker-timeline")

    # The event providers' systems read carries the same minimum, and no person_ref.
    events = [
        json.loads(r.value)
        for r in await read_topic(stack.system.infra.kafka.bootstrap, topics.ACTIVITY_REFERRED)
        if r.key is not None and r.key.decode() == rid
    ]
    [event] = events
    data: dict[str, Any] = event["data"]
    assert data["shared"] == {
        "first_name": person.given_name,
        "contact": {"route": "phone", "value": phone},
        "needs": [need],
        "accessibility_needs": [],
    }
    assert "person_ref" not in data and not [s for s in secrets if s in json.dumps(event)]
