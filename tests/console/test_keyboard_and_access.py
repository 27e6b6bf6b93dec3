"""Keyboard-only use, and who sees what, in real Chromium through the Keycloak sign-in.

Access: a link worker in another PCN never sees this PCN's referral on any page; a referrer sees only their own;
a provider or a curator sees no case records at all."""

from __future__ import annotations

import random
from pathlib import Path

import httpx
import pytest
from linkwork_stack.journey import Journey
from linkwork_stack.people import Person
from playwright.async_api import Browser

from .conftest import ConsoleSystem
from .pages import check_page, follow, sign_in, submit, tab_to

pytestmark = pytest.mark.e2e


async def _referral(stack: ConsoleSystem, seed: int) -> tuple[str, Person]:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=stack.service("referral"), timeout=30) as client:
        person = Person.random(rng)
        referral = await Journey(client, stack.keycloak.headers, rng).refer(person)
    return str(referral["id"]), person


async def test_keyboard_only_sign_in_accept_and_log_a_contact(
    stack: ConsoleSystem, chromium: Browser, artefacts: Path
) -> None:
    """Then change the person's postcode (a new referral version) and, by keyboard, put it on hold (first without
    a reason: the error summary), resume it and mark it as entered in error; axe-core checks each of those pages."""
    rid, person = await _referral(stack, 41)
    context = await chromium.new_context()
    page = await context.new_page()
    try:
        await page.goto(stack.url)
        await page.keyboard.press("Tab")
        assert "Skip to main content" in await page.evaluate("document.activeElement.innerText")
        await tab_to(page, "Sign in")
        await page.keyboard.press("Enter")
        await page.wait_for_selector("#username")
        await page.focus("#username")  # the provider's page: its own focus order is Keycloak's concern
        await page.keyboard.type("link-worker")
        await page.keyboard.press("Tab")
        await page.keyboard.type("linkwork-demo")
        await page.keyboard.press("Enter")
        await page.wait_for_url(f"{stack.url}/**")

        await follow(page, "Waiting to be allocated", "**/caseload?view=unassigned")
        await follow(page, f"{person.given_name} {person.family_name}", f"**/referrals/{rid}")
        await submit(page, "Accept and allocate to me", "Referral accepted")

        await follow(page, "Log a contact", f"**/referrals/{rid}/contacts")
        # Tab reaches a radio group once; arrow keys move (and select) within it: in person, online, telephone.
        await tab_to(page, "In person")
        await page.keyboard.press("ArrowDown")
        await page.keyboard.press("ArrowDown")
        await tab_to(page, "Contact made")
        await page.keyboard.press("Space")
        await submit(page, "Log contact", "Contact logged")

        await follow(page, "Change person details", f"**/referrals/{rid}/person")
        await check_page(page, artefacts, "18-person")
        await page.fill("#given_name", "")
        await page.get_by_role("button", name="Save person details").click()
        await page.locator(".nhsuk-error-summary", has_text="Enter the person's first name").wait_for()
        await check_page(page, artefacts, "19-person-error")
        await page.fill("#given_name", person.given_name)
        await page.fill("#postcode", "LS1 1UR")
        await page.get_by_role("button", name="Save person details").click()
        await page.locator("#flash", has_text="New suggestions will follow").wait_for()

        await follow(page, "Put on hold", f"**/referrals/{rid}/hold")
        await check_page(page, artefacts, "20-hold")
        await tab_to(page, "Put on hold")  # the button, with no reason given
        await page.keyboard.press("Enter")
        await page.locator(".nhsuk-error-summary", has_text="Enter why the referral is on hold").wait_for()
        assert (await page.title()).startswith("Error: ")
        await check_page(page, artefacts, "21-hold-error")
        await tab_to(page, "Why is the referral on hold?")
        await page.keyboard.type("In hospital until next month")
        await submit(page, "Put on hold", "Referral put on hold")
        await check_page(page, artefacts, "22-referral-on-hold")

        await submit(page, "Resume referral", "Referral resumed")

        await follow(page, "Mark as entered in error", f"**/referrals/{rid}/entered-in-error")
        await check_page(page, artefacts, "23-entered-in-error")
        await tab_to(page, "What was the error?")
        await page.keyboard.type("Duplicate referral")
        await submit(page, "Mark as entered in error", "Referral marked as entered in error")
        await check_page(page, artefacts, "24-referral-entered-in-error")

        # The caseload sorted (the filter panel open, so its sort control is checked too).
        await page.goto(f"{stack.url}/caseload?view=all&sort=urgency&urgency=urgent")
        assert await page.locator("#sort").input_value() == "urgency"
        await check_page(page, artefacts, "25-caseload-sorted")
    finally:
        await context.close()


async def test_each_role_sees_only_what_it_may(stack: ConsoleSystem, chromium: Browser) -> None:
    rid, person = await _referral(stack, 42)
    name = f"{person.given_name} {person.family_name}"
    record = f"{stack.url}/referrals/{rid}"
    pages = [f"{stack.url}/caseload?view={view}" for view in ("mine", "unassigned", "all")]
    pages += [f"{stack.url}/caseload?view=all&q={person.family_name}", record, f"{record}/plan", f"{record}/close"]

    async def sees(username: str) -> list[bool]:
        context = await chromium.new_context()
        page = await context.new_page()
        try:
            await sign_in(page, stack.url, username)
            found = []
            for url in pages:
                await page.goto(url)
                found.append(name in await page.content())
            return found
        finally:
            await context.close()

    assert any(await sees("link-worker"))  # the same PCN: it is there to be seen
    assert not any(await sees("link-worker-other-pcn"))
    assert not any(await sees("provider"))
    assert not any(await sees("curator"))

    # The referrer demo user made this referral (Journey.refer refers as the referrer): they see it. A self-referral
    # a link worker took by phone in the same PCN is not theirs to see.
    other = Person.random(random.Random(43))
    async with httpx.AsyncClient(base_url=stack.service("referral"), timeout=30) as client:
        made = await client.post(
            "/referrals",
            json={**other.referral_body(), "source": "self-referral"},
            headers=stack.keycloak.headers("link_worker"),
        )
        assert made.status_code == 201, made.text
    other_rid = made.json()["id"]
    context = await chromium.new_context()
    page = await context.new_page()
    try:
        await sign_in(page, stack.url, "referrer")
        await page.goto(f"{stack.url}/caseload")
        listed = await page.content()
        assert name in listed and f"{other.given_name} {other.family_name}" not in listed
        await page.goto(f"{stack.url}/referrals/{other_rid}")
        assert (await page.title()).startswith("Page not found")
        assert other.family_name not in await page.content()
    finally:
        await context.close()
