"""A provider keeps their capacity and waiting list in real Chromium (issue 17): signed in on the Keycloak page as
the demo provider, they open their service, get an error summary for a bad number, set places per week and a
waiting list, add two people who came another way, see the estimated wait, and take one off the list with a
reason. axe-core checks every page (zero violations). The pages are plain forms (no script of their own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from linkwork_stack.system import load_demo_directory
from playwright.async_api import Browser

from .conftest import ConsoleSystem
from .pages import check_page, signed_in
from .test_provider_journey import DEMO_COUNT, DEMO_SEED, provider_service

pytestmark = pytest.mark.e2e


async def test_provider_capacity_and_waiting_list(stack: ConsoleSystem, chromium: Browser, artefacts: Path) -> None:
    load_demo_directory(stack.system, DEMO_COUNT, seed=DEMO_SEED)
    service_id, _ = provider_service()
    async with signed_in(chromium, stack.url, "provider") as page:
        await page.goto(f"{stack.url}/provider/capacity")
        await check_page(page, artefacts, "c01-capacity-services")
        await page.locator(f'a[href="/provider/capacity/{service_id}"]').click()
        await page.locator("#summary").wait_for()
        await check_page(page, artefacts, "c02-capacity")

        await page.fill("#places", "lots")
        await page.get_by_role("button", name="Save capacity").click()
        await page.locator(".nhsuk-error-summary").wait_for()
        await check_page(page, artefacts, "c03-capacity-errors")
        assert "whole number" in await page.locator("#places-error").inner_text()
        assert await page.locator("#places").input_value() == "lots"  # what they typed is kept

        await page.fill("#places", "2")
        await page.get_by_label("Yes, they join the waiting list").check()
        await page.get_by_role("button", name="Save capacity").click()
        await page.locator("#flash", has_text="Capacity saved").wait_for()
        for _ in range(2):
            await page.get_by_role("button", name="Add someone who came another way").click()
            await page.locator("#flash", has_text="Added to the end of the waiting list").wait_for()
        await check_page(page, artefacts, "c04-waiting-list")
        waiting = int(await page.locator("#waiting").inner_text())
        assert waiting >= 2 and await page.locator("#queue tbody tr").count() == waiting
        assert (await page.locator("#estimate").inner_text()).startswith("About")

        await page.locator("#queue tbody tr").last.get_by_role("link").click()
        await page.get_by_role("heading", name="Take someone off the waiting list").wait_for()
        await page.get_by_role("button", name="Take off the list").click()
        await page.locator(".nhsuk-error-summary").wait_for()
        await check_page(page, artefacts, "c05-remove-errors")
        await page.get_by_label("They no longer want a place").check()
        await page.get_by_role("button", name="Take off the list").click()
        await page.locator("#flash", has_text="Taken off the waiting list").wait_for()
        assert int(await page.locator("#waiting").inner_text()) == waiting - 1
