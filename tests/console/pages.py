"""Helpers for driving the console in Chromium: sign in on the Keycloak page (in a fresh context), check each page
with axe-core, and keep a screenshot of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page

_axe = Axe()


async def check_page(page: Page, artefacts: Path, name: str) -> None:
    """Zero axe-core violations (WCAG 2.x A and AA rules and best practices), a title, one h1; a screenshot."""
    await page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)
    results = await _axe.run(page)
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"
    assert (await page.title()).endswith("linkwork"), await page.title()
    assert await page.locator("h1").count() == 1


async def sign_in(page: Page, console_url: str, username: str, password: str = "linkwork-demo") -> None:
    """From the console's start page through the provider's own login form and back."""
    await page.goto(console_url)
    await page.get_by_role("button", name="Sign in").first.click()
    await page.wait_for_selector("#username")
    await page.fill("#username", username)
    await page.fill("#password", password)
    await page.click("#kc-login")
    await page.wait_for_url(f"{console_url}/**")


@asynccontextmanager
async def signed_in(browser: Browser, console_url: str, username: str, **options: Any) -> AsyncIterator[Page]:
    """A page in a browser context of its own (1280 x 900 unless `options` say otherwise), signed in as
    `username`; the context is closed afterwards, whatever happened."""
    context = await browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **options})
    try:
        page = await context.new_page()
        await sign_in(page, console_url, username)
        yield page
    finally:
        await context.close()


async def tab_to(page: Page, text: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element's text, label or value contains `text`: how a keyboard user gets
    there. Fails if it never takes focus (not reachable by keyboard)."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        focused = await page.evaluate(
            """() => { const e = document.activeElement; if (!e) return "";
                 const label = e.labels && e.labels.length ? e.labels[0].innerText : "";
                 return [e.innerText || "", e.value || "", label, e.getAttribute("aria-label") || ""].join(" | "); }"""
        )
        if text in focused:
            return
    raise AssertionError(f"{text!r} never took keyboard focus within {limit} Tab presses")


async def follow(page: Page, link: str, url: str) -> None:
    """Tab to `link`, press Enter, and wait for the page at `url` (a glob): a keyboard user following a link."""
    await tab_to(page, link)
    await page.keyboard.press("Enter")
    await page.wait_for_url(url)


async def submit(page: Page, button: str, flash: str) -> None:
    """Tab to `button`, press Enter, and wait for the confirmation `flash` the console shows after it."""
    await tab_to(page, button)
    await page.keyboard.press("Enter")
    await page.locator("#flash", has_text=flash).wait_for()
