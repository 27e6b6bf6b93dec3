"""A link worker's whole journey in real Chromium: sign in on the Keycloak login page, find the new referral,
accept it, log a contact, assess with SWEMWBS, build a plan from the suggestions and agree it, record a
follow-up, close; then the events on Kafka and the figures in outcomes. axe-core checks every page."""

from __future__ import annotations

import json
import random
from pathlib import Path

import httpx
import pytest
from linkwork_contracts import topics
from linkwork_stack.journey import Journey, full_journey
from linkwork_stack.people import Person
from linkwork_stack.system import eventually
from linkwork_stack.topic_reader import read_topic
from playwright.async_api import Browser

from .conftest import ConsoleSystem
from .pages import check_page, sign_in

pytestmark = pytest.mark.e2e
OTHER_PEOPLE = 5  # with the browser's one, above outcomes' small-number suppression threshold


async def _events_for(bootstrap: str, topic: str, referral_id: str) -> list[dict[str, object]]:
    found = []
    for record in await read_topic(bootstrap, topic):
        if record.key is not None and record.key.decode() == referral_id:
            found.append(json.loads(record.value))
    return found


async def test_link_worker_journey_in_the_browser(stack: ConsoleSystem, chromium: Browser, artefacts: Path) -> None:
    rng = random.Random(14)
    async with httpx.AsyncClient(base_url=stack.service("referral"), timeout=30) as client:
        journey = Journey(client, stack.keycloak.headers, rng)
        person = Person.random(rng)
        referral = await journey.refer(person)
        rid = referral["id"]
        name = f"{person.given_name} {person.family_name}"

        context = await chromium.new_context(viewport={"width": 1280, "height": 900})
        page = await context.new_page()
        try:
            await page.goto(stack.url)
            await check_page(page, artefacts, "01-start")
            await sign_in(page, stack.url, "link-worker")
            await check_page(page, artefacts, "02-caseload-mine")

            await page.get_by_role("link", name="Waiting to be allocated").click()
            await check_page(page, artefacts, "03-caseload-unassigned")
            await page.locator(f'a[href="/referrals/{rid}"]').click()
            await check_page(page, artefacts, "04-referral-new")
            assert name in await page.locator("h1").inner_text()

            await page.get_by_role("button", name="Accept and allocate to me").click()
            await page.locator("#flash", has_text="Referral accepted").wait_for()

            await page.get_by_role("button", name="Log a contact").click()
            await check_page(page, artefacts, "05-contact")
            await page.get_by_label("First contact").check()
            await page.get_by_label("Telephone").check()
            await page.get_by_label("Contact made").check()
            await page.get_by_role("button", name="Log contact").click()
            await page.locator("#flash", has_text="Contact logged").wait_for()

            await page.get_by_role("button", name="What matters to me").click()
            await check_page(page, artefacts, "06-what-matters")
            await page.get_by_role("button", name="Save").click()
            await check_page(page, artefacts, "07-what-matters-errors")
            assert await page.locator(".nhsuk-error-summary").count() == 1
            await page.fill("#what_matters", "Getting out and meeting people")
            for item in range(7):
                await page.locator(f'input[name="swemwbs-{item}"][value="2"]').check()
            await page.get_by_role("button", name="Save").click()
            await page.get_by_text("SWEMWBS metric score 15.32").wait_for()

            async def suggestions_shown() -> bool:
                await page.goto(f"{stack.url}/referrals/{rid}/plan")
                return await page.locator('input[name="option"]').count() > 0

            await eventually(suggestions_shown, within=90, what="suggestions on the plan page")
            await check_page(page, artefacts, "08-plan")
            await page.get_by_text("Explore other options").click()
            await page.get_by_label("Online", exact=True).check()
            await page.get_by_role("button", name="Find options").click()
            await page.get_by_role("heading", name="Other options found").wait_for()
            await check_page(page, artefacts, "08-plan-explored")
            await page.fill("#goals", "Join a walking group")
            await page.locator('input[name="option"]').first.check()
            await page.get_by_role("button", name="Agree plan").click()
            await page.locator("#flash", has_text="Plan agreed").wait_for()
            await check_page(page, artefacts, "09-referral-planned")

            await page.get_by_role("button", name="Record a follow-up").click()
            await check_page(page, artefacts, "10-follow-up")
            await page.get_by_label("Telephone").check()
            await page.get_by_label("Contact made").check()
            await page.locator('fieldset:has-text("Attendance") input[value="attending"]').first.check()
            for item in range(7):
                await page.locator(f'input[name="swemwbs-{item}"][value="4"]').check()
            await page.get_by_role("button", name="Record follow-up").click()
            await page.locator("#flash", has_text="Follow-up recorded").wait_for()

            await page.get_by_role("button", name="Close referral").click()
            await check_page(page, artefacts, "11-close")
            assert "Yes" in await page.locator("table").inner_text()  # meaningful SWEMWBS change shown
            await page.get_by_label("Goals met").check()
            await page.get_by_role("button", name="Close referral").click()
            await page.locator("#flash", has_text="Referral closed").wait_for()
            await check_page(page, artefacts, "12-referral-closed")

            await page.goto(f"{stack.url}/referrals/new")
            await check_page(page, artefacts, "13-new-referral")
            await page.fill("#nhs_number", "1234567890")
            await page.get_by_role("button", name="Make referral").click()
            await check_page(page, artefacts, "14-new-referral-errors")
            assert "Enter a valid NHS number" in await page.locator("#nhs_number-error").inner_text()

            await page.goto(f"{stack.url}/sign-out")
            await check_page(page, artefacts, "15-sign-out")
            await page.get_by_role("button", name="Sign out").click()
            await page.wait_for_url(f"{stack.url}/signed-out")
            await check_page(page, artefacts, "16-signed-out")
            await page.goto(f"{stack.url}/caseload")
            assert "/realms/" in page.url  # signed out at the provider too: its login page again
        finally:
            await context.close()

        bootstrap = stack.system.infra.kafka.bootstrap
        for topic in (topics.REFERRAL_CREATED, topics.PLAN_AGREED, topics.FOLLOW_UP_RECORDED, topics.REFERRAL_CLOSED):
            assert await _events_for(bootstrap, topic, rid), f"no {topic} event for the browser's referral"

        for _ in range(OTHER_PEOPLE):
            await full_journey(journey, Person.random(rng))
        admin = stack.keycloak.headers("pcn_admin")

        async def outcomes_caught_up() -> dict[str, object] | None:
            summary = (await client.get(f"{stack.service('outcomes')}/reports/summary", headers=admin)).json()
            stages = {stage["stage"]: stage["count"] for stage in summary.get("funnel", [])}
            closed = stages.get("closed", {}).get("value")
            return summary if closed == OTHER_PEOPLE + 1 else None

        await eventually(outcomes_caught_up, within=120, what="outcomes to count the closed journeys")

        # The figures as a PCN manager and a commissioner see them, opened in the browser from the console.
        for username in ("pcn-admin", "commissioner"):
            context = await chromium.new_context(viewport={"width": 1280, "height": 900})
            page = await context.new_page()
            try:
                await sign_in(page, stack.url, username)
                await page.get_by_role("link", name="Outcomes report").first.click()
                await check_page(page, artefacts, f"17-outcomes-report-{username}")
                funnel = await page.locator("table").first.inner_text()
                assert "Closed" in funnel or "closed" in funnel
                async with page.expect_download() as download:
                    await page.get_by_role("link", name="Download these figures as CSV").click()
                assert (await download.value).suggested_filename.endswith(".csv")
            finally:
                await context.close()
