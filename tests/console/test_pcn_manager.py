"""Issue 18, PCN managers, in real Chromium through the Keycloak sign-in: the team's workload, and moving the
whole caseload of a link worker who leaves to a colleague; axe-core checks each page."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import jwt
import pytest
from linkwork_stack.journey import Journey
from linkwork_stack.people import Person
from playwright.async_api import Browser

from .conftest import ConsoleSystem
from .pages import check_page, signed_in

pytestmark = pytest.mark.e2e


def _subject(stack: ConsoleSystem, username: str) -> str:
    claims = jwt.decode(stack.keycloak.token(username), options={"verify_signature": False})
    return str(claims["sub"])


async def test_a_manager_moves_a_leaver_s_caseload(stack: ConsoleSystem, chromium: Browser, artefacts: Path) -> None:
    leaver, colleague = _subject(stack, "link-worker-2"), _subject(stack, "link-worker")
    rng = random.Random(18)
    manager = stack.keycloak.headers("pcn_admin")
    async with httpx.AsyncClient(base_url=stack.service("referral"), timeout=30) as client:
        journey = Journey(client, stack.keycloak.headers, rng)
        moving = []
        for link_worker in (colleague, leaver, leaver):  # the colleague has a caseload of their own already
            referral = await journey.refer(Person.random(rng))
            accepted = await client.post(
                f"/referrals/{referral['id']}/accept", json={"link_worker": link_worker}, headers=manager
            )
            assert accepted.status_code == 200, accepted.text
            if link_worker == leaver:
                moving.append(referral["id"])

        async with signed_in(chromium, stack.url, "pcn-admin") as page:
            await page.get_by_role("link", name="Team").first.click()
            await page.wait_for_url("**/team")
            await check_page(page, artefacts, "30-team")
            row = page.locator("tr", has=page.locator("th", has_text=leaver))
            assert (await row.locator("td").first.inner_text()).strip() == "2"
            # The user admin is the sign-in provider's own (Keycloak here), not a second user store.
            admin = page.get_by_role("link", name="sign-in provider's user administration")
            assert (await admin.get_attribute("href") or "").startswith(f"{stack.keycloak.url}/admin/linkwork/console")

            await row.get_by_role("link", name="Move caseload").click()
            await page.wait_for_url("**/team/move?leaver=*")
            await check_page(page, artefacts, "31-team-move")
            # Submitting without choosing: the error summary names the question.
            await page.get_by_role("button", name="Move caseload").click()
            await page.locator(".nhsuk-error-summary").wait_for()
            await check_page(page, artefacts, "32-team-move-error")
            await page.get_by_label(colleague).check()
            await page.get_by_role("button", name="Move caseload").click()
            await page.locator("#flash", has_text=f"Moved 2 referrals to {colleague}").wait_for()
            await check_page(page, artefacts, "33-team-moved")
            assert await page.locator("tr", has=page.locator("th", has_text=leaver)).locator("a").count() == 0

        for referral_id in moving:
            record = (await client.get(f"/referrals/{referral_id}", headers=manager)).json()
            assert record["link_worker"] == colleague
        audit = (await client.get("/audit", params={"subject": _subject(stack, "pcn-admin")}, headers=manager)).json()
        assert set(moving) <= {entry["referral_id"] for entry in audit if entry["action"] == "reassign"}
